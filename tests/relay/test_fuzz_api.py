"""Property-based fuzzing with schemathesis: every operation the OpenAPI document lists, called on a
live relay (real waitress, 127.0.0.1) by a signed-in owner and a paired agent, with generated
requests that fit the document and ones that do not. No answer may be a 5xx, and every answer must be
one the document lists for that operation, of that status's schema, headers and content type.

The operations come from the relay's own `GET /api/openapi.json`: a new endpoint is fuzzed the moment
the document lists it. Operations that end the fuzzer's own session or identity run last, each
example with a fresh session. A failure prints the request as a curl command (its method and URL name
the operation) and the answer, and the Hypothesis seed that repeats the run.
"""

from __future__ import annotations

import collections
import time

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st

from mobile_codex.relay_app.openapi import document

from .agent_helpers import LiveRelay
from .fuzz_helpers import FUZZ_CONFIG, MAX_WAIT_MS, FuzzWorld, build_world

pytestmark = pytest.mark.slow

# Examples per operation and generation mode: about 35 s for the whole API on 2 cores (the suite has
# 20 minutes in all; every operation still gets 20 positive and 20 negative examples per run).
EXAMPLES = 20
# (method, path) of the operations that end the caller's session or identity, or the agent's.
ENDS_IDENTITY = (
    ("POST", "/api/auth/logout"),
    ("POST", "/api/admin/passkeys/{passkeyId}/revoke"),
    ("POST", "/api/admin/users/{userId}/sessions/revoke"),
    ("POST", "/api/admin/users/{userId}/disable"),
    ("POST", "/api/admin/users/{userId}/delete"),
    ("POST", "/api/admin/agents/{agentId}/revoke"),
)
# The document's promises, checked on every answer. Others (negative data rejected, positive data
# accepted) do not fit an API that clamps over-long strings and answers 404 for ids it never made;
# who may call what is held by tests/relay/test_isolation_matrix.py and test_policy.py.
CONFIG = schemathesis.Config.from_dict({
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
    },
})  # fmt: skip
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    live = LiveRelay(tmp_path_factory.mktemp("fuzz"), **FUZZ_CONFIG)
    yield build_world(live)
    live.close()


def operations(schema) -> list:
    """Every operation of the document, the ones that end the caller's identity last."""
    found = [result.ok() for result in schema.get_all_operations()]
    last = {key: n for n, key in enumerate(ENDS_IDENTITY)}
    return sorted(found, key=lambda op: last.get((op.method.upper(), op.path), -1))


def with_real_values(case, world: FuzzWorld, picks) -> None:
    """Swap some generated ids (and the fields task create needs) for real ones, so found records and
    success answers are checked too; cut waits so no example holds for long."""
    for name in list(case.path_parameters or {}):
        if name in world.real and picks.draw(st.booleans()):
            case.path_parameters[name] = picks.draw(st.sampled_from(world.real[name]))
    if isinstance(case.body, dict):
        for name in list(case.body):
            if name in world.real and picks.draw(st.booleans()):
                case.body[name] = picks.draw(st.sampled_from(world.real[name]))
        if isinstance(case.body.get("waitMs"), (int, float)) and not isinstance(case.body["waitMs"], bool):
            case.body["waitMs"] = min(case.body["waitMs"], MAX_WAIT_MS)
    if case.query and isinstance(case.query.get("waitMs"), int):
        case.query["waitMs"] = min(case.query["waitMs"], MAX_WAIT_MS)


def modes(operation) -> list:
    """Negative examples need something to break: a body or a parameter of the operation's own (the
    session cookie schemathesis adds for the security scheme does not count: we send a real one)."""
    own = [p for p in operation.iter_parameters() if "x-original-security-type" not in p.definition]
    if len(operation.body) or own:
        return [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    return [schemathesis.GenerationMode.POSITIVE]


def fuzz(operation, world: FuzzWorld, base_url: str) -> collections.Counter:
    """Run EXAMPLES positive and EXAMPLES negative examples of one operation; returns how often it
    answered each status."""
    fresh = (operation.method.upper(), operation.path) in ENDS_IDENTITY
    statuses: collections.Counter = collections.Counter()
    for mode in modes(operation):
        strategy = operation.as_strategy(generation_mode=mode)

        @SETTINGS
        @given(case=strategy, picks=st.data())
        def run(case, picks):
            with_real_values(case, world, picks)
            response = case.call_and_validate(base_url=base_url, headers=world.headers(fresh=fresh), timeout=30)
            statuses[response.status_code] += 1

        run()
    return statuses


def test_every_operation_survives_fuzzing_and_answers_as_documented(world):
    base_url = f"http://127.0.0.1:{world.live.port}"
    status, served = world.phone.get("/api/openapi.json")  # the relay's own (from_url would leave out this one)
    assert status == 200
    schema = schemathesis.openapi.from_dict(served, config=CONFIG)
    ops = operations(schema)
    listed = sum(len(item) for item in document()["paths"].values())
    assert len(ops) == listed > 30, [op.label for op in ops]
    started = time.monotonic()
    answers = {}
    for operation in ops:
        answers[operation.label] = fuzz(operation, world, base_url)
        if (operation.method.upper(), operation.path) not in ENDS_IDENTITY:
            world.back_to_the_first_workspace()
    for label, statuses in answers.items():
        print(f"{label}: {dict(sorted(statuses.items()))}")
    print(f"{len(ops)} operations, {sum(sum(counts.values()) for counts in answers.values())} requests, {time.monotonic() - started:.0f} s")
    assert all(answers.values()), [label for label, statuses in answers.items() if not statuses]
    # the fuzzer was signed in all along: no operation for a session answered 401
    signed_out = [op.label for op in ops if 401 in answers[op.label]
                  and served["paths"][op.path][op.method.lower()]["security"] == [{"session": []}]]
    assert not signed_out, signed_out
