"""The Apprise notifier plugin (plugins/notifiers/apprise_notifier.py), for real: a relay config
that allows it, real Apprise, `json://` and `ntfy://` URLs at an HTTP receiver on loopback.

Most tests hand `NotificationEvent`s to the notifier the relay gets from `register_notifiers`
(loaded through the config the way the relay loads it); one goes through a relay app.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mobile_codex.core.config import load
from mobile_codex.core.errors import ConfigError
from mobile_codex.core.notifications import (
    REQUEST_ANSWERED, REQUEST_WAITING, TASK_FINISHED, DeliveryFailed, NotificationEvent,
)  # fmt: skip
from mobile_codex.core.plugins import discover_entry_points, load_plugins
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.server import open_store

from ..conftest import write_json
from ..waiting import wait_until
from .conftest import ORIGIN, Browser, make_config

SECRET = "rm -rf build && echo the-prompt-text"
ALLOW = ["mobile-codex:apprise"]


class Receiver:
    """An HTTP server on loopback that records each JSON body posted to it; `fail` paths answer 500."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.fail: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.posts.append((self.path, body))
                self.send_response(500 if self.path in receiver.fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.server.server_port}/{path}"

    def to(self, path: str) -> list[dict]:
        return [body for where, body in self.posts if where == f"/{path}"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def relay_doc(tmp_path, section=None, allow=ALLOW):
    doc = {"bootstrapAdminTokenHash": "a" * 64, "tokenSecret": "s" * 32, "dataDir": str(tmp_path / "data"),
           "plugins": {"allow": allow}}  # fmt: skip
    if section is not None:
        doc["plugins"]["config"] = {"mobile-codex": section}
    return doc


def notifier(tmp_path, channels, *, notifications=None, **section):
    doc = relay_doc(tmp_path, {"channels": channels, **section})
    if notifications is not None:
        doc["notifications"] = notifications
    loaded = load(write_json(tmp_path / "relay.json", doc))
    found = loaded.plugins.notifiers(loaded.config, store=None)
    assert list(found) == ["apprise"] and found["apprise"].plugin == "mobile-codex:apprise"
    return found["apprise"].item


def event(kind=REQUEST_WAITING, *, event_id="ev-1", workspace="ws-a", detail=SECRET) -> NotificationEvent:
    return NotificationEvent(
        kind=kind, event_id=event_id, recipients=("u-1",), workspace_id=workspace, workspace_name=f"Workspace {workspace}",
        agent_id="box", agent_label="Build box", task_id="task_7", title="Codex needs you",
        body="A command waits for approval", link="https://relay.example/#/task/task_7", tag=f"task_7:{kind}",
        detail=detail,
    )  # fmt: skip


def config_issues(tmp_path, section, allow=ALLOW) -> list[str]:
    return config_issues_of(tmp_path, relay_doc(tmp_path, section, allow))


def config_issues_of(tmp_path, doc) -> list[str]:
    path = write_json(tmp_path / "relay.json", doc)
    with pytest.raises(ConfigError) as caught:
        load(path)
    return [str(issue) for issue in caught.value.issues]


def test_the_plugin_is_an_entry_point_of_mobile_codex_loaded_only_when_allowed(tmp_path):
    assert [(ep.name, ep.dist.name) for ep in discover_entry_points() if ep.name == "apprise"] == [("apprise", "mobile-codex")]
    loaded = load(write_json(tmp_path / "relay.json", relay_doc(tmp_path, allow=[])))
    assert loaded.plugins.notifiers(loaded.config, None) == {}
    row = {info.name: info for info in loaded.plugins.report}["mobile-codex:apprise"]
    assert (row.allowed, row.loaded, row.reason) == (False, False, "not in plugins.allow")


def test_the_receiver_gets_the_event_with_its_link_and_no_task_text(tmp_path, receiver):
    spec = notifier(tmp_path, [{"urls": [receiver.url("hook")]}], timeoutSec=5)
    assert (spec.label, spec.timeout_sec) == ("Apprise", 5)
    spec.deliver(event())
    [post] = receiver.to("hook")
    assert post["title"] == "Codex needs you"
    assert "https://relay.example/#/task/task_7" in post["message"]
    assert "A command waits for approval" in post["message"] and "Workspace ws-a · Build box" in post["message"]
    assert "the-prompt-text" not in json.dumps(receiver.posts) and "rm -rf" not in json.dumps(receiver.posts)


def test_an_ntfy_url_gets_the_event_too(tmp_path, receiver):
    spec = notifier(tmp_path, [{"urls": [f"ntfy://127.0.0.1:{receiver.server.server_port}/codex-ops"]}])
    spec.deliver(event())
    [post] = receiver.to("")  # ntfy's JSON publish: the topic is in the body
    assert (post["topic"], post["title"]) == ("codex-ops", "Codex needs you")
    assert "https://relay.example/#/task/task_7" in post["message"] and "the-prompt-text" not in post["message"]


def test_include_text_sends_the_detail(tmp_path, receiver):
    spec = notifier(tmp_path, [{"urls": [receiver.url("plain")]}, {"urls": [receiver.url("text")], "includeText": True}])
    spec.deliver(event())
    assert SECRET in receiver.to("text")[0]["message"]
    assert SECRET not in receiver.to("plain")[0]["message"]


def test_a_channel_that_does_not_say_follows_the_relay_s_include_text(tmp_path, receiver):
    spec = notifier(tmp_path, [{"urls": [receiver.url("default")]}, {"urls": [receiver.url("off")], "includeText": False}],
                    notifications={"includeText": True})  # fmt: skip
    spec.deliver(event())
    assert SECRET in receiver.to("default")[0]["message"]
    assert SECRET not in receiver.to("off")[0]["message"]


def test_a_relay_sends_its_test_notification_through_the_channel(tmp_path, receiver):
    section = {"channels": [{"urls": [receiver.url("relay")], "kinds": ["test"]}]}
    config = make_config(tmp_path, "sqlite", plugins={"allow": ALLOW, "config": {"mobile-codex": section}})
    plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
    store = open_store(config, plugins)
    app = create_app(config, store=store, plugins=plugins)
    try:
        owner = Browser(app)
        owner.login_bootstrap()
        sent = owner.post("/api/admin/notifications/test")
        assert (sent.status_code, sent.json) == (200, {"ok": True, "queued": 1})
        [post] = wait_until(lambda: receiver.to("relay"), timeout=20)
        assert f"{ORIGIN}/#/" in post["message"], post
    finally:
        app.relay.services.notifications.stop()
        store.close()


def test_with_the_notifications_flag_off_the_plugin_is_not_registered_yet_checks_its_section(tmp_path):
    doc = relay_doc(tmp_path, {"channels": [{"urls": ["json://127.0.0.1/x"]}]})
    loaded = load(write_json(tmp_path / "relay.json", {**doc, "features": {"notifications": False}}))
    assert loaded.plugins.notifiers(loaded.config, None) == {}
    row = {info.name: info for info in loaded.plugins.report}["mobile-codex:apprise"]
    assert (row.allowed, row.loaded, row.reason) == (True, False, "feature flag notifications is off")
    bad = relay_doc(tmp_path, {"channels": [{"urls": ["nosuchservice://x"]}]})
    assert config_issues_of(tmp_path, {**bad, "features": {"notifications": False}}) == [
        f"{tmp_path / 'relay.json'}: plugins.config.mobile-codex.channels[0].urls[0]: "
        "expected an Apprise URL of a service Apprise knows (e.g. ntfy://host/topic)"
    ]


def test_channels_filter_by_workspace_and_kind(tmp_path, receiver):
    spec = notifier(tmp_path, [
        {"urls": [receiver.url("a")], "workspaces": ["ws-a"]},
        {"urls": [receiver.url("done")], "kinds": [TASK_FINISHED]},
        {"urls": [receiver.url("all")]},
    ])  # fmt: skip
    spec.deliver(event(REQUEST_WAITING, event_id="e1", workspace="ws-a"))
    spec.deliver(event(REQUEST_WAITING, event_id="e2", workspace="ws-b"))
    spec.deliver(event(TASK_FINISHED, event_id="e3", workspace="ws-b"))
    spec.deliver(event(REQUEST_ANSWERED, event_id="e4", workspace="ws-a"))  # follows request-waiting
    spec.deliver(event("test", event_id="e5", workspace="ws-a"))  # not a default kind
    assert [p["title"] for p in receiver.to("a")] == ["Codex needs you"] * 2
    assert len(receiver.to("done")) == 1 and len(receiver.to("all")) == 4


def test_a_failing_url_asks_for_a_retry_that_skips_the_urls_that_took_it(tmp_path, receiver):
    receiver.fail.add("/down")
    spec = notifier(tmp_path, [{"urls": [receiver.url("up"), receiver.url("down")]}])
    with pytest.raises(DeliveryFailed) as caught:
        spec.deliver(event())
    assert caught.value.retry_after and caught.value.retry_after > 0
    assert "127.0.0.1" in str(caught.value)
    receiver.fail.clear()
    spec.deliver(event())  # the relay's retry of the same event
    assert (len(receiver.to("up")), len(receiver.to("down"))) == (1, 2)


def test_an_unreachable_url_fails_within_the_timeout(tmp_path):
    spec = notifier(tmp_path, [{"urls": ["json://127.0.0.1:9/closed"]}], timeoutSec=2)
    with pytest.raises(DeliveryFailed):
        spec.deliver(event())


def test_config_errors_are_reported_like_the_others(tmp_path):
    path = tmp_path / "relay.json"
    assert config_issues(tmp_path, {"channels": [
        {"urls": ["nosuchservice://x"], "kinds": ["request-waiting", "lunch"]},
        {"urls": [], "includeText": "yes", "colour": "red"},
    ]}) == [  # fmt: skip
        f"{path}: plugins.config.mobile-codex.channels[0].urls[0]: expected an Apprise URL of a service Apprise knows (e.g. ntfy://host/topic)",
        f"{path}: plugins.config.mobile-codex.channels[0].kinds[1]: expected one of request-waiting, request-answered, "
        'task-finished, pair-request, approval-expired, agent-offline, test, got "lunch"',
        f"{path}: plugins.config.mobile-codex.channels[1].colour: unknown key",
        f"{path}: plugins.config.mobile-codex.channels[1].urls: expected a non-empty array of strings",
        f"{path}: plugins.config.mobile-codex.channels[1].includeText: expected true or false, got string",
    ]
    assert config_issues(tmp_path, {}) == [f"{path}: plugins.config.mobile-codex.channels: required key is missing"]
    assert config_issues(tmp_path, {"channels": []}) == [f"{path}: plugins.config.mobile-codex.channels: expected at least one channel"]


def test_its_section_without_the_allow_rule_says_what_to_allow(tmp_path):
    assert config_issues(tmp_path, {"channels": [{"urls": ["json://127.0.0.1/x"]}]}, allow=[]) == [
        f"{tmp_path / 'relay.json'}: plugins.config.mobile-codex: plugin mobile-codex takes no config in the relay config "
        "unless plugins.allow names one of mobile-codex:apprise"
    ]


def test_without_the_apprise_package_an_allowed_plugin_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "apprise", None)  # `import apprise` raises ImportError, as when not installed
    assert config_issues(tmp_path, {"channels": [{"urls": ["json://127.0.0.1/x"]}]}) == [
        f"{tmp_path / 'relay.json'}: plugins.config.mobile-codex.channels: "
        "the Apprise notifier needs the apprise package: pip install 'mobile-codex[apprise]'"
    ]
