// The audit trail's entries as sentences (route `audit`): "Signed in with a one-time login code
// (recovery session)", "Agent vm paired". One builder per kind the relay notes (core/audit.py KINDS);
// each reads the entry's details (metadata: methods, roles, types, counts, ids) and says which it
// used. Details a builder did not use (a newer relay may add some) and every detail of a kind this
// app does not know are handed back to be shown as `key: value`, so nothing is hidden and no entry
// is ever blank. The result is plain text: the screen puts it in as a text node (dom.js `h`).
import { t } from "../i18n.js";

/** (text, detail keys the text says) for `entry`; `nameOf(userId)` gives a person's name. */
export function describe(entry, nameOf) {
  const details = Object.fromEntries(Object.entries(entry.details || {}).filter(([, v]) => v !== null && v !== undefined));
  const build = SENTENCES.get(entry.kind);
  const said = build ? build(details, { entry, name: (id) => (id ? nameOf(id) || id : t("audit.someone")) }) : null;
  const [text, used] = said || [t(`audit.kind.${entry.kind}`, {}, entry.kind), []];
  const rest = Object.entries(details).filter(([key]) => !used.includes(key)).map(([key, value]) => `${key}: ${value}`);
  return { text, rest };
}

// A label from a table the app already has (roles, task types, modes, statuses, decisions); the raw
// value when the table has none (a custom exec mode, a value from a newer relay).
const label = (prefix, value) => (value === undefined ? t("audit.unknown") : t(`${prefix}.${value}`, {}, String(value)));

const SIGN_IN_METHODS = {
  bootstrap: "audit.method.bootstrap", "login-code": "audit.method.login-code", passkey: "audit.method.passkey",
  invitation: "audit.method.invitation", recovery: "audit.method.recovery",
};

function signIn(d) {
  if (d.method === undefined) return null;
  const method = Object.hasOwn(SIGN_IN_METHODS, d.method) ? t(SIGN_IN_METHODS[d.method]) : String(d.method);
  const text = t("audit.says.signin", { method });
  return [d.recovery === true ? t("audit.recoverySession", { text }) : text, ["method", "recovery"]];
}

function sessionsEnded(d, { entry, name }) {
  const count = Number(d.count ?? 0);
  if (d.reason === "end-sessions-command") return [t("audit.says.sessions.ended.command", { count }), ["reason", "count"]];
  if (d.reason === "by-relay-owner" && entry.recordType === "user") {
    return [t("audit.says.sessions.ended.user", { count, user: name(entry.recordId) }), ["reason", "count"]];
  }
  return [t("audit.says.sessions.ended", { count }), ["count"]];
}

function passkeyRevoked(d) {
  if (!d.sessionsEnded) return [t("audit.says.passkey.revoked"), ["sessionsEnded"]];
  return [t("audit.says.passkey.revoked.sessions", { count: Number(d.sessionsEnded) }), ["sessionsEnded"]];
}

/** An invitation kind: its sentence by the invite's type (workspace, account); unknown: the label.
 * Only an issued invite notes the role it grants. */
const byInviteType = (workspaceKey, accountKey, { withRole = false } = {}) => (d) => {
  if (d.type === "workspace") {
    return withRole ? [t(workspaceKey, { role: label("role", d.role) }), ["type", "role"]] : [t(workspaceKey), ["type"]];
  }
  if (d.type === "account") return [t(accountKey), ["type"]];
  return null;
};

function recoveryRevoked(d, { name }) {
  const user = name(d.user);
  if (d.reason === "replaced") return [t("audit.says.recovery.revoked.replaced", { user }), ["user", "reason"]];
  return [t("audit.says.recovery.revoked", { user }), ["user"]];
}

function workspaceSettings(d) {
  if (d.requireSecondApprover === true) return [t("audit.says.workspace.settings"), ["requireSecondApprover"]];
  if (d.requireSecondApprover === false) return [t("audit.says.workspace.settings.off"), ["requireSecondApprover"]];
  return null;
}

function membershipAdded(d, { entry, name }) {
  const role = label("role", d.role);
  if (d.member && d.member === entry.actorUserId) return [t("audit.says.membership.joined", { role }), ["member", "role"]];
  return [t("audit.says.membership.added", { member: name(d.member), role }), ["member", "role"]];
}

/** A sentence about the entry's record (a user, an agent), named as the reader knows it. */
const aboutRecord = (key, param, type) => (d, { entry, name }) => {
  if (entry.recordType !== type || !entry.recordId) return null;
  return [t(key, { [param]: type === "user" ? name(entry.recordId) : entry.recordId }), []];
};

/** A pairing: with the agent's name when the request had one. */
const pairing = (namedKey, plainKey) => (d) =>
  d.agentId ? [t(namedKey, { agent: d.agentId }), ["agentId"]] : [t(plainKey), ["agentId"]];

function taskCreated(d) {
  const params = { type: label("type", d.type), agent: d.agentId ?? t("audit.unknown") };
  let text = d.execMode
    ? t("audit.says.task.created.mode", { ...params, mode: label("mode", d.execMode) })
    : t("audit.says.task.created", params);
  if (d.writeAccess === true) text = t("audit.mayWrite", { text });
  if (d.signed === true) text = t("audit.signedIntent", { text });
  return [text, ["type", "agentId", "execMode", "writeAccess", "signed"]];
}

function taskApproved(d) {
  const type = label("type", d.type);
  if (d.signed === true) return [t("audit.says.task.approved.signed", { type }), ["type", "signed"]];
  return [t("audit.says.task.approved", { type }), ["type", "signed"]];
}

function requestAnswered(d) {
  const decision = label("decision", d.decision);
  if (d.signed === true) return [t("audit.says.request.answered.signed", { decision }), ["decision", "requestId", "signed"]];
  return [t("audit.says.request.answered", { decision }), ["decision", "requestId", "signed"]];
}

/** A steer of a running turn: whether it was signed; the steer's id is an internal reference, its text never noted. */
function taskSteered(d) {
  if (d.signed === true) return [t("audit.says.task.steered.signed"), ["steerId", "signed"]];
  return [t("audit.says.task.steered"), ["steerId", "signed"]];
}

const OWNER_CHANGES_VIA = { "import-state": "audit.via.import-state", bootstrap: "audit.via.bootstrap" };

/** A relay owner gained (`added`) or lost (`removed`), and how: the record is the user. */
function relayOwnerChanged(d, { entry, name }) {
  if (entry.recordType !== "user" || !entry.recordId || !["added", "removed"].includes(d.change)) return null;
  const via = Object.hasOwn(OWNER_CHANGES_VIA, d.via) ? t(OWNER_CHANGES_VIA[d.via]) : String(d.via ?? t("audit.unknown"));
  const key = d.change === "added" ? "audit.says.relay-owner.changed" : "audit.says.relay-owner.changed.removed";
  return [t(key, { user: name(entry.recordId), via }), ["change", "via"]];
}

function twoPersonRefused(d) {
  if (d.action !== undefined && d.action !== "approve") return null;
  return [t("audit.says.two-person.refused", { type: label("type", d.type) }), ["action", "type"]];
}

const plain = (key) => () => [t(key), []];

// Every kind the relay notes (core/audit.py KINDS; tests/web/test_static.py checks each has a sentence),
// written with "_" for "." (quoted with its dot, a kind would read as a string key to the strings check).
const SENTENCES = new Map(Object.entries({
  signin: signIn,
  signout: plain("audit.says.signout"),
  sessions_ended: sessionsEnded,
  passkey_added: plain("audit.says.passkey.added"),
  passkey_revoked: passkeyRevoked,
  invitation_created: byInviteType("audit.says.invitation.created", "audit.says.invitation.created.account", { withRole: true }),
  invitation_used: byInviteType("audit.says.invitation.used", "audit.says.invitation.used.account"),
  invitation_revoked: byInviteType("audit.says.invitation.revoked", "audit.says.invitation.revoked.account"),
  recovery_created: (d, { name }) => [t("audit.says.recovery.created", { user: name(d.user) }), ["user"]],
  recovery_used: plain("audit.says.recovery.used"),
  recovery_revoked: recoveryRevoked,
  workspace_created: plain("audit.says.workspace.created"),
  workspace_settings: workspaceSettings,
  membership_added: membershipAdded,
  membership_revoked: (d, { name }) =>
    [t("audit.says.membership.revoked", { member: name(d.member), role: label("role", d.role) }), ["member", "role"]],
  membership_left: (d) => [t("audit.says.membership.left", { role: label("role", d.role) }), ["role"]],
  user_disabled: aboutRecord("audit.says.user.disabled", "user", "user"),
  user_enabled: aboutRecord("audit.says.user.enabled", "user", "user"),
  user_deleted: aboutRecord("audit.says.user.deleted", "user", "user"),
  "relay-owner_changed": relayOwnerChanged,
  pairing_approved: pairing("audit.says.pairing.approved", "audit.says.pairing.approved.unnamed"),
  pairing_rejected: pairing("audit.says.pairing.rejected", "audit.says.pairing.rejected.unnamed"),
  agent_revoked: aboutRecord("audit.says.agent.revoked", "agent", "agent"),
  task_created: taskCreated,
  task_approved: taskApproved,
  task_rejected: (d) => [t("audit.says.task.rejected", { type: label("type", d.type) }), ["type"]],
  task_canceled: (d) => [t("audit.says.task.canceled", { status: label("status", d.status) }), ["status"]],
  request_answered: requestAnswered,
  task_steered: taskSteered,
  "two-person_refused": twoPersonRefused,
}).map(([kind, build]) => [kind.replaceAll("_", "."), build]));
