// Pieces shared by the agents list, the agent screen and pairing: an agent's card (status,
// Codex, flags), its danger zone (revoke) and the pending pair requests with approve / reject.
import { api } from "../api.js";
import { actionButton, ago, clockTime, confirmButton, h, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { agentFlagNames, canRevoke, effectiveFlags, isOnline } from "../flags.js";
import { icon } from "../nav_icons.js";

export function presence(agent, state) {
  if (agent.revokedAt) return h("span", { class: "chip chip-revoked" }, t("agents.revoked"));
  if (isOnline(agent, state)) return h("span", { class: "chip chip-online" }, t("agents.online"));
  const seen = agent.lastSeenAt ? t("agents.lastSeen", { when: ago(agent.lastSeenAt, Date.parse(state.now)) }) : t("agents.neverSeen");
  return h("span", { class: "chip chip-offline" }, seen);
}

export function codexLine(agent) {
  if (agent.codexAvailable === false) return h("p", { class: "meta warn" }, t("agents.codexMissing"));
  if (agent.codexAvailable) return h("p", { class: "meta" }, t("agents.codexVersion", { version: agent.codexVersion || "?" }));
  return h("p", { class: "meta" }, t("agents.codexUnknown"));
}

/** What this agent wants signed by a passkey (its `requireSignedIntents`, issue 20); nothing when off. */
export function signingLine(agent) {
  const setting = agent.requireSignedIntents;
  if (setting !== "writes" && setting !== "all") return null;
  return h("p", { class: "meta signs-note", "data-require-signed": setting }, icon("key"), " ", t(`sign.agent.${setting}`));
}

export function flagList(ctx, agent) {
  const flags = effectiveFlags(ctx.state.features, agent);
  return h("ul", { class: "flags", "aria-label": t("agents.flags") },
    agentFlagNames().map((name) => {
      const flag = flags[name];
      return h("li", { class: flag.on ? "flag on" : "flag off" },
        h("span", { class: "flag-name" }, t(`flag.${name}`)),
        h("span", { class: "flag-value" }, flag.on ? t("flag.on") : t(flag.reason)));
    }));
}

/** What an agent card shows, as a string: the card is rebuilt only when it changes. */
export function agentSignature(ctx, agent) {
  const { codexSessions, lastSeenAt, ...rest } = agent;
  const seen = isOnline(agent, ctx.state) ? "online" : lastSeenAt ? ago(lastSeenAt, Date.parse(ctx.state.now)) : "";
  return JSON.stringify([rest, seen, ctx.state.features, ctx.auth.permissions]);
}

/** An agent's card. In the list it opens the agent; revoking lives in the agent's own screen, in
 * its danger zone (`dangerZone`), never beside Open. The name is said once: the agent id only
 * when it differs from the name. */
export function agentCard(ctx, agent, { open = false, heading = true } = {}) {
  const name = agent.label || agent.agentId;
  const where = [name !== agent.agentId ? agent.agentId : "", agent.workspaceRootName || ""].filter(Boolean).join(" · ");
  return h("article", { class: "card agent", "data-agent-id": agent.agentId },
    h("div", { class: "card-head" }, heading ? h("h2", {}, name) : null, presence(agent, ctx.state)),
    where ? h("p", { class: "meta mono" }, where) : null,
    codexLine(agent),
    signingLine(agent),
    h("details", { class: "disclosure" }, h("summary", {}, t("agents.flags")), flagList(ctx, agent)),
    open && !agent.revokedAt ? h("div", { class: "toolbar" }, link(t("agents.open"), `#/agent/${encodeURIComponent(agent.agentId)}`)) : null);
}

/** Revoking an agent, apart from everything else on its screen (owners; the reason when not). */
export function dangerZone(ctx, agent, errorEl) {
  if (agent.revokedAt) return null;
  const revoke = canRevoke(ctx.auth, agent);
  return h("section", { class: "card danger-zone" }, h("h2", {}, t("agents.dangerZone")),
    revoke.allowed
      ? confirmButton(t("agents.revoke"), t("agents.revokeConfirm"), () => api.revokeAgent(agent.agentId).then(ctx.refresh), { errorEl })
      : h("p", { class: "hint" }, t("agents.revokeDisabled", { reason: t(revoke.reason) })));
}

/** `onDecided(request, approved)`, when given, runs after a decision the relay accepted. */
export function pendingRequests(ctx, errorEl, onDecided = () => {}) {
  const requests = ((ctx.state && ctx.state.pendingPairRequests) || []).filter((r) => r.status === "pending");
  if (!requests.length) return null;
  const may = ctx.auth.permissions.pairAgents;
  return section(t("pair.pendingHeading"),
    requests.map((request) => h("article", { class: "pending", "data-request-id": request.requestId },
      h("h3", {}, request.label || request.agentId),
      h("p", { class: "meta mono" }, request.agentId, request.hostname ? ` @ ${request.hostname}` : ""),
      request.workspaceRootName ? h("p", { class: "meta" }, t("pair.workspaceRoot", { name: request.workspaceRootName })) : null,
      request.note ? h("p", { class: "meta" }, t("pair.note", { note: request.note })) : null,
      h("p", { class: "meta" }, t("pair.expires", { when: clockTime(request.expiresAt) })),
      may
        ? h("div", { class: "toolbar" },
            ...[true, false].map((approve) => actionButton(t(approve ? "pair.approve" : "pair.reject"), async () => {
              await api.decidePairRequest(request.requestId, approve);
              onDecided(request, approve);
              ctx.refresh();
            }, { errorEl, kind: approve ? "primary" : "danger" })))
        : h("p", { class: "hint" }, t("reason.role")))));
}
