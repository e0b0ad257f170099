// The reply box under a conversation: while an interactive turn runs, what is typed is added to it (a
// steer, API.md `POST /api/admin/tasks/{id}/steer`); once the turn ended, it starts the next turn of the
// same Codex thread (a codex_exec task with the same agent and `threadId`, in the conversation's mode:
// the turn's own, so a supervised conversation keeps writing; `chat` after a one-off run). A steer
// Codex did not take (the turn had ended) is offered as the next turn instead. What is typed survives
// live updates.
import { createTask, needsSignature, signMark, steer } from "../signing.js";
import { errorBox, field, fill, form, guarded, h } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { isInteractive } from "./task_parts.js";

/** A codex_exec task's thread: the task view's `threadId`, or (a one-off run) its result's. */
export const threadOf = (task) => task.threadId || (task.result && task.result.threadId) || null;

const resent = new Set(); // steer ids this app already sent again as a turn (while it is open)

export function composer(getCtx) {
  const text = h("textarea", { name: "composer", rows: "3", maxlength: "12000" });
  const label = h("span");
  const hint = h("p", { class: "hint" });
  const submit = h("button", { type: "submit", class: "button primary wide" });
  const error = errorBox();
  const offer = h("div", { class: "steer-offer", hidden: true });
  let task = null;
  let mode = "";
  let replyMode = null;

  const box = form("stack composer", [field(label, text), hint, submit, error], async () => {
    if (!text.value.trim()) throw { code: "prompt-required" };
    if (mode === "steer") await steer(getCtx(), task, text.value);
    else await nextTurn(text.value);
    text.value = "";
    getCtx().refresh();
  }, error);
  const el = h("section", { class: "card", "aria-label": t("composer.heading") }, offer, box);

  async function nextTurn(prompt) {
    const body = { type: "codex_exec", agentId: task.agentId, prompt, execMode: replyMode, threadId: threadOf(task) };
    if (task.cwd && task.cwd !== ".") body.cwd = task.cwd;
    if (task.model) body.model = task.model; // the conversation keeps the model and effort it was given
    if (task.effort) body.effort = task.effort;
    const reply = await createTask(getCtx(), body);
    getCtx().go(`#/task/${encodeURIComponent(reply.task.taskId)}`);
  }

  /** `current`: the conversation's newest turn; `nextMode`: the mode a next turn runs in (none: this
   * conversation cannot go on from here). */
  function update(ctx, current, nextMode) {
    task = current;
    replyMode = nextMode;
    const may = !!(ctx.state && ctx.auth && ctx.auth.permissions && ctx.auth.permissions.createTasks);
    const running = task.status === "running" && !task.cancelRequestedAt && isInteractive(ctx, task);
    const next = isTerminal(task.status) && !!threadOf(task) && !!replyMode;
    mode = running ? "steer" : next ? "next" : "";
    el.hidden = !may || !mode;
    label.textContent = t(mode === "steer" ? "composer.steerLabel" : "composer.nextLabel");
    text.placeholder = t(mode === "steer" ? "composer.steerPlaceholder" : "composer.nextPlaceholder"); // says what the box is for while empty
    hint.textContent = t(mode === "steer" ? "composer.steerHint" : replyMode === current.execMode ? "composer.nextHint" : "composer.chatHint");
    submit.textContent = t(mode === "steer" ? "composer.steer" : "composer.next");
    signMark(submit, !!mode && needsSignature(ctx, mode === "steer" ? task : { type: "codex_exec", agentId: task.agentId, execMode: replyMode }));
    const rejected = (task.steers || []).filter((s) => s.status === "rejected" && !resent.has(s.steerId)).pop();
    showOffer(rejected && threadOf(task) && replyMode ? rejected : null);
  }

  function showOffer(steer) {
    if ((offer.dataset.steerId || "") === (steer ? steer.steerId : "")) return;
    offer.dataset.steerId = steer ? steer.steerId : "";
    const offerError = errorBox();
    const send = h("button", { type: "button", class: "button primary wide", "data-resend": steer ? steer.steerId : null },
      t("composer.resend"));
    send.addEventListener("click", () => guarded(send, async () => {
      resent.add(steer.steerId);
      try {
        await nextTurn(steer.text);
      } catch (err) {
        resent.delete(steer.steerId);
        throw err;
      }
    }, offerError));
    fill(offer, steer ? [h("p", {}, t("composer.rejected")), h("pre", { class: "prompt" }, steer.text), send, offerError] : null);
    offer.hidden = !steer;
  }

  return { el, update };
}
