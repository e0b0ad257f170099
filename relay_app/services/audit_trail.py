"""The relay's side of the audit trail (issue 21): services note security events here.

`note` appends an entry (core/audit.py) inside the service's own write transaction, so an event is
recorded exactly when the change it describes commits. Who acted and from which client address
come from the request being served: the request gate (http/middleware.py) sets them once per
request, so no service has to carry the HTTP request around; the address is worked out only when an
entry is noted (most requests, agent polls above all, note none). A sign-in names its actor itself
(nobody is signed in yet). Work outside a request (housekeeping, the CLI) has no address.

Details are metadata only (method, role, type, counts): never a prompt, output, title or note.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Callable

import attrs

from mobile_codex.core import audit
from mobile_codex.core.records import AuditEvent
from mobile_codex.core.store import Transaction

from .callers import Caller


@attrs.frozen
class Origin:
    """Where the request being served comes from."""

    client_address: Callable[[], str | None] = lambda: None  # asked only when an entry is noted
    user_id: str | None = None  # the signed-in person, None for agents and sign-in attempts


_ORIGIN: ContextVar[Origin] = ContextVar("mobile_codex_audit_origin", default=Origin())


def serving(client_address: Callable[[], str | None], user_id: str | None = None) -> None:
    """The request gate: the request this thread now serves comes from here (and this person)."""
    _ORIGIN.set(Origin(client_address=client_address, user_id=user_id))


def served() -> None:
    """The request is answered: nothing it set leaks into work this thread does next."""
    _ORIGIN.set(Origin())


_UNSET = object()


def note(
    tx: Transaction, kind: str, *, at: str, workspace_id: str | None = None, record: tuple[str, str] | None = None,
    actor: str | None | object = _UNSET, **details: str | int | bool | None,
) -> None:  # fmt: skip
    """Append a `kind` entry (core/audit.py KINDS) about `record` (type, id) to the trail in `tx`."""
    here = _ORIGIN.get()
    audit.append(
        tx, at=at, kind=kind, workspace_id=workspace_id,
        actor_user_id=here.user_id if actor is _UNSET else actor,  # type: ignore[arg-type]
        record_type=record[0] if record else None, record_id=record[1] if record else None,
        client_address=here.client_address(), details=details,
    )  # fmt: skip


def visible_events(
    tx: Transaction, caller: Caller, *, person: str | None, kind: str | None, workspace_id: str | None,
    before_seq: int | None, limit: int,
) -> list[AuditEvent]:  # fmt: skip
    """The trail as `caller` may see it (policy `audit.read`), newest first: a relay owner sees every
    entry (or one workspace's, when asked); a workspace owner only their current workspace's."""
    if not caller.is_relay_owner:
        workspace_id = caller.workspace_id
    return audit.find_events(
        tx, workspace_id=workspace_id, actor_user_id=person, kind=kind, before_seq=before_seq, limit=limit
    )


def session_ref(session_id_hash: str) -> tuple[str, str]:
    """A session as the trail names it: the start of its stored hash (enough to match sign-in and sign-out)."""
    return ("session", session_id_hash[:16])
