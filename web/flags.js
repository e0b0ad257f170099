// What a person may do with an agent, and why not: effective flag = relay ∧ agent (PRODUCT.md),
// plus the role, the agent's state and what it reported (Codex installed, exec modes).
// Every "no" carries an i18n key saying why, shown next to the disabled control.

export const FLAG_DEFAULTS = {
  codexExec: true, codexExecWrite: false, readSession: true, deleteSession: true, runAction: true, readLog: true,
};
export const AGENT_FLAGS = Object.keys(FLAG_DEFAULTS);

const ONLINE_MS = 90 * 1000; // an agent long-polls every ~20 s; three missed polls = offline

const flagOf = (features, name) =>
  features && typeof features[name] === "boolean" ? features[name] : FLAG_DEFAULTS[name];

/** { name: {relay, agent, on, reason} } for one agent. */
export function effectiveFlags(relayFeatures, agent) {
  const flags = {};
  for (const name of AGENT_FLAGS) {
    const relay = flagOf(relayFeatures, name);
    const local = flagOf(agent.features, name);
    const reason = !relay && !local ? "reason.offBoth" : !relay ? "reason.offRelay" : !local ? "reason.offAgent" : null;
    flags[name] = { relay, agent: local, on: relay && local, reason };
  }
  return flags;
}

/** Online when the agent was seen recently, by the relay's clock. */
export function isOnline(agent, state) {
  if (agent.revokedAt || !agent.lastSeenAt) return false;
  const now = Date.parse(state.now) || Date.now();
  return now - Date.parse(agent.lastSeenAt) < ONLINE_MS;
}

const BUILT_IN_MODES = [
  { id: "read-only", label: "Read-only", writes: false },
  { id: "workspace-write", label: "Workspace write", writes: true },
];

/** Why nothing can be sent to this agent at all (null = it can take tasks). */
function blocked(auth, agent) {
  if (agent.revokedAt) return "reason.revoked";
  if (!auth.permissions || !auth.permissions.createTasks) return "reason.role";
  return null;
}

/** The flags each task type needs (PRODUCT.md); a resumed session is a codex_exec. */
const NEEDS = {
  codex_exec: ["codexExec"], read_session: ["codexExec", "readSession"], delete_session: ["codexExec", "deleteSession"],
  run_action: ["runAction"], read_log: ["readLog"],
};

/** {allowed, reason} for a task type on an agent. */
export function canRun(kind, { auth, state, agent }) {
  const stop = blocked(auth, agent);
  if (stop) return { allowed: false, reason: stop };
  const flags = effectiveFlags(state.features, agent);
  for (const name of NEEDS[kind] || []) if (!flags[name].on) return { allowed: false, reason: flags[name].reason, flag: name };
  if (kind !== "run_action" && kind !== "read_log" && agent.codexAvailable === false) return { allowed: false, reason: "reason.noCodex" };
  return { allowed: true, reason: null };
}

/** The exec modes the prompt box offers (resume belongs to sessions), each {mode, allowed, reason}. */
export function execModes({ state, agent }) {
  const flags = effectiveFlags(state.features, agent);
  const modes = agent.execModes && agent.execModes.length ? agent.execModes : BUILT_IN_MODES;
  return modes
    .filter((mode) => mode.id !== "resume")
    .map((mode) => {
      if (!mode.writes) return { mode, allowed: true, reason: null };
      const write = flags.codexExecWrite;
      return { mode, allowed: write.on, reason: write.on ? null : write.reason };
    });
}

export function canRevoke(auth, agent) {
  if (agent.revokedAt) return { allowed: false, reason: "reason.revoked" };
  if (!auth.permissions || !auth.permissions.revokeAgents) return { allowed: false, reason: "reason.ownerOnly" };
  return { allowed: true, reason: null };
}

export const TERMINAL = new Set(["completed", "failed", "rejected", "interrupted", "canceled"]);
