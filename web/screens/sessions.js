// Codex sessions of an agent (the catalog the agent sends with every poll): title, when, folder and
// a preview; opening one reads its conversation. "Clear all" deletes every listed session after a
// confirmation that names the count.
import { ago, confirmButton, errorBox, field, fill, h, keyed, link, section } from "../dom.js";
import { t } from "../i18n.js";
import { canRun, effectiveFlags } from "../flags.js";
import { deletion, sessionHref, sessionTitle, startSessionTask } from "./session_parts.js";

export const title = "sessions.title";

let chosen = ""; // the agent shown, kept while the app is open

export function mount(ctx) {
  if (ctx.params[0]) chosen = ctx.params[0];
  const agentSelect = h("select", { name: "agentId" });
  const agentField = field(t("sessions.agentLabel"), agentSelect);
  const empty = h("section", { class: "card" }, h("p", {}, t("codex.noAgents")), link(t("agents.pair"), "#/pair", "primary"));
  const reasons = h("div");
  const clearSlot = h("div", { class: "toolbar" });
  const error = errorBox();
  const count = h("p", { class: "hint", role: "status" });
  const list = h("ul", { class: "list sessions" });
  const none = h("p", { class: "hint" }, t("sessions.none"));
  const body = h("div", { class: "stack" }, agentField, reasons, section(null, count, none, list, clearSlot, error));
  const el = h("div", { class: "screen sessions" }, h("h1", {}, t("sessions.heading")), empty, body);
  let current = ctx;
  let clearSignature = null;
  agentSelect.addEventListener("change", () => { chosen = agentSelect.value; update(current); });

  function update(ctx) {
    current = ctx;
    const agents = ((ctx.state && ctx.state.agents) || []).filter((a) => !a.revokedAt);
    empty.hidden = !ctx.state || agents.length > 0;
    body.hidden = !agents.length;
    if (!agents.length) return;
    if (!agents.some((a) => a.agentId === chosen)) chosen = agents[0].agentId;
    const agentSignature = agents.map((a) => `${a.agentId}:${a.label}`).join("|");
    if (agentSelect.dataset.signature !== agentSignature) {
      fill(agentSelect, agents.map((a) => h("option", { value: a.agentId }, a.label || a.agentId)));
      agentSelect.dataset.signature = agentSignature;
    }
    agentSelect.value = chosen;
    agentField.hidden = agents.length < 2;
    const agent = agents.find((a) => a.agentId === chosen);

    const listed = effectiveFlags(ctx.state.features, agent).codexExec;
    const read = canRun("read_session", { ...ctx, agent });
    const remove = canRun("delete_session", { ...ctx, agent });
    fill(reasons,
      listed.on ? null : h("p", { class: "hint" }, t("sessions.notListed", { reason: t(listed.reason) })),
      listed.on && !read.allowed ? h("p", { class: "hint" }, t("sessions.readDisabled", { reason: t(read.reason) })) : null,
      listed.on && !remove.allowed ? h("p", { class: "hint" }, t("sessions.deleteDisabled", { reason: t(remove.reason) })) : null);

    const now = Date.parse(ctx.state.now) || Date.now();
    const sessions = (agent.codexSessions || [])
      .map((s) => ({ ...s, deletion: deletion(ctx, agent.agentId, s.sessionId) }))
      .filter((s) => s.deletion !== "deleted");
    count.textContent = sessions.length ? t("sessions.count", { count: sessions.length }) : "";
    none.hidden = sessions.length > 0;
    keyed(list, sessions, (s) => s.sessionId, (s) => JSON.stringify([s, ago(s.updatedAt, now)]),
      (s) => h("li", {}, sessionRow(agent.agentId, s, now)));

    const deletable = sessions.filter((s) => !s.deletion);
    const signature = remove.allowed ? deletable.map((s) => s.sessionId).join() : "";
    if (signature !== clearSignature) {
      clearSignature = signature;
      fill(clearSlot, remove.allowed && deletable.length
        ? confirmButton(t("sessions.clearAll"), t("sessions.clearAllConfirm", { count: deletable.length }), async () => {
            for (const s of deletable) await startSessionTask(current, agent.agentId, "delete_session", s.sessionId);
          }, { errorEl: error })
        : null);
    }
  }
  update(ctx);
  return { el, update };
}

function sessionRow(agentId, session, now) {
  const when = ago(session.updatedAt || session.createdAt, now);
  return h("a", { class: "task-row session-row", href: sessionHref(agentId, session.sessionId), "data-session-id": session.sessionId },
    h("span", { class: "row-title" }, sessionTitle(session)),
    h("span", { class: "row-meta" },
      session.deletion ? h("span", { class: "chip status-running" }, t("sessions.deleting")) : null,
      h("span", {}, [t("sessions.updated", { when }), session.cwd && session.cwd !== "." ? t("task.cwd", { cwd: session.cwd }) : null].filter(Boolean).join(" · "))),
    (session.preview || []).length
      ? h("span", { class: "preview" }, session.preview.map((p) =>
          h("span", { class: `preview-line preview-${p.role === "user" ? "user" : "assistant"}` },
            h("span", { class: "preview-role" }, t(`session.role.${p.role === "user" ? "user" : "assistant"}`)), " ", p.text)))
      : null);
}
