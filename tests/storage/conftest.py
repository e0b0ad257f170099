"""Fixtures for the storage tests: every backend, opened on a fresh data dir, and sample records."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mobile_codex.core.config.relay import StorageConfig
from mobile_codex.core.plugin_types import StorageBackendSpec
from mobile_codex.core.records import (
    Agent,
    AuditEvent,
    Invitation,
    LoginCode,
    Membership,
    Pairing,
    PairRequest,
    NotificationPreference, Passkey,
    PushSubscription,
    RecoveryCode,
    Session,
    Task,
    User,
    Workspace,
)

BACKEND_PLUGINS = {
    "sqlite": "mobile_codex.plugins.storage.sqlite",
    "json": "mobile_codex.plugins.storage.json_state",
    "postgres": "mobile_codex.plugins.storage.postgres",
}


def backend_spec(name: str) -> StorageBackendSpec:
    """The spec the backend's plugin registers, exactly as the relay will get it."""
    [spec] = importlib.import_module(BACKEND_PLUGINS[name]).register_storage_backends()
    assert spec.name == name
    return spec


def storage_section(name: str, data_dir: Path, dsn: str | None = None) -> StorageConfig:
    """A `storage` section naming the backend, with the defaults of its own model (postgres: on `dsn`)."""
    [model] = importlib.import_module(BACKEND_PLUGINS[name]).register_config_models()
    settings = model.model(dsn=dsn) if name == "postgres" else model.model()
    return StorageConfig(backend=name, data_dir=data_dir, settings=settings)


@pytest.fixture(params=["sqlite", "json", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def dsn(backend, request) -> str | None:
    """The test's own fresh database when the backend is postgres (None for the file backends)."""
    return request.getfixturevalue("postgres_dsn") if backend == "postgres" else None


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def open_store(backend, data_dir, dsn):
    """Open the backend's store (on `data_dir` unless told otherwise); closed at teardown."""
    opened = []

    def open_(path: Path | None = None):
        store = backend_spec(backend).open(storage_section(backend, path or data_dir, dsn))
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store):
    return open_store()


def run_python(code: str, *args: object) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (a second process on the same data dir)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        capture_output=True, text=True, timeout=60,
    )


T0 = "2026-11-25T19:22:39.000Z"
T1 = "2026-11-26T07:22:39.500Z"


def sample_records() -> dict[str, object]:
    """One record per table with every field set away from its default (None where optional
    fields are null on purpose), including nested lists/dicts, bools and non-ASCII text."""
    return {
        "users": User(
            user_id="user_1", user_handle="aGFuZGxl", display_name="Zoë 👩‍💻", created_at=T0,
            disabled_at=T1, last_workspace_id="ws_1", last_sign_in_at=T1,
        ),
        "workspaces": Workspace(workspace_id="ws_1", name="Primäry", created_at=T0, archived_at=None, require_second_approver=True),
        "memberships": Membership(
            membership_id="membership_1", user_id="user_1", workspace_id="ws_1", role="owner",
            created_at=T0, revoked_at=T1,
        ),
        "invitations": Invitation(
            invite_id="invite_1", type="workspace", workspace_id="ws_1", role="operator", note="for Lin",
            code_hash="a" * 64, created_at=T0, expires_at=T1, used_at=T1, revoked_at=None,
            created_by_user_id="user_1", redeemed_by_user_id="user_2",
        ),
        "recovery_codes": RecoveryCode(
            recovery_id="recovery_1", user_id="user_2", note="lost phone", code_hash="b" * 64,
            created_at=T0, expires_at=T1, used_at=None, revoked_at=T1, created_by_user_id="user_1",
        ),
        "login_codes": LoginCode(
            login_code_id="login_1", code_hash="c" * 64, created_at=T0, expires_at=T1, used_at=T1,
        ),
        "pairings": Pairing(
            pairing_id="pair_1", workspace_id="ws_1", note="build box", code_hash="d" * 64,
            created_at=T0, expires_at=T1, used_at=T1, revoked_at=None,
        ),
        "pair_requests": PairRequest(
            request_id="pairreq_1", pairing_id="pair_1", workspace_id="ws_1", status="approved",
            access_hash="e" * 64, note="n", agent_id="build-box", label="Build Box", hostname="bb",
            workspace_root_name="repo", created_at=T0, expires_at=T1, approved_at=T1,
            rejected_at=None, completed_at=None,
        ),
        "agents": Agent(
            agent_id="server-main", workspace_id="ws_1", label="bar-agent", created_at=T0,
            token_hash="f" * 64, last_seen_at=T1, revoked_at=None,
            features={"codexExec": True, "codexExecWrite": False, "nested": {"list": [1, 2.5, None]}},
            actions=[{"id": "status", "label": "Status ✓"}],
            log_sources=[{"id": "app", "label": "App"}],
            workspace_root_name="ws", next_token_hash="9" * 64, codex_available=True,
            codex_version="0.169.0",
            exec_modes=[{"id": "read-only", "label": "Read only", "writes": False}],
        ),
        "tasks": Task(
            task_id="task_1", workspace_id="ws_1", agent_id="server-main", type="codex_exec",
            title="Fix the build", status="running", created_at=T0, updated_at=T1,
            action_id="act", log_source_id="log", resume_session_id="sess-r", session_id="sess",
            cwd="src", write_access=True, needs_approval=True, approved_at=T1, rejected_at=None,
            exec_mode="workspace-write", cancel_requested_at=T1, thread_id="thread-1", redactions=3,
        ),
        "sessions": Session(
            session_id_hash="1" * 64, user_id="user_1", current_workspace_id=None, created_at=T0,
            expires_at=T1, recovery=True, needs_passkey_enrollment=True, passkey_id="2" * 64,
        ),
        "passkeys": Passkey(
            passkey_id="3" * 64, credential_id="qtEBfgKGbqeKEHuh", user_id="user_1", sign_count=7,
            label="Owner phone", created_at=T0, last_used_at=T1, transports=["internal", "hybrid"],
            public_key="pQECAyYgASFY", public_key_spki="MFkwEwYHKoZI",
        ),
        "notification_preferences": NotificationPreference(
            user_id="user_1", kinds={"task-finished": False, "request-waiting": True}, updated_at=T1,
        ),
        "push_subscriptions": PushSubscription(
            device_id="device_1", user_id="user_1", endpoint="https://fcm.googleapis.com/fcm/send/abc",
            endpoint_host="fcm.googleapis.com", p256dh="BPk0", auth="c2VjcmV0", label="Pixel ✓",
            created_at=T0, last_used_at=T1,
        ),
        "audit_events": AuditEvent(
            seq=7, at=T1, kind="membership.added", workspace_id="ws_1", actor_user_id="user_1",
            record_type="membership", record_id="membership_1", client_address="2001:db8::7",
            details={"role": "operator", "previousRole": "viewer", "count": 2, "recovery": False, "note": None},
            prev_hash="4" * 64, hash="5" * 64,
        ),
    }


@pytest.fixture
def samples() -> dict[str, object]:
    return sample_records()
