"""The audit trail over the real API (issue 21): a scripted day of events makes exactly the expected
entries, with who, which record and from where, and never any task text; the export of that day
verifies; owners see their workspace's trail, relay owners all of it, nobody else any."""

from __future__ import annotations

import json

import attrs

from mobile_codex.core import audit, intents
from mobile_codex.core.audit_export import VerifyFailed, export_document, new_audit_private_key, verify_document
from mobile_codex.core.record_codec import record_to_dict

from .agent_helpers import created, member, pair_agent
from .conftest import ORIGIN, Relay, make_config
from .passkey_helpers import intent_assertion, register, register_over_http
from .people_helpers import add_person, bootstrap_user_id, new_workspace
from .soft_authenticator import SoftAuthenticator
from .turn_helpers import Turns

AUDIT = "/api/admin/audit"
PROMPT = "PROMPT-MARKER-ünïcode-7f3a"  # task text: must never be in an entry
STEER = "STEER-MARKER-ünïcode-9c1d"  # a steer's text: never in an entry either
LATER = 1_900_000_000_000  # a signed intent's expiry (the relay never looks at it)
REFERENCE_OWNER = "user_fbcda9418312eb7e"  # tests/fixtures/reference's bootstrap user


def _all_entries(relay) -> list:
    with relay.app.relay.store.transaction(write=False) as tx:
        return audit.find_events(tx, newest_first=False)


def _scripted_day(relay) -> dict:
    """Owner and a new operator through a day's work; the ids the expected entries name."""
    owner = relay.owner()  # signin (bootstrap)
    invite = owner.post("/api/admin/invitations", {"type": "workspace", "role": "operator", "note": "for Lin"})
    assert invite.status_code == 201, invite.text
    lin = relay.browser()
    joined = lin.post("/api/auth/invitations/redeem", {"inviteCode": invite.json["inviteCode"], "displayName": "Lin"})
    assert joined.status_code == 200, joined.text  # invitation.used, membership.added, signin (invitation)
    assert register(lin, SoftAuthenticator(ORIGIN)).status_code == 200  # passkey.added
    pair_agent(relay, owner)  # pairing.approved
    asked = created(lin, prompt=PROMPT)  # task.created
    assert owner.post(f"/api/admin/tasks/{asked['taskId']}/cancel").status_code == 200  # task.canceled
    assert owner.post("/api/admin/workspaces/current/settings", {"requireSecondApprover": True}).status_code == 200
    action = created(lin, type="run_action", actionId="status")
    refused = lin.post(f"/api/admin/tasks/{action['taskId']}/approve")  # two-person.refused
    assert (refused.status_code, refused.json) == (403, {"error": "second-approver-required"})
    assert owner.post(f"/api/admin/tasks/{action['taskId']}/approve").status_code == 200  # task.approved
    log = created(lin, type="read_log", logSourceId="app")
    assert owner.post(f"/api/admin/tasks/{log['taskId']}/reject").status_code == 200  # task.rejected
    assert owner.post("/api/admin/agents/agent-1/revoke").status_code == 200  # agent.revoked
    assert lin.post("/api/auth/logout").status_code == 200  # signout
    lin_id = joined.json["auth"]["currentUser"]["userId"]
    membership_id = next(m["membershipId"] for m in owner.get("/api/admin/state").json["members"] if m["userId"] == lin_id)
    assert owner.post(f"/api/admin/memberships/{membership_id}/revoke").status_code == 200  # membership.revoked
    assert owner.post(f"/api/admin/users/{lin_id}/disable").status_code == 200  # user.disabled
    return {"owner": owner, "lin": lin_id, "boss": bootstrap_user_id(relay), "tasks": (asked, action, log)}


def test_a_scripted_day_makes_the_expected_entries(relay):
    day = _scripted_day(relay)
    boss, lin = day["boss"], day["lin"]
    asked, action, log = (task["taskId"] for task in day["tasks"])
    entries = _all_entries(relay)
    got = [(e.kind, e.actor_user_id, e.record_type, e.record_id if e.record_type in ("task", "agent", "user") else None)
           for e in entries]
    assert got == [
        ("signin", boss, "session", None),
        ("invitation.created", boss, "invitation", None),
        ("invitation.used", lin, "invitation", None),
        ("membership.added", lin, "membership", None),
        ("signin", lin, "session", None),
        ("passkey.added", lin, "passkey", None),
        ("pairing.approved", boss, "pair-request", None),
        ("task.created", lin, "task", asked),
        ("task.canceled", boss, "task", asked),
        ("workspace.settings", boss, "workspace", None),
        ("task.created", lin, "task", action),
        ("two-person.refused", lin, "task", action),
        ("task.approved", boss, "task", action),
        ("task.created", lin, "task", log),
        ("task.rejected", boss, "task", log),
        ("agent.revoked", boss, "agent", "agent-1"),
        ("signout", lin, "session", None),
        ("membership.revoked", boss, "membership", None),
        ("user.disabled", boss, "user", lin),
    ]
    signins = [e for e in entries if e.kind == "signin"]
    assert [e.details["method"] for e in signins] == ["bootstrap", "invitation"]
    assert signins[1].record_id == entries[16].record_id  # the sign-out names the session the sign-in opened
    assert entries[3].details == {"member": lin, "role": "operator"}
    assert entries[11].details == {"action": "approve", "type": "run_action"}
    assert entries[12].details == {"type": "run_action", "signed": False}  # approved without a signed intent
    assert {e.client_address for e in entries} == {"127.0.0.1"}  # the test client's address
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    text = json.dumps([record_to_dict(e) for e in entries], ensure_ascii=False)
    assert PROMPT not in text and "for Lin" not in text and "hello" not in text  # no task text, no notes

    key = new_audit_private_key()
    document = export_document(entries, private_key=key, relay=ORIGIN, exported_at="2026-12-04T00:00:00.000Z",
                               since=None, head_hash=entries[-1].hash)
    assert verify_document(document) == len(entries)
    assert PROMPT not in json.dumps(document, ensure_ascii=False)


def test_a_change_in_the_store_is_named_by_verify(relay):
    _scripted_day(relay)
    with relay.app.relay.store.transaction() as tx:  # someone with database access rewrites history
        created_entry = tx.audit_events.find(kind="task.approved")[0]
        tx.audit_events.put(attrs.evolve(created_entry, actor_user_id=None))
    entries = _all_entries(relay)
    document = export_document(entries, private_key=new_audit_private_key(), relay=ORIGIN,
                               exported_at="2026-12-04T00:00:00.000Z", since=None, head_hash=entries[-1].hash)
    try:
        verify_document(document)
    except VerifyFailed as failed:
        assert str(failed) == f"entry seq {created_entry.seq} does not match its hash (changed)"
    else:
        raise AssertionError("a changed entry verified")


def test_owners_see_their_workspace_relay_owners_all_others_nothing(relay):
    day = _scripted_day(relay)
    boss_view = day["owner"].get(AUDIT)
    assert boss_view.status_code == 200, boss_view.text
    assert boss_view.json["events"][0]["kind"] == "user.disabled"  # newest first
    assert {e["kind"] for e in boss_view.json["events"]} >= {"user.disabled", "signin"}
    assert boss_view.json["events"][0]["actorDisplayName"] == "Owner"

    other = new_workspace(relay)
    their_owner = add_person(relay, "owner", workspace_id=other)
    mine = their_owner.browser.post("/api/admin/invitations", {"type": "workspace", "role": "viewer"})
    assert mine.status_code == 201
    theirs = their_owner.browser.get(AUDIT)
    assert theirs.status_code == 200
    assert [e["kind"] for e in theirs.json["events"]] == ["invitation.created"]  # nothing of Primary
    assert their_owner.browser.get(f"{AUDIT}?workspace=").json["events"] == theirs.json["events"]
    everything = day["owner"].get(f"{AUDIT}?limit=200").json["events"]
    assert any(e["workspaceId"] == other for e in everything)  # the relay owner sees every workspace's
    only_other = day["owner"].get(f"{AUDIT}?workspace={other}").json["events"]
    assert [e["kind"] for e in only_other] == ["invitation.created"]

    for role in ("operator", "viewer"):
        refused = member(relay, role).get(AUDIT)
        assert (refused.status_code, refused.json) == (403, {"error": "insufficient-role"})
    assert relay.browser().get(AUDIT).status_code == 401


def test_filters_and_pages(relay):
    day = _scripted_day(relay)
    owner = day["owner"]
    lin_only = owner.get(f"{AUDIT}?person={day['lin']}").json["events"]
    assert lin_only and {e["actorUserId"] for e in lin_only} == {day["lin"]}
    created_only = owner.get(f"{AUDIT}?kind=task.created").json["events"]
    assert [e["kind"] for e in created_only] == ["task.created"] * 3
    first = owner.get(f"{AUDIT}?limit=5").json
    assert len(first["events"]) == 5 and first["nextBefore"] == first["events"][-1]["seq"]
    second = owner.get(f"{AUDIT}?limit=5&before={first['nextBefore']}").json
    assert second["events"][0]["seq"] == first["events"][-1]["seq"] - 1
    last = owner.get(f"{AUDIT}?limit=200").json
    assert last["nextBefore"] is None and "two-person.refused" in last["kinds"]
    for bad in ("kind=task.prompt", "before=x", "limit=-1", "person=" + "x" * 121):
        result = owner.get(f"{AUDIT}?{bad}")
        assert (result.status_code, result.json["error"]) == (400, "invalid-field"), bad


def test_an_answered_request_is_on_the_trail_without_its_command(tmp_path):
    """Over real HTTP: the decision and the request id are kept, the command and the prompt are not."""
    turns = Turns(tmp_path)
    try:
        task_id = turns.running(prompt=PROMPT)
        request = turns.add_request(task_id, command="make deploy-" + PROMPT)
        status, answered = turns.answer(task_id, "req-1", "decline", request["digest"])
        assert status == 200, answered
        status, trail = turns.phone.get(f"{AUDIT}?kind=request.answered")
        assert status == 200, trail
        (entry,) = trail["events"]
        assert (entry["recordType"], entry["recordId"], entry["details"]) == (
            "task", task_id, {"requestId": "req-1", "decision": "decline", "signed": False})
        assert entry["actorDisplayName"] == "Owner" and entry["clientAddress"] == "127.0.0.1"
        status, everything = turns.phone.get(f"{AUDIT}?limit=200")
        assert PROMPT not in json.dumps(everything, ensure_ascii=False) and "make deploy" not in json.dumps(everything)
    finally:
        turns.close()


def test_retention_prunes_old_entries_and_what_is_left_still_verifies(relay):
    _scripted_day(relay)
    count = len(_all_entries(relay))
    relay.clock.advance(91 * 86400)
    owner = relay.owner()  # one entry after the retention period: the chain goes on from the old head
    assert owner.get(AUDIT).status_code == 200
    relay.sweep()
    left = _all_entries(relay)
    assert [e.kind for e in left] == ["signin"] and left[0].seq == count + 1
    assert left[0].prev_hash != audit.GENESIS  # it follows the pruned entries
    document = export_document(left, private_key=new_audit_private_key(), relay=ORIGIN,
                               exported_at="2026-12-04T00:00:00.000Z", since=None, head_hash=left[-1].hash)
    assert document["firstSeq"] == count + 1 and verify_document(document) == 1


def test_leaving_a_workspace_is_on_the_trail(relay):
    owner = relay.owner()
    lin = add_person(relay, "operator", name="Lin")
    left = lin.browser.post(f"/api/auth/memberships/{lin.membership_id}/leave")
    assert left.status_code == 200, left.text
    (entry,) = owner.get(f"{AUDIT}?kind=membership.left").json["events"]
    assert (entry["actorUserId"], entry["recordId"], entry["details"]) == (lin.user_id, lin.membership_id, {"role": "operator"})


def _signed(key: SoftAuthenticator, intent: dict) -> dict:
    return {"intent": intent, "intentAssertion": intent_assertion(key, intent)}


def _intent_id() -> dict:
    return {"intent_id": intents.new_intent_id(), "expires_at": LATER}


def test_steers_and_signed_acts_are_on_the_trail_without_their_text(tmp_path):
    """Over real HTTP: a steer is an entry (its id, signed or not, never its text); a create, an answer
    and a steer carrying a passkey-signed intent say `signed: true`, the unsigned ones `false`."""
    turns = Turns(tmp_path)
    try:
        key = SoftAuthenticator(ORIGIN)
        register_over_http(turns.phone, key)
        body = {"type": "codex_exec", "agentId": "agent-1", "prompt": PROMPT, "execMode": "chat"}
        status, made = turns.phone.post("/api/admin/tasks", {**body, **_signed(key, intents.task_intent(body, **_intent_id()))})
        assert status == 201, made
        task_id = made["task"]["taskId"]
        assert [task["taskId"] for task in turns.poll(maxTasks=1)["tasks"]] == [task_id]  # running
        status, plain = turns.create(prompt="unsigned " + PROMPT)
        assert status == 201, plain
        digest = turns.add_request(task_id)["digest"]
        accepted = intents.answer_intent(task_id, "agent-1", "req-1", digest, "accept", **_intent_id())
        status, answered = turns.phone.post(f"/api/admin/tasks/{task_id}/requests/req-1/answer",
                                            {"decision": "accept", "digest": digest, **_signed(key, accepted)})
        assert status == 200, answered
        status, steered = turns.steer(task_id, STEER + " unsigned")
        assert status == 200, steered
        signed_steer = _signed(key, intents.steer_intent(task_id, "agent-1", STEER + " signed", **_intent_id()))
        status, refused = turns.phone.post(f"/api/admin/tasks/{task_id}/steer", {"text": STEER + " other", **signed_steer})
        assert (status, refused["error"]) == (400, "intent-mismatch"), refused  # refused: no entry
        status, steered = turns.phone.post(f"/api/admin/tasks/{task_id}/steer", {"text": STEER + " signed", **signed_steer})
        assert status == 200, steered

        status, trail = turns.phone.get(f"{AUDIT}?limit=200")
        assert status == 200, trail
        events = trail["events"][::-1]  # oldest first
        me = trail["events"][0]["actorUserId"]
        created_entries = [(e["recordId"], e["details"]["signed"]) for e in events if e["kind"] == "task.created"]
        assert created_entries == [(task_id, True), (plain["task"]["taskId"], False)]
        (answer,) = [e for e in events if e["kind"] == "request.answered"]
        assert answer["details"] == {"requestId": "req-1", "decision": "accept", "signed": True}
        steers = [e for e in events if e["kind"] == "task.steered"]
        shown = [steer["steerId"] for steer in turns.task(task_id)["steers"]]
        assert [(e["recordType"], e["recordId"], e["actorUserId"], e["details"]) for e in steers] == [
            ("task", task_id, me, {"steerId": shown[0], "signed": False}),
            ("task", task_id, me, {"steerId": shown[1], "signed": True}),
        ]
        workspace = next(e["workspaceId"] for e in events if e["kind"] == "task.created")
        assert workspace and all(e["workspaceId"] == workspace and e["clientAddress"] == "127.0.0.1" for e in steers)
        status, only = turns.phone.get(f"{AUDIT}?kind=task.steered")
        assert status == 200 and [e["seq"] for e in only["events"]] == [e["seq"] for e in steers[::-1]]
        said = json.dumps(trail, ensure_ascii=False)
        assert PROMPT not in said and "STEER-MARKER" not in said  # neither the prompt nor any steer's text
    finally:
        turns.close()


def _owner_entries(relay) -> list[dict]:
    """The `relay-owner.changed` entries, oldest first, as a relay owner reads them over the API."""
    result = relay.owner().get(f"{AUDIT}?kind=relay-owner.changed")
    assert result.status_code == 200, result.text
    return result.json["events"][::-1]


def test_import_state_over_a_first_start_names_the_owner_it_replaces(run_cli, tmp_path, reference, backend, new_dsn):
    dsn = new_dsn()
    relay = Relay(tmp_path, backend, dsn=dsn)
    first_owner = bootstrap_user_id(relay)
    relay.owner()  # the first start's Owner signs in: still a fresh store
    relay.close()
    done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")
    assert done.returncode == 0, done.stderr
    relay = Relay(tmp_path, backend, dsn=dsn)
    try:
        entries = _owner_entries(relay)
        assert [(e["recordType"], e["recordId"], e["details"]) for e in entries] == [
            ("user", first_owner, {"change": "removed", "via": "import-state"}),
            ("user", REFERENCE_OWNER, {"change": "added", "via": "import-state"}),
        ]
        assert all(e["actorUserId"] is None and e["workspaceId"] is None and e["clientAddress"] is None for e in entries)
        everything = _all_entries(relay)
        assert everything[0].kind == "relay-owner.changed"  # the first start's entries went with its store
        assert everything[0].prev_hash == audit.GENESIS and [e.seq for e in everything[:2]] == [1, 2]
    finally:
        relay.close()


def test_the_first_owner_is_no_change_but_a_new_bootstrap_owner_beside_named_owners_is(
    run_cli, tmp_path, reference, backend, new_dsn
):  # fmt: skip
    state = json.loads((reference / "state.json").read_text())
    state["auth"]["bootstrapUserId"] = "user_0000000000000000"  # a bootstrap user the store does not hold
    (reference / "dangling.json").write_text(json.dumps(state))
    dsn = new_dsn()
    make_config(tmp_path, backend, dsn=dsn)  # no relay started: the store is empty
    done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "dangling.json")
    assert done.returncode == 0, done.stderr  # into an empty store: the reference's owners are the first
    relay = Relay(tmp_path, backend, dsn=dsn)  # its start makes a new bootstrap user beside the admin
    try:
        new_owner = bootstrap_user_id(relay)
        assert new_owner not in ("user_0000000000000000", REFERENCE_OWNER)
        entries = _owner_entries(relay)
        assert [(e["recordId"], e["details"]) for e in entries] == [(new_owner, {"change": "added", "via": "bootstrap"})]
    finally:
        relay.close()
