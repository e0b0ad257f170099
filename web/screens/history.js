// The earlier conversation of an interactive turn whose text the relay no longer holds (it restarted,
// and this device kept none of it): the agent reads it from Codex's own record of the thread — a
// read_session task for the thread id, as the session screen reads a past session — never the relay's
// disk. Offered rather than read on its own, so paging through old turns adds no tasks to the list;
// a read this view already holds for the thread (from any turn of it, or the session screen) is reused.
import { errorBox, fill, guarded, h } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { canRun } from "../flags.js";
import { taskError } from "./task_parts.js";
import { bubble, sessionTasks, startSessionTask } from "./session_parts.js";

export function earlierConversation(getCtx) {
  const status = h("div");
  const list = h("ol", { class: "conversation", "aria-label": t("history.heading") });
  const error = errorBox();
  const load = h("button", { type: "button", class: "button wide", "data-history": "read" });
  const el = h("div", { class: "stack earlier" }, h("h3", {}, t("history.heading")), status, list, load, error);
  let task = null;
  let shown = "";
  load.addEventListener("click", () =>
    guarded(load, () => startSessionTask(getCtx(), task.agentId, "read_session", task.threadId), error));

  /** Shows (and returns true) for a turn of a known thread whose text is gone: no prompt, no items
   * (a live turn always has its prompt). */
  function update(ctx, current) {
    task = current;
    const wanted = !!current.threadId && !current.prompt && !(current.items || []).length;
    el.hidden = !wanted;
    if (!wanted) return false;
    const agent = ctx.state && (ctx.state.agents || []).find((a) => a.agentId === current.agentId);
    const may = agent ? canRun("read_session", { ...ctx, agent }) : { allowed: false, reason: null };
    const { reads } = sessionTasks(ctx, current.agentId, current.threadId);
    const done = reads.filter((read) => read.status === "completed" && read.result).pop();
    const last = reads[reads.length - 1];
    const reading = !!last && !isTerminal(last.status);
    load.hidden = !may.allowed || reading;
    load.textContent = t(done ? "session.readAgain" : "history.read");
    const signature = JSON.stringify([done && [done.taskId, done.result], last && [last.status, last.error], may]);
    if (signature === shown) return true;
    shown = signature;
    const messages = done ? done.result.messages || [] : [];
    fill(status,
      !done ? h("p", { class: "hint" }, t("history.intro")) : null,
      !may.allowed && may.reason ? h("p", { class: "hint" }, t("session.readDisabled", { reason: t(may.reason) })) : null,
      reading ? h("p", { class: "hint", role: "status" }, t("session.reading")) : null,
      last && last.status === "failed" && last.error ? taskError(last.error) : null,
      done && done.result.messageCount > messages.length
        ? h("p", { class: "hint" }, t("session.partial", { shown: messages.length, count: done.result.messageCount }))
        : null);
    fill(list, messages.map((m) => bubble(m.role, m.text)));
    list.hidden = !done;
    return true;
  }

  return { el, update };
}
