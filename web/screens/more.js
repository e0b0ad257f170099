// "Manage" (route `more`): who is signed in, a menu of what an admin looks after (agents and their
// pairing, workspaces, Codex sessions, people, relay users, the audit trail, passkeys, notifications) and this
// device's settings (language, cached task details, sign out).
import { errorBox, h, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { mayReadAudit } from "./audit.js";
import { settingsSections } from "./settings.js";

export const title = "more.title";

/** "Primary · Operator · Relay owner"; an owner of both says so once ("Owner of the workspace and the relay"). */
function roles(workspace, isRelayOwner) {
  const parts = workspace ? [workspace.name] : [];
  if (workspace && isRelayOwner && workspace.role === "owner") parts.push(t("more.ownerAndRelayOwner"));
  else {
    if (workspace) parts.push(t(`role.${workspace.role}`));
    if (isRelayOwner) parts.push(t("more.relayOwner"));
  }
  return parts.join(" · ");
}

export function mount(ctx) {
  const auth = ctx.auth;
  const error = errorBox();
  const workspace = auth.workspaces.find((w) => w.workspaceId === auth.currentWorkspaceId);
  const el = h("div", { class: "screen more" },
    h("h1", {}, t("more.heading")),
    section(null,
      h("p", { class: "row-title" }, auth.currentUser.displayName),
      h("p", { class: "meta", "data-roles": "" }, roles(workspace, auth.isRelayOwner))),
    h("nav", { class: "menu", "aria-label": t("more.heading") },
      link(t("agents.title"), "#/agents"),
      link(t("workspaces.title"), "#/workspaces"),
      link(t("sessions.title"), "#/sessions"),
      link(t("people.title"), "#/people"),
      auth.permissions.manageRelayUsers ? link(t("users.title"), "#/users") : null,
      mayReadAudit(auth) ? link(t("audit.title"), "#/audit") : null,
      auth.passkeysEnabled ? link(t("passkeys.title"), "#/passkeys") : null,
      link(t("notifications.title"), "#/notifications")),
    settingsSections(ctx, error),
    error);
  return { el };
}
