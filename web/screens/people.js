// People of the current workspace: members with their roles and revoke (owners; the last owner
// cannot be removed), and invitations: create (workspace or account, role, note, how long), the
// code shown once, revoke.
import { api } from "../api.js";
import { clockTime, confirmButton, errorBox, field, fill, h, keyed, section, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { guard, shownOnce, TTL_CHOICES, ttlOption } from "./people_parts.js";

export const title = "people.title";

const ROLES = ["viewer", "operator", "owner"];

export function mount(ctx) {
  const members = h("ul", { class: "list people" });
  const membersNote = h("div");
  const memberError = errorBox();

  const type = h("select", { name: "inviteType" });
  const role = h("select", { name: "role" }, ROLES.map((r) => h("option", { value: r }, t(`role.${r}`))));
  role.value = "operator";
  const roleField = field(t("people.roleLabel"), role);
  const note = h("input", { type: "text", name: "note", maxlength: "120", placeholder: t("people.notePlaceholder") });
  const ttl = h("select", { name: "ttlSec" }, TTL_CHOICES.map(ttlOption));
  ttl.value = "86400";
  type.addEventListener("change", () => { roleField.hidden = type.value !== "workspace"; });
  const created = h("div");
  const create = submitForm([field(t("people.typeLabel"), type), roleField, field(t("people.noteLabel"), note), field(t("people.ttlLabel"), ttl)],
    t("people.createInvite"), async () => {
      const reply = await api.createInvitation(type.value, role.value, note.value.trim(), Number(ttl.value));
      note.value = "";
      const howTo = t(type.value === "workspace" ? "people.inviteHowTo" : "people.accountHowTo");
      fill(created, shownOnce(t("people.inviteCode"), reply.inviteCode, reply.invitation.expiresAt, howTo, "invite-code"));
      current.refresh();
    }, "primary");
  const createNote = h("div");
  const invites = h("ul", { class: "list invitations" });
  const invitesNone = h("p", { class: "hint" }, t("people.noInvites"));
  const inviteError = errorBox();

  const el = h("div", { class: "screen people" },
    h("h1", {}, t("people.heading")),
    section(t("people.membersHeading"), membersNote, members, memberError),
    section(t("people.inviteHeading"), createNote, create),
    created,
    section(t("people.invitesHeading"), invitesNone, invites, inviteError));
  let current = ctx;
  let typeSignature = "";

  function update(ctx) {
    current = ctx;
    const { auth, state } = ctx;
    const workspace = auth.workspaces.find((w) => w.workspaceId === auth.currentWorkspaceId);
    const types = [auth.permissions.manageMembers ? "workspace" : null, auth.permissions.createAccountInvites ? "account" : null].filter(Boolean);
    if (types.join() !== typeSignature) {
      typeSignature = types.join();
      fill(type, types.map((name) => h("option", { value: name },
        name === "workspace" ? t("people.typeWorkspace", { name: workspace ? workspace.name : "" }) : t("people.typeAccount"))));
      roleField.hidden = type.value !== "workspace";
    }
    create.hidden = !types.length;
    fill(createNote, types.length ? null : guard(t("people.inviteOwnersOnly")));
    if (!state) return;

    const list = state.members || [];
    const owners = list.filter((m) => m.role === "owner").length;
    fill(membersNote, auth.permissions.manageMembers ? null : guard(t("people.membersOwnersOnly")));
    keyed(members, list, (m) => m.membershipId, (m) => JSON.stringify([m, owners, auth.currentUser.userId]),
      (m) => h("li", {}, memberRow(m, owners, auth, ctx, memberError)));

    const active = state.invitations || [];
    invitesNone.hidden = active.length > 0;
    keyed(invites, active, (i) => i.inviteId, (i) => JSON.stringify(i), (i) => h("li", {}, invitationRow(i, ctx, inviteError)));
  }

  update(ctx);
  return { el, update };
}

function memberRow(member, owners, auth, ctx, errorEl) {
  const lastOwner = member.role === "owner" && owners <= 1;
  const you = member.userId === auth.currentUser.userId;
  return h("article", { class: "person", "data-membership-id": member.membershipId },
    h("div", { class: "card-head" },
      h("h3", {}, member.displayName, you ? ` · ${t("people.you")}` : ""),
      h("span", { class: "chip" }, t(`role.${member.role}`))),
    h("p", { class: "meta" }, t("people.joined", { when: clockTime(member.createdAt) }), lastSignIn(member)),
    lastOwner
      ? guard(t("people.lastOwner"))
      : confirmButton(t("people.revokeMember"), t("people.revokeMemberConfirm", { name: member.displayName }), async () => {
          await api.revokeMembership(member.membershipId);
          ctx.refresh();
        }, { errorEl }));
}

function invitationRow(invitation, ctx, errorEl) {
  const kind = invitation.type === "account"
    ? t("people.accountInvite")
    : t("people.workspaceInvite", { name: invitation.workspaceName, role: t(`role.${invitation.role}`) });
  return h("article", { class: "person", "data-invite-id": invitation.inviteId },
    h("h3", {}, kind),
    invitation.note ? h("p", {}, invitation.note) : null,
    h("p", { class: "meta" }, t("pair.expires", { when: clockTime(invitation.expiresAt) }),
      invitation.createdByDisplayName ? ` · ${t("people.by", { name: invitation.createdByDisplayName })}` : ""),
    confirmButton(t("people.revokeInvite"), t("people.revokeInviteConfirm"), async () => {
      await api.revokeInvitation(invitation.inviteId);
      ctx.refresh();
    }, { errorEl }));
}

/** When the member last signed in (owners see it; issue 21). An older relay sends no such field. */
function lastSignIn(member) {
  if (!("lastSignInAt" in member)) return "";
  const when = member.lastSignInAt ? t("people.lastSignIn", { when: clockTime(member.lastSignInAt) }) : t("people.noSignIn");
  return h("span", { class: "last-sign-in" }, ` · ${when}`);
}
