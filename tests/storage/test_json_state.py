"""The json backend: the reference's state.json v4, read and written in its own layout."""

from __future__ import annotations

import json
import shutil
import stat

import attrs
import pytest

from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import key_of
from mobile_codex.core.records import TABLES, RelayMeta, Workspace

from .conftest import BACKEND_PLUGINS, T0, run_python


@pytest.fixture
def backend() -> str:
    return "json"


@pytest.fixture
def reference_state(reference, data_dir):
    """The reference fixture state.json as `<dataDir>/state.json`; returns its parsed document."""
    data_dir.mkdir(mode=0o700)
    shutil.copyfile(reference / "state.json", data_dir / "state.json")
    return json.loads((reference / "state.json").read_text())


def _everything(store) -> dict[str, dict]:
    with store.transaction(write=False) as tx:
        tables = {name: {key_of(r): r for r in getattr(tx, name).find()} for name in TABLES}
        return {**tables, "meta": tx.get_meta()}


def test_the_reference_state_is_fully_readable(reference_state, store):
    everything = _everything(store)
    counts = {name: len(records) for name, records in everything.items() if name != "meta"}
    assert counts == {
        "users": 2, "workspaces": 2, "memberships": 3, "invitations": 3, "recovery_codes": 1,
        "login_codes": 0, "pairings": 1, "pair_requests": 2, "agents": 1, "tasks": 4,
        "sessions": 3, "passkeys": 1, "notification_preferences": 0, "push_subscriptions": 0, "audit_events": 0,
    }
    assert everything["meta"] == RelayMeta(
        bootstrap_user_id="user_fbcda9418312eb7e", admin_user_ids=("user_fbcda9418312eb7e",)
    )
    with store.transaction(write=False) as tx:
        assert tx.users.get("user_d5b4215f4352b6c0").display_name == "Lin"
        [passkey] = tx.passkeys.find(user_id="user_fbcda9418312eb7e")
        assert passkey.credential_id == "qtEBfgKGbqeKEHuhzMEAzX2KflfcXVyGxyK3vCsVvVc"
        assert passkey.public_key_spki.startswith("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")
        assert (passkey.sign_count, passkey.transports, passkey.public_key) == (1, ["internal"], "")
        [pending] = tx.pair_requests.find(status="pending")
        assert (pending.request_id, pending.agent_id, pending.label) == (
            "pairreq_075912235cd1e191", "build-box", "Build Box",
        )
        agent = tx.agents.get(("ws_94692b7e27c6bb13", "server-main"))
        assert agent.features["codexExecWrite"] is False and agent.features["runAction"] is True
        assert agent.actions == [{"id": "status", "label": "Status"}]
        assert (agent.codex_available, agent.exec_modes, agent.next_token_hash) == (False, [], None)
        rejected = tx.tasks.get("task_14ccf65db06a44de")
        assert (rejected.status, rejected.rejected_at, rejected.log_source_id) == (
            "rejected", "2026-11-25T19:22:39.839Z", "app",
        )
        assert tx.tasks.count(needs_approval=True) == 2
        session = tx.sessions.get("a44f96166cbafea59af0e764b0c72a188765f495b7e00d2b8fade7d02e74b879")
        assert (session.needs_passkey_enrollment, session.recovery, session.passkey_id) == (True, False, None)
        invite = tx.invitations.get("invite_5ca1401c5317b868")
        assert invite.redeemed_by_user_id == "user_d5b4215f4352b6c0"
        assert tx.invitations.get("invite_906d7cbd806f6070").redeemed_by_user_id is None
        assert tx.recovery_codes.get("recovery_2f5e7038e1f1493f").note == "lost phone"
        assert tx.pairings.get("pair_b72580995f3a92b3").used_at == "2026-11-25T19:22:39.859Z"
        assert [m.role for m in tx.memberships.find(user_id="user_d5b4215f4352b6c0")] == ["operator"]
        assert tx.workspaces.get("ws_7dd9a0d335bef434").name == "Staging"
        # the reference has no two-person rule: its workspaces read with it off (issue 18)
        assert {w.require_second_approver for w in tx.workspaces.find()} == {False}
        # nor a last sign-in: its users read with none until they sign in again (issue 21)
        assert {u.last_sign_in_at for u in tx.users.find()} == {None}
        # nor a redaction count: its tasks read with none hidden
        assert {t.redactions for t in tx.tasks.find()} == {0}


def test_a_task_keeps_its_redaction_count_beside_its_other_fields(reference_state, open_store, data_dir):
    # The count is a task field like `threadId`: one more key in the task's object, and a task
    # written before it existed reads 0 and is counted up from there.
    store = open_store()
    with store.transaction() as tx:
        task = tx.tasks.get("task_c3a61159ace38e87")
        tx.tasks.put(attrs.evolve(task, redactions=4))
    store.close()
    written = json.loads((data_dir / "state.json").read_text())["tasks"]
    assert written["task_c3a61159ace38e87"]["redactions"] == 4
    assert [key for key, item in written.items() if "redactions" in item and item["redactions"]] == ["task_c3a61159ace38e87"]
    with open_store().transaction(write=False) as tx:
        assert tx.tasks.get("task_c3a61159ace38e87").redactions == 4


def test_a_rewrite_keeps_the_reference_layout_and_data(reference_state, open_store, data_dir):
    store = open_store()
    before = _everything(store)
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="ws_new", name="New", created_at=T0))
    store.close()

    written = json.loads((data_dir / "state.json").read_text())
    assert list(written) == [
        "version", "createdAt", "users", "workspaces", "memberships", "invitations", "recoveryCodes",
        "loginCodes", "pairings", "pairRequests", "agents", "tasks", "notificationPreferences", "pushSubscriptions", "auditEvents",
        "auth",
    ]  # notificationPreferences, pushSubscriptions and auditEvents are ours
    assert (written["version"], written["createdAt"]) == (4, reference_state["createdAt"])
    assert list(written["auth"]) == ["bootstrapUserId", "adminUserIds", "volatileEpoch", "passkeys", "sessions"]
    assert written["auth"]["volatileEpoch"] is None  # ours (issue 19)
    # Everything the reference wrote is still there, unchanged (ours only adds keys).
    for name, value in reference_state.items():
        if isinstance(value, dict) and name != "auth":
            for key, item in value.items():
                assert written[name][key] | item == written[name][key], (name, key)
    for name in ("passkeys", "sessions"):
        for theirs, ours in zip(reference_state["auth"][name], written["auth"][name], strict=True):
            assert ours | theirs == ours
    assert written["workspaces"]["ws_new"] == {
        "workspaceId": "ws_new", "name": "New", "createdAt": T0, "archivedAt": None,
        "requireSecondApprover": False,  # ours (issue 18)
    }
    after = _everything(open_store())
    assert after.pop("workspaces").keys() == before.pop("workspaces").keys() | {"ws_new"}
    assert after == before


def test_the_state_file_is_private(store, data_dir):
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="ws", name="n", created_at=T0))
    assert stat.S_IMODE((data_dir / "state.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "state.json.lock").stat().st_mode) == 0o600


def test_volatile_and_unknown_fields_are_dropped_on_the_next_write(reference_state, open_store, data_dir):
    marker = "VOLATILE-MARKER-json-5c1e"
    task = reference_state["tasks"]["task_c3a61159ace38e87"]
    task.update(prompt=marker, summary=marker, outputTail=marker, diffText=marker, error=marker,
                result={"exitCode": 0, "text": marker}, someFutureField=marker)
    (data_dir / "state.json").write_text(json.dumps(reference_state))
    store = open_store()
    with store.transaction(write=False) as tx:
        assert tx.tasks.get("task_c3a61159ace38e87").status == "completed"
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="ws_new", name="New", created_at=T0))
    text = (data_dir / "state.json").read_text()
    assert marker not in text
    assert json.loads(text)["tasks"]["task_c3a61159ace38e87"]["status"] == "completed"


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"version": 4, "users": {', "not valid JSON"),
        (b"\xff\xfe garbage", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"version": 3, "users": {}}', "version 3"),
        (b'{"users": {}}', "version None"),
        (b'{"version": 4, "users": []}', "users must be a JSON object"),
        (b'{"version": 4, "users": {"u": {"userId": "u"}}}', "lacks"),
        (b'{"version": 4, "auth": {"sessions": [1]}}', "auth.sessions"),
    ],
)
def test_an_unreadable_state_file_is_refused_and_left_alone(open_store, data_dir, content, message):
    data_dir.mkdir()
    (data_dir / "state.json").write_bytes(content)
    with pytest.raises(StorageError, match=message) as raised:
        open_store()
    assert "state.json" in str(raised.value)
    assert (data_dir / "state.json").read_bytes() == content
    # The failed open released the dir lock: once the file is blank (= empty store) it opens.
    (data_dir / "state.json").write_bytes(b" \n")
    with open_store().transaction(write=False) as tx:
        assert tx.users.count() == 0


def test_a_missing_file_is_an_empty_store_and_reads_write_nothing(open_store, data_dir):
    store = open_store()
    with store.transaction() as tx:  # a write transaction that writes nothing
        assert tx.users.find() == []
        assert tx.workspaces.delete("nope") is False
    assert not (data_dir / "state.json").exists()


def test_a_second_open_of_the_same_dir_is_refused(store, open_store, data_dir):
    with pytest.raises(StorageError, match=r"in use by another process \(is the relay running\?\)"):
        open_store()
    result = run_python(
        """
        import importlib, sys
        from pathlib import Path
        from mobile_codex.core.config.relay import StorageConfig
        from mobile_codex.core.errors import StorageError
        [spec] = importlib.import_module(sys.argv[1]).register_storage_backends()
        try:
            spec.open(StorageConfig(backend=spec.name, data_dir=Path(sys.argv[2])))
        except StorageError as exc:
            print(exc)
        """,
        BACKEND_PLUGINS["json"],
        data_dir,
    )
    assert result.returncode == 0, result.stderr
    assert "in use by another process" in result.stdout
    store.close()
    open_store().close()  # free again once closed


def test_stale_temp_files_are_removed_at_open(data_dir, open_store):
    data_dir.mkdir()
    stale = data_dir / ".state.json.abc123.tmp"
    stale.write_text("{}")
    open_store()
    assert not stale.exists()


def test_integrity_check_reports_a_file_edited_behind_the_store(store, data_dir):
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="ws", name="n", created_at=T0))
    assert store.integrity_check() == []
    (data_dir / "state.json").write_text('{"version": 4}')
    assert store.integrity_check() == [
        f"{data_dir / 'state.json'} differs from the open store's state (edited while the relay ran?)"
    ]
    (data_dir / "state.json").write_text("{")
    [problem] = store.integrity_check()
    assert "not valid JSON" in problem


def test_agents_keep_the_reference_keys_unless_two_workspaces_share_an_id(reference_state, open_store, data_dir):
    # The reference keys agents by id; an id that two workspaces share (ours only) is keyed
    # `workspace/id` for each, and every agent reads back from its record, not from the key.
    store = open_store()
    with store.transaction() as tx:
        server_main = tx.agents.get(("ws_94692b7e27c6bb13", "server-main"))
        tx.agents.put(attrs.evolve(server_main, agent_id="vm"))
        tx.agents.put(attrs.evolve(server_main, agent_id="vm", workspace_id="ws_7dd9a0d335bef434", label="staging"))
    store.close()
    written = json.loads((data_dir / "state.json").read_text())
    assert sorted(written["agents"]) == ["server-main", "ws_7dd9a0d335bef434/vm", "ws_94692b7e27c6bb13/vm"]
    with open_store().transaction(write=False) as tx:
        assert tx.agents.get(("ws_7dd9a0d335bef434", "vm")).label == "staging"
        assert tx.agents.get(("ws_94692b7e27c6bb13", "vm")).label == server_main.label
        assert tx.agents.count() == 3
