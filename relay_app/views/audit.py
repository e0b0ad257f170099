"""An audit entry as the API shows it: its stored fields in camelCase, the actor's name beside the id."""

from __future__ import annotations

from collections.abc import Mapping

from mobile_codex.core.record_codec import record_to_dict
from mobile_codex.core.records import AuditEvent


def audit_event_view(event: AuditEvent, names: Mapping[str, str]) -> dict:
    view = record_to_dict(event)
    # The name as it is now (a deleted user's entries keep only the id).
    view["actorDisplayName"] = names.get(event.actor_user_id) if event.actor_user_id else None
    return view
