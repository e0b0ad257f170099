// Workspace switcher and "create workspace".
import { api } from "../api.js";
import { errorBox, field, fill, guarded, h, submitForm } from "../dom.js";
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
    ctx.setAuth(reply.auth, "#/agents");
  }, "primary");
  const createSection = h("section", { class: "card" }, h("h2", {}, t("workspaces.createHeading")), create);

  const el = h("div", { class: "screen workspaces" },
    h("h1", {}, t("workspaces.heading")),
    h("section", { class: "card" }, list, switchError),
    createSection);

  function update(ctx) {
    const auth = ctx.auth;
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
        ctx.setAuth(reply.auth, "#/agents");
      }, switchError));
      return h("li", {}, button);
    }));
  }
  update(ctx);
  return { el, update };
}
