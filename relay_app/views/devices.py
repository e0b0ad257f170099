"""A Web Push device as the API shows it: never its endpoint or keys (they address and unlock the phone)."""

from __future__ import annotations

from typing import Any

from mobile_codex.core.records import PushSubscription


def device_view(device: PushSubscription) -> dict[str, Any]:
    return {
        "deviceId": device.device_id,
        "label": device.label,
        "endpointHost": device.endpoint_host,
        "createdAt": device.created_at,
        "lastUsedAt": device.last_used_at,
    }
