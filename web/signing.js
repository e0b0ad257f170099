// When the phone signs, and the four requests that may carry a signature (issue 20). An agent whose
// config sets `requireSignedIntents` says so in its poll, and the state view's agent entry carries it:
// `all` wants every task, approval, answer and steer signed; `writes` those of tasks that can change
// the workspace or run a command (the catalogue's `changesWorkspace`, a Codex run by its mode's
// `writes`); `off` or absent (an older agent) none. Signing costs one passkey prompt per intent, so
// the phone signs exactly what the agent will check, and the screens mark those buttons (signMark).
// The signed fields are sent exactly as signed: the relay refuses a mismatch, never fixes one.
import { api } from "./api.js";
import { builtInExecModes, changesWorkspace, resumeMode } from "./catalog.js";
import { t } from "./i18n.js";
import { answerIntent, approveIntent, challengeOf, steerIntent, taskIntent } from "./intents.js";
import { icon } from "./nav_icons.js";
import { signChallenge } from "./passkeys.js";

const agentOf = (ctx, agentId) => ((ctx.state && ctx.state.agents) || []).find((a) => a.agentId === agentId) || null;

/** The agent's `requireSignedIntents`: "off", "writes" or "all". */
export function agentSetting(ctx, agentId) {
  const agent = agentOf(ctx, agentId);
  const setting = agent && agent.requireSignedIntents;
  return setting === "writes" || setting === "all" ? setting : "off";
}

/** The exec mode a codex_exec body or task runs in (API.md's default when it names none). */
function modeId(fields) {
  if (fields.execMode) return fields.execMode;
  if (fields.resumeSessionId) return resumeMode();
  return fields.writeAccess ? "workspace-write" : "read-only";
}

/** Whether that mode may write; a mode nobody describes counts as writing (sign when in doubt). */
function modeWrites(ctx, agentId, fields) {
  if (fields.writeAccess === true) return true;
  const id = modeId(fields);
  const agent = agentOf(ctx, agentId);
  const known = [...((agent && agent.execModes) || []), ...builtInExecModes()].find((m) => m.id === id);
  return known ? !!known.writes : true;
}

/** Whether the agent wants a signed intent for a task with these create fields (or for its
 * approval, answers and steers). */
export function needsSignature(ctx, fields) {
  const setting = agentSetting(ctx, fields.agentId);
  if (setting === "all") return true;
  if (setting !== "writes") return false;
  return fields.type === "codex_exec" ? modeWrites(ctx, fields.agentId, fields) : changesWorkspace(fields.type);
}

async function signed(intent) {
  return { intent, intentAssertion: await signChallenge(await challengeOf(intent)) };
}

/** `POST /api/admin/tasks`, signed when the agent asks for it. */
export async function createTask(ctx, body) {
  if (!needsSignature(ctx, body)) return api.createTask(body);
  return api.createTask({ ...body, ...(await signed(await taskIntent(body))) });
}

/** Approve a task awaiting approval: the intent names the task as this screen shows it. */
export async function approveTask(ctx, task) {
  if (!needsSignature(ctx, task)) return api.taskAction(task.taskId, "approve");
  return api.approveTask(task.taskId, await signed(await approveIntent(task)));
}

/** Answer a pending request; a signed answer carries the digest recomputed from what is shown. */
export async function answerRequest(ctx, task, request, decision) {
  if (!needsSignature(ctx, task)) return api.answerRequest(task.taskId, request.requestId, decision, request.digest);
  const proof = await signed(await answerIntent(task, request, decision));
  return api.answerRequest(task.taskId, request.requestId, decision, proof.intent.digest, proof);
}

/** Add text to a running turn. */
export async function steer(ctx, task, text) {
  if (!needsSignature(ctx, task)) return api.steer(task.taskId, text);
  return api.steer(task.taskId, text, await signed(await steerIntent(task, text)));
}

/** Mark `button` as one that asks for the passkey (a key icon and a label for screen readers), or
 * unmark it. Idempotent: screens call it on every update. */
export function signMark(button, on) {
  const shown = button.querySelector(".sign-mark");
  if (!on) {
    if (shown) shown.remove();
    delete button.dataset.signs;
    return;
  }
  button.dataset.signs = "true";
  if (shown) return;
  const mark = document.createElement("span");
  mark.className = "sign-mark";
  mark.title = t("sign.mark");
  mark.append(icon("key"), Object.assign(document.createElement("span"), { className: "visually-hidden", textContent: t("sign.mark") }));
  button.append(mark);
}
