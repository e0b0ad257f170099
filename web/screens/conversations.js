// The workspace's conversations, made from its tasks: the Codex turns that share a `threadId` are
// one conversation (a task without one is its own), newest update first, across every agent.
// Reading or deleting a session is housekeeping, not a conversation: never listed.
import { ago, h } from "../dom.js";
import { t } from "../i18n.js";
import { withCached } from "../taskcache.js";
import { agentLabel, taskTitle, waitingRequests } from "./task_parts.js";

export const HOUSEKEEPING = new Set(["read_session", "delete_session"]);

/** [{key, latest, taskIds}] from tasks in the state view's order (newest update first). */
export function conversations(ctx, tasks) {
  const byKey = new Map();
  for (const task of tasks) {
    if (HOUSEKEEPING.has(task.type)) continue;
    const key = task.type === "codex_exec" && task.threadId ? `thread:${task.agentId}:${task.threadId}` : `task:${task.taskId}`;
    const found = byKey.get(key);
    if (found) found.taskIds.push(task.taskId);
    else byKey.set(key, { key, latest: withCached(ctx.userId, task), taskIds: [task.taskId] });
  }
  return [...byKey.values()];
}

/** Where a conversation stands, for its chip's colour: running, waiting for you, done, failed, stopped. */
export function conversationState(task) {
  if (waitingRequests(task) > 0 || task.status === "awaiting_approval") return "waiting";
  if (task.status === "queued" || task.status === "running") return "running";
  if (task.status === "completed") return "done";
  if (task.status === "canceled" || task.status === "rejected") return "stopped";
  return "failed";
}

/** The chip's words: the same a task's own header uses (its status, or how many requests wait),
 * so a turn is never "Done" here and "Completed" there. `conversationState` only groups the colours. */
export function stateWords(task) {
  const waiting = waitingRequests(task);
  return waiting && task.status !== "awaiting_approval" ? t("task.waitingCount", { count: waiting }) : t(`status.${task.status}`, {}, task.status);
}

/** The start of Codex's last answer: the turn's summary, else its last message (two lines in CSS).
 * A preview is plain text: markdown's emphasis, code ticks and heading marks are left out of it. */
export function lastAnswer(task) {
  const said = task.summary || ((task.items || []).filter((item) => item.type === "agentMessage" && item.text).pop() || {}).text || "";
  return said.replace(/\*\*|`+/g, "").replace(/^#+\s+/gm, "");
}

export function conversationRow(ctx, conversation, currentTaskId) {
  const task = conversation.latest;
  const now = ctx.state ? Date.parse(ctx.state.now) : Date.now();
  const state = conversationState(task);
  const answer = lastAnswer(task);
  return h("a", {
    class: "conversation-row", href: `#/task/${encodeURIComponent(task.taskId)}`, "data-task-id": task.taskId,
    "aria-current": conversation.taskIds.includes(currentTaskId) ? "page" : null,
  },
  h("span", { class: "row-title" }, taskTitle(task, ctx.state)),
  answer ? h("span", { class: "row-answer" }, answer.slice(0, 240)) : null,
  h("span", { class: "row-meta" },
    h("span", { class: `chip state-${state}`, "data-state": state }, stateWords(task)),
    h("span", {}, `${agentLabel(ctx, task.agentId)} · ${ago(task.updatedAt || task.createdAt, now)}`)));
}

/** What a row shows, as a string: the row is rebuilt only when it changes. */
export function rowSignature(ctx, conversation, currentTaskId) {
  const task = conversation.latest;
  const now = ctx.state ? Date.parse(ctx.state.now) : Date.now();
  return JSON.stringify([taskTitle(task, ctx.state), conversationState(task), stateWords(task), lastAnswer(task).slice(0, 240),
    agentLabel(ctx, task.agentId), ago(task.updatedAt || task.createdAt, now), conversation.taskIds.includes(currentTaskId)]);
}
