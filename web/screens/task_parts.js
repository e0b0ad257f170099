// How a task is named and shown in lists: a title, its type, a status chip, when; its error as a sentence.
import { ago, h } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { findSession, sessionTitle } from "./session_parts.js";
import { lastUser, withCached } from "../taskcache.js";

export function statusChip(status) {
  return h("span", { class: `chip status-${status}`, "data-status": status }, t(`status.${status}`, {}, status));
}

/** A task's name, the same wherever it is shown (list, conversation, page title) and after a relay
 * restart: the relay stores no title made of task text (it answers the type instead), so the name
 * comes from the person's explicit title, the text this device kept (taskcache.js), or the agent's
 * session catalog. Every turn of a thread is named after its first turn, so the conversation has
 * one name. */
export function taskTitle(task, state) {
  const first = task.type === "codex_exec" && task.threadId ? firstTurn(task, state) : task;
  return ownTitle(first, state) || ownTitle(task, state) || t(`type.${task.type}`, {}, task.type);
}

function ownTitle(task, state) {
  if (task.title && task.title !== task.type) return task.title; // the relay's default title is the type
  const kept = task.prompt ? task : withCached(userOf(state), task);
  if (kept.prompt) return kept.prompt.split("\n")[0].slice(0, 120);
  if (task.actionId) return task.actionId;
  if (task.logSourceId) return task.logSourceId;
  for (const id of [task.sessionId, task.resumeSessionId, task.threadId]) {
    const session = id && findSession(state, task.agentId, id);
    if (session) return sessionTitle(session);
  }
  return task.sessionId || "";
}

/** The oldest turn of a task's thread the state view (or this device) still has. */
function firstTurn(task, state) {
  const turns = ((state && state.tasks) || []).filter((x) => x.type === "codex_exec" && x.threadId === task.threadId);
  return turns.reduce((oldest, x) => (String(x.createdAt) < String(oldest.createdAt) ? x : oldest), task);
}

const userOf = (state) => (state && state.auth && state.auth.currentUser ? state.auth.currentUser.userId : lastUser());

/** An interactive Codex turn: the relay says so, or (once its text is gone) the agent advertises its
 * exec mode as interactive. */
export function isInteractive(ctx, task) {
  if (task.interactive) return true;
  const agent = task.execMode && ctx.state && (ctx.state.agents || []).find((a) => a.agentId === task.agentId);
  return !!(agent && (agent.execModes || []).some((mode) => mode.id === task.execMode && mode.interactive));
}

export function agentLabel(ctx, agentId) {
  const agent = ctx.state && (ctx.state.agents || []).find((a) => a.agentId === agentId);
  return (agent && agent.label) || agentId;
}

/** How many of an interactive task's requests wait for a person (API.md `requests[]`; a task
 * marked `awaitingInput` whose requests this view lacks still counts one). None once the task ended:
 * a request this device cached as pending can no longer be answered. */
export function waitingRequests(task) {
  if (isTerminal(task.status)) return 0;
  const pending = (task.requests || []).filter((r) => r.status === "pending").length;
  return pending || (task.awaitingInput ? 1 : 0);
}

/** Waiting requests over every task of a state view: the Tasks tab and the page title show it. */
export const waitingInState = (state) => ((state && state.tasks) || []).reduce((sum, task) => sum + waitingRequests(task), 0);

/** "2 secrets hidden": the agent replaced secrets in this task's texts with markers (its `redactions`). */
export function redactionsNote(el, task) {
  const count = (task && task.redactions) || 0;
  el.textContent = count ? t("task.redactions", { count }) : "";
  el.dataset.redactions = String(count);
  el.hidden = !count;
}

export function waitingChip(task) {
  const count = waitingRequests(task);
  return count ? h("span", { class: "chip waiting", "data-waiting": String(count) }, t("task.waitingCount", { count })) : null;
}

export function taskRow(ctx, task) {
  const now = ctx.state ? Date.parse(ctx.state.now) : Date.now();
  return h("a", { class: "task-row", href: `#/task/${encodeURIComponent(task.taskId)}`, "data-task-id": task.taskId },
    h("span", { class: "row-title" }, taskTitle(task, ctx.state)),
    h("span", { class: "row-meta" },
      statusChip(task.status), waitingChip(task),
      h("span", {}, `${t(`type.${task.type}`, {}, task.type)} · ${agentLabel(ctx, task.agentId)} · ${ago(task.updatedAt || task.createdAt, now)}`)));
}

/** Agent error codes (PRODUCT.md) get a sentence; anything else is shown as the agent sent it. */
export function taskError(text) {
  const code = String(text).split(":")[0].trim();
  const flag = /^([A-Za-z]+)-disabled-locally$/.exec(code);
  const known = flag ? t("taskError.disabledLocally", { flag: t(`flag.${flag[1]}`, {}, flag[1]) }) : t(`taskError.${code}`, {}, null);
  return [known ? h("p", {}, known) : null, h("pre", { class: "mono small" }, text)];
}
