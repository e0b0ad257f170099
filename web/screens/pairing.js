// Pair an agent: create a code (note, TTL), show it with the exact command for the server (which
// works on a machine with no agent config yet: --relay names this relay), then approve or reject
// the request the agent makes with it. A new request is brought into view; an approval is
// confirmed and the spent code leaves the screen.
import { api } from "../api.js";
import { clockTime, copyButton, errorBox, field, fill, h, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { pendingRequests } from "./agent_parts.js";

export const title = "pair.title";

const TTL_CHOICES = [300, 600, 900, 1800]; // API.md clamps 60..1800, default 300

/** The command the server runs: `--relay` is the origin this app came from (the relay's public origin). */
export function pairCommand(origin, code, configHint = "") {
  const config = configHint ? ` --config ${shellWord(configHint)}` : "";
  return `mobile-codex agent${config} --relay ${shellWord(origin)} --pair-code ${code}`;
}

export function mount(ctx) {
  const note = h("input", { type: "text", name: "note", maxlength: "120", placeholder: t("pair.notePlaceholder") });
  const ttl = h("select", { name: "ttlSec" },
    TTL_CHOICES.map((sec) => h("option", { value: String(sec) }, t("pair.minutes", { count: sec / 60 }))));
  const result = h("div", { class: "pair-result", "aria-live": "polite" });
  const confirmation = h("div", { "aria-live": "polite" });
  let shown = null; // the code on screen: {pairingId, pairingCode, ...}
  const create = submitForm([field(t("pair.noteLabel"), note), field(t("pair.ttlLabel"), ttl)], t("pair.create"), async () => {
    fill(confirmation);
    showCode(await api.createPairing(note.value.trim(), Number(ttl.value)));
  }, "primary");

  function showCode(made) {
    shown = made;
    const hint = (ctx.state && ctx.state.web && ctx.state.web.pairCommandConfigPathHint) || "";
    const command = pairCommand(location.origin, made.pairingCode, hint);
    fill(result, h("section", { class: "card" },
      h("h2", {}, t("pair.codeHeading")),
      h("p", { class: "pair-code mono", "data-pairing-code": made.pairingCode }, made.pairingCode),
      h("p", { class: "meta" }, t("pair.expires", { when: clockTime(made.expiresAt) })),
      h("p", {}, t("pair.commandIntro")),
      h("pre", { class: "command mono", "data-pair-command": "" }, h("code", {}, command)),
      h("p", { class: "hint" }, t("pair.commandFresh")),
      copyButton(t("pair.copy"), command),
      h("p", { class: "hint" }, t("pair.then"))));
  }

  /** After Approve: say so, and the code (now spent) goes; after Reject the code stays usable. */
  function decided(request, approved) {
    if (!approved) return;
    if (shown && request.pairingId === shown.pairingId) {
      shown = null;
      fill(result);
    }
    fill(confirmation, h("section", { class: "card callout", "data-pair-approved": request.agentId, role: "status" },
      h("h2", {}, t("pair.approvedHeading")),
      h("p", {}, t("pair.approved", { name: request.label || request.agentId }))));
  }

  const pending = h("div");
  const decideError = errorBox();
  const blocked = h("p", { class: "hint" });
  const formCard = h("section", { class: "card" }, h("h2", {}, t("pair.createHeading")), blocked, create);
  const el = h("div", { class: "screen pairing" },
    h("h1", {}, t("pair.heading")), confirmation, formCard, result, decideError, pending);
  let seen = null; // request ids shown so far (null: no state view yet)

  function update(ctx) {
    const relayOff = ctx.state && ctx.state.features && ctx.state.features.pairings === false;
    const noRole = !ctx.auth.permissions.pairAgents;
    blocked.textContent = relayOff ? t("pair.disabledRelay") : noRole ? t("reason.role") : "";
    blocked.hidden = !relayOff && !noRole;
    create.hidden = relayOff || noRole;
    fill(pending, pendingRequests(ctx, decideError, decided));
    const ids = [...pending.querySelectorAll("[data-request-id]")].map((node) => node.dataset.requestId);
    const fresh = seen ? ids.find((id) => !seen.has(id)) : null;
    if (ctx.state) seen = new Set(ids); // requests there when the screen opened are not "new"
    if (fresh) {
      const node = pending.querySelector(`[data-request-id="${CSS.escape(fresh)}"]`);
      node.scrollIntoView({ block: "center", behavior: "smooth" });
      node.setAttribute("tabindex", "-1");
      node.focus({ preventScroll: true });
    }
  }
  update(ctx);
  return { el, update };
}

/** A word as one POSIX shell word: plain when it is safe to paste as is (`~` kept unquoted so the
 * shell still expands it), else in single quotes with any quote inside closed, escaped, reopened. */
export function shellWord(text) {
  if (/^[A-Za-z0-9_@%+=:,./~-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}
