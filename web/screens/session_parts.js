// What the sessions list and one session share: naming a Codex session (an agent's catalog entry,
// API.md "Codex session summaries"), the tasks that read, continue or delete it (found in the state
// view, so they survive a reload), and a message bubble.
import { createTask } from "../signing.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { withCached } from "../taskcache.js";

export function sessionTitle(session) {
  return session.title || session.firstUserMessage || session.sessionId;
}

/** The catalog's entry for a session, if its agent still lists it. */
export function findSession(state, agentId, sessionId) {
  const agent = state && (state.agents || []).find((a) => a.agentId === agentId);
  return (agent && (agent.codexSessions || []).find((s) => s.sessionId === sessionId)) || null;
}

export const sessionHref = (agentId, sessionId) =>
  `#/session/${encodeURIComponent(agentId)}/${encodeURIComponent(sessionId)}`;

const byCreated = (a, b) => String(a.createdAt).localeCompare(String(b.createdAt));

/** The tasks about one session, oldest first: reads, resumed runs (replies) and deletes. */
export function sessionTasks(ctx, agentId, sessionId) {
  const mine = ((ctx.state && ctx.state.tasks) || [])
    .filter((task) => task.agentId === agentId)
    .map((task) => withCached(ctx.userId, task))
    .sort(byCreated);
  return {
    reads: mine.filter((task) => task.type === "read_session" && task.sessionId === sessionId),
    replies: mine.filter((task) => task.type === "codex_exec" && task.resumeSessionId === sessionId),
    deletes: mine.filter((task) => task.type === "delete_session" && task.sessionId === sessionId),
  };
}

/** "deleting" while a delete runs, "deleted" once one completed (the next poll drops it), else "". */
export function deletion(ctx, agentId, sessionId) {
  const { deletes } = sessionTasks(ctx, agentId, sessionId);
  if (deletes.some((task) => task.status === "completed")) return "deleted";
  if (deletes.some((task) => !isTerminal(task.status))) return "deleting";
  return "";
}

/** Reads and deletes go without a title: the session's title is prompt text (its first message
 * when Codex gave it none), so lists name these tasks from the agent's catalog (taskTitle). */
export async function startSessionTask(ctx, agentId, type, sessionId) {
  const reply = await createTask(ctx, { type, agentId, sessionId });
  ctx.refresh();
  return reply.task;
}

/** One turn of a conversation; `role` is user or assistant. */
export function bubble(role, text, ...extra) {
  const who = role === "user" ? "user" : "assistant";
  return h("li", { class: `msg msg-${who}`, "data-role": who },
    h("span", { class: "msg-role" }, t(`session.role.${who}`)),
    h("p", { class: "msg-text" }, text),
    extra);
}
