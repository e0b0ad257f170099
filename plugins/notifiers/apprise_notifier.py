"""The Apprise notifier: the relay's notifications to the channels an operator lists (ntfy, Gotify,
Slack, Matrix, email, JSON webhooks ... anything Apprise speaks), per event kind and workspace.

Optional: it needs the `apprise` package (`pip install 'mobile-codex[apprise]'`) and loads only when
the relay config allows it (`plugins.allow: ["mobile-codex:apprise"]`, an entry point of this
distribution), and only while the relay's `notifications` flag is on. Its section is
`plugins.config.mobile-codex`. `apprise` is imported only when the
section is checked or a notifier is built, so an allowed plugin without the package is a config
error naming the extra, never an import traceback.

These channels are not per person: whoever reads the channel reads every notification sent to it.
So a message carries the event's title, body, workspace, agent and deep link only; task text
(`NotificationEvent.detail`: a prompt, a command) only for a channel with `includeText` on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import attrs

from mobile_codex.core.config.schema import Invalid, boolean, build, choice, integer, json_type, setting, string_list
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.notifications import CHOOSABLE_KINDS, KINDS, REQUEST_ANSWERED, REQUEST_WAITING, DeliveryFailed
from mobile_codex.core.plugin_types import ConfigModelSpec, NotifierSpec

DISTRIBUTION = "mobile-codex"
NOTIFIER_ID = "apprise"
REQUIRES_FLAGS = ("notifications",)
MISSING = "the Apprise notifier needs the apprise package: pip install 'mobile-codex[apprise]'"
# Apprise reports only "not sent", never why: every failure may be a passing outage, so try again.
RETRY_AFTER_SEC = 30.0
# Deliveries remembered per URL, so a retried event is not sent again to the URLs that took it.
REMEMBERED = 2048


def _apprise():
    try:
        import apprise
    except ImportError:
        raise Invalid(MISSING) from None
    return apprise


def _apprise_url(value, ctx, key, issues):
    if _apprise().Apprise.instantiate(value) is None:
        raise Invalid("expected an Apprise URL of a service Apprise knows (e.g. ntfy://host/topic)")
    return value


@attrs.frozen(kw_only=True)
class Channel:
    """Where some events go: every URL in `urls` gets the events of `kinds` (of `workspaces`: all when empty)."""

    urls: tuple[str, ...] = setting(parse=string_list(non_empty=True, item=_apprise_url))
    kinds: tuple[str, ...] = setting(CHOOSABLE_KINDS, string_list(non_empty=True, item=choice(*KINDS)))
    workspaces: tuple[str, ...] = setting((), string_list(non_empty=True))
    include_text: bool | None = setting(None, boolean)  # None: the relay's notifications.includeText

    def wants(self, event) -> bool:
        kind = REQUEST_WAITING if event.kind == REQUEST_ANSWERED else event.kind  # it replaces that one
        if kind not in self.kinds and event.kind not in self.kinds:
            return False
        return not self.workspaces or event.workspace_id in self.workspaces


def _channels(value, ctx, key, issues):
    _apprise()  # once, before any URL: the message names the extra to install
    if not isinstance(value, list):
        raise Invalid(f"expected an array of channels, got {json_type(value)}")
    if not value:
        raise Invalid("expected at least one channel")
    return tuple(build(Channel, entry, ctx, f"{key}[{index}]", issues) for index, entry in enumerate(value))


@attrs.frozen(kw_only=True)
class Settings:
    """`plugins.config.mobile-codex` of the relay config."""

    channels: tuple[Channel, ...] = setting(parse=_channels)
    timeout_sec: int = setting(10, integer(1, 120))  # each URL's connect and read timeout


def message(event, *, include_text: bool) -> tuple[str, str]:
    """(title, body) of one event: no task text unless `include_text`."""
    where = " · ".join(part for part in (
        event.workspace_name or event.workspace_id, event.agent_label or event.agent_id) if part)  # fmt: skip
    lines = [event.body, where]
    if include_text and event.detail:
        lines.append(event.detail)
    lines.append(event.link)
    return event.title, "\n".join(line for line in lines if line)


@attrs.define
class AppriseNotifier:
    """One Apprise client per URL, built once; `deliver` sends an event to the channels that want it."""

    channels: tuple[Channel, ...]
    timeout_sec: int
    include_text: bool = False  # for channels that do not say
    _clients: dict = attrs.field(factory=dict)
    _sent: OrderedDict = attrs.field(factory=OrderedDict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        apprise = _apprise()
        asset = apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY)  # nothing on disk
        for channel in self.channels:
            for url in channel.urls:
                if url not in self._clients:
                    service = apprise.Apprise.instantiate(url, asset=asset)
                    service.socket_connect_timeout = service.socket_read_timeout = self.timeout_sec
                    self._clients[url] = service

    def deliver(self, event) -> None:
        failed = []
        for index, channel in enumerate(self.channels):
            if not channel.wants(event):
                continue
            include_text = self.include_text if channel.include_text is None else channel.include_text
            title, body = message(event, include_text=include_text)
            for url in channel.urls:
                done = (event.event_id, index, url)
                with self._lock:
                    if done in self._sent:
                        continue
                if self._clients[url].notify(body=body, title=title):
                    self._remember(done)
                else:
                    failed.append(self._clients[url].url(privacy=True))
        if failed:
            raise DeliveryFailed(f"apprise: not sent to {', '.join(failed)}", retry_after=RETRY_AFTER_SEC)

    def _remember(self, done: tuple) -> None:
        with self._lock:
            self._sent[done] = True
            while len(self._sent) > REMEMBERED:
                self._sent.popitem(last=False)


@hookimpl
def register_config_models(side):
    return [ConfigModelSpec(model=Settings)] if side == "relay" else []


@hookimpl
def register_notifiers(config, store):
    settings = config.plugins.section(DISTRIBUTION)
    if settings is None:  # loaded without its section checked (a tool loading plugins by itself)
        return []
    notifier = AppriseNotifier(channels=settings.channels, timeout_sec=settings.timeout_sec,
                               include_text=config.notifications.include_text)  # fmt: skip
    urls = sum(len(channel.urls) for channel in settings.channels)  # sent one after another
    return [NotifierSpec(id=NOTIFIER_ID, label="Apprise", deliver=notifier.deliver, timeout_sec=settings.timeout_sec * urls)]

