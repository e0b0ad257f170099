// One turn of a conversation (one codex_exec task): the person's message once, then what Codex said
// and did. An interactive turn shows its items (turn_items.js) with the requests waiting for a person
// (approval.js) in place; a one-off `codex exec` run shows its answer (the summary, as markdown), what
// it did as a folded log, and Codex's own warnings apart as a quiet note. Either way the files it
// changed are a card per file, and a failure is said once, in words, with its code as a detail.
import { errorMessage, fill, h, keyed } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { renderDiff } from "../diff.js";
import { answerRequest as sendAnswer, needsSignature } from "../signing.js";
import { isInteractive } from "./task_parts.js";
import { requestCard } from "./approval.js";
import { earlierConversation } from "./history.js";
import { answer, message, showItems } from "./turn_items.js";
import { renderMarkdown } from "../markdown.js";

/** Lines of a `codex exec` log that are Codex talking about itself, not the answer. */
const WARNING = /^(warning:|\[no diff for this run)/i;

/** A one-off run's log, less Codex's warnings and less the answer it ends with (shown as the answer). */
export function splitLog(text, answerText) {
  const lines = String(text || "").split("\n");
  let log = lines.filter((line) => !WARNING.test(line.trim())).join("\n").replace(/^\n+|\n+$/g, "");
  const said = String(answerText || "").trim();
  if (said && log.endsWith(said)) log = log.slice(0, -said.length).replace(/\n+$/, "");
  return { warnings: lines.filter((line) => WARNING.test(line.trim())), log };
}

/** The error code of a task (`code: detail` or `code`) and its sentence, when the app knows one. */
export function failureWords(task) {
  const code = String(task.error || "").split(":")[0].trim();
  const flag = /^([A-Za-z]+)-disabled-locally$/.exec(code);
  const known = flag ? t("taskError.disabledLocally", { flag: t(`flag.${flag[1]}`, {}, flag[1]) }) : code ? t(`taskError.${code}`, {}, null) : null;
  return { code, sentence: known };
}

export function turnView(getCtx, answerErrors) {
  const you = h("ol", { class: "conversation you" });
  const approvals = h("div", { class: "stack approvals", "aria-live": "polite" });
  const items = h("ol", { class: "conversation turn", "aria-label": t("turn.heading") });
  const earlier = earlierConversation(() => current);
  const reply = h("ol", { class: "conversation reply" });
  const logText = h("pre", { class: "output mono", tabindex: "0", "aria-live": "off" });
  const log = h("details", { class: "activity" }, h("summary", {}, t("conversation.activity")), logText);
  const warnings = h("details", { class: "codex-notes hint" });
  const changes = h("div", { class: "stack changes" });
  const failure = h("div", { class: "failure", role: "status" });
  const waiting = h("p", { class: "hint turn-waiting", role: "status" });
  const el = h("section", { class: "turn-block" }, you, earlier.el, items, approvals, reply, waiting, log, warnings, changes, failure);
  let current = null;
  let shown = {};

  /** `history`: this turn offers the thread's record when its text is gone (the conversation's
   * first such turn does, so the record shows once); `record`: some turn offers it (then a lost
   * turn need not say its text is gone). */
  function update(ctx, task, { history = true, record = false } = {}) {
    current = ctx;
    el.dataset.taskId = task.taskId;
    el.dataset.turnStatus = task.status;
    const terminal = isTerminal(task.status);
    const interactive = isInteractive(ctx, task) || !!((task.items || []).length || (task.requests || []).length);
    const itemList = task.items || [];
    const fromRecord = interactive && history && earlier.update(ctx, task);
    if (!interactive || !history) earlier.el.hidden = true;

    const saidByItems = itemList.some((i) => i.type === "userMessage");
    once("you", [task.prompt, saidByItems], () =>
      fill(you, task.prompt && !saidByItems ? message("user", t("session.role.user"), task.prompt) : null));
    you.hidden = !you.children.length;

    const allowed = !!(ctx.state && ctx.auth && ctx.auth.permissions && ctx.auth.permissions.approveTasks) && !task.fromCache && !terminal;
    const pending = terminal ? [] : (task.requests || []).filter((r) => r.status === "pending");
    const signs = needsSignature(ctx, task);
    keyed(approvals, pending, (r) => r.requestId, (r) => JSON.stringify([r, allowed, signs, answerErrors.get(r.requestId) || ""]),
      (r) => requestCard(r, { allowed, signs, error: answerErrors.get(r.requestId), answer: (decision) => answerRequest(task, r, decision) }));
    approvals.hidden = !pending.length;

    if (interactive) showItems(items, task, answerErrors, terminal);
    else fill(items);
    items.hidden = !items.children.length;

    // A one-off run: its answer is the summary; an interactive turn said it as its last item.
    const failed = task.status === "failed" || (!!task.error && terminal);
    const said = itemList.some((i) => i.type === "agentMessage" && i.text === task.summary);
    const answerText = !interactive && !failed && task.summary ? task.summary : "";
    once("reply", [answerText], () => fill(reply, answerText ? answer(answerText) : null));
    reply.hidden = !answerText;

    const { log: logBody, warnings: notes } = splitLog(interactive ? "" : task.outputTail, answerText);
    if (logText.textContent !== logBody) {
      const pinned = logText.scrollHeight - logText.scrollTop - logText.clientHeight < 24;
      logText.textContent = logBody;
      if (pinned) logText.scrollTop = logText.scrollHeight;
    }
    log.hidden = !logBody;
    once("logOpen", [terminal], () => { log.open = !terminal; }); // open while it runs, folded once it ended
    once("notes", [notes.join("\n")], () => fill(warnings,
      h("summary", {}, t("conversation.notes", { count: notes.length })), h("pre", { class: "mono small" }, notes.join("\n"))));
    warnings.hidden = !notes.length;

    once("diff", [task.diffText], () => fill(changes,
      task.diffText ? [h("h3", {}, t("conversation.changes")), renderDiff(task.diffText)] : null));
    changes.hidden = !task.diffText;

    once("failure", [failed, task.error, task.summary, said], () => fill(failure, failed ? failureBox(task, interactive && said) : null));
    failure.hidden = !failed;

    const quiet = !terminal && !itemList.length && !pending.length && !logBody;
    const gone = terminal && !failed && !task.prompt && !itemList.length && !task.summary && !task.outputTail && !task.diffText && !record;
    waiting.textContent = quiet ? t(task.status === "running" ? "turn.waiting" : "conversation.queued") : gone ? t("conversation.textGone") : "";
    waiting.hidden = !waiting.textContent || fromRecord;
  }

  /** Draw a part again only when what it shows changed (keeps folds, selections and scroll). */
  function once(part, signature, draw) {
    const key = JSON.stringify(signature);
    if (shown[part] === key) return;
    shown[part] = key;
    draw();
  }

  async function answerRequest(task, request, decision) {
    answerErrors.delete(request.requestId);
    try {
      await sendAnswer(current, task, request, decision);
    } catch (err) {
      answerErrors.set(request.requestId, errorMessage(err));
      throw err;
    } finally {
      current.refresh();
      update(current, task);
    }
  }

  return { el, update };
}

/** The failure in words: the app's sentence for the code, else what Codex said; the code (and
 * the agent's detail) folded under it. */
function failureBox(task, summarySaid) {
  const { code, sentence } = failureWords(task);
  const said = !sentence && !summarySaid && task.summary ? task.summary : ""; // Codex's words: markdown, like its answers
  const detail = [task.error, sentence && task.summary && !summarySaid ? task.summary : null].filter(Boolean).join("\n");
  return [
    said ? h("div", { class: "failure-words md", "data-error-code": code || null }, renderMarkdown(said))
      : h("p", { class: "failure-words", "data-error-code": code || null }, sentence || t("conversation.failed")),
    detail ? h("details", { class: "failure-detail" }, h("summary", {}, t("conversation.failureDetail")), h("pre", { class: "mono small" }, detail)) : null,
  ];
}
