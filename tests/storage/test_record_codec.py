"""core/record_codec.py: camelCase <-> snake_case, records <-> dicts, query validation."""

from __future__ import annotations

import pytest

from mobile_codex.core.record_codec import (
    check_query,
    layout,
    record_from_dict,
    record_to_dict,
    to_camel,
    to_snake,
)
from mobile_codex.core.records import TABLES, VOLATILE_TASK_FIELDS, RelayMeta, Session, Task

from .conftest import T0, sample_records


@pytest.mark.parametrize(
    "snake, camel",
    [("user_id", "userId"), ("session_id_hash", "sessionIdHash"), ("type", "type"),
     ("needs_passkey_enrollment", "needsPasskeyEnrollment"), ("public_key_spki", "publicKeySpki")],
)
def test_case_conversion(snake, camel):
    assert (to_camel(snake), to_snake(camel)) == (camel, snake)


def test_every_field_name_survives_the_round_trip_through_camel_case():
    for cls in (*TABLES.values(), RelayMeta):
        for name in layout(cls).fields:
            assert to_snake(to_camel(name)) == name


def test_no_task_field_is_named_like_volatile_text():
    assert not set(layout(Task).by_camel) & set(VOLATILE_TASK_FIELDS)


def test_records_round_trip_through_dicts():
    for record in sample_records().values():
        assert record_from_dict(type(record), record_to_dict(record)) == record
    meta = RelayMeta(bootstrap_user_id="u", admin_user_ids=("u", "v"), volatile_epoch="e")
    assert record_to_dict(meta) == {"bootstrapUserId": "u", "adminUserIds": ["u", "v"], "volatileEpoch": "e"}
    assert record_from_dict(RelayMeta, record_to_dict(meta)) == meta


def test_reading_is_forgiving_where_the_reference_needs_it():
    session = record_from_dict(Session, {
        "sessionIdHash": "h", "userId": "u", "currentWorkspaceId": None, "createdAt": T0,
        "expiresAt": T0, "recovery": 1, "needsPasskeyEnrollment": None, "unknownKey": "x",
    })
    assert session == Session(
        session_id_hash="h", user_id="u", current_workspace_id=None, created_at=T0, expires_at=T0,
        recovery=True, needs_passkey_enrollment=False,
    )
    assert session.recovery is True


def test_volatile_task_keys_are_dropped():
    view = {**record_to_dict(sample_records()["tasks"]), **{key: "secret" for key in VOLATILE_TASK_FIELDS}}
    assert record_from_dict(Task, view) == sample_records()["tasks"]


def test_a_missing_required_field_is_named():
    with pytest.raises(ValueError, match="Task record lacks agentId, title"):
        record_from_dict(Task, {k: v for k, v in record_to_dict(sample_records()["tasks"]).items()
                                if k not in ("agentId", "title")})


def test_dicts_never_share_nested_values_with_records():
    agent = sample_records()["agents"]
    data = record_to_dict(agent)
    data["features"]["codexExec"] = False
    assert agent.features["codexExec"] is True
    back = record_from_dict(type(agent), data)
    data["actions"].append("x")
    assert back.actions == agent.actions


def test_check_query():
    assert check_query(Task, {"status": "queued"}, "-created_at", 5) == ("created_at", True)
    assert check_query(Task, {}, "created_at", None) == ("created_at", False)
    assert check_query(Task, {}, None, None) == (None, False)
    for bad in [({"x": 1}, None, None), ({}, "x", None), ({}, None, -1), ({}, None, True), ({}, None, "3")]:
        with pytest.raises(ValueError):
            check_query(Task, *bad)
    with pytest.raises(ValueError, match="JSON"):
        check_query(TABLES["agents"], {"features": {}}, None, None)
