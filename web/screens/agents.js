// Agents of the current workspace: online / last seen, Codex, effective flags with reasons (folded);
// pending pair requests with approve / reject on top. Revoking is on each agent's own screen.
import { errorBox, fill, h, keyed, link, section } from "../dom.js";
import { isOnline } from "../flags.js";
import { t } from "../i18n.js";
import { agentCard, agentSignature, pendingRequests } from "./agent_parts.js";

export const title = "agents.title";

export function mount(ctx) {
  const pending = h("div");
  const list = h("div", { class: "stack" });
  const actions = h("div", { class: "toolbar" });
  const error = errorBox();
  const el = h("div", { class: "screen agents" }, h("h1", {}, t("agents.heading")), h("p", { class: "hint" }, t("agents.intro")), actions, pending, error, list);

  function update(ctx) {
    const { auth, state } = ctx;
    // With an agent online the next thing to do is talk to it; pairing another is the lesser button.
    const ready = !!(state && auth.permissions.createTasks && (state.agents || []).some((a) => isOnline(a, state)));
    fill(actions, ready ? link(t("agents.newConversation"), "#/home", "primary") : null,
      auth.permissions.pairAgents ? link(t("agents.pair"), "#/pair", ready ? "" : "primary") : null);
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
    keyed(list, agents, (a) => a.agentId, (a) => agentSignature(ctx, a), (a) => agentCard(ctx, a, { open: true }));
  }
  update(ctx);
  return { el, update };
}
