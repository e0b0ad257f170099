// "More": who is signed in, workspaces, add a passkey, this device's task cache, sign out.
// Web II adds people, passkeys, sessions and language here (one menu entry each).
import { actionButton, errorBox, h, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { cachedTasks, clearCache } from "../taskcache.js";

export const title = "more.title";

export function mount(ctx) {
  const auth = ctx.auth;
  const error = errorBox();
  const cacheCount = h("p", { class: "meta", role: "status" });
  const showCount = () => { cacheCount.textContent = t("more.cacheCount", { count: cachedTasks(ctx.userId).length }); };
  showCount();
  const workspace = auth.workspaces.find((w) => w.workspaceId === auth.currentWorkspaceId);
  const el = h("div", { class: "screen more" },
    h("h1", {}, t("more.heading")),
    section(null,
      h("p", { class: "row-title" }, auth.currentUser.displayName),
      h("p", { class: "meta" },
        workspace ? `${workspace.name} · ${t(`role.${workspace.role}`)}` : "",
        auth.isRelayOwner ? ` · ${t("more.relayOwner")}` : "")),
    h("nav", { class: "menu", "aria-label": t("more.heading") },
      link(t("workspaces.title"), "#/workspaces"),
      auth.passkeysEnabled ? link(t("more.addPasskey"), "#/enroll") : null),
    section(t("more.cacheHeading"),
      h("p", {}, t("more.cacheIntro")), cacheCount,
      actionButton(t("more.clearCache"), async () => { clearCache(ctx.userId); showCount(); }, { errorEl: error })),
    section(null, actionButton(t("more.signOut"), () => ctx.signOut(), { errorEl: error, kind: "danger wide" })),
    error);
  return { el };
}
