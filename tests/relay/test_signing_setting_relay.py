"""An agent's `requireSignedIntents` on the relay (issue 20, docs/api.md): what its poll says reaches the
agent view, so the phone knows which requests to sign; memory only, kept when a poll leaves it out,
refused when it is not one of the three settings."""

from __future__ import annotations

import pytest

from .agent_helpers import pair_over_http
from .turn_helpers import Turns


@pytest.fixture
def turns(tmp_path):
    made = Turns(tmp_path)
    yield made
    made.close()


def agents(turns) -> dict:
    status, state = turns.phone.get("/api/admin/state")
    assert status == 200, state
    return {agent["agentId"]: agent for agent in state["agents"]}


def test_the_agent_view_says_what_the_agent_wants_signed(turns):
    assert agents(turns)["agent-1"]["requireSignedIntents"] == "off"  # never said: off, as an old agent
    turns.poll(requireSignedIntents="writes")
    assert agents(turns)["agent-1"]["requireSignedIntents"] == "writes"
    turns.poll(label="renamed")  # a poll that leaves it out keeps what was said
    assert agents(turns)["agent-1"]["requireSignedIntents"] == "writes"
    turns.poll(requireSignedIntents="all")
    other = pair_over_http(turns.live, turns.phone, "agent-2")
    seen = agents(turns)
    assert (seen["agent-1"]["requireSignedIntents"], seen["agent-2"]["requireSignedIntents"]) == ("all", "off")
    for bad in ("ALL", "none", "", 1, True, ["all"]):
        status, body = other.post("/api/agent/poll", {"requireSignedIntents": bad})
        assert (status, body.get("error"), body.get("detail")) == (400, "invalid-field", "requireSignedIntents"), bad
    assert agents(turns)["agent-2"]["requireSignedIntents"] == "off"
