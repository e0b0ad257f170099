// Task details kept on this device, per user, so they outlive a relay restart (the relay keeps
// prompts, output, diffs and results in memory only). localStorage, one key per task plus an
// index; bounded; clearable from the More screen, and wiped at sign-out and whenever the relay
// says this browser is signed out (app.js; with the "last user" the offline screen would show),
// so the next person on this device reads nothing of it.
// (The count of secrets the agent hid, `redactions`, is not among them: the relay stores it with the task.)
const VOLATILE = ["prompt", "summary", "outputTail", "diffText", "result", "error", "items", "requests", "steers"];
const MAX_TASKS = 100;
const PREFIX = "mc.task.";
const LAST_USER = "mc.lastUser";

const indexKey = (userId) => `${PREFIX}${userId}.index`;
const taskKey = (userId, taskId) => `${PREFIX}${userId}.${taskId}`;

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false; // quota or private mode: the cache is a convenience, never a requirement
  }
}

const empty = (value) => value === null || value === undefined || value === "" || value === 0 || (Array.isArray(value) && !value.length);
const signature = (task) => [task.status, task.updatedAt, ...VOLATILE.map((k) => JSON.stringify(task[k] ?? null).length)].join("|");

export function rememberUser(userId) {
  try {
    if (userId) localStorage.setItem(LAST_USER, userId);
  } catch { /* ignore */ }
}

export const lastUser = () => {
  try {
    return localStorage.getItem(LAST_USER);
  } catch {
    return null;
  }
};

/** Store the tasks of a state view that carry any text, when they changed since last time. */
export function remember(userId, tasks) {
  if (!userId) return;
  const index = read(indexKey(userId), []);
  let changed = false;
  for (const task of tasks || []) {
    if (VOLATILE.every((k) => empty(task[k]))) continue;
    const previous = read(taskKey(userId, task.taskId), null);
    if (previous && previous.signature === signature(task)) continue;
    const merged = { ...merge(previous && previous.task, task), fromCache: undefined };
    if (!write(taskKey(userId, task.taskId), { signature: signature(task), task: merged })) continue;
    const at = index.indexOf(task.taskId);
    if (at >= 0) index.splice(at, 1);
    index.unshift(task.taskId);
    changed = true;
  }
  if (!changed) return;
  for (const dropped of index.splice(MAX_TASKS)) localStorage.removeItem(taskKey(userId, dropped));
  write(indexKey(userId), index);
}

/** The relay's view with the text it lost (restart) filled in from this device. */
export function withCached(userId, task) {
  if (!userId || !task) return task;
  const cached = read(taskKey(userId, task.taskId), null);
  return cached ? merge(cached.task, task) : task;
}

function merge(cached, live) {
  if (!cached) return live;
  const out = { ...live };
  for (const key of VOLATILE) {
    if (empty(live[key]) && !empty(cached[key])) {
      out[key] = cached[key];
      out.fromCache = true;
    }
  }
  return out;
}

export function cachedTask(userId, taskId) {
  const cached = userId ? read(taskKey(userId, taskId), null) : null;
  return cached ? { ...cached.task, fromCache: true } : null;
}

/** Every cached task of a user, newest first (for the offline screen). */
export function cachedTasks(userId) {
  if (!userId) return [];
  return read(indexKey(userId), []).map((id) => cachedTask(userId, id)).filter(Boolean);
}

export function clearCache(userId) {
  if (!userId) return;
  for (const id of read(indexKey(userId), [])) localStorage.removeItem(taskKey(userId, id));
  localStorage.removeItem(indexKey(userId));
}

/** Signing out: this user's cached task details go, and the offline screen shows nobody's. */
export function forgetUser(userId) {
  clearCache(userId);
  try {
    if (!userId || localStorage.getItem(LAST_USER) === userId) localStorage.removeItem(LAST_USER);
  } catch { /* ignore */ }
}
