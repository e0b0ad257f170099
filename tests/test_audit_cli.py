"""`mobile-codex audit export / verify / new-key`: a signed export verifies; every tamper is named."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import stat

import pytest

from mobile_codex.core import audit
from mobile_codex.core.audit_export import public_key_of
from mobile_codex.plugins.storage.sqlite.backend import SqliteStore


@pytest.fixture
def relay_with_trail(run_cli, tmp_path):
    """An init-relay config on sqlite whose store holds eight audit entries."""
    config = tmp_path / "relay.json"
    done = run_cli("init-relay", "--origin", "http://localhost:9100", "--output", config,
                   "--data-dir", tmp_path / "data")
    assert done.returncode == 0, done.stderr
    store = SqliteStore(tmp_path / "data" / "relay.sqlite3")
    try:
        for n in range(8):
            with store.transaction() as tx:
                audit.append(tx, at=f"2026-12-0{1 + n // 4}T10:0{n}:00.000Z", kind="signin", workspace_id="ws_1",
                             actor_user_id=f"user_{n % 3}", client_address="198.51.100.4", details={"method": "passkey"})
    finally:
        store.close()
    return config


def _export(run_cli, config, out, *more):
    done = run_cli("audit", "export", "--config", config, "--out", out, *more)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


def _verify(run_cli, document, tmp_path, *more):
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document))
    return run_cli("audit", "verify", path, *more)


def test_an_export_verifies_and_says_where_it_starts(run_cli, relay_with_trail, tmp_path):
    out = tmp_path / "audit.json"
    document = _export(run_cli, relay_with_trail, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert (document["firstSeq"], document["lastSeq"], document["count"]) == (1, 8, 8)
    key = json.loads(relay_with_trail.read_text())["auditPrivateKey"]
    assert document["publicKey"] == public_key_of(key)
    done = run_cli("audit", "verify", out, f"--public-key={public_key_of(key)}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 8 entries, chain from the relay's first entry"), done.stdout

    later = _export(run_cli, relay_with_trail, tmp_path / "since.json", "--since", "2026-12-02T00:00:00Z")
    assert (later["firstSeq"], later["count"], later["since"]) == (5, 4, "2026-12-02T00:00:00.000Z")
    assert later["startPrevHash"] == document["entries"][3]["hash"]
    done = run_cli("audit", "verify", tmp_path / "since.json")
    assert done.returncode == 0 and "chain from seq 5 (older entries pruned or not exported)" in done.stdout


@pytest.mark.parametrize(("tamper", "named"), [
    (lambda d: d["entries"][2]["details"].update(method="bootstrap"), "entry seq 3 does not match its hash (changed)"),
    (lambda d: d["entries"].pop(4), "entry seq 5 is missing: seq 6 follows seq 4 (removed)"),
    (lambda d: d["entries"].pop(), "entry seq 8 is missing: the export ends at seq 7"),
    (lambda d: d["entries"].insert(3, d["entries"].pop(5)), "entry seq 6 is out of order: it comes where seq 4 belongs"),
    (lambda d: d.update(signature="A" * 86), "the signature does not match the export"),
    (lambda d: d.update(relay="https://evil.example"), "the signature does not match the export"),
])  # fmt: skip
def test_each_tamper_of_the_file_is_named(run_cli, relay_with_trail, tmp_path, tamper, named):
    document = _export(run_cli, relay_with_trail, tmp_path / "audit.json")
    tampered = copy.deepcopy(document)
    tamper(tampered)
    done = _verify(run_cli, tampered, tmp_path)
    assert done.returncode == 1 and named in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_rehashed_change_breaks_the_chain_or_the_signature(run_cli, relay_with_trail, tmp_path):
    document = _export(run_cli, relay_with_trail, tmp_path / "audit.json")
    entries = document["entries"]
    entries[2]["actorUserId"] = "user_9"
    entries[2]["hash"] = audit.hash_of_fields(entries[2])
    done = _verify(run_cli, document, tmp_path)
    assert done.returncode == 1 and "entry seq 4 does not follow the chain" in done.stderr, done.stderr
    for previous, entry in zip(entries[2:], entries[3:]):  # the whole rest of the chain made anew
        entry["prevHash"] = previous["hash"]
        entry["hash"] = audit.hash_of_fields(entry)
    done = _verify(run_cli, document, tmp_path)
    assert done.returncode == 1 and "the signature does not match" in done.stderr, done.stderr


def test_a_foreign_key_is_refused_when_the_relays_key_is_given(run_cli, relay_with_trail, tmp_path):
    out = tmp_path / "audit.json"
    _export(run_cli, relay_with_trail, out)
    other = run_cli("audit", "new-key")
    assert other.returncode == 0 and len(other.stdout.strip()) == 43 and "public key:" in other.stderr
    done = run_cli("audit", "verify", out, f"--public-key={public_key_of(other.stdout.strip())}")
    assert done.returncode == 1 and "signed by another key" in done.stderr


def test_a_change_in_the_store_is_named(run_cli, relay_with_trail, tmp_path):
    db = sqlite3.connect(tmp_path / "data" / "relay.sqlite3")
    with db:
        db.execute("UPDATE audit_events SET kind = 'signout' WHERE seq = 6")
    db.close()
    document = _export(run_cli, relay_with_trail, tmp_path / "audit.json")
    done = run_cli("audit", "verify", tmp_path / "audit.json")
    assert done.returncode == 1 and "entry seq 6 does not match its hash (changed)" in done.stderr, done.stderr
    assert document["count"] == 8


def test_export_without_a_key_refuses_clearly(run_cli, relay_with_trail, tmp_path):
    config = json.loads(relay_with_trail.read_text())
    del config["auditPrivateKey"]
    relay_with_trail.write_text(json.dumps(config))
    done = run_cli("audit", "export", "--config", relay_with_trail)
    assert done.returncode == 2 and "auditPrivateKey is not set" in done.stderr and "audit new-key" in done.stderr
