// "My workspaces": switch, see since when and who invited you, leave (issue 21; never as the only
// owner); the current workspace's settings (owners: the two-person rule), "create workspace" and
// "join with an invite code".
import { api } from "../api.js";
import { clockTime, confirmButton, errorBox, errorMessage, field, fill, guarded, h, keyed, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { guard } from "./people_parts.js";

export const title = "workspaces.title";

export function mount(ctx) {
  const list = h("ul", { class: "list" });
  const switchError = errorBox();
  const name = h("input", { type: "text", name: "workspaceName", maxlength: "80", required: true });
  const create = submitForm([field(t("workspaces.nameLabel"), name)], t("workspaces.create"), async () => {
    if (!name.value.trim()) throw { code: "workspace-name-required" };
    const reply = await api.createWorkspace(name.value.trim());
    name.value = "";
    ctx.setAuth(reply.auth, "#/home");
  }, "primary");
  const createSection = h("section", { class: "card" }, h("h2", {}, t("workspaces.createHeading")), create);

  // A workspace invite redeemed with a session joins that workspace (API.md); then switch to it.
  const code = h("input", { type: "text", name: "joinInviteCode", autocomplete: "off", autocapitalize: "characters", required: true });
  const join = submitForm([field(t("workspaces.joinCodeLabel"), code)], t("workspaces.join"), async () => {
    const before = new Set(ctx.auth.workspaces.map((ws) => ws.workspaceId));
    let reply = await api.redeemInvite(code.value.trim());
    code.value = "";
    const joined = reply.auth.workspaces.find((ws) => !before.has(ws.workspaceId));
    if (joined) reply = await api.switchWorkspace(joined.workspaceId);
    ctx.setAuth(reply.auth, "#/home");
  });
  const joinSection = h("section", { class: "card join" }, h("h2", {}, t("workspaces.joinHeading")),
    h("p", { class: "hint" }, t("workspaces.joinHint")), join);

  // The two-person rule (issue 18): the relay enforces it; this only shows and sets it.
  const settingsError = errorBox();
  const secondApprover = h("input", { type: "checkbox", name: "requireSecondApprover" });
  secondApprover.addEventListener("change", async () => {
    secondApprover.disabled = true;
    fill(settingsError);
    try {
      await api.setWorkspaceSettings({ requireSecondApprover: secondApprover.checked });
      ctx.refresh();
    } catch (err) {
      secondApprover.checked = !secondApprover.checked;
      fill(settingsError, errorMessage(err));
    } finally {
      secondApprover.disabled = false;
    }
  });
  const settingsSection = h("section", { class: "card workspace-settings" },
    h("h2", {}, t("workspaces.settingsHeading")),
    h("label", { class: "check" }, secondApprover, h("span", {}, t("workspaces.secondApprover"))),
    h("p", { class: "hint" }, t("workspaces.secondApproverHint")),
    settingsError);

  const el = h("div", { class: "screen workspaces" },
    h("h1", {}, t("workspaces.heading")),
    h("section", { class: "card my-workspaces" }, h("h2", {}, t("workspaces.mine")), list, switchError),
    settingsSection, createSection, joinSection);

  // Since when, who invited, whether one may leave: read once per mount (joining, leaving, creating
  // and switching change `auth`, which mounts the screen again). An older relay has no such route.
  let details = new Map();
  let latest = ctx;
  if (!ctx.auth.needsPasskeyEnrollment) {
    api.myMemberships().then((reply) => {
      details = new Map((reply.memberships || []).map((row) => [row.membershipId, row]));
      update(latest);
    }, () => {});
  }

  function update(ctx) {
    latest = ctx;
    const auth = ctx.auth;
    const current = ctx.state && ctx.state.currentWorkspace;
    settingsSection.hidden = !(current && current.role === "owner");
    if (current && !secondApprover.disabled) secondApprover.checked = !!current.requireSecondApprover;
    createSection.hidden = !(auth.permissions && auth.permissions.createWorkspaces);
    if (!auth.workspaces.length) {
      fill(list, h("li", { class: "empty" }, t("workspaces.none")));
      return;
    }
    // Keyed, so a live update does not close a Leave the person is confirming.
    keyed(list, auth.workspaces, (ws) => ws.membershipId,
      (ws) => JSON.stringify([ws, auth.currentWorkspaceId, details.get(ws.membershipId) || null]), (ws) => {
      const current = ws.workspaceId === auth.currentWorkspaceId;
      const button = h("button", { type: "button", class: `row-button${current ? " current" : ""}`, "aria-current": current ? "true" : null },
        h("span", { class: "row-title" }, ws.name),
        h("span", { class: "row-meta" }, t(`role.${ws.role}`), current ? ` · ${t("workspaces.current")}` : ""));
      button.addEventListener("click", () => guarded(button, async () => {
        const reply = await api.switchWorkspace(ws.workspaceId);
        ctx.setAuth(reply.auth, "#/home");
      }, switchError));
      return h("li", { "data-membership-id": ws.membershipId }, button, membershipDetails(details.get(ws.membershipId), ctx, switchError));
    });
  }
  update(ctx);
  return { el, update };
}

/** Since when and who invited (issue 21), and Leave, asked once more; the only owner is told why not. */
function membershipDetails(row, ctx, errorEl) {
  if (!row) return null;
  const since = t("people.joined", { when: clockTime(row.createdAt) });
  const invited = row.invitedBy ? ` · ${t("workspaces.invitedBy", { name: row.invitedBy.displayName || t("workspaces.someone") })}` : "";
  return h("div", { class: "membership" },
    h("p", { class: "meta" }, since, invited),
    row.lastOwner
      ? guard(t("workspaces.lastOwner"))
      : confirmButton(t("workspaces.leave"), t("workspaces.leaveConfirm", { name: row.name }), async () => {
          const reply = await api.leaveWorkspace(row.membershipId);
          ctx.setAuth(reply.auth, "#/workspaces");
        }, { errorEl }));
}
