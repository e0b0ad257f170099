"""A poll body seen before is not read again (http/parsed_bodies.py), and that changes no answer."""

from __future__ import annotations

import json

from mobile_codex.relay_app.errors import BadRequest
from mobile_codex.relay_app.http.parsed_bodies import ParsedBodies

from .agent_helpers import AgentClient, only_agent, pair_agent


def counting_parser():
    calls = []

    def parse(body: dict):
        calls.append(body)
        if body.get("bad"):
            raise BadRequest("invalid-field")
        return ("read", body.get("n"))

    return parse, calls


def test_a_body_is_read_once_and_a_failed_reading_is_not_kept():
    parse, calls = counting_parser()
    memo = ParsedBodies(parse)
    raw = b'{"n": 1}'
    assert memo.known(raw) is None
    assert memo.parse(raw, json.loads(raw)) == ("read", 1)
    known = memo.known(raw)
    assert known is not None and known.value == ("read", 1) and known.body == {"n": 1}
    assert memo.known(b'{"n":1}') is None  # other bytes, however alike
    bad = b'{"bad": true}'
    for _ in range(2):
        try:
            memo.parse(bad, json.loads(bad))
        except BadRequest:
            pass
        assert memo.known(bad) is None
    assert len(calls) == 3


def test_memory_is_bounded_per_body_and_in_all():
    parse, _ = counting_parser()
    memo = ParsedBodies(parse, max_body=20, max_total=40)
    big = json.dumps({"n": "x" * 30}).encode()
    memo.parse(big, json.loads(big))
    assert memo.known(big) is None  # over the per-body bound: read, never kept
    bodies = [json.dumps({"n": i}).encode() for i in range(10, 15)]  # 9 bytes each
    for raw in bodies:
        memo.parse(raw, json.loads(raw))
    assert memo.known(bodies[-1]) is not None
    assert sum(memo.known(raw) is not None for raw in bodies) * 9 <= 40
    assert memo.known(bodies[0]) is None  # forgotten when the budget filled


def test_a_repeated_poll_body_answers_as_the_first(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    report = {"label": "Box", "features": {"codexExec": True}, "actions": [{"id": "status", "label": "Status"}]}
    raw = json.dumps(report)
    for _ in range(3):
        assert agent.post("/api/agent/poll", body=raw).json["ok"] is True
    assert only_agent(relay.store, "agent-1").label == "Box"
    # The same bytes still need a good token: the memory is no way around the token check.
    stranger = AgentClient(relay.app, "garbage")
    assert stranger.post("/api/agent/poll", body=raw).json == {"error": "invalid-token"}
    assert AgentClient(relay.app, None).post("/api/agent/poll", body=raw).json == {"error": "missing-token"}
    # A body that fails its reading fails every time it is sent.
    bad = json.dumps({"actions": "x"})
    for _ in range(2):
        result = agent.post("/api/agent/poll", body=bad)
        assert (result.status_code, result.json["error"]) == (400, "invalid-field")
    # A changed report is read and recorded; going back to the first one is too.
    assert agent.post("/api/agent/poll", body=json.dumps({**report, "label": "Renamed"})).json["ok"] is True
    assert only_agent(relay.store, "agent-1").label == "Renamed"
    assert agent.post("/api/agent/poll", body=raw).json["ok"] is True
    assert only_agent(relay.store, "agent-1").label == "Box"
