// What a person may do with an agent, and why not: effective flag = relay ∧ agent (PRODUCT.md),
// plus the role, the agent's state and what it reported (Codex installed, exec modes).
// Every "no" carries an i18n key saying why, shown next to the disabled control. Which flags a task
// type needs, and which flags an agent has, come from the relay's task catalogue (catalog.js).
import { agentFlagDefaults, builtInExecModes, flagsFor, needsCodex, resumeMode } from "./catalog.js";

/** The flags an agent has, in the catalogue's order. */
export const agentFlagNames = () => Object.keys(agentFlagDefaults());

const ONLINE_MS = 90 * 1000; // an agent long-polls every ~20 s; three missed polls = offline

const flagOf = (features, name) =>
  features && typeof features[name] === "boolean" ? features[name] : agentFlagDefaults()[name] === true;

/** { name: {relay, agent, on, reason} } for one agent. */
export function effectiveFlags(relayFeatures, agent) {
  const flags = {};
  for (const name of agentFlagNames()) {
    const relay = flagOf(relayFeatures, name);
    const local = flagOf(agent.features, name);
    const reason = !relay && !local ? "reason.offBoth" : !relay ? "reason.offRelay" : !local ? "reason.offAgent" : null;
    flags[name] = { relay, agent: local, on: relay && local, reason };
  }
  return flags;
}

/** The relay's own `online` when it sends one (it knows of a clean stop), else: seen recently, by
 * the relay's clock. */
export function isOnline(agent, state) {
  if (typeof agent.online === "boolean") return agent.online && !agent.revokedAt;
  if (agent.revokedAt || !agent.lastSeenAt) return false;
  const now = Date.parse(state.now) || Date.now();
  return now - Date.parse(agent.lastSeenAt) < ONLINE_MS;
}

/** Why nothing can be sent to this agent at all (null = it can take tasks). */
function blocked(auth, agent) {
  if (agent.revokedAt) return "reason.revoked";
  if (!auth.permissions || !auth.permissions.createTasks) return "reason.role";
  return null;
}

/** {allowed, reason} for a task type on an agent. */
export function canRun(kind, { auth, state, agent }) {
  const stop = blocked(auth, agent);
  if (stop) return { allowed: false, reason: stop };
  const flags = effectiveFlags(state.features, agent);
  for (const name of flagsFor(kind)) {
    if (flags[name] && !flags[name].on) return { allowed: false, reason: flags[name].reason, flag: name };
  }
  if (needsCodex(kind) && agent.codexAvailable === false) return { allowed: false, reason: "reason.noCodex" };
  return { allowed: true, reason: null };
}

/** The exec modes the prompt box offers (resume belongs to sessions), each {mode, allowed, reason}. */
export function execModes({ state, agent }) {
  const flags = effectiveFlags(state.features, agent);
  const modes = agent.execModes && agent.execModes.length ? agent.execModes : builtInExecModes();
  return modes
    .filter((mode) => mode.id !== resumeMode())
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
