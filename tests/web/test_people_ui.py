"""People and passkeys from the phone (Chromium's virtual authenticator, a real relay).

An owner invites a second user from the UI; she redeems the invite in a second browser context,
registers a passkey and sees only her workspace. The owner disables and enables her, issues a
recovery code, and she signs in with it on a new phone: enrollment-locked until she adds a passkey.
Passkeys are added and revoked, and the last one is guarded.
"""

from __future__ import annotations

from datetime import datetime

from tests.relay.agent_helpers import pair_over_http

from .conftest import BOOTSTRAP_TOKEN

AUTHENTICATOR = {
    "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
    "isUserVerified": True, "automaticPresenceSimulation": True,
}  # fmt: skip


def open_from_more(phone, link: str, screen: str):
    phone.tab("Manage", "more")
    phone.page.locator(".menu a", has_text=link).click()
    return phone.screen(screen)


def confirm(scope, first: str, second: str) -> None:
    """A destructive button asks once more in place."""
    scope.locator("button", has_text=first).click()
    scope.locator("button", has_text=second).click()


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def state(phone) -> dict:
    return phone.page.evaluate("async () => (await fetch('/api/admin/state')).json()")


def redeem_on_a_new_phone(phone, way: str, submit: str, **fields):
    """A phone with its own authenticator redeems a code (lower case is fine: codes are normalised);
    the session it gets is enrollment-locked."""
    phone.add_authenticator()
    phone.open("/")
    phone.screen("signin")
    phone.page.locator("summary", has_text=way).click()
    for name, value in fields.items():
        phone.page.fill(f"input[name={name}]", value)
    phone.page.locator("button", has_text=submit).click()
    phone.screen("enroll")
    assert phone.page.locator("h1").inner_text() == "Register your passkey"
    return phone


def test_invite_a_user_who_sees_only_her_workspace_then_recovers_with_a_code(relay, phones):
    agent = pair_over_http(relay, relay.owner(), "box-1")  # an agent in Primary, which she must not see
    assert agent.post("/api/agent/poll", {"label": "Box"})[0] == 200

    owner = phones(relay)
    owner.open("/")
    owner.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    owner.manage("Agents", "agents")
    owner.page.locator("[data-agent-id=box-1]").wait_for()
    owner.page.locator(".workspace-button").click()
    owner.screen("workspaces")
    owner.page.fill("input[name=workspaceName]", "Design")
    owner.page.locator("button", has_text="Create workspace").click()
    owner.screen("home")
    assert owner.page.locator(".workspace-button .pill-name").inner_text() == "Design"

    people = open_from_more(owner, "People", "people")
    me = people.locator(".people [data-membership-id]")
    assert me.count() == 1 and "Owner · you" in me.inner_text()
    assert me.get_by_text("The only owner cannot be removed").is_visible() and me.locator("button").count() == 0
    owner.check("people")

    # An account invite, made and revoked.
    owner.page.select_option("select[name=inviteType]", "account")
    assert owner.page.locator("select[name=role]").is_hidden()
    owner.page.locator("button", has_text="Create invite code").click()
    owner.page.locator("[data-invite-code]").wait_for()
    invitation = people.locator(".invitations [data-invite-id]", has_text="An account (no workspace)")
    invitation.wait_for()
    confirm(invitation, "Revoke", "Revoke this invite")
    invitation.wait_for(state="detached")

    # A workspace invite for Mia: the code is shown once.
    owner.page.select_option("select[name=inviteType]", "workspace")
    owner.page.select_option("select[name=role]", "operator")
    owner.page.fill("input[name=note]", "for Mia")
    owner.page.select_option("select[name=ttlSec]", "86400")
    owner.page.locator("button", has_text="Create invite code").click()
    people.locator(".invitations [data-invite-id]", has_text="To Design as Operator").wait_for()
    code = owner.page.locator("[data-invite-code]").inner_text()  # the account invite's card is replaced by now
    assert owner.page.get_by_text("Shown only this once").is_visible()
    assert "for Mia" in people.locator(".invitations").inner_text()
    owner.check("invite-code")

    # Mia, on her phone: redeem, register a passkey, see only Design.
    mia = redeem_on_a_new_phone(phones(relay), "I have an invite code", "Join", inviteCode=code.lower(), displayName="Mia")
    mia.page.locator("button", has_text="Register passkey").click()
    mia.screen("home")
    mia.page.get_by_text("No agent is paired with this workspace yet.").wait_for()
    assert mia.page.locator(".workspace-button .pill-name").inner_text() == "Design"
    seen = state(mia)
    assert [w["name"] for w in seen["auth"]["workspaces"]] == ["Design"] and seen["agents"] == []
    mia.check("mia-agents")
    mia.page.locator(".workspace-button").click()
    assert mia.screen("workspaces").locator(".row-title").all_inner_texts() == ["Design"]
    mia_people = open_from_more(mia, "People", "people")
    assert mia_people.get_by_text("Only owners of this workspace see and manage its members.").is_visible()
    assert mia.page.locator("button", has_text="Create invite code").is_hidden()
    assert mia.page.locator(".menu a", has_text="Users").count() == 0
    mia.check("mia-people")

    # The owner sees her as a member; the used invite is gone.
    row = people.locator(".people [data-membership-id]", has_text="Mia")
    row.wait_for()
    assert "Operator" in row.inner_text() and row.locator("button", has_text="Remove").is_visible()
    people.get_by_text("No open invitations.").wait_for()

    # Users: disable (her sessions end) and enable again; the guards say why delete is not offered.
    users = open_from_more(owner, "Users", "users")
    owner_card = users.locator("[data-user-id]", has_text="Owner").first
    assert owner_card.get_by_text("You are a relay owner").is_visible()
    design = owner_card.locator("[data-membership-id]", has_text="Design")  # she is its only owner
    assert design.get_by_text("Only owner: cannot be removed").is_visible() and design.locator("button").count() == 0
    card = users.locator("[data-user-id]", has_text="Mia")
    assert "1 passkey" in card.inner_text() and "Design" in card.inner_text()
    assert card.get_by_text("remove them from every workspace first").is_visible()
    assert card.get_by_text("cannot be deleted while they have passkeys").is_visible()
    owner.check("users")
    mia.expect_failure("/api/admin/state")  # her held state wait is answered 401 once she is disabled
    confirm(card, "Disable", "Disable and sign out")
    card.locator(".chip", has_text="Disabled").wait_for()
    assert card.get_by_text("A disabled user gets no recovery code").is_visible()
    owner.check("user-disabled")
    mia.screen("signin")
    card.locator("button", has_text="Enable").click()
    card.locator(".chip", has_text="Disabled").wait_for(state="detached")

    # A recovery code, shown once; Mia signs in with it on a new phone and must add a passkey first.
    assert card.locator("select[name=recoveryTtl]").input_value() == "3600"
    card.locator("select[name=recoveryTtl]").select_option("86400")
    card.locator("button", has_text="Issue a recovery code").click()
    recovery = card.locator("[data-recovery-code]").inner_text()
    card.get_by_text("A recovery code is valid until").wait_for()
    seen = state(owner)
    (mia_seen,) = [u for u in seen["users"] if u["displayName"] == "Mia"]
    valid_for = (parse_time(mia_seen["activeRecovery"]["expiresAt"]) - parse_time(seen["now"])).total_seconds()
    assert 86400 - 120 < valid_for <= 86400, valid_for
    owner.check("recovery-code")
    new_phone = redeem_on_a_new_phone(phones(relay), "I have a recovery code", "Redeem recovery code", recoveryCode=recovery)
    assert new_phone.page.locator(".tabbar").is_hidden()
    new_phone.open("/#/people")  # locked: every route leads back here
    new_phone.screen("enroll")
    new_phone.check("recovery-locked")
    new_phone.page.fill("input[name=label]", "New phone")
    new_phone.page.locator("button", has_text="Register passkey").click()
    new_phone.screen("home")
    assert new_phone.page.locator(".workspace-button .pill-name").inner_text() == "Design"
    card.get_by_text("2 passkeys").wait_for()

    # Ending her sessions signs the new phone out.
    new_phone.expect_failure("/api/admin/state")
    confirm(card, "End sessions", "End 1 session")
    new_phone.screen("signin")
    card.get_by_text("0 active sessions").wait_for()
    owner.check("sessions-ended")


def add_authenticator(phone) -> str:
    """Another virtual authenticator on the page's CDP session (a second device or security key)."""
    return phone.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]


def test_add_and_revoke_passkeys_and_the_last_one_is_kept(phone):
    first = phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    screen = open_from_more(phone, "My passkeys", "passkeys")
    assert screen.get_by_text("You have no passkey yet.").is_visible()
    assert phone.page.input_value("input[name=label]") == "Passkey 1"
    phone.check("passkeys-none")

    phone.page.fill("input[name=label]", "Phone A")
    phone.page.locator("button", has_text="Add passkey").click()
    phone_a = phone.page.locator("[data-passkey-id]", has_text="Phone A")
    phone_a.wait_for()
    assert phone_a.get_by_text("This is your only passkey").is_visible()
    assert "Added" in phone_a.inner_text() and "never used" in phone_a.inner_text()

    # A second one on another authenticator (the first would refuse: it holds this user's key).
    phone.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    add_authenticator(phone)
    phone.page.fill("input[name=label]", "Key B")
    phone.page.locator("button", has_text="Add passkey").click()
    phone.page.locator("[data-passkey-id]", has_text="Key B").wait_for()
    assert phone.page.locator("[data-passkey-id]").count() == 2
    assert phone.page.locator(".guard", has_text="only passkey").count() == 0
    phone.check("passkeys-two")

    confirm(phone_a, "Revoke", "Revoke this passkey")
    phone_a.wait_for(state="detached")
    key_b = phone.page.locator("[data-passkey-id]", has_text="Key B")
    assert key_b.get_by_text("This is your only passkey").is_visible()

    # Signed in with that passkey (not a recovery session), the relay keeps the last one.
    phone.tab("Manage", "more")
    phone.page.locator("button", has_text="Sign out").click()
    phone.screen("signin")
    phone.page.locator("button", has_text="Sign in with a passkey").click()
    phone.screen("home")
    open_from_more(phone, "My passkeys", "passkeys")
    assert "last used just now" in key_b.inner_text()
    phone.expect_failure("/api/admin/passkeys/")
    confirm(key_b, "Revoke", "Revoke this passkey")
    phone.page.get_by_text("This is your last passkey: add another one before you revoke it.").wait_for()
    assert phone.page.locator("[data-passkey-id]").count() == 1
    phone.check("passkeys-last-kept")


def test_a_signed_in_user_joins_a_second_workspace_with_an_invite_code(relay, phones):
    owner = relay.owner()
    agent = pair_over_http(relay, owner, "box-1")  # in Primary
    assert agent.post("/api/agent/poll", {"label": "Box"})[0] == 200
    status, primary = owner.post("/api/admin/invitations", {"type": "workspace", "role": "viewer", "note": "", "ttlSec": 3600})
    assert status == 201, primary
    status, _ = owner.post("/api/admin/workspaces", {"name": "Design"})  # the owner switches to it
    assert status == 201
    status, design = owner.post("/api/admin/invitations", {"type": "workspace", "role": "operator", "note": "", "ttlSec": 3600})
    assert status == 201, design

    mia = redeem_on_a_new_phone(phones(relay), "I have an invite code", "Join", inviteCode=design["inviteCode"], displayName="Mia")
    mia.page.locator("button", has_text="Register passkey").click()
    mia.screen("home")
    assert mia.page.locator(".workspace-button .pill-name").inner_text() == "Design"

    mia.page.locator(".workspace-button").click()
    screen = mia.screen("workspaces")
    assert screen.get_by_text("Join a workspace").is_visible()
    mia.check("join-form")
    mia.page.fill("input[name=joinInviteCode]", primary["inviteCode"].lower())
    mia.page.locator("button", has_text="Join workspace").click()
    mia.screen("home")
    mia.manage("Agents", "agents")
    mia.page.locator("[data-agent-id=box-1]").wait_for()  # now in Primary, she sees its agent
    assert mia.page.locator(".workspace-button .pill-name").inner_text() == "Primary"
    assert sorted(w["name"] for w in state(mia)["auth"]["workspaces"]) == ["Design", "Primary"]

    # The same code again: used up, said in words.
    mia.page.locator(".workspace-button").click()
    mia.screen("workspaces")
    mia.expect_failure("/api/auth/invitations/redeem")
    mia.page.fill("input[name=joinInviteCode]", primary["inviteCode"])
    mia.page.locator("button", has_text="Join workspace").click()
    mia.page.locator(".screen.workspaces .error", has_text="invite code").wait_for()
    assert sorted(mia.page.locator(".screen.workspaces .row-title").all_inner_texts()) == ["Design", "Primary"]
    mia.check("join-used-code")


def test_the_only_owner_mark_goes_when_a_second_owner_joins(relay, phone):
    owner = relay.owner()  # before the phone's view: nothing about the Owner changes from here on
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    users = open_from_more(phone, "Users", "users")
    (owner_id,) = [u["userId"] for u in state(phone)["users"] if u["displayName"] == "Owner"]
    primary = users.locator(f"[data-user-id='{owner_id}'] [data-membership-id]", has_text="Primary")  # by id: she is an owner too
    assert primary.get_by_text("Only owner: cannot be removed").is_visible() and primary.locator("button").count() == 0

    status, made = owner.post("/api/admin/invitations", {"type": "workspace", "role": "owner", "note": "", "ttlSec": 3600})
    assert status == 201, made
    status, _ = relay.http().post("/api/auth/invitations/redeem", {"inviteCode": made["inviteCode"], "displayName": "Cora Ng"})
    assert status == 200
    users.locator("[data-user-id]", has_text="Cora Ng").wait_for()  # the held state wait brings her in
    primary.locator("button", has_text="Remove").wait_for(timeout=5000)  # and the first owner's card is redrawn
    assert primary.get_by_text("Only owner").count() == 0
    phone.check("second-owner")
