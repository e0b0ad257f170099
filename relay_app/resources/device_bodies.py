"""Reading `POST /api/admin/notifications/devices`: the browser's PushSubscription.toJSON() and a label.

Shape only (the endpoint and keys within their budgets, else 400 `invalid-field` naming the field); whether the endpoint's
host is allowed and the keys are real keys is the service's rule (services/push_devices.py).
"""

from __future__ import annotations

from mobile_codex.core.web_push import ENDPOINT_MAX

from ..errors import invalid_field
from ..fields import obj, text
from ..services.push_devices import NewDevice

KEY_BUDGET = 256  # base64url of a 65-byte point is 87 characters; of the 16-byte secret 22
LABEL_BUDGET = 120


def new_device(body: dict) -> NewDevice:
    endpoint = body.get("endpoint")  # refused, never clamped: a shortened URL is another address
    if not isinstance(endpoint, str) or not endpoint or len(endpoint.encode()) > ENDPOINT_MAX:
        raise invalid_field("endpoint")
    keys = obj(body, "keys")
    if keys is None:
        raise invalid_field("keys")
    values = {}
    for name in ("p256dh", "auth"):
        value = keys.get(name)
        if not isinstance(value, str) or not value or len(value) > KEY_BUDGET:
            raise invalid_field("keys")
        values[name] = value
    return NewDevice(endpoint=endpoint, label=text(body, "label", LABEL_BUDGET).strip(), **values)
