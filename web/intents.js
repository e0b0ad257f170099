// Signed intents (issue 20): what a person asks for, in the exact form their passkey signs and the
// agent checks (core/intents.py is the other half; both must build the same bytes). An intent names
// every field the phone sends — absent ones as null, strings as sent, the prompt or steer text by its
// SHA-256 — plus an id made here and an expiry; the passkey signs SHA-256 of its JCS encoding.
// An answer's digest is recomputed here from the request as shown, never taken from the relay.
// Pure functions: web/signing.js decides when to sign and asks the passkey.
import { canonicalBytes } from "./jcs.js";
import { toBase64url } from "./passkeys.js";

export const VERSION = 1;
export const LIFETIME_MS = 5 * 60 * 1000; // the agent refuses past this, and more than 15 min ahead
export const TASK_KEYS = [
  "type", "execMode", "actionId", "logSourceId", "sessionId", "threadId", "resumeSessionId", "cwd", "writeAccess",
  "promptSha256",
];
// Which create fields a task type uses (core/intents.py USED_BY_TYPE; a test checks both agree).
export const USED_BY_TYPE = {
  codex_exec: ["execMode", "threadId", "resumeSessionId", "cwd", "writeAccess", "promptSha256"],
  run_action: ["actionId"],
  read_log: ["logSourceId"],
  read_session: ["sessionId"],
  delete_session: ["sessionId"],
};
// The request fields an answer's digest covers (API.md "Interactive Codex", core/interactive.py).
const DIGEST_FIELDS = ["requestId", "kind", "title", "command", "cwd", "reason"];
const CHANGE_FIELDS = ["path", "kind", "movePath", "diff"];

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const orNull = (value) => (value === undefined ? null : value);

/** Hex SHA-256 of bytes, or of a string's UTF-8 bytes. */
export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

/** 16 random bytes, base64url (22 characters): the agent remembers it to refuse a replay. */
export const newIntentId = () => toBase64url(crypto.getRandomValues(new Uint8Array(16)));

/** What the passkey signs: SHA-256 of the intent's JCS encoding (an ArrayBuffer of 32 bytes). */
export const challengeOf = (intent) => crypto.subtle.digest("SHA-256", canonicalBytes(intent));

const common = (kind, agentId, { intentId = newIntentId(), expiresAt = Date.now() + LIFETIME_MS } = {}) =>
  ({ v: VERSION, intentId, kind, agentId, expiresAt });

/** The task fields of a create body exactly as sent (absent -> null, the prompt by its hash). */
async function taskFields(body) {
  const fields = {};
  for (const key of TASK_KEYS) if (key !== "promptSha256") fields[key] = orNull(body[key]);
  fields.promptSha256 = typeof body.prompt === "string" ? await sha256Hex(body.prompt) : null;
  return fields;
}

/** The intent of a task create body (`POST /api/admin/tasks`). */
export async function taskIntent(body, options) {
  return { ...common("task", body.agentId, options), ...(await taskFields(body)) };
}

/** The create fields of a task as its view shows them: the fields its type uses, "" as null. */
export function shownTaskBody(task) {
  const body = { type: task.type, agentId: task.agentId };
  for (const key of USED_BY_TYPE[task.type] || []) {
    if (key === "promptSha256") body.prompt = task.prompt;
    else if (key === "writeAccess") body.writeAccess = typeof task.writeAccess === "boolean" ? task.writeAccess : null;
    else body[key] = task[key] === "" || task[key] === undefined ? null : task[key];
  }
  return body;
}

/** The intent of approving a task awaiting approval, from what its screen shows. */
export async function approveIntent(task, options) {
  return { ...common("approve", task.agentId, options), taskId: task.taskId, ...(await taskFields(shownTaskBody(task))) };
}

/** The object an answer's digest hashes: the request's shown fields and its task id. */
export function digestInput(taskId, request) {
  const shown = { taskId };
  for (const key of DIGEST_FIELDS) shown[key] = orNull(request[key]);
  shown.changes = (request.changes || []).map((change) => Object.fromEntries(CHANGE_FIELDS.map((key) => [key, orNull(change[key])])));
  return shown;
}

/** The digest of a request as this phone shows it (the agent computed its own from what it sent). */
export const requestDigest = (taskId, request) => sha256Hex(canonicalBytes(digestInput(taskId, request)));

/** The intent of answering `request` of `task` with `decision`. */
export async function answerIntent(task, request, decision, options) {
  return {
    ...common("answer", task.agentId, options),
    taskId: task.taskId, requestId: request.requestId, digest: await requestDigest(task.taskId, request), decision,
  };
}

/** The intent of adding `text` to a running turn. */
export async function steerIntent(task, text, options) {
  return { ...common("steer", task.agentId, options), taskId: task.taskId, textSha256: await sha256Hex(text) };
}
