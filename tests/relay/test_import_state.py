"""`mobile-codex import-state`: the reference state.json v4 into either backend."""

from __future__ import annotations

import json

import pytest

from mobile_codex.core.crypto import sha256_hex

from .agent_helpers import AgentClient, only_agent, pair_agent
from .conftest import Relay, make_config

FIXTURE_WS = "ws_94692b7e27c6bb13"
OWNER = "user_fbcda9418312eb7e"


def import_fixture(run_cli, tmp_path, reference, backend):
    make_config(tmp_path, backend)
    return run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")


def test_import_keeps_records_and_hashes(run_cli, tmp_path, reference, backend):
    done = import_fixture(run_cli, tmp_path, reference, backend)
    assert done.returncode == 0, done.stderr
    assert "2 unfinished task(s) marked interrupted" in done.stdout
    relay = Relay(tmp_path, backend)
    try:
        with relay.store.transaction(write=False) as tx:
            meta = tx.get_meta()
            assert meta.bootstrap_user_id == OWNER and meta.admin_user_ids == (OWNER,)
            assert tx.users.count() == 2 and tx.workspaces.count() == 2 and tx.memberships.count() == 3
            assert tx.invitations.count() == 3 and tx.recovery_codes.count() == 1 and tx.sessions.count() == 3
            (passkey,) = tx.passkeys.find()
            assert passkey.public_key_spki.startswith("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE") and passkey.sign_count == 1
            assert passkey.passkey_id == "f5df2f59b137bdc5402fa0dc3effdb18a08f5d93b0b4f37c57816728a3ea52fd"
            statuses = {task.task_id: task.status for task in tx.tasks.find()}
            assert statuses == {
                "task_c3a61159ace38e87": "completed", "task_63d7d9b4ec602f45": "interrupted",
                "task_14ccf65db06a44de": "rejected", "task_c3761b74e298bfb3": "interrupted",
            }  # fmt: skip
            assert tx.agents.get(("ws_94692b7e27c6bb13", "server-main")).token_hash == "a4383ea3bf0266869f0edb817c5a12bbafa708de4fdcc217ced2f023b211eac9"
            assert tx.pair_requests.get("pairreq_075912235cd1e191").access_hash.startswith("541701b4")
            assert tx.invitations.get("invite_5ca1401c5317b868").code_hash.startswith("bd58e26e")
        # The bootstrap token logs in as the imported owner; no second "Owner" was made.
        auth = relay.browser().login_bootstrap()
        assert auth["currentUser"]["userId"] == OWNER and len(auth["workspaces"]) == 2 and auth["passkeyCount"] == 1
        # The reference's agent token still polls.
        token = (reference / "server-main.token").read_text().strip()
        assert sha256_hex(token) == only_agent(relay.store, "server-main").token_hash
        assert AgentClient(relay.app, token).poll()["ok"] is True
    finally:
        relay.close()


def test_import_into_a_store_only_a_relay_start_touched(run_cli, tmp_path, reference, backend):
    relay = Relay(tmp_path, backend)
    relay.owner()  # a bootstrap login leaves a session: still nothing anyone made
    relay.close()
    done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")
    assert done.returncode == 0, done.stderr
    relay = Relay(tmp_path, backend)
    try:
        with relay.store.transaction(write=False) as tx:
            assert tx.users.count() == 2 and tx.get_meta().bootstrap_user_id == OWNER
    finally:
        relay.close()


def test_import_refuses_a_used_store(run_cli, tmp_path, reference, backend):
    relay = Relay(tmp_path, backend)
    pair_agent(relay, relay.owner())
    relay.close()
    done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")
    assert done.returncode == 1 and "already holds data" in done.stderr
    relay = Relay(tmp_path, backend)
    try:
        assert only_agent(relay.store, "agent-1") is not None and only_agent(relay.store, "server-main") is None
    finally:
        relay.close()


def test_import_twice_is_refused(run_cli, tmp_path, reference, backend):
    assert import_fixture(run_cli, tmp_path, reference, backend).returncode == 0
    done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")
    assert done.returncode == 1


@pytest.mark.parametrize(
    "content", ["not json", "", "[1, 2]", json.dumps({"version": 3}), json.dumps({"version": 4, "users": []}),
                json.dumps({"version": 4, "users": {"u": {"userId": "u"}}})],
)  # fmt: skip
def test_bad_files_exit_2(run_cli, tmp_path, content):
    make_config(tmp_path, "sqlite")
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    done = run_cli("import-state", "--config", tmp_path / "relay.json", bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()
    assert run_cli("import-state", "--config", tmp_path / "relay.json", tmp_path / "missing.json").returncode == 2


def test_import_needs_its_arguments(run_cli, tmp_path):
    assert run_cli("import-state").returncode == 2
    make_config(tmp_path, "sqlite")
    assert run_cli("import-state", "--config", tmp_path / "relay.json").returncode == 2


def test_json_backend_import_needs_the_relay_stopped(run_cli, tmp_path, reference):
    relay = Relay(tmp_path, "json")
    try:
        done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")
        assert done.returncode == 1 and "stop the relay" in done.stderr.lower()
    finally:
        relay.close()

