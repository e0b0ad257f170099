// One task that is not a Codex conversation (an action, a log read, a session read or delete), live:
// status, what runs (an action's argv as a list, each item quoted), its output as it streams in (a
// log opens at its newest line), then its outcome said once — the summary when it worked, the failure
// in words with its code and exit code as a detail when it did not. Approve / Reject while it waits
// (and who may: the creator alone cannot when the workspace asks for a second person); Cancel while
// it is queued or runs. Text the relay lost in a restart comes from this device's cache.
import { api } from "../api.js";
import { actionButton, clockTime, errorBox, fill, h, link } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { cachedTask, withCached } from "../taskcache.js";
import { renderDiff } from "../diff.js";
import { agentLabel, redactionsNote, statusChip, taskTitle } from "./task_parts.js";
import { failureWords } from "./turn_view.js";
import { secondApproverNeeded } from "./one_tap.js";
import { approveTask, needsSignature, signMark } from "../signing.js";

export const title = "task.title";

/** The agent's first output line of an action: `argv: [...]` (JSON), the program and its arguments. */
const ARGV_LINE = /^argv: (\[.*\])\n?/;

export function splitArgv(text) {
  const match = ARGV_LINE.exec(text || "");
  if (!match) return { argv: null, rest: text || "" };
  try {
    const argv = JSON.parse(match[1]);
    if (Array.isArray(argv) && argv.every((x) => typeof x === "string")) return { argv, rest: text.slice(match[0].length) };
  } catch { /* not the agent's line: shown as output */ }
  return { argv: null, rest: text };
}

export function mount(ctx) {
  const taskId = ctx.params[0];
  const heading = h("h1", {});
  const chipSlot = h("span");
  const meta = h("p", { class: "meta" });
  const controls = h("div", { class: "toolbar" });
  const note = h("p", { class: "notice", role: "status" });
  const cacheNote = h("p", { class: "hint" }, t("task.fromCache"));
  const redactedNote = h("p", { class: "hint redactions", role: "status" });
  const error = errorBox();
  const argvList = h("ol", { class: "argv mono", "aria-label": t("task.argv") });
  const argvPart = h("section", { class: "card" }, h("h2", {}, t("task.argv")), argvList);
  const outputTitle = h("h2", {});
  const output = h("pre", { class: "output mono", tabindex: "0", "aria-live": "off" });
  const outputEmpty = h("p", { class: "hint" });
  const outputPart = h("section", { class: "card" }, outputTitle, outputEmpty, output);
  const summary = h("p", { class: "summary" });
  const summaryPart = h("section", { class: "card" }, h("h2", {}, t("task.summary")), summary);
  const diff = h("div", { class: "diff" });
  const diffPart = h("section", { class: "card" }, h("h2", {}, t("task.diff")), diff);
  const failure = h("div", { class: "failure", role: "status" });
  const result = h("dl", { class: "result" });
  const resultPart = h("section", { class: "card" }, h("h2", {}, t("task.result")), result);
  const missing = h("div", { class: "card" }, h("p", {}, t("task.notFound")), link(t("tasks.title"), "#/tasks"));
  const body = h("div", { class: "stack" },
    h("div", { class: "card" }, heading, h("div", { class: "card-head" }, chipSlot, meta), note, cacheNote, redactedNote, controls, error),
    failure, argvPart, outputPart, summaryPart, diffPart, resultPart);
  const el = h("div", { class: "screen task" }, body, missing);
  let shownControls = "";
  let shownDiff = null;
  let shownFailure = "";
  let atNewest = false; // the log was brought to its newest line once; later lines follow if the reader stays there

  function update(ctx) {
    const live = ctx.state && (ctx.state.tasks || []).find((x) => x.taskId === taskId);
    const task = live ? withCached(ctx.userId, live) : cachedTask(ctx.userId, taskId);
    body.hidden = !task;
    missing.hidden = !!task || !ctx.state;
    if (!task) return;
    heading.textContent = taskTitle(task, ctx.state);
    fill(chipSlot, statusChip(task.status));
    meta.textContent = [
      t(`type.${task.type}`, {}, task.type), agentLabel(ctx, task.agentId),
      task.cwd ? t("task.cwd", { cwd: task.cwd }) : null, clockTime(task.createdAt),
    ].filter(Boolean).join(" · ");
    cacheNote.hidden = !task.fromCache;
    redactionsNote(redactedNote, task);
    const terminal = isTerminal(task.status);
    const secondNeeded = task.status === "awaiting_approval" && secondApproverNeeded(ctx, task);
    note.textContent = task.cancelRequestedAt && !terminal ? t("task.cancelRequested")
      : secondNeeded ? t("task.awaitingSecondApprover")
      : task.status === "awaiting_approval" ? t("task.awaitingApproval")
      : task.status === "queued" ? t("task.queued") : "";
    note.hidden = !note.textContent;
    renderControls(ctx, task, terminal, secondNeeded);

    const { argv, rest } = splitArgv(task.outputTail);
    fill(argvList, (argv || []).map((part) => h("li", {}, JSON.stringify(part))));
    argvPart.hidden = !argv;

    // Nothing to read before it runs: the output part appears once it can have output.
    const started = task.status === "running" || terminal;
    outputPart.hidden = !started || (terminal && !rest && task.status !== "completed");
    outputTitle.textContent = t(task.type === "read_log" ? "task.log" : "task.output");
    outputEmpty.hidden = !!rest;
    outputEmpty.textContent = !started ? "" : terminal ? t("task.noOutput") : t("task.waitingOutput");
    output.hidden = !rest;
    if (output.textContent !== rest) {
      const follow = !atNewest || pageAtBottom();
      output.textContent = rest;
      if (rest && task.type === "read_log" && follow) showNewestLine();
    }

    const failed = task.status === "failed";
    summaryPart.hidden = !task.summary || failed;
    summary.textContent = task.summary || "";
    diffPart.hidden = !task.diffText;
    if (task.diffText !== shownDiff) {
      shownDiff = task.diffText;
      fill(diff, task.diffText ? renderDiff(task.diffText) : null);
    }
    const failureKey = JSON.stringify([failed, task.error, task.summary, task.result]);
    if (failureKey !== shownFailure) {
      shownFailure = failureKey;
      fill(failure, failed ? failureBox(task) : null);
    }
    failure.hidden = !failed;
    const rows = failed ? [] : resultRows(task.result);
    resultPart.hidden = !rows.length;
    fill(result, rows.map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, String(v))]));
  }

  /** The log's last line at the bottom of the screen: the page scrolls, never a box inside it. */
  function showNewestLine() {
    atNewest = true;
    requestAnimationFrame(() => {
      if (!el.isConnected || output.hidden) return;
      const bottom = output.getBoundingClientRect().bottom + window.scrollY;
      window.scrollTo(0, Math.max(0, bottom - window.innerHeight + 16));
    });
  }

  function renderControls(ctx, task, terminal, secondNeeded) {
    const perms = ctx.auth ? ctx.auth.permissions : {};
    const waiting = task.status === "awaiting_approval" && perms.approveTasks && !!ctx.state;
    const cancel = !terminal && task.status !== "awaiting_approval" && !task.cancelRequestedAt && perms.createTasks && !!ctx.state;
    const signs = waiting && needsSignature(ctx, task);
    const key = [waiting, secondNeeded, cancel, signs].join();
    if (key === shownControls) return;
    shownControls = key;
    const act = (action) => async () => {
      if (action === "approve") await approveTask(ctx, task);
      else await api.taskAction(taskId, action);
      ctx.refresh();
    };
    const approve = waiting && !secondNeeded ? actionButton(t("task.approve"), act("approve"), { errorEl: error, kind: "primary" }) : null;
    if (approve) signMark(approve, signs);
    fill(controls,
      approve,
      waiting ? actionButton(t("task.reject"), act("reject"), { errorEl: error, kind: "danger" }) : null,
      cancel ? actionButton(t("task.cancel"), act("cancel"), { errorEl: error, kind: "danger" }) : null);
    controls.hidden = !controls.children.length;
  }

  update(ctx);
  return { el, update };
}

const pageAtBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 24;

/** The failure once: the app's words for the code (else the agent's summary), and the details —
 * the code, the agent's summary and the exit code or signal — folded under it. */
function failureBox(task) {
  const { code, sentence } = failureWords(task);
  const r = task.result || {};
  const detail = [
    task.error,
    sentence ? task.summary : null,
    r.exitCode !== null && r.exitCode !== undefined ? t("turn.exitCode", { code: r.exitCode }) : null,
    r.signal ? `${t("task.signal")}: ${r.signal}` : null,
  ].filter(Boolean).join("\n");
  return [
    h("p", { class: "failure-words", "data-error-code": code || null }, sentence || task.summary || t("conversation.failed")),
    detail ? h("details", { class: "failure-detail" }, h("summary", {}, t("conversation.failureDetail")), h("pre", { class: "mono small" }, detail)) : null,
  ];
}

function resultRows(result) {
  if (!result || typeof result !== "object") return [];
  const rows = [];
  if ("exitCode" in result && result.exitCode !== null) rows.push(["task.exitCode", result.exitCode]);
  if (result.signal) rows.push(["task.signal", result.signal]);
  if ("lineCount" in result) rows.push(["task.lineCount", result.lineCount]);
  if ("deleted" in result) rows.push(["task.deleted", result.deleted ? t("common.yes") : t("common.no")]);
  if (result.completedAt) rows.push(["task.completedAt", clockTime(result.completedAt)]);
  return rows;
}
