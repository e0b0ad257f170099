"""The agent token on disk: stateDir 0700, file 0600, atomic saves, the env variable as a fallback."""

from __future__ import annotations

import os
import stat

from mobile_codex.agent_app.token_store import TOKEN_FILE, TokenStore, initial_token


def store_in(path, **kw):
    return TokenStore(path, relay_base_url=kw.get("relay", "http://relay:8787"), agent_id=kw.get("agent", "box"))


def test_saved_token_is_private_and_loads_back(tmp_path):
    store = store_in(tmp_path / "state" / "agent")
    store.save("tok-1")
    assert stat.S_IMODE(os.stat(tmp_path / "state" / "agent").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.load() == "tok-1"
    store.save("tok-2")
    assert store.load() == "tok-2"
    assert os.listdir(store.state_dir) == [TOKEN_FILE]  # no temp files left behind


def test_an_existing_loose_state_dir_is_tightened(tmp_path):
    loose = tmp_path / "state"
    loose.mkdir(mode=0o755)
    store_in(loose).save("tok")
    assert stat.S_IMODE(os.stat(loose).st_mode) == 0o700


def test_env_token_only_when_nothing_is_saved(tmp_path):
    store = store_in(tmp_path / "s")
    assert initial_token(store, {"MOBILE_CODEX_AGENT_TOKEN": "from-env"}) == "from-env"
    assert initial_token(store, {}) is None
    store.save("saved")
    assert initial_token(store, {"MOBILE_CODEX_AGENT_TOKEN": "from-env"}) == "saved"


def test_a_token_for_another_relay_or_agent_id_is_not_used(tmp_path):
    store_in(tmp_path / "s").save("tok")
    assert store_in(tmp_path / "s", relay="http://elsewhere").load() is None
    assert store_in(tmp_path / "s", agent="other").load() is None


def test_a_damaged_file_counts_as_no_token(tmp_path):
    store = store_in(tmp_path / "s")
    store.save("tok")
    store.path.write_text("{not json")
    assert store.load() is None
