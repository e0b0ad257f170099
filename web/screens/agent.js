// One agent: what it can do (flags with reasons), a Codex run, its actions (request -> approval)
// and log sources (read a tail), and its recent tasks.
import { actionButton, errorBox, fill, h, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { canRun } from "../flags.js";
import { agentCard, agentSignature, dangerZone } from "./agent_parts.js";
import { taskRow } from "./task_parts.js";
import { startTask } from "./one_tap.js";
import { needsSignature, signMark } from "../signing.js";

export const title = "agent.title";

export function mount(ctx) {
  const body = h("div", { class: "stack" });
  const error = errorBox();
  const el = h("div", { class: "screen agent" }, body, error);
  let shown = "";

  function update(ctx) {
    if (!ctx.state) return fill(body, h("p", { class: "hint" }, t("common.loading")));
    const agent = (ctx.state.agents || []).find((a) => a.agentId === ctx.params[0]);
    if (!agent) return fill(body, h("h1", {}, t("agent.notFound")), link(t("agents.title"), "#/agents"));
    const tasks = (ctx.state.tasks || []).filter((task) => task.agentId === agent.agentId).slice(0, 5);
    const sessionCount = (agent.codexSessions || []).length;
    const signature = JSON.stringify([agentSignature(ctx, agent), sessionCount, tasks.map((x) => [x.taskId, x.status, x.updatedAt])]);
    if (signature === shown) return;
    shown = signature;
    const run = (kind, extra, label) => async () => {
      const task = await startTask(ctx, { type: kind, agentId: agent.agentId, title: label, ...extra });
      ctx.refresh();
      ctx.go(`#/task/${encodeURIComponent(task.taskId)}`);
    };
    const codex = canRun("codex_exec", { ...ctx, agent });
    const action = canRun("run_action", { ...ctx, agent });
    const log = canRun("read_log", { ...ctx, agent });
    fill(body,
      h("h1", {}, agent.label || agent.agentId),
      agentCard(ctx, agent, { heading: false }),
      section(t("agent.codexHeading"),
        codex.allowed ? null : h("p", { class: "hint" }, t("agent.codexDisabled", { reason: t(codex.reason) })),
        h("div", { class: "toolbar" },
          codex.allowed ? link(t("agent.newRun"), `#/codex/${encodeURIComponent(agent.agentId)}`, "primary") : null,
          link(t("agent.sessions", { count: sessionCount }), `#/sessions/${encodeURIComponent(agent.agentId)}`))),
      offers(t("agent.actionsHeading"), action, "agent.actionsDisabled", agent.actions, "agent.noActions", t("agent.request"),
        (item) => run("run_action", { actionId: item.id }, item.label || item.id), error, t("agent.approvalNote"),
        needsSignature(ctx, { type: "run_action", agentId: agent.agentId })),
      offers(t("agent.logsHeading"), log, "agent.logsDisabled", agent.logSources, "agent.noLogs", t("agent.readLog"),
        (item) => run("read_log", { logSourceId: item.id }, item.label || item.id), error, null,
        needsSignature(ctx, { type: "read_log", agentId: agent.agentId })),
      section(t("agent.recentHeading"),
        tasks.length ? h("ul", { class: "list" }, tasks.map((task) => h("li", {}, taskRow(ctx, task)))) : h("p", { class: "hint" }, t("tasks.none"))),
      dangerZone(ctx, agent, error));
  }
  update(ctx);
  return { el, update };
}

const signed = (button, signs) => {
  signMark(button, signs);
  return button;
};

/** An agent's actions or log sources, each with its button (disabled, with the reason, when not allowed). */
function offers(heading, allowed, disabledKey, items, noneKey, buttonLabel, start, errorEl, note, signs) {
  return section(heading,
    allowed.allowed ? null : h("p", { class: "hint" }, t(disabledKey, { reason: t(allowed.reason) })),
    (items || []).length
      ? h("ul", { class: "list" }, items.map((item) => h("li", { class: "item-row" },
          h("span", { class: "row-title" }, item.label || item.id),
          signed(actionButton(buttonLabel, start(item), { errorEl, disabled: !allowed.allowed }), signs))))
      : h("p", { class: "hint" }, t(noneKey)),
    note ? h("p", { class: "hint" }, note) : null);
}
