"""POST /api/auth/profile (issue 18): a person changes their own display name, and only theirs."""

from __future__ import annotations

import pytest

from .people_helpers import add_person, state


def test_the_first_user_renames_themselves(relay):
    owner = relay.owner()
    before = state(owner)["auth"]["currentUser"]["displayName"]
    renamed = owner.post("/api/auth/profile", {"displayName": "  Ada Lovelace  "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json["ok"] is True and renamed.json["auth"]["currentUser"]["displayName"] == "Ada Lovelace"
    assert before != "Ada Lovelace"
    assert owner.get("/api/auth/status").json["auth"]["currentUser"]["displayName"] == "Ada Lovelace"
    # Others see the new name in the member list.
    members = state(owner)["members"]
    assert "Ada Lovelace" in [m["displayName"] for m in members]


def test_a_rename_changes_no_one_else(relay):
    owner = relay.owner()
    other = add_person(relay, "viewer", name="Vera")
    assert other.browser.post("/api/auth/profile", {"displayName": "V."}).status_code == 200
    names = sorted(m["displayName"] for m in state(owner)["members"])
    assert "V." in names and "Vera" not in names
    assert state(owner)["auth"]["currentUser"]["displayName"] != "V."


@pytest.mark.parametrize("body", [{}, {"displayName": ""}, {"displayName": "   "}, {"displayName": 7},
                                  {"displayName": "x" * 81}, {"displayName": None}])
def test_a_bad_name_is_refused_naming_the_field(relay, body):
    owner = relay.owner()
    before = state(owner)["auth"]["currentUser"]["displayName"]
    result = owner.post("/api/auth/profile", body)
    assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "displayName"})
    assert state(owner)["auth"]["currentUser"]["displayName"] == before


def test_eighty_characters_are_enough(relay):
    owner = relay.owner()
    name = "名" * 80
    assert owner.post("/api/auth/profile", {"displayName": name}).json["auth"]["currentUser"]["displayName"] == name


def test_signed_out_and_locked_sessions_may_not(relay):
    result = relay.browser().post("/api/auth/profile", {"displayName": "Nobody"})
    assert (result.status_code, result.json["error"]) == (401, "missing-session")
    locked = add_person(relay, "owner", locked=True)
    result = locked.browser.post("/api/auth/profile", {"displayName": "Locked"})
    assert (result.status_code, result.json["error"]) == (403, "passkey-enrollment-required")
