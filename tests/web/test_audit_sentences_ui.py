"""The audit trail reads as sentences: each entry says what happened in the reader's language
("Signed in with the bootstrap token (recovery session)", "Agent vm paired", "Added Mia as Operator"),
with who, when and from where beside it; an entry of a kind this app does not know (a newer relay
on the same store) still shows its kind and details, as text, never as markup."""

from __future__ import annotations

import re

import attrs

from mobile_codex.core import audit
from mobile_codex.core.records import AuditEvent
from mobile_codex.core.timeutil import iso, system_clock
from tests.relay.agent_helpers import Http
from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN

MARKUP = "<img src=x onerror=window.__audit_xss=1>"


def note_unknown_kind(relay) -> None:
    """An entry a newer relay noted (a kind core/audit.py does not know), chained like any other."""
    with relay.store.transaction() as tx:
        last = audit.head(tx)
        draft = AuditEvent(
            seq=last.seq + 1, at=iso(system_clock()), kind="quota.raised", workspace_id=last.workspace_id,
            actor_user_id=None, record_type="workspace", record_id=last.workspace_id, client_address=None,
            details={"limit": 5, "label": MARKUP}, prev_hash=last.hash,
        )  # fmt: skip
        tx.audit_events.put(attrs.evolve(draft, hash=audit.entry_hash(draft)))


def make_events(relay) -> None:
    """Through the API: an invite redeemed (a new member), the member removed, an agent paired."""
    owner = relay.owner()
    status, issued = owner.post("/api/admin/invitations", {"type": "workspace", "role": "operator", "note": "", "ttlSec": 3600})
    assert status == 201, issued
    mia = Http(relay.port, origin=relay.origin)
    status, joined = mia.post("/api/auth/invitations/redeem", {"inviteCode": issued["inviteCode"], "displayName": "Mia"})
    assert status == 200, joined
    with relay.store.transaction(write=False) as tx:
        (mia_id,) = [user.user_id for user in tx.users.find() if user.display_name == "Mia"]
        (membership,) = [m for m in tx.memberships.find() if m.user_id == mia_id]
    status, body = owner.post(f"/api/admin/memberships/{membership.membership_id}/revoke", {})
    assert status == 200, body
    status, code = owner.post("/api/admin/pairings", {"note": "", "ttlSec": 300})
    assert status == 201, code
    status, pending = Http(relay.port).post(
        "/api/agent/pair", {"pairingCode": code["pairingCode"], "agentId": "vm", "label": "VM", "workspaceRootName": "src"}
    )  # fmt: skip
    assert status == 200, pending
    status, body = owner.post(f"/api/admin/pair-requests/{pending['requestId']}/approve", {})
    assert status == 200, body


def sentences(screen) -> dict[str, list[str]]:
    """Each entry's sentence (its title) by kind, newest first."""
    found: dict[str, list[str]] = {}
    rows = screen.locator("li.audit-entry")
    for i in range(rows.count()):
        row = rows.nth(i)
        found.setdefault(row.get_attribute("data-kind"), []).append(row.locator(".row-title").inner_text())
    return found


def test_each_entry_reads_as_a_sentence_in_english_and_chinese(relay, phones):
    owner = phones(relay)
    owner.open("/")
    owner.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    owner.screen("home")
    make_events(relay)
    note_unknown_kind(relay)

    screen = owner.manage("Audit trail", "audit")
    rows = screen.locator("li.audit-entry")
    wait_until(lambda: rows.count() == 9, timeout=15)
    said = sentences(screen)
    assert said["signin"] == ["Signed in with an invite", "Signed in with the bootstrap token (recovery session)",
                              "Signed in with the bootstrap token (recovery session)"], said  # fmt: skip
    assert said["pairing.approved"] == ["Agent vm paired"]
    assert said["invitation.created"] == ["Issued an invite to join as Operator"]
    assert said["invitation.used"] == ["Joined with an invite"]
    assert said["membership.added"] == ["Joined the workspace as Operator"]  # Mia added herself, with the invite
    assert said["membership.revoked"] == ["Removed Mia (Operator) from the workspace"]  # the member by name, not id
    # Who, when and where stay beside the sentence; the raw details the sentence says are gone.
    bootstrap = screen.locator("li.audit-entry[data-kind=signin]").nth(2)
    facts = bootstrap.inner_text()
    with relay.store.transaction(write=False) as tx:
        admin = tx.users.get(tx.get_meta().bootstrap_user_id).display_name
    assert f"by {admin}" in facts
    assert "from 127.0.0.1" in facts and "#1" in facts and "method:" not in facts and "recovery:" not in facts
    pairing = screen.locator("li.audit-entry[data-kind='pairing.approved']").inner_text()
    assert "agentId" not in pairing and "pair-request" in pairing
    # A kind this app does not know: its name and details as text; the markup is not markup.
    unknown = screen.locator("li.audit-entry[data-kind='quota.raised']")
    assert unknown.locator(".row-title").inner_text() == "quota.raised"
    assert "limit: 5" in unknown.inner_text() and f"label: {MARKUP}" in unknown.inner_text()
    assert "by the relay" in unknown.inner_text()
    assert unknown.locator("img").count() == 0 and owner.page.evaluate("() => window.__audit_xss") is None
    owner.check("audit-sentences")

    owner.tab("Manage", "more")
    owner.page.select_option("select[name=language]", "zh-CN")
    owner.page.locator("main .menu a", has_text="审计记录").click()
    screen = owner.screen("audit")
    rows = screen.locator("li.audit-entry")
    wait_until(lambda: rows.count() == 9, timeout=15)
    said = sentences(screen)
    assert said["signin"] == ["使用邀请码登录", "使用引导令牌登录（恢复会话）", "使用引导令牌登录（恢复会话）"], said
    assert said["pairing.approved"] == ["代理 vm 已配对"]
    assert said["invitation.created"] == ["发出了以操作员身份加入的邀请"]
    assert said["membership.added"] == ["以操作员身份加入了工作区"]
    assert said["membership.revoked"] == ["从工作区移除了 Mia（操作员）"]
    assert said["quota.raised"] == ["quota.raised"]
    assert "来自 127.0.0.1" in screen.locator("li.audit-entry[data-kind=signin]").nth(2).inner_text()
    owner.check("audit-sentences-zh")
    owner.page.evaluate("() => localStorage.setItem('mc.lang', 'en')")


# One entry of every kind, with the details the relay notes for it (relay_app/services/*.py `note`).
EVERY_KIND = [
    ("signin", {"method": "login-code", "recovery": True}, None, "Signed in with a one-time login code (recovery session)"),
    ("signin", {"method": "passkey", "recovery": False}, None, "Signed in with a passkey"),
    ("signout", {}, None, "Signed out"),
    ("sessions.ended", {"reason": "by-relay-owner", "count": 2}, ("user", "u-mia"), "Ended 2 sessions of Mia"),
    ("sessions.ended", {"reason": "end-sessions-command", "count": 1}, None,
     "Ended every session with mobile-codex end-sessions (1 session)"),
    ("passkey.added", {}, ("passkey", "pk1"), "Added a passkey"),
    ("passkey.revoked", {"sessionsEnded": 1}, ("passkey", "pk1"), "Revoked a passkey and ended its 1 session"),
    ("invitation.created", {"type": "account"}, ("invitation", "i1"), "Issued an account invite (no workspace)"),
    ("invitation.used", {"type": "account"}, ("invitation", "i1"), "Signed up with an account invite"),
    ("invitation.revoked", {"type": "workspace"}, ("invitation", "i1"), "Revoked an invite to the workspace"),
    ("recovery.created", {"user": "u-mia"}, ("recovery", "r1"), "Issued a recovery code for Mia"),
    ("recovery.used", {}, ("recovery", "r1"), "Used a recovery code"),
    ("recovery.revoked", {"user": "u-mia", "reason": "replaced"}, ("recovery", "r1"),
     "Replaced the recovery code of Mia with a new one"),
    ("workspace.created", {}, ("workspace", "w1"), "Created a workspace"),
    ("workspace.settings", {"requireSecondApprover": True}, ("workspace", "w1"),
     "Turned on the two-person rule (approvals need a second approver)"),
    ("workspace.settings", {"requireSecondApprover": False}, ("workspace", "w1"), "Turned off the two-person rule"),
    ("membership.added", {"member": "u-mia", "role": "viewer"}, ("membership", "m1"), "Added Mia as Viewer"),
    ("membership.revoked", {"member": "u-gone", "role": "owner"}, ("membership", "m1"),
     "Removed u-gone (Owner) from the workspace"),  # a deleted user: the id
    ("membership.left", {"role": "operator"}, ("membership", "m1"), "Left the workspace (Operator)"),
    ("user.disabled", {}, ("user", "u-mia"), "Disabled Mia"),
    ("user.enabled", {}, ("user", "u-mia"), "Enabled Mia again"),
    ("user.deleted", {}, ("user", "u-gone"), "Deleted u-gone"),
    ("relay-owner.changed", {"change": "removed", "via": "import-state"}, ("user", "u-gone"),
     "u-gone is no longer a relay owner (mobile-codex import-state)"),
    ("relay-owner.changed", {"change": "added", "via": "import-state"}, ("user", "u-mia"),
     "Mia became a relay owner (mobile-codex import-state)"),
    ("relay-owner.changed", {"change": "added", "via": "bootstrap"}, ("user", "u-mia"),
     "Mia became a relay owner (a new bootstrap owner when the relay started)"),
    ("pairing.approved", {"agentId": "vm"}, ("pair-request", "p1"), "Agent vm paired"),
    ("pairing.rejected", {"agentId": "vm"}, ("pair-request", "p1"), "Refused to pair agent vm"),
    ("agent.revoked", {}, ("agent", "vm"), "Revoked agent vm"),
    ("task.created", {"type": "codex_exec", "agentId": "vm", "execMode": "workspace-write", "writeAccess": True},
     ("task", "t1"), "Created a task on agent vm: Codex, Workspace write, allowed to write files"),
    ("task.approved", {"type": "run_action", "signed": True}, ("task", "t1"),
     "Approved a task with a passkey-signed intent: Action"),
    ("task.rejected", {"type": "read_log"}, ("task", "t1"), "Rejected a task: Log"),
    ("task.canceled", {"status": "running"}, ("task", "t1"), "Canceled a task (it was Running)"),
    ("task.created", {"type": "codex_exec", "agentId": "vm", "execMode": "chat", "writeAccess": False, "signed": True},
     ("task", "t1"), "Created a task on agent vm: Codex, Chat, with a passkey-signed intent"),
    ("request.answered", {"requestId": "r-7", "decision": "decline", "signed": False}, ("task", "t1"),
     "Answered a Codex request: Decline"),
    ("request.answered", {"requestId": "r-8", "decision": "accept", "signed": True}, ("task", "t1"),
     "Answered a Codex request with a passkey-signed intent: Approve"),
    ("task.steered", {"steerId": "steer_1", "signed": False}, ("task", "t1"), "Steered a running Codex turn"),
    ("task.steered", {"steerId": "steer_2", "signed": True}, ("task", "t1"),
     "Steered a running Codex turn with a passkey-signed intent"),
    ("two-person.refused", {"action": "approve", "type": "codex_exec"}, ("task", "t1"),
     "The two-person rule refused approving a task (Codex): it needs a second approver"),
]  # fmt: skip

DESCRIBE = """async ([entries, language]) => {
  const i18n = await import('/i18n.js');
  const { describe } = await import('/screens/audit_sentences.js');
  const was = i18n.currentLanguage();
  i18n.setLanguage(language);
  try {
    const names = { 'u-mia': 'Mia' };
    return entries.map(([kind, details, record]) => describe(
      { kind, details, recordType: record ? record[0] : null, recordId: record ? record[1] : null, actorUserId: 'u-owner' },
      (id) => names[id]));
  } finally { i18n.setLanguage(was); }
}"""


def test_every_kind_the_relay_notes_has_its_sentence_in_both_languages(phone):
    from mobile_codex.core.audit import KINDS

    assert {kind for kind, *_ in EVERY_KIND} == set(KINDS)
    phone.open("/")
    phone.screen("signin")
    entries = [[kind, details, record] for kind, details, record, _ in EVERY_KIND]
    english = phone.page.evaluate(DESCRIBE, [entries, "en"])
    assert [said["text"] for said in english] == [text for *_, text in EVERY_KIND]
    assert all(said["rest"] == [] for said in english), english  # every detail noted is in the sentence
    chinese = phone.page.evaluate(DESCRIBE, [entries, "zh-CN"])
    assert all(re.search(r"[\u4e00-\u9fff]", said["text"]) and said["rest"] == [] for said in chinese), chinese
    assert chinese[0]["text"] == "使用一次性登录码登录（恢复会话）"
    assert chinese[3]["text"] == "结束了 Mia 的 2 个会话"

    # A detail a newer relay adds, or a value this app has no words for, is still shown, as key: value.
    newer = phone.page.evaluate(DESCRIBE, [[["signin", {"method": "webauthn-2", "recovery": False, "device": "tablet"}, None],
                                            ["workspace.settings", {"retentionDays": 30}, ["workspace", "w1"]]], "en"])  # fmt: skip
    assert newer[0] == {"text": "Signed in with webauthn-2", "rest": ["device: tablet"]}
    assert newer[1] == {"text": "Workspace settings changed", "rest": ["retentionDays: 30"]}
