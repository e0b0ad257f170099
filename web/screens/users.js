// Relay users (relay owners only): disable / enable, end their sessions, issue a recovery code
// (shown once), remove them from a workspace, delete. Each guard of the relay is explained where
// the control would be: relay owners are protected, delete needs no workspaces and no passkeys,
// a disabled user gets no recovery code, a workspace's only owner cannot be removed from it.
import { api } from "../api.js";
import { actionButton, clockTime, confirmButton, errorBox, field, fill, h, keyed } from "../dom.js";
import { t } from "../i18n.js";
import { guard, shownOnce, TTL_CHOICES, ttlOption } from "./people_parts.js";

export const title = "users.title";

export function mount(ctx) {
  const list = h("div", { class: "stack users" });
  const note = h("div");
  const el = h("div", { class: "screen users" }, h("h1", {}, t("users.heading")), note, list);
  const codes = new Map(); // userId -> the recovery code just issued (shown while this screen is open)
  let current = ctx;

  function update(ctx) {
    current = ctx;
    fill(note, ctx.auth.permissions.manageRelayUsers ? null : guard(t("users.ownersOnly")));
    if (!ctx.state) return;
    const users = ctx.state.users || [];
    const owners = ownerCounts(users);
    // A card also changes when another user joins or leaves as owner of one of its workspaces.
    const soleOwnerOf = (u) => u.memberships.filter((m) => m.role === "owner" && owners.get(m.workspaceId) === 1).map((m) => m.workspaceId);
    keyed(list, users, (u) => u.userId, (u) => JSON.stringify([u, codes.get(u.userId) || null, soleOwnerOf(u)]),
      (u) => userCard(u, new Set(soleOwnerOf(u))));
  }

  function act(user, action) {
    return async () => {
      await api.userAction(user.userId, action);
      current.refresh();
    };
  }

  function userCard(user, soleOwner) {
    const error = errorBox();
    const you = user.userId === current.auth.currentUser.userId;
    const issued = codes.get(user.userId);
    const deleteBlockers = [
      user.isRelayOwner ? null : user.memberships.length ? t("users.deleteNeedsNoWorkspaces") : null,
      user.isRelayOwner ? null : user.passkeyCount ? t("users.deleteNeedsNoPasskeys") : null,
    ].filter(Boolean);
    const ttl = h("select", { name: "recoveryTtl" }, TTL_CHOICES.map(ttlOption));
    ttl.value = "3600"; // API.md's default: a recovery code is for someone waiting to sign in now
    const issue = async () => {
      const reply = await api.issueRecoveryCode(user.userId, Number(ttl.value));
      codes.set(user.userId, { code: reply.recoveryCode, expiresAt: reply.recovery.expiresAt });
      update(current); // the card shows the code now
      current.refresh();
    };
    return h("article", { class: "card user", "data-user-id": user.userId },
      h("div", { class: "card-head" },
        h("h2", {}, user.displayName, you ? ` · ${t("people.you")}` : ""),
        h("span", { class: "row-meta" },
          user.isRelayOwner ? h("span", { class: "chip" }, t("more.relayOwner")) : null,
          user.disabledAt ? h("span", { class: "chip chip-revoked" }, t("users.disabled")) : null)),
      h("p", { class: "meta" },
        [t("users.passkeys", { count: user.passkeyCount }), t("users.sessions", { count: user.activeSessionCount }),
          t("users.created", { when: clockTime(user.createdAt) })].join(" · ")),
      user.activeRecovery ? h("p", { class: "meta" }, t("users.recoveryActive", { when: clockTime(user.activeRecovery.expiresAt) })) : null,
      user.memberships.length
        ? h("ul", { class: "list memberships" }, user.memberships.map((m) => h("li", { class: "item-row", "data-membership-id": m.membershipId },
            h("span", {}, h("span", { class: "row-title" }, m.name), " ", h("span", { class: "meta" }, t(`role.${m.role}`))),
            soleOwner.has(m.workspaceId)
              ? h("span", { class: "meta only-owner" }, t("users.onlyOwner")) // the relay would refuse (last-owner guard)
              : confirmButton(t("users.removeFromWorkspace"), t("users.removeConfirm"), async () => {
                await api.revokeMembership(m.membershipId);
                current.refresh();
              }, { errorEl: error }))))
        : h("p", { class: "meta" }, t("users.noWorkspaces")),
      issued ? shownOnce(t("users.recoveryCode"), issued.code, issued.expiresAt, t("users.recoveryHowTo"), "recovery-code") : null,
      h("div", { class: "toolbar" },
        user.isRelayOwner ? null
          : user.disabledAt ? actionButton(t("users.enable"), act(user, "enable"), { errorEl: error })
          : confirmButton(t("users.disable"), t("users.disableConfirm"), act(user, "disable"), { errorEl: error }),
        user.activeSessionCount && !you
          ? confirmButton(t("users.endSessions"), t("users.endSessionsConfirm", { count: user.activeSessionCount }), act(user, "sessions/revoke"), { errorEl: error })
          : null,
        user.disabledAt ? null : h("div", { class: "recovery-issue" }, field(t("users.recoveryTtlLabel"), ttl),
          actionButton(t("users.issueRecovery"), issue, { errorEl: error })),
        user.isRelayOwner || deleteBlockers.length ? null
          : confirmButton(t("users.delete"), t("users.deleteConfirm", { name: user.displayName }), act(user, "delete"), { errorEl: error })),
      user.isRelayOwner && !you ? guard(t("users.ownerProtected")) : null,
      user.isRelayOwner && you ? guard(t("users.youProtected")) : null,
      user.disabledAt ? guard(t("users.disabledNoRecovery")) : null,
      deleteBlockers.map(guard),
      error);
  }

  update(ctx);
  return { el, update };
}

/** workspaceId -> how many active owner memberships it has, over every user listed. */
function ownerCounts(users) {
  const counts = new Map();
  for (const u of users) {
    for (const m of u.memberships) if (m.role === "owner") counts.set(m.workspaceId, (counts.get(m.workspaceId) || 0) + 1);
  }
  return counts;
}
