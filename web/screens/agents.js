// Agents of the current workspace: online / last seen, Codex, effective flags with reasons,
// revoke (owners); pending pair requests with approve / reject on top.
import { errorBox, fill, h, keyed, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { agentCard, agentSignature, pendingRequests } from "./agent_parts.js";

export const title = "agents.title";

export function mount(ctx) {
  const banner = h("div");
  const pending = h("div");
  const list = h("div", { class: "stack" });
  const actions = h("div", { class: "toolbar" });
  const error = errorBox();
  const el = h("div", { class: "screen agents" }, h("h1", {}, t("agents.heading")), banner, actions, pending, error, list);

  function update(ctx) {
    const { auth, state } = ctx;
    fill(banner, auth.passkeysEnabled && !auth.passkeyCount
      ? h("div", { class: "card callout" }, h("p", {}, t("agents.addPasskeyHint")), link(t("agents.addPasskey"), "#/enroll"))
      : null);
    fill(actions, auth.permissions.pairAgents ? link(t("agents.pair"), "#/pair", "primary") : null);
    if (!state) {
      fill(list, h("p", { class: "hint" }, t("common.loading")));
      return;
    }
    fill(pending, pendingRequests(ctx, error));
    const agents = state.agents || [];
    if (!agents.length) {
      list._keyed = null;
      fill(list, section(null, h("p", {}, t("agents.none")), auth.permissions.pairAgents ? null : h("p", { class: "hint" }, t("reason.role"))));
      return;
    }
    keyed(list, agents, (a) => a.agentId, (a) => agentSignature(ctx, a), (a) => agentCard(ctx, a, error, { open: true }));
  }
  update(ctx);
  return { el, update };
}
