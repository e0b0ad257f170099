// Pair an agent: create a code (note, TTL), show it with the exact agent command, then approve
// or reject the pending request the agent makes with it.
import { api } from "../api.js";
import { clockTime, copyButton, errorBox, field, fill, h, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { pendingRequests } from "./agent_parts.js";

export const title = "pair.title";

const TTL_CHOICES = [300, 600, 900, 1800]; // API.md clamps 60..1800, default 300

export function mount(ctx) {
  const note = h("input", { type: "text", name: "note", maxlength: "120", placeholder: t("pair.notePlaceholder") });
  const ttl = h("select", { name: "ttlSec" },
    TTL_CHOICES.map((sec) => h("option", { value: String(sec) }, t("pair.minutes", { count: sec / 60 }))));
  const result = h("div", { class: "pair-result", "aria-live": "polite" });
  const create = submitForm([field(t("pair.noteLabel"), note), field(t("pair.ttlLabel"), ttl)], t("pair.create"), async () => {
    showCode(await api.createPairing(note.value.trim(), Number(ttl.value)));
  }, "primary");

  function showCode(made) {
    const hint = (ctx.state && ctx.state.web && ctx.state.web.pairCommandConfigPathHint) || "";
    const command = hint
      ? `mobile-codex agent --config ${shellWord(hint)} --pair-code ${made.pairingCode}`
      : `mobile-codex agent --pair-code ${made.pairingCode}`;
    fill(result, h("section", { class: "card" },
      h("h2", {}, t("pair.codeHeading")),
      h("p", { class: "pair-code mono", "data-pairing-code": made.pairingCode }, made.pairingCode),
      h("p", { class: "meta" }, t("pair.expires", { when: clockTime(made.expiresAt) })),
      h("p", {}, t("pair.commandIntro")),
      h("pre", { class: "command mono" }, h("code", {}, command)),
      hint ? null : h("p", { class: "hint" }, t("pair.commandNoHint")),
      copyButton(t("pair.copy"), command),
      h("p", { class: "hint" }, t("pair.then"))));
  }

  const pending = h("div");
  const decideError = errorBox();
  const blocked = h("p", { class: "hint" });
  const formCard = h("section", { class: "card" }, h("h2", {}, t("pair.createHeading")), blocked, create);
  const el = h("div", { class: "screen pairing" }, h("h1", {}, t("pair.heading")), formCard, result, decideError, pending);

  function update(ctx) {
    const relayOff = ctx.state && ctx.state.features && ctx.state.features.pairings === false;
    const noRole = !ctx.auth.permissions.pairAgents;
    blocked.textContent = relayOff ? t("pair.disabledRelay") : noRole ? t("reason.role") : "";
    blocked.hidden = !relayOff && !noRole;
    create.hidden = relayOff || noRole;
    fill(pending, pendingRequests(ctx, decideError));
  }
  update(ctx);
  return { el, update };
}

/** A path as one POSIX shell word: plain when it is safe to paste as is (`~` kept unquoted so the
 * shell still expands it), else in single quotes with any quote inside closed, escaped, reopened. */
export function shellWord(text) {
  if (/^[A-Za-z0-9_@%+=:,./~-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}
