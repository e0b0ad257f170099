"""The poll loop against a scripted relay client: heldMs rule, backoff, token refresh, revocation."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.agent_app.errors import TokenNotSaved, TokenRevoked
from mobile_codex.agent_app.poller import Poller
from mobile_codex.agent_app.relay_client import RelayRefused, RelayUnavailable
from mobile_codex.agent_app.token_store import TokenStore
from mobile_codex.core.plugins import load_plugins

from ..waiting import wait_until
from .scripted_relay import Caps, ScriptedRelay


class Runner:
    def __init__(self):
        self.submitted, self.canceled, self.delivered = [], [], []
        self.fresh: list[int] = []  # what each deliver() answers: how many inputs were new

    def free_slots(self):
        return 2

    def submit(self, task):
        self.submitted.append(task)

    def cancel(self, task_id):
        self.canceled.append(task_id)

    def deliver(self, answers, steers):
        self.delivered.append((answers, steers))
        return self.fresh.pop(0) if self.fresh else 0


def run_poller(tmp_path, replies, *, long_poll_ms=20000, interval_ms=250, runner=None):
    relay = ScriptedRelay(replies)
    store = TokenStore(tmp_path / "state", relay_base_url="http://r", agent_id="box")
    said = []
    poller = Poller(relay, runner or Runner(), Caps(), store, long_poll_ms=long_poll_ms, poll_interval_ms=interval_ms, say=said.append)
    relay.poller = poller
    poller.run()
    gaps = [b - a for a, b in zip(relay.times, relay.times[1:])]
    return relay, poller, store, said, gaps


GREETING = {"ok": True, "tasks": [], "heldMs": 0}


def test_body_carries_wait_and_free_slots_the_first_poll_is_answered_at_once(tmp_path):
    relay, poller, store, said, gaps = run_poller(tmp_path, [GREETING])
    assert relay.bodies[0] == {"label": "box", "waitMs": 0, "maxTasks": 2}
    assert relay.bodies[1] == {"label": "box", "waitMs": 20000, "maxTasks": 2}
    assert gaps[0] < 0.2


def test_held_polls_follow_each_other_but_a_reply_without_held_ms_waits_the_interval(tmp_path):
    replies = [GREETING, {"ok": True, "tasks": [], "heldMs": 20000}, {"ok": True, "tasks": []}, {"ok": True, "tasks": [], "heldMs": 50}]
    relay, poller, store, said, gaps = run_poller(tmp_path, replies)
    assert gaps[1] < 0.2  # held long enough: poll again at once
    assert gaps[2] >= 0.24  # the reference relay (no heldMs): wait pollIntervalMs
    assert gaps[3] >= 0.24  # empty and held < waitMs/2 (capacity rule): wait too


def test_tasks_and_cancels_are_handed_to_the_runner(tmp_path):
    replies = [{"ok": True, "tasks": [{"taskId": "task_1"}], "cancelTaskIds": ["task_0"], "heldMs": 0}]
    relay, poller, *_ = run_poller(tmp_path, replies)
    assert poller.runner.submitted == [{"taskId": "task_1"}] and poller.runner.canceled == ["task_0"]


def test_answers_and_steers_go_to_the_runner_and_only_new_ones_count_as_news(tmp_path):
    """The relay repeats answers until they are resolved: a reply of repeats alone is empty (heldMs rule)."""
    answers, steers = [{"taskId": "task_1", "requestId": "r1"}], [{"taskId": "task_1", "steerId": "s1"}]
    runner = Runner()
    runner.fresh = [0, 0, 2, 0]  # the greeting, then three replies carrying the same answers and steers
    replies = [{"ok": True, "tasks": [], "heldMs": 50, "answers": answers, "steers": steers}] * 3
    relay, poller, store, said, gaps = run_poller(tmp_path, [GREETING, *replies], runner=runner)
    assert runner.delivered[1:4] == [(answers, steers)] * 3
    assert gaps[2] < 0.2  # the reply that brought something new: poll again at once
    assert gaps[1] >= 0.24 and gaps[3] >= 0.24  # repeats only, held < waitMs/2: wait pollIntervalMs


def test_a_refreshed_token_is_saved_and_used(tmp_path):
    relay, poller, store, *_ = run_poller(tmp_path, [{"ok": True, "tasks": [], "heldMs": 20000, "agentToken": "new"}])
    assert store.load() == "new" and relay.token == "new"


def test_a_refreshed_token_that_cannot_be_saved_stops_the_loop_and_is_not_used(tmp_path):
    (tmp_path / "state").write_text("a file where stateDir should be")  # even root cannot mkdir through it
    relay = ScriptedRelay([{"ok": True, "tasks": [], "heldMs": 20000, "agentToken": "new"}])
    poller = Poller(relay, Runner(), Caps(), TokenStore(tmp_path / "state", relay_base_url="http://r", agent_id="box"),
                    long_poll_ms=20000, poll_interval_ms=250, say=lambda _: None)  # fmt: skip
    relay.poller = poller
    with pytest.raises(TokenNotSaved, match="cannot save the agent token in .*agent-token.json"):
        poller.run()
    assert relay.token == "old"  # the unsaved token was never put to use: the relay still takes the old one


def test_a_relay_that_is_down_means_backoff_then_reconnect(tmp_path):
    down = RelayUnavailable("connection refused")
    relay, poller, store, said, gaps = run_poller(tmp_path, [down, down, down, GREETING])
    assert gaps[0] == pytest.approx(0.25, abs=0.1) and gaps[1] == pytest.approx(0.5, abs=0.1) and gaps[2] == pytest.approx(1.0, abs=0.15)
    assert said == ["relay not reachable (connection refused); retrying with backoff", "connected to the relay; waiting for tasks"]


@pytest.mark.parametrize("code", ["agent-revoked", "invalid-token", "missing-token", "agent-workspace-mismatch"])
def test_a_refused_token_ends_the_loop(tmp_path, code):
    with pytest.raises(TokenRevoked, match=code):
        run_poller(tmp_path, [RelayRefused(401, code)])


def test_stop_ends_the_loop(tmp_path):
    relay = ScriptedRelay([{"ok": True, "tasks": [], "heldMs": 0}] * 1000)
    poller = Poller(relay, Runner(), Caps(), TokenStore(tmp_path, relay_base_url="x", agent_id="a"),
                    long_poll_ms=0, poll_interval_ms=250, say=lambda m: None)  # fmt: skip
    relay.poller = poller
    thread = threading.Thread(target=poller.run)
    thread.start()
    wait_until(lambda: relay.bodies, what="the first poll")
    time.sleep(0.3)  # the point: a hot loop would poll far more than 3 times in this window
    poller.stop()
    thread.join(2)
    assert not thread.is_alive() and len(relay.bodies) <= 3  # longPollMs 0: one poll per interval, no hot loop


# --- a session catalog that cannot be read never ends the loop ----------------------------------


def codex_home_with(home, rows: list[tuple[str, str, str]]):
    """A Codex home whose state database lists `rows` of (id, cwd, rollout path)."""
    home.mkdir(exist_ok=True)
    with sqlite3.connect(home / "state_5.sqlite") as db:
        db.execute("CREATE TABLE IF NOT EXISTS threads (id TEXT PRIMARY KEY, rollout_path TEXT, created_at INTEGER, "
                   "updated_at INTEGER, source TEXT, cwd TEXT, title TEXT, first_user_message TEXT, "
                   "archived INTEGER)")  # fmt: skip
        db.execute("DELETE FROM threads")
        db.executemany("INSERT INTO threads VALUES (?, ?, 1764000000, 1764000000, 'exec', ?, '', '', 0)",
                       [(sid, path, cwd) for sid, cwd, path in rows])  # fmt: skip
    return home


class StepRelay(ScriptedRelay):
    """A ScriptedRelay that runs `after[n]()` once poll n has arrived (so it shapes poll n + 1)."""

    def __init__(self, after):
        super().__init__([GREETING] * len(after))
        self.after = list(after)

    def poll(self, body, interrupt=None):
        reply = super().poll(body)
        if self.after:
            self.after.pop(0)()
        return reply


def test_a_catalog_that_cannot_be_read_keeps_the_last_one_and_the_loop_polling(agent_config, workspace, tmp_path, caplog):
    good = ("01a21488-512b-7060-8b60-bb29a9ebe3f2", str(workspace), str(tmp_path / "rollout.jsonl"))
    (tmp_path / "rollout.jsonl").write_text(json.dumps({"type": "response_item", "payload": {
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello"}]}}) + "\n")  # fmt: skip
    bad = ("01a21488-512b-7060-8b60-bb29a9ebe3f3", str(workspace), str(tmp_path / "nul\0byte.jsonl"))  # os.stat raises
    home = codex_home_with(tmp_path / "codex-home", [good, bad])
    config = agent_config(codex={"homeDir": str(home)})
    agent = build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(None))
    sessions = agent.codex.sessions
    with pytest.raises(ValueError):  # the control: this row does break reading the catalog
        sessions.catalog()

    def rows(*listed):
        return lambda: (codex_home_with(home, list(listed)), sessions.invalidate())

    rows(good)()
    relay = StepRelay([rows(good, bad), lambda: None, rows(bad), rows(good), rows(), lambda: None])
    poller = Poller(relay, Runner(), agent.poller.capabilities, TokenStore(tmp_path / "s", relay_base_url="x", agent_id="a"),
                    long_poll_ms=0, poll_interval_ms=250, say=lambda _: None)  # fmt: skip
    relay.poller = poller
    poller.interval = 0.01
    with caplog.at_level(logging.INFO, logger="mobile_codex.agent"):
        poller.run()
    listed = [[s["sessionId"] for s in body["codexSessions"]] for body in relay.bodies]
    # read; three failing polls carry the last catalog read; read again; and it is live (now empty)
    assert listed[:6] == [[good[0]]] * 5 + [[]]
    failures = [r for r in caplog.records if r.getMessage().startswith("cannot read the Codex session catalog")]
    assert len(failures) == 1 and "embedded null byte" in caplog.text  # logged once, with the cause
    assert "the Codex session catalog can be read again" in caplog.text


def test_before_any_catalog_was_read_a_failure_reports_none(agent_config, workspace, tmp_path):
    bad = ("01a21488-512b-7060-8b60-bb29a9ebe3f3", str(workspace), str(tmp_path / "nul\0byte.jsonl"))
    config = agent_config(codex={"homeDir": str(codex_home_with(tmp_path / "codex-home", [bad]))})
    agent = build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(None))
    assert agent.poller.capabilities.poll_body()["codexSessions"] == []
