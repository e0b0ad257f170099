// The task list: status chips as filters, plus type and agent filters (kept while the app is open).
// Reading or deleting a session is housekeeping: listed only when that type is asked for.
// "Waiting for you" holds the tasks awaiting approval and the interactive turns whose Codex requests
// wait for a person (the same as Home's "waiting" state), and says how many requests wait. Each row
// keeps its own word: "Awaiting approval", or "Running" with "1 request waits".
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { taskRow, waitingInState, waitingRequests } from "./task_parts.js";
import { HOUSEKEEPING } from "./conversations.js";

export const title = "tasks.title";

export const STATUS_GROUPS = {
  all: null,
  active: ["queued", "running"],
  approval: ["awaiting_approval"],
  completed: ["completed"],
  problems: ["failed", "rejected", "interrupted", "canceled"],
};
const TYPES = ["codex_exec", "run_action", "read_log", "read_session", "delete_session"];

const filters = { status: "all", type: "", agent: "" }; // survives leaving and re-entering the screen

export function mount(ctx) {
  const chips = h("div", { class: "chips", role: "group", "aria-label": t("tasks.statusFilter") });
  const type = h("select", { name: "type", "aria-label": t("tasks.typeFilter") },
    h("option", { value: "" }, t("tasks.allTypes")),
    TYPES.map((name) => h("option", { value: name }, t(`type.${name}`))));
  const agent = h("select", { name: "agent", "aria-label": t("tasks.agentFilter") });
  const list = h("ul", { class: "list tasks" });
  const count = h("p", { class: "hint", role: "status" });
  type.value = filters.type;
  type.addEventListener("change", () => { filters.type = type.value; update(current); });
  agent.addEventListener("change", () => { filters.agent = agent.value; update(current); });
  const el = h("div", { class: "screen tasks" },
    h("h1", {}, t("tasks.heading")), chips, h("div", { class: "filters" }, type, agent), count, list);
  let current = ctx;

  function update(ctx) {
    current = ctx;
    fill(chips, Object.keys(STATUS_GROUPS).map((key) => {
      const waiting = key === "approval" ? waitingInState(ctx.state) : 0;
      const button = h("button", { type: "button", class: "chip-button", "aria-pressed": String(filters.status === key), "data-filter": key },
        t(`tasks.filter.${key}`), waiting ? h("span", { class: "badge", "data-waiting": String(waiting) }, String(waiting)) : null);
      button.addEventListener("click", () => { filters.status = key; update(current); });
      return button;
    }));
    const agents = (ctx.state && ctx.state.agents) || [];
    fill(agent, h("option", { value: "" }, t("tasks.allAgents")),
      agents.map((a) => h("option", { value: a.agentId }, a.label || a.agentId)));
    agent.value = agents.some((a) => a.agentId === filters.agent) ? filters.agent : "";
    if (!ctx.state) return fill(list, h("li", { class: "hint" }, t("common.loading")));
    const statuses = STATUS_GROUPS[filters.status];
    const shown = (ctx.state.tasks || []).filter((task) => (filters.type ? task.type === filters.type : !HOUSEKEEPING.has(task.type)) &&
      (!statuses || statuses.includes(task.status) || (filters.status === "approval" && waitingRequests(task) > 0)) &&
      (!agent.value || task.agentId === agent.value));
    count.textContent = shown.length ? t("tasks.count", { count: shown.length }) : ""; // empty: the list says so, once
    count.hidden = !shown.length;
    fill(list, shown.length ? shown.map((task) => h("li", {}, taskRow(ctx, task))) : h("li", { class: "empty" }, t("tasks.none")));
  }
  update(ctx);
  return { el, update };
}
