// Workspace switcher, the current workspace's settings (owners: the two-person rule), "create
// workspace" and "join with an invite code".
import { api } from "../api.js";
import { errorBox, errorMessage, field, fill, guarded, h, submitForm } from "../dom.js";
import { t } from "../i18n.js";

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
    h("section", { class: "card" }, list, switchError),
    settingsSection, createSection, joinSection);

  function update(ctx) {
    const auth = ctx.auth;
    const current = ctx.state && ctx.state.currentWorkspace;
    settingsSection.hidden = !(current && current.role === "owner");
    if (current && !secondApprover.disabled) secondApprover.checked = !!current.requireSecondApprover;
    createSection.hidden = !(auth.permissions && auth.permissions.createWorkspaces);
    if (!auth.workspaces.length) {
      fill(list, h("li", { class: "empty" }, t("workspaces.none")));
      return;
    }
    fill(list, auth.workspaces.map((ws) => {
      const current = ws.workspaceId === auth.currentWorkspaceId;
      const button = h("button", { type: "button", class: `row-button${current ? " current" : ""}`, "aria-current": current ? "true" : null },
        h("span", { class: "row-title" }, ws.name),
        h("span", { class: "row-meta" }, t(`role.${ws.role}`), current ? ` · ${t("workspaces.current")}` : ""));
      button.addEventListener("click", () => guarded(button, async () => {
        const reply = await api.switchWorkspace(ws.workspaceId);
        ctx.setAuth(reply.auth, "#/home");
      }, switchError));
      return h("li", {}, button);
    }));
  }
  update(ctx);
  return { el, update };
}
