// One task, live: status, prompt, output as it streams in, summary, diff, error, result;
// approve / reject (awaiting approval) and cancel. Text the relay lost in a restart comes from
// this device's cache (taskcache.js). An interactive Codex turn adds its conversation, a card per
// request waiting for a person, and the composer (steer now, next turn later). A turn whose text
// neither the relay nor this device holds offers its thread's earlier conversation (history.js).
import { api } from "../api.js";
import { actionButton, clockTime, errorBox, errorMessage, fill, h, keyed, link } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { cachedTask, withCached } from "../taskcache.js";
import { renderDiff } from "../diff.js";
import { agentLabel, isInteractive, statusChip, taskError, taskTitle, waitingChip } from "./task_parts.js";
import { requestCard } from "./approval.js";
import { composer } from "./composer.js";
import { earlierConversation } from "./history.js";
import { showItems } from "./turn_items.js";

export const title = "task.title";

export function mount(ctx) {
  const taskId = ctx.params[0];
  const heading = h("h1", {});
  const chipSlot = h("span");
  const meta = h("p", { class: "meta" });
  const controls = h("div", { class: "toolbar" });
  const note = h("p", { class: "notice", role: "status" });
  const cacheNote = h("p", { class: "hint" }, t("task.fromCache"));
  const error = errorBox();
  const prompt = h("pre", { class: "prompt" });
  const promptPart = h("section", { class: "card" }, h("h2", {}, t("task.prompt")), prompt);
  const outputTitle = h("h2", {});
  const output = h("pre", { class: "output mono", tabindex: "0", "aria-live": "off" });
  const outputEmpty = h("p", { class: "hint" });
  const outputPart = h("section", { class: "card" }, outputTitle, outputEmpty, output);
  const summary = h("p", { class: "summary" });
  const summaryPart = h("section", { class: "card" }, h("h2", {}, t("task.summary")), summary);
  const diff = h("div", { class: "diff" });
  const diffPart = h("section", { class: "card" }, h("h2", {}, t("task.diff")), diff);
  const failure = h("div");
  const failurePart = h("section", { class: "card failure" }, h("h2", {}, t("task.error")), failure);
  const result = h("dl", { class: "result" });
  const resultPart = h("section", { class: "card" }, h("h2", {}, t("task.result")), result);
  const missing = h("div", { class: "card" }, h("p", {}, t("task.notFound")), link(t("tasks.title"), "#/tasks"));
  const approvals = h("div", { class: "stack approvals", "aria-live": "polite" });
  const conversation = h("ol", { class: "conversation turn", "aria-label": t("turn.heading") });
  const turnsNav = h("p", { class: "turns-nav" });
  const box = composer(() => current);
  const earlier = earlierConversation(() => current);
  const turnPart = h("section", { class: "card" }, h("h2", {}, t("turn.heading")), turnsNav, earlier.el, conversation);
  const answerErrors = new Map(); // requestId -> why this device's answer was refused (kept across redraws)
  const body = h("div", { class: "stack" },
    h("div", { class: "card" }, heading, h("div", { class: "card-head" }, chipSlot, meta), note, cacheNote, controls, error),
    approvals, promptPart, turnPart, box.el, outputPart, summaryPart, diffPart, failurePart, resultPart);
  const el = h("div", { class: "screen task" }, body, missing);
  let shownControls = "";
  let shownDiff = null;
  let current = ctx;

  function update(ctx) {
    current = ctx;
    const live = ctx.state && (ctx.state.tasks || []).find((x) => x.taskId === taskId);
    const task = live ? withCached(ctx.userId, live) : cachedTask(ctx.userId, taskId);
    body.hidden = !task;
    missing.hidden = !!task || !ctx.state;
    if (!task) return;
    heading.textContent = taskTitle(task, ctx.state);
    fill(chipSlot, statusChip(task.status), waitingChip(task));
    meta.textContent = [
      t(`type.${task.type}`, {}, task.type), agentLabel(ctx, task.agentId),
      task.execMode ? t("task.mode", { mode: task.execMode }) : null,
      task.cwd ? t("task.cwd", { cwd: task.cwd }) : null,
      clockTime(task.createdAt),
    ].filter(Boolean).join(" · ");
    cacheNote.hidden = !task.fromCache;
    const terminal = isTerminal(task.status);
    note.textContent = task.cancelRequestedAt && !terminal ? t("task.cancelRequested")
      : task.status === "awaiting_approval" ? t("task.awaitingApproval")
      : task.awaitingInput && !terminal ? t("task.awaitingInput")
      : task.status === "queued" ? t("task.queued") : "";
    note.hidden = !note.textContent;
    renderControls(ctx, task, terminal);

    const turn = showTurn(ctx, task, terminal);
    promptPart.hidden = !task.prompt || turn.hasUserMessage;
    prompt.textContent = task.prompt || "";
    outputTitle.textContent = t(task.type === "read_log" ? "task.log" : "task.output");
    const text = task.outputTail || "";
    outputEmpty.hidden = !!text;
    outputEmpty.textContent = terminal ? t("task.noOutput") : t("task.waitingOutput");
    output.hidden = !text;
    outputPart.hidden = turn.shown && (!!(task.items || []).length || turn.fromRecord); // outputTail is the turn's text for old clients
    if (output.textContent !== text) {
      const pinned = output.scrollHeight - output.scrollTop - output.clientHeight < 24;
      output.textContent = text;
      if (pinned) output.scrollTop = output.scrollHeight;
    }
    summaryPart.hidden = !task.summary || turn.saidSummary;
    summary.textContent = task.summary || "";
    diffPart.hidden = !task.diffText;
    if (task.diffText !== shownDiff) {
      shownDiff = task.diffText;
      fill(diff, task.diffText ? renderDiff(task.diffText) : null);
    }
    failurePart.hidden = !task.error;
    fill(failure, task.error ? taskError(task.error) : null);
    const rows = resultRows(task.result);
    resultPart.hidden = !rows.length;
    fill(result, rows.map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, String(v))]));
  }

  /** The interactive parts; an old (non-interactive) task shows none of them. */
  function showTurn(ctx, task, terminal) {
    const shown = isInteractive(ctx, task) || !!((task.items || []).length || (task.requests || []).length);
    turnPart.hidden = !shown;
    approvals.hidden = !shown;
    box.el.hidden = !shown;
    if (!shown) return { shown, hasUserMessage: false, saidSummary: false, fromRecord: false };
    const allowed = !!(ctx.state && ctx.auth && ctx.auth.permissions && ctx.auth.permissions.approveTasks) && !task.fromCache && !terminal;
    const pending = terminal ? [] : (task.requests || []).filter((r) => r.status === "pending");
    keyed(approvals, pending, (r) => r.requestId, (r) => JSON.stringify([r, allowed, answerErrors.get(r.requestId) || ""]),
      (r) => requestCard(r, { allowed, error: answerErrors.get(r.requestId), answer: (decision) => answer(r, decision) }));
    approvals.hidden = !pending.length;
    showItems(conversation, task, answerErrors, terminal);
    const thread = threadTurns(ctx, task);
    const at = thread.findIndex((x) => x.taskId === task.taskId);
    fill(turnsNav,
      at > 0 ? link(t("turn.previous"), `#/task/${encodeURIComponent(thread[at - 1].taskId)}`) : null,
      thread.length > 1 ? h("span", { class: "hint" }, t("turn.position", { index: at + 1, count: thread.length })) : null);
    turnsNav.hidden = thread.length < 2;
    const fromRecord = earlier.update(ctx, task); // the thread read through the agent stands in for the lost turn
    if (!conversation.children.length && !fromRecord) {
      fill(conversation, h("li", { class: "hint" }, t(terminal ? "task.noOutput" : "turn.waiting")));
    }
    conversation.hidden = !conversation.children.length;
    box.update(ctx, task, at >= 0 && at < thread.length - 1 ? thread[thread.length - 1] : null);
    const items = task.items || [];
    return {
      shown, fromRecord, hasUserMessage: items.some((i) => i.type === "userMessage"),
      saidSummary: items.some((i) => i.type === "agentMessage" && i.text === task.summary), // the turn's last answer
    };
  }

  async function answer(request, decision) {
    answerErrors.delete(request.requestId);
    try {
      await api.answerRequest(taskId, request.requestId, decision, request.digest);
    } catch (err) {
      answerErrors.set(request.requestId, errorMessage(err));
      throw err;
    } finally {
      current.refresh();
      update(current);
    }
  }

  function renderControls(ctx, task, terminal) {
    const perms = ctx.auth ? ctx.auth.permissions : {};
    const decide = task.status === "awaiting_approval" && perms.approveTasks && !!ctx.state;
    const cancel = !terminal && !task.cancelRequestedAt && perms.createTasks && !!ctx.state;
    const key = [decide, cancel].join();
    if (key === shownControls) return;
    shownControls = key;
    const act = (action) => async () => {
      await api.taskAction(taskId, action);
      ctx.refresh();
    };
    fill(controls,
      decide ? actionButton(t("task.approve"), act("approve"), { errorEl: error, kind: "primary" }) : null,
      decide ? actionButton(t("task.reject"), act("reject"), { errorEl: error, kind: "danger" }) : null,
      cancel ? actionButton(t("task.cancel"), act("cancel"), { errorEl: error, kind: "danger" }) : null);
  }

  update(ctx);
  return { el, update };
}

/** The turns of this task's Codex thread in the state view, oldest first (the task itself included). */
function threadTurns(ctx, task) {
  if (!task.threadId || !ctx.state) return [task];
  const turns = (ctx.state.tasks || []).filter((x) => x.agentId === task.agentId && x.threadId === task.threadId && isInteractive(ctx, x));
  if (!turns.some((x) => x.taskId === task.taskId)) turns.push(task);
  return turns.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
}

function resultRows(result) {
  if (!result || typeof result !== "object") return [];
  const rows = [];
  if ("exitCode" in result && result.exitCode !== null) rows.push(["task.exitCode", result.exitCode]);
  if (result.signal) rows.push(["task.signal", result.signal]);
  if ("lineCount" in result) rows.push(["task.lineCount", result.lineCount]);
  if ("deleted" in result) rows.push(["task.deleted", result.deleted ? t("common.yes") : t("common.no")]);
  if (result.threadId) rows.push(["task.threadId", result.threadId]);
  if (result.completedAt) rows.push(["task.completedAt", clockTime(result.completedAt)]);
  return rows;
}
