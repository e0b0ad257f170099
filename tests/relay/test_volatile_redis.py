"""The relay on the `redis` volatile store: two app replicas share one store and one Redis, and
whichever replica a request reaches sees the same challenges, idempotency keys, budgets, change
cursors and task snapshots."""

from __future__ import annotations

import pytest

from mobile_codex.relay_app.app import create_app

from .agent_helpers import in_thread, pair_agent
from .conftest import ORIGIN, Browser, Relay
from .passkey_helpers import LOGIN_OPTIONS, LOGIN_VERIFY, REGISTER_OPTIONS, REGISTER_VERIFY
from .soft_authenticator import SoftAuthenticator

BODY = {"type": "codex_exec", "agentId": "agent-1", "prompt": "hello"}


@pytest.fixture
def replicas(tmp_path, redis_url):
    relay = Relay(tmp_path, "sqlite", volatile={"backend": "redis", "url": redis_url}, maxLoginAttemptsPerMinute=3)
    other = create_app(relay.config, store=relay.store, clock=relay.clock)
    yield relay, other
    other.relay.services.notifications.stop()
    other.relay.shared.close()
    relay.close()


def on(app, browser: Browser) -> Browser:
    """The same browser (its cookies) talking to another replica."""
    moved = Browser(app)
    moved.cookies = browser.cookies
    return moved


def test_a_retry_through_another_replica_gets_the_first_task(replicas):
    relay, other = replicas
    owner = relay.owner()
    pair_agent(relay, owner)
    first = owner.post("/api/admin/tasks", BODY, headers={"Idempotency-Key": "retry-1"})
    again = on(other, owner).post("/api/admin/tasks", BODY, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201
    assert again.json["task"]["taskId"] == first.json["task"]["taskId"]
    changed = on(other, owner).post("/api/admin/tasks", {**BODY, "prompt": "other"}, headers={"Idempotency-Key": "retry-1"})
    assert changed.json == {"error": "idempotency-key-reused"}


def test_passkey_ceremonies_begun_on_one_replica_are_finished_on_another(replicas):
    relay, other = replicas
    authenticator = SoftAuthenticator(ORIGIN)
    owner = relay.owner()
    options = owner.post(REGISTER_OPTIONS, {"label": "Phone"}).json
    credential = authenticator.create(options["publicKey"])
    verify = {"registrationId": options["registrationId"], "credential": credential}
    assert on(other, owner).post(REGISTER_VERIFY, verify).status_code == 200
    assert owner.post(REGISTER_VERIFY, verify).json == {"error": "registration-not-found"}  # single use everywhere

    phone = relay.browser()
    options = phone.post(LOGIN_OPTIONS).json
    credential = authenticator.get(options["publicKey"])
    signed_in = on(other, phone).post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": credential})
    assert signed_in.status_code == 200 and signed_in.json["auth"]["currentUser"] is not None, signed_in.text


def test_sign_in_budgets_are_counted_across_replicas(replicas):
    relay, other = replicas
    wrong = {"bootstrapToken": "wrong"}
    answers = [relay.browser().post("/api/auth/login", wrong).status_code, Browser(other).post("/api/auth/login", wrong).status_code,
               relay.browser().post("/api/auth/login", wrong).status_code, Browser(other).post("/api/auth/login", wrong).status_code]  # fmt: skip
    assert answers == [401, 401, 401, 429]


def test_while_redis_is_down_sign_in_answers_503_and_then_recovers(replicas, redis_server):
    relay, _ = replicas
    redis_server.stop()
    try:
        answer = relay.browser().post("/api/auth/login", {"bootstrapToken": "wrong"})
        assert (answer.status_code, answer.json) == (503, {"error": "volatile-store-unavailable"})
        answer = relay.browser().post("/api/auth/passkeys/login/options")
        assert (answer.status_code, answer.json) == (503, {"error": "volatile-store-unavailable"})
        answer = relay.browser().get("/api/ready")  # a load balancer sends this replica nothing meanwhile
        assert (answer.status_code, answer.json) == (503, {"error": "not-ready", "detail": "volatile"})
        assert relay.browser().get("/api/health").status_code == 200
    finally:
        redis_server.start()
    assert relay.browser().post("/api/auth/login", {"bootstrapToken": "wrong"}).status_code == 401
    assert relay.browser().get("/api/ready").json == {"ok": True, "storage": "ok", "volatile": "ok"}
    relay.owner()  # signs in again without a relay restart


def test_a_state_wait_held_on_one_replica_wakes_for_a_change_through_another(replicas):
    relay, other = replicas
    owner = relay.owner()
    pair_agent(relay, owner)
    cursor = owner.get("/api/admin/state").json["changeCursor"]
    assert on(other, owner).get("/api/admin/state").json["changeCursor"] == cursor  # one cursor on every replica
    thread, box = in_thread(lambda: owner.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000"))
    assert on(other, owner).post("/api/admin/tasks", BODY).status_code == 201
    thread.join(30)
    woken = box["result"]
    assert woken.status_code == 200 and woken.json["changeCursor"] != cursor
    assert len(woken.json["tasks"]) == 1
    assert box["elapsed"] < 20  # woken by the create on the other replica, not by the end of its wait
    assert on(other, owner).get("/api/admin/state").json["changeCursor"] == woken.json["changeCursor"]


def test_a_change_cursor_from_before_a_wipe_of_redis_is_stale(replicas, redis_server):
    relay, other = replicas
    owner = relay.owner()
    cursor = owner.get("/api/admin/state").json["changeCursor"]
    redis_server.flush()
    relay.sweep()  # the sweep notices the new epoch
    other.relay.services.housekeeping.sweep()
    fresh = owner.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000")
    assert fresh.json["changeCursor"] != cursor  # answered at once: a new store's cursors are new
    assert on(other, owner).get("/api/admin/state").json["changeCursor"] == fresh.json["changeCursor"]
