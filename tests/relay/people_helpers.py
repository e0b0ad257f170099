"""Helpers for the people suites: users, workspaces, invitations and codes, made through the
store where the test is not about making them, and through the API where it is."""

from __future__ import annotations

import json
import re

import attrs
from falcon import testing

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import Membership, User, Workspace
from mobile_codex.core.timeutil import iso
from mobile_codex.relay_app.services.bootstrap import new_user_handle

from .conftest import ORIGIN, Browser

COOKIE = "mobilecodex_session"
CODE12 = re.compile(r"[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}(-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}){2}")


@attrs.frozen
class Person:
    browser: Browser
    user_id: str
    membership_id: str | None
    workspace_id: str | None


def stored(relay, table: str, key: str):
    with relay.app.relay.store.transaction(write=False) as tx:
        return getattr(tx, table).get(key)


def primary_workspace_id(relay) -> str:
    with relay.app.relay.store.transaction(write=False) as tx:
        return tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id


def bootstrap_user_id(relay) -> str:
    with relay.app.relay.store.transaction(write=False) as tx:
        return tx.get_meta().bootstrap_user_id


def new_workspace(relay, name: str = "Other") -> str:
    workspace_id = new_id("ws")
    with relay.app.relay.store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id=workspace_id, name=name, created_at=iso(relay.clock())))
    return workspace_id


def add_person(
    relay, role: str | None = "viewer", *, workspace_id: str | None = None, name: str | None = None,
    locked: bool = False, signed_in: bool = True,
) -> Person:  # fmt: skip
    """A user (holding `role` in the workspace, default Primary; no membership when role is None),
    with a browser signed in to a session there (enrollment-locked if asked)."""
    ctx = relay.app.relay
    now = iso(relay.clock())
    if role is not None and workspace_id is None:
        workspace_id = primary_workspace_id(relay)
    membership_id = new_id("membership") if role else None
    with ctx.store.transaction() as tx:
        user = User(
            user_id=new_id("user"), user_handle=new_user_handle(), display_name=name or (role or "loner").title(),
            created_at=now, last_workspace_id=workspace_id if role else None,
        )  # fmt: skip
        tx.users.put(user)
        if role:
            tx.memberships.put(
                Membership(membership_id=membership_id, user_id=user.user_id, workspace_id=workspace_id, role=role, created_at=now)
            )
        cookie = ctx.services.sessions.create(tx, user_id=user.user_id, workspace_id=workspace_id if role else None, locked=locked) if signed_in else None
    browser = relay.browser()
    if cookie:
        browser.cookies[COOKIE] = cookie
    return Person(browser, user.user_id, membership_id, workspace_id if role else None)


def invite(browser, expect: int = 201, **body) -> tuple[str, dict]:
    """(inviteCode, invitation) made through the API."""
    result = browser.post("/api/admin/invitations", body)
    assert result.status_code == expect, result.text
    return result.json.get("inviteCode"), result.json.get("invitation")


def redeem_invite(relay, code, display_name="Dana", browser=None):
    """(browser, result) of redeeming `code`; a fresh anonymous browser unless one is given."""
    browser = browser or relay.browser()
    body = {"inviteCode": code}
    if display_name is not None:
        body["displayName"] = display_name
    return browser, browser.post("/api/auth/invitations/redeem", body)


def raw_post(relay, path: str, body: dict, *, cookie: str) -> tuple[int, dict, list[str]]:
    """(status, JSON body, every Set-Cookie line) of a POST sending `cookie` as the session cookie.

    Straight through WSGI: a TestClient result keeps only one value per cookie name, and a
    second Set-Cookie for the same name is what these tests look for."""
    environ = testing.create_environ(
        path=path, method="POST", body=json.dumps(body),
        headers={"Content-Type": "application/json", "Origin": ORIGIN, "Cookie": f"{COOKIE}={cookie}"},
    )  # fmt: skip
    start = testing.StartResponseMock()
    payload = b"".join(relay.app(environ, start))
    return int(start.status[:3]), json.loads(payload), [value for name, value in start.headers if name == "set-cookie"]


def recovery_code_for(owner_browser, user_id: str, **body) -> tuple[str, dict]:
    result = owner_browser.post(f"/api/admin/users/{user_id}/recovery-codes", body)
    assert result.status_code == 201, result.text
    return result.json["recoveryCode"], result.json


def state(browser) -> dict:
    result = browser.get("/api/admin/state")
    assert result.status_code == 200, result.text
    return result.json
