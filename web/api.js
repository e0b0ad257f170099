// The relay's HTTP API (API.md): JSON in and out, the session is the HttpOnly cookie the
// browser sends by itself (same origin), so this code never holds a token. Failures become
// ApiError with the relay's error code; i18n.js has a human message for every code.

export class ApiError extends Error {
  constructor(code, status, detail) {
    super(detail ? `${code}: ${detail}` : code);
    this.code = code;
    this.status = status;
    this.detail = detail;
  }
}

/** A network failure (relay unreachable, phone offline): the code the app treats as "offline". */
export const NETWORK_ERROR = "network-error";

let signedOutListener = () => {};

/** `listener(code)` runs whenever the relay answers that this browser is not signed in (a remote
 * sign-out, an ended or expired session), before the caller sees the error. */
export function onSignedOut(listener) {
  signedOutListener = listener;
}

let reachabilityListener = () => {};

/** `listener(reachable)` runs after every request: false when it failed on the network (the phone
 * is offline or the relay is gone), true when the relay answered at all. So any request, not only
 * the live state's, flips the offline banner at once. */
export function onReachability(listener) {
  reachabilityListener = listener;
}

export async function request(method, path, body, { signal } = {}) {
  const init = { method, credentials: "same-origin", cache: "no-store", signal, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    reachabilityListener(false);
    throw new ApiError(NETWORK_ERROR, 0);
  }
  reachabilityListener(true);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null; // an empty or non-JSON body (a proxy's error page)
  }
  if (!response.ok) {
    const code = data && typeof data.error === "string" ? data.error : `http-${response.status}`;
    if (response.status === 401 && SIGNED_OUT.has(code)) signedOutListener(code);
    throw new ApiError(code, response.status, data && data.detail);
  }
  return data || {};
}

export const get = (path, options) => request("GET", path, undefined, options);
export const post = (path, body, options) => request("POST", path, body || {}, options);

/** Errors that mean "this browser is no longer signed in". */
export const SIGNED_OUT = new Set(["missing-session", "invalid-session", "session-user-invalid"]);

export const isOffline = (err) => err instanceof ApiError && err.code === NETWORK_ERROR;

// --- endpoints by name (one place to read which paths the app uses) ------------------------------

const seg = encodeURIComponent;

export const api = {
  status: () => get("/api/auth/status"),
  bootstrapLogin: (bootstrapToken) => post("/api/auth/login", { bootstrapToken }),
  loginCode: (loginCode) => post("/api/auth/login-code", { loginCode }),
  redeemInvite: (inviteCode, displayName) => post("/api/auth/invitations/redeem", { inviteCode, displayName }),
  redeemRecovery: (recoveryCode) => post("/api/auth/recovery/redeem", { recoveryCode }),
  logout: () => post("/api/auth/logout"),
  switchWorkspace: (workspaceId) => post("/api/auth/workspace", { workspaceId }),
  setProfile: (displayName) => post("/api/auth/profile", { displayName }), // issue 18
  // One's own memberships (issue 21): role, since when, who invited; leave one (not as its only owner).
  myMemberships: () => get("/api/auth/memberships"),
  leaveWorkspace: (membershipId) => post(`/api/auth/memberships/${seg(membershipId)}/leave`),
  createWorkspace: (name) => post("/api/admin/workspaces", { name }),
  // Owners: the current workspace's settings, e.g. { requireSecondApprover } (issue 18).
  setWorkspaceSettings: (settings) => post("/api/admin/workspaces/current/settings", settings),
  // `tasksSince` (a string, "" for none) opts in to task deltas (issue 18); web/state_merge.js merges them.
  state: (cursor, waitMs, { signal, tasksSince } = {}) => {
    const query = [];
    if (cursor) query.push(`waitForChangeAfter=${seg(cursor)}`, `waitMs=${waitMs}`);
    if (typeof tasksSince === "string") query.push(`tasksSince=${seg(tasksSince)}`);
    return get(`/api/admin/state${query.length ? `?${query.join("&")}` : ""}`, { signal });
  },
  createPairing: (note, ttlSec) => post("/api/admin/pairings", { note, ttlSec }),
  decidePairRequest: (requestId, approve) =>
    post(`/api/admin/pair-requests/${seg(requestId)}/${approve ? "approve" : "reject"}`),
  revokeAgent: (agentId) => post(`/api/admin/agents/${seg(agentId)}/revoke`),
  createTask: (body) => post("/api/admin/tasks", body),
  // Tasks older than the state view's newest 100 (issue 18): {tasks, nextBefore}; nextBefore null at the end.
  olderTasks: (before, limit = 50) =>
    get(`/api/admin/tasks?${before ? `before=${seg(before)}&` : ""}limit=${Number(limit) || 50}`),
  taskAction: (taskId, action) => post(`/api/admin/tasks/${seg(taskId)}/${action}`), // approve | reject | cancel
  // Interactive Codex: answer a pending request (the digest of what the person was shown), add to a running turn.
  // `signed` (issue 20, web/signing.js): {intent, intentAssertion} when the agent wants a signed intent.
  approveTask: (taskId, signed) => post(`/api/admin/tasks/${seg(taskId)}/approve`, signed),
  answerRequest: (taskId, requestId, decision, digest, signed = {}) =>
    post(`/api/admin/tasks/${seg(taskId)}/requests/${seg(requestId)}/answer`, { decision, digest, ...signed }),
  steer: (taskId, text, signed = {}) => post(`/api/admin/tasks/${seg(taskId)}/steer`, { text, ...signed }),
  passkeyRegisterOptions: (label) => post("/api/auth/passkeys/register/options", { label }),
  passkeyRegisterVerify: (registrationId, credential) =>
    post("/api/auth/passkeys/register/verify", { registrationId, credential }),
  passkeyLoginOptions: () => post("/api/auth/passkeys/login/options"),
  passkeyLoginVerify: (loginId, credential) => post("/api/auth/passkeys/login/verify", { loginId, credential }),
  revokePasskey: (passkeyId) => post(`/api/admin/passkeys/${seg(passkeyId)}/revoke`),
  // People: invitations (workspace: owners; account: relay owners), memberships, relay users.
  createInvitation: (type, role, note, ttlSec) => post("/api/admin/invitations", { type, role, note, ttlSec }),
  revokeInvitation: (inviteId) => post(`/api/admin/invitations/${seg(inviteId)}/revoke`),
  revokeMembership: (membershipId) => post(`/api/admin/memberships/${seg(membershipId)}/revoke`),
  // The audit trail (issue 21): {events, nextBefore, kinds}, newest first; owners: their workspace's, relay owners: all.
  auditTrail: ({ person = "", kind = "", before = null } = {}) => {
    const query = [person && `person=${seg(person)}`, kind && `kind=${seg(kind)}`, before && `before=${Number(before)}`];
    return get(`/api/admin/audit?${query.filter(Boolean).join("&")}`);
  },
  userAction: (userId, action) => post(`/api/admin/users/${seg(userId)}/${action}`), // disable | enable | delete | sessions/revoke
  // Notifications (issue 17): this user's Web Push devices (+ the relay's VAPID key), which events, a test.
  notificationDevices: () => get("/api/admin/notifications/devices"),
  addNotificationDevice: (endpoint, keys, label) => post("/api/admin/notifications/devices", { endpoint, keys, label }),
  revokeNotificationDevice: (deviceId) => post(`/api/admin/notifications/devices/${seg(deviceId)}/revoke`),
  notificationPreferences: () => get("/api/admin/notifications/preferences"),
  setNotificationPreferences: (kinds) => post("/api/admin/notifications/preferences", { kinds }),
  testNotification: () => post("/api/admin/notifications/test"),
  issueRecoveryCode: (userId, ttlSec, note) => post(`/api/admin/users/${seg(userId)}/recovery-codes`, { ttlSec, note }),
};
