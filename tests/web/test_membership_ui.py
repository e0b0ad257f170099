"""Issue 21 from the phone: a person sees their workspaces with since when and who invited them,
leaves one after confirming, and the only owner is told why they cannot; owners see when each member
last signed in. In both languages."""

from __future__ import annotations

import pytest

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import User
from mobile_codex.core.timeutil import iso, system_clock
from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN


def loner_cookie(relay, name: str) -> str:
    """A signed-in person with no workspace yet (their session cookie); made without a sign-in."""
    ctx = relay.app.relay
    with ctx.store.transaction() as tx:
        user = User(user_id=new_id("user"), user_handle=new_id("h"), display_name=name, created_at=iso(system_clock()))
        tx.users.put(user)
        return ctx.services.sessions.create(tx, user_id=user.user_id, workspace_id=None)


def memberships(phone) -> list[dict]:
    return phone.page.evaluate("async () => (await fetch('/api/auth/memberships')).json()")["memberships"]


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_a_member_leaves_and_the_only_owner_cannot(relay, phones, size):
    owner = phones(relay, viewport=size)
    owner.open("/")
    owner.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    owner.screen("home")
    status, body = relay.owner().post("/api/admin/invitations", {"type": "workspace", "role": "operator"})
    assert status == 201, body

    # Otto joins Primary with the code from the Workspaces screen, then sees who invited him
    otto = phones(relay, viewport=size)
    otto.sign_in_with_cookie(loner_cookie(relay, "Otto"))
    otto.open("/#/workspaces")
    screen = otto.screen("workspaces")
    otto.page.fill("input[name=joinInviteCode]", body["inviteCode"].lower())
    screen.locator("button", has_text="Join workspace").click()
    otto.screen("home")
    screen = otto.manage("Workspaces", "workspaces")
    row = screen.locator(".my-workspaces li", has_text="Primary")
    row.locator(".membership", has_text="invited by Owner").wait_for()
    assert "Member since" in row.inner_text()
    otto.check("my-workspaces")

    # the owner, Primary's only owner, is told why there is no Leave; the people list says who signed in when
    screen = owner.manage("Workspaces", "workspaces")
    mine = screen.locator(".my-workspaces li", has_text="Primary")
    mine.locator(".guard", has_text="You are its only owner").wait_for()
    assert mine.locator("button", has_text="Leave").count() == 0
    people = owner.manage("People", "people")
    people.locator(".person", has_text="Otto").locator(".last-sign-in", has_text="no sign-in recorded yet").wait_for()
    assert "last signed in" in people.locator(".person", has_text="Owner").inner_text()
    owner.check("people-last-sign-in")

    # Otto leaves, after saying so twice; Primary is gone from his list and the relay
    screen = otto.screen("workspaces")
    row = screen.locator(".my-workspaces li", has_text="Primary")
    row.locator("button", has_text="Leave").click()
    row.locator("button", has_text="Leave Primary").click()
    screen = otto.screen("workspaces")
    screen.locator(".my-workspaces li.empty").wait_for()
    assert memberships(otto) == []
    wait_until(lambda: "Otto" not in owner.page.locator("main .screen.people").inner_text(), timeout=15)
    otto.check("left")


def test_my_workspaces_in_chinese(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.screen("more")
    phone.page.goto(f"{relay.origin}/#/workspaces")
    screen = phone.screen("workspaces")
    screen.locator(".my-workspaces h2", has_text="我的工作区").wait_for()
    screen.locator(".guard", has_text="你是该工作区唯一的所有者").wait_for()
    phone.check("my-workspaces-zh")
