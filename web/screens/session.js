// One Codex session: its conversation (a read_session task, asked for when the screen opens), the
// replies of the runs that continued it (codex_exec with resumeSessionId: read-only, always), a box
// to continue it, and delete after a confirmation.
import { createTask, needsSignature, signMark } from "../signing.js";
import { ago, confirmButton, errorBox, field, fill, form, guarded, h, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { canRun } from "../flags.js";
import { statusChip, taskError } from "./task_parts.js";
import { bubble, sessionTasks, sessionTitle, startSessionTask } from "./session_parts.js";

export const title = "session.title";

export function mount(ctx) {
  const [agentId, sessionId] = ctx.params;
  const back = link(t("session.back"), `#/sessions/${encodeURIComponent(agentId || "")}`);
  const heading = h("h1", {});
  const meta = h("p", { class: "meta" });
  const readState = h("div");
  const conversation = h("ol", { class: "conversation", "aria-label": t("session.conversation") });
  const readError = errorBox();
  const reload = h("button", { type: "button", class: "button" }, t("session.readAgain"));
  reload.addEventListener("click", () => guarded(reload, () => read(), readError));

  const prompt = h("textarea", { name: "resumePrompt", rows: "4", maxlength: "12000", placeholder: t("session.continuePlaceholder") });
  const continueError = errorBox();
  const continueHint = h("p", { class: "hint" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, t("session.continue"));
  const continueForm = form("stack", [field(t("session.continueLabel"), prompt), continueHint, submit, continueError], async () => {
    if (!prompt.value.trim()) throw { code: "prompt-required" };
    await createTask(current, { type: "codex_exec", agentId, prompt: prompt.value, resumeSessionId: sessionId });
    prompt.value = "";
    current.refresh();
  }, continueError);

  const deleteError = errorBox();
  const deleteState = h("div");
  const deleteButton = confirmButton(t("session.delete"), t("session.deleteConfirm"), async () => {
    deleteStarted = true;
    await startSessionTask(current, agentId, "delete_session", sessionId);
  }, { errorEl: deleteError });
  const deleteHint = h("p", { class: "hint" });

  const gone = section(null, h("p", {}, t("session.notListed")), back.cloneNode(true));
  const body = h("div", { class: "stack" },
    section(null, heading, meta),
    section(t("session.conversation"), readState, conversation, readError, h("div", { class: "toolbar" }, reload)),
    section(t("session.continueHeading"), continueForm),
    section(t("session.deleteHeading"), h("p", {}, t("session.deleteIntro")), deleteHint, deleteState, deleteButton, deleteError));
  const el = h("div", { class: "screen session" }, h("div", { class: "toolbar" }, back), gone, body);

  let current = ctx;
  let asked = false; // the conversation is read once when the screen opens (and on "read again")
  let deleteStarted = false;
  let shown = "";

  async function read() {
    await startSessionTask(current, agentId, "read_session", sessionId);
  }

  function update(ctx) {
    current = ctx;
    if (!ctx.state) return;
    const agent = (ctx.state.agents || []).find((a) => a.agentId === agentId && !a.revokedAt);
    const session = agent && (agent.codexSessions || []).find((s) => s.sessionId === sessionId);
    const tasks = sessionTasks(ctx, agentId, sessionId);
    const deleted = tasks.deletes.find((task) => task.status === "completed");
    if (deleted && deleteStarted) return ctx.go(`#/sessions/${encodeURIComponent(agentId)}`);
    gone.hidden = !!(session && !deleted);
    body.hidden = !gone.hidden;
    if (!session || deleted) return;

    heading.textContent = sessionTitle(session);
    const now = Date.parse(ctx.state.now) || Date.now();
    meta.textContent = [t("sessions.updated", { when: ago(session.updatedAt || session.createdAt, now) }),
      session.cwd && session.cwd !== "." ? t("task.cwd", { cwd: session.cwd }) : null, session.sessionId].filter(Boolean).join(" · ");

    const mayRead = canRun("read_session", { ...ctx, agent });
    const mayResume = canRun("codex_exec", { ...ctx, agent });
    const mayDelete = canRun("delete_session", { ...ctx, agent });
    const fresh = tasks.reads.some((task) => !isTerminal(task.status) ||
      (task.status === "completed" && task.result && String(task.createdAt) >= String(session.updatedAt)));
    if (!asked && mayRead.allowed && !fresh) {
      asked = true;
      guarded(null, read, readError);
    }
    reload.disabled = !mayRead.allowed || tasks.reads.some((task) => !isTerminal(task.status));
    showConversation(ctx, session, tasks, mayRead);

    continueHint.textContent = mayResume.allowed ? t("session.readOnly") : t("session.continueDisabled", { reason: t(mayResume.reason) });
    submit.disabled = !mayResume.allowed;
    signMark(submit, needsSignature(ctx, { type: "codex_exec", agentId, resumeSessionId: sessionId }));
    prompt.disabled = !mayResume.allowed;

    const deleting = tasks.deletes.filter((task) => task.status !== "completed").pop();
    deleteHint.textContent = !mayDelete.allowed ? t("session.deleteDisabled", { reason: t(mayDelete.reason) })
      : needsSignature(ctx, { type: "delete_session", agentId }) ? t("sign.hint") : "";
    deleteButton.hidden = !mayDelete.allowed || !!(deleting && !isTerminal(deleting.status));
    fill(deleteState, deleting
      ? h("div", { class: "row-meta" }, statusChip(deleting.status),
          isTerminal(deleting.status) ? null : h("span", {}, t("sessions.deleting")),
          deleting.error ? taskError(deleting.error) : null)
      : null);
  }

  /** The last completed read, then every reply since it; the catalog's preview until a read is done. */
  function showConversation(ctx, session, { reads, replies }, mayRead) {
    const done = reads.filter((task) => task.status === "completed" && task.result).pop();
    const last = reads[reads.length - 1];
    const since = replies.filter((task) => !done || String(task.createdAt) > String(done.createdAt));
    const signature = JSON.stringify([session.preview, done && [done.taskId, done.result], last && [last.status, last.error],
      since.map((task) => [task.taskId, task.status, task.summary, task.outputTail, task.error]), mayRead.allowed]);
    if (signature === shown) return;
    shown = signature;
    const reading = last && !isTerminal(last.status);
    fill(readState,
      !mayRead.allowed ? h("p", { class: "hint" }, t("session.readDisabled", { reason: t(mayRead.reason) })) : null,
      reading ? h("p", { class: "hint", role: "status" }, t("session.reading")) : null,
      last && last.status === "failed" && last.error ? taskError(last.error) : null,
      done && done.result.messageCount > (done.result.messages || []).length
        ? h("p", { class: "hint" }, t("session.partial", { shown: done.result.messages.length, count: done.result.messageCount }))
        : null,
      !done ? h("p", { class: "hint" }, t("session.previewOnly")) : null);
    const messages = done ? done.result.messages || [] : session.preview || [];
    fill(conversation,
      messages.map((m) => bubble(m.role, m.text)),
      since.map((task) => [
        bubble("user", task.prompt || ""),
        replyBubble(task),
      ]));
  }

  update(ctx);
  return { el, update };
}

/** A resumed run's answer: its summary when done, the output so far while it runs. */
function replyBubble(task) {
  const terminal = isTerminal(task.status);
  const text = task.summary || (terminal ? "" : task.outputTail) || (terminal ? t("task.noOutput") : t("session.waitingReply"));
  return bubble("assistant", text,
    h("span", { class: "row-meta msg-meta" }, statusChip(task.status),
      link(t("session.taskDetails"), `#/task/${encodeURIComponent(task.taskId)}`)),
    task.error ? taskError(task.error) : null);
}
