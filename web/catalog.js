// The task catalogue — task types and the flags each needs, statuses, the flags an agent has and the
// built-in exec modes — as the relay sends it in the state view (`web.catalog`, made from
// core/task_catalog.py). The app keeps no copy of these rules: it uses the last catalogue it was
// sent, remembered on this device so a cached task still reads right offline.
const KEY = "mc.catalog";

function remembered() {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

let current = remembered();
let terminal = new Set(current ? current.terminalStatuses : []);

/** Take the catalogue from a state view (called on every state; cheap when unchanged). */
export function setCatalog(catalog) {
  if (!catalog || !catalog.taskTypes) return;
  const text = JSON.stringify(catalog);
  if (current && JSON.stringify(current) === text) return;
  current = catalog;
  terminal = new Set(catalog.terminalStatuses || []);
  try {
    localStorage.setItem(KEY, text);
  } catch { /* quota or private mode: the live state brings it again */ }
}

/** True once a task in `status` can no longer change. */
export const isTerminal = (status) => terminal.has(status);

/** The flags a task type needs at both ends ([] for a type this relay does not know). */
export const flagsFor = (kind) => (current && current.taskTypes[kind] ? current.taskTypes[kind].flags : []);

/** Whether a task type runs Codex (so it needs Codex installed on the agent). */
export const needsCodex = (kind) => !!(current && current.taskTypes[kind] && current.taskTypes[kind].needsCodex);

/** Whether a task type can change the workspace or run a command (codex_exec: by its mode's `writes`,
 * so false here): under an agent's `requireSignedIntents: writes` such tasks need a signed intent. */
export const changesWorkspace = (kind) => !!(current && current.taskTypes[kind] && current.taskTypes[kind].changesWorkspace);

/** {flag: default} for every flag an agent has (relay-only flags left out). */
export const agentFlagDefaults = () => (current ? current.agentFlags : {});

/** The relay's built-in exec modes [{id, writes}], for an agent that advertised none. */
export const builtInExecModes = () => (current ? current.builtInExecModes : []);

/** The mode that continues a session: it belongs to the sessions screen, not the prompt box. */
export const resumeMode = () => (current ? current.resumeMode : "resume");
