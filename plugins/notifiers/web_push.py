"""Built-in notifier `web-push`: each recipient's devices get the event as an encrypted Web Push.

pywebpush does the protocol: the aes128gcm payload encrypted to the device's keys (RFC 8291, http-ece)
and the VAPID `Authorization: vapid t=…, k=…` header signed with the relay's key (RFC 8292,
py-vapid), audience the endpoint's origin. This module decides what is sent and to where:

- only to endpoints the allowlist still lets through (core/web_push.py; checked again here, as the
  operator may have shortened `allowedHosts` since the device was added), never following a redirect;
- the payload is `NotificationEvent.public_payload`: no task text unless `includeText`;
- 404/410: the subscription is gone (unsubscribed, expired, the VAPID key rotated): removed;
- 429/5xx/no answer: `DeliveryFailed(retry_after=…)`, and the relay's queue tries the event again;
  devices that already got it are remembered by event id, so a retry reaches only the others.
Without `notifications.webPush.vapidPrivateKey` there is no notifier (Web Push is off).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import attrs
import requests
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from mobile_codex.core.config.relay import RelayConfig, WebPushConfig
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.notifications import PAIR_REQUEST, REQUEST_WAITING, DeliveryFailed, NotificationEvent
from mobile_codex.core.plugin_types import NotifierSpec
from mobile_codex.core.records import PushSubscription
from mobile_codex.core.store import Store
from mobile_codex.core.timeutil import iso
from mobile_codex.core.web_push import b64url, endpoint_host

log = logging.getLogger("mobile_codex.notifiers.web_push")

GONE = (404, 410)  # the push service no longer knows this subscription
RETRY_DEFAULT_SEC = 5.0  # a 5xx or no answer, without Retry-After
REMEMBERED_EVENTS = 1024  # events whose delivered devices are kept for retries
PAYLOAD_BUDGET = 3000  # bytes of JSON; push services take about 4 KiB of ciphertext
URGENT_KINDS = (REQUEST_WAITING, PAIR_REQUEST)


def topic(tag: str) -> str:
    """RFC 8030 `Topic` (at most 32 base64url characters): a newer push replaces an undelivered one."""
    return b64url(hashlib.sha256(tag.encode()).digest())[:32]


def retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (delay or HTTP date); the default when absent or bad."""
    if not value:
        return RETRY_DEFAULT_SEC
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return RETRY_DEFAULT_SEC


def payload(event: NotificationEvent, user_id: str, include_text: bool) -> bytes:
    body = event.public_payload(include_text=include_text, user_id=user_id)
    data = json.dumps(body, ensure_ascii=False).encode()
    if len(data) > PAYLOAD_BUDGET and "detail" in body:  # the text gives way; the event itself always fits
        body["detail"] = body["detail"][: max(0, len(body["detail"]) - (len(data) - PAYLOAD_BUDGET) - 16)] + "…"
        data = json.dumps(body, ensure_ascii=False).encode()
    return data


@attrs.define
class WebPushNotifier:
    store: Store
    settings: WebPushConfig
    subject: str
    include_text: bool  # webPush.includeText, or the channels' default notifications.includeText
    vapid: Vapid = attrs.field(init=False)
    session: requests.Session = attrs.field(init=False)
    delivered: OrderedDict = attrs.field(init=False, factory=OrderedDict)  # event id -> device ids
    lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        self.vapid = Vapid.from_raw(self.settings.vapid_private_key.encode())
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment: the allowlist names the real peer
        self.session.max_redirects = 0  # a redirect could point anywhere: refused, never followed

    def spec(self) -> NotifierSpec:
        return NotifierSpec(
            id="web-push", label="Web Push", deliver=self.deliver, timeout_sec=self.settings.timeout_sec * 2 + 1,
            close=self.session.close,
        )  # fmt: skip

    def deliver(self, event: NotificationEvent) -> None:
        with self.store.transaction(write=False) as tx:
            devices = [d for user_id in event.recipients for d in tx.push_subscriptions.find(user_id=user_id)]
        done = self._done(event.event_id)
        waits = []
        for device in devices:
            if device.device_id not in done:
                wait = self._send(event, device)
                if wait is not None:
                    waits.append(wait)
        if waits:
            raise DeliveryFailed(f"{len(waits)} push service(s) asked to retry", retry_after=max(waits))
        with self.lock:
            self.delivered.pop(event.event_id, None)

    def _done(self, event_id: str) -> set:
        with self.lock:
            done = self.delivered.setdefault(event_id, set())
            self.delivered.move_to_end(event_id)
            while len(self.delivered) > REMEMBERED_EVENTS:
                self.delivered.popitem(last=False)
            return done

    def _send(self, event: NotificationEvent, device: PushSubscription) -> float | None:
        """Send to one device; the seconds to wait before retrying it, or None (sent, gone or refused)."""
        if endpoint_host(device.endpoint, self.settings.allowed_hosts) is None:
            log.warning("web push: device %s: its endpoint host is no longer allowed; not sent", device.device_id)
            return None
        headers = {"Topic": topic(event.tag), "Urgency": "high" if event.kind in URGENT_KINDS else "normal"}
        try:
            webpush(
                {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}},
                data=payload(event, device.user_id, self.include_text), vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject}, ttl=self.settings.ttl_sec, timeout=self.settings.timeout_sec,
                headers=headers, requests_session=self.session,
            )  # fmt: skip
        except WebPushException as exc:
            status = exc.status_code
            if status in GONE:
                self._forget(device)
                return None
            if status == 429 or (status or 0) >= 500:
                return retry_after(exc.retry_after)
            log.warning("web push: device %s: refused (%s)", device.device_id, status)
            return None
        except requests.RequestException as exc:  # no answer, refused connection, a redirect
            log.warning("web push: device %s: %s", device.device_id, type(exc).__name__)
            return None if isinstance(exc, requests.TooManyRedirects) else RETRY_DEFAULT_SEC
        with self.lock:
            self.delivered.get(event.event_id, set()).add(device.device_id)
        self._touch(device)
        return None

    def _forget(self, device: PushSubscription) -> None:
        with self.store.transaction() as tx:
            tx.push_subscriptions.delete(device.device_id)

    def _touch(self, device: PushSubscription) -> None:
        with self.store.transaction() as tx:
            current = tx.push_subscriptions.get(device.device_id)
            if current is not None:
                tx.push_subscriptions.put(attrs.evolve(current, last_used_at=iso(datetime.now(timezone.utc))))


@hookimpl
def register_notifiers(config: RelayConfig, store: Store) -> list[NotifierSpec]:
    settings = config.notifications.web_push
    if not settings.vapid_private_key:
        return []
    include_text = settings.include_text or config.notifications.include_text
    return [WebPushNotifier(store, settings, vapid_subject(config), include_text).spec()]


def vapid_subject(config: RelayConfig) -> str:
    """The VAPID `sub` claim: configured, else an https publicOrigin, else a placeholder address
    (push services want `mailto:` or https; a test relay on http has neither)."""
    if config.notifications.web_push.subject:
        return config.notifications.web_push.subject
    return config.public_origin if config.is_https else "mailto:operator@localhost"
