// My passkeys: each with its label, when it was added and last used, and — for those made on this
// device — its fingerprint (issue 20: the operator compares it with `mobile-codex agent trust` before
// the agent trusts the passkey's signatures); revoke (the relay keeps your last one unless you signed
// in with the bootstrap token or a login link); add one with a label. Passkeys made elsewhere or before
// fingerprints existed show none, so the screen offers a new passkey for signing.
import { api } from "../api.js";
import { ago, clockTime, confirmButton, errorBox, field, fill, h, section, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { freshPasskey, knownFingerprints, passkeysSupported, registerPasskey } from "../passkeys.js";
import { fingerprintCard } from "./fingerprint_card.js";
import { guard } from "./people_parts.js";

export const title = "passkeys.title";

export function mount(ctx) {
  // The live state may bring the new passkey list, and remount this screen, before the registration
  // has stored the new passkey's fingerprint here: rebuild once the fingerprints it was built with
  // changed, so the list and the add section ("for signing" or not) say what this device knows.
  let inner = build(ctx);
  const el = h("div", {}, inner.el);
  const update = (next) => {
    if (inner.stale()) {
      inner = build(next);
      fill(el, inner.el);
    } else inner.update(next);
  };
  return { el, update };
}

function build(ctx) {
  const auth = ctx.auth;
  const passkeys = auth.passkeys || [];
  const fingerprints = knownFingerprints();
  // Only passkeys this device cannot vouch for (made elsewhere, or before fingerprints): offer one for signing.
  const signing = !passkeys.length || passkeys.some((p) => fingerprints[p.passkeyId]);
  const error = errorBox();
  const label = h("input", { type: "text", name: "label", maxlength: "120", value: t("passkeys.defaultLabel", { count: passkeys.length + 1 }) });
  const add = submitForm([field(t("enroll.labelLabel"), label, t("enroll.labelHint"))], t(signing ? "passkeys.add" : "passkeys.addForSigning"), async () => {
    ctx.setAuth((await registerPasskey(label.value.trim() || t("enroll.defaultLabel"))).auth); // redraws, or updates (below)
  }, "primary");
  // The fingerprint of what this screen just made: filled on every render (`update`), since the live
  // state may bring the new passkey list, and redraw this screen, before the registration returns here.
  const freshSlot = h("div");
  let freshShown = null;
  const showFresh = () => {
    if (freshShown === freshPasskey()) return;
    freshShown = freshPasskey();
    fill(freshSlot, fingerprintCard(showFresh));
  };
  showFresh();
  const now = ctx.state ? Date.parse(ctx.state.now) : Date.now();
  const el = h("div", { class: "screen passkeys" },
    h("h1", {}, t("passkeys.heading")),
    auth.passkeysEnabled ? null : guard(t("error.passkeys-disabled")),
    freshSlot,
    section(null,
      passkeys.length
        ? h("ul", { class: "list" }, passkeys.map((p) => h("li", {}, h("article", { class: "person", "data-passkey-id": p.passkeyId },
            h("h3", {}, p.label || p.displayId),
            h("p", { class: "meta" }, t("passkeys.added", { when: clockTime(p.createdAt) }), " · ",
              p.lastUsedAt ? t("passkeys.lastUsed", { when: ago(p.lastUsedAt, now) }) : t("passkeys.neverUsed")),
            h("p", { class: "meta mono small" }, p.displayId),
            fingerprints[p.passkeyId]
              ? h("p", { class: "meta fingerprint-line" }, t("passkeys.fingerprint"), " ",
                  h("span", { class: "mono", "data-fingerprint": fingerprints[p.passkeyId] }, fingerprints[p.passkeyId]))
              : h("p", { class: "hint", "data-no-fingerprint": "true" }, t("passkeys.noFingerprint")),
            passkeys.length === 1 ? guard(t("passkeys.lastGuard")) : null,
            confirmButton(t("passkeys.revoke"), t("passkeys.revokeConfirm"), async () => {
              ctx.setAuth((await api.revokePasskey(p.passkeyId)).auth);
            }, { errorEl: error })))))
        : h("p", {}, t("passkeys.none")),
      error),
    auth.passkeysEnabled
      ? section(t(signing ? "passkeys.addHeading" : "passkeys.addForSigningHeading"),
          passkeysSupported() ? h("p", {}, t(signing ? "enroll.intro" : "passkeys.forSigningIntro")) : guard(t("error.passkeys-unsupported")),
          add)
      : null);
  const seen = JSON.stringify(passkeys.map((p) => fingerprints[p.passkeyId] || ""));
  const stale = () => JSON.stringify(passkeys.map((p) => knownFingerprints()[p.passkeyId] || "")) !== seen;
  return { el, update: showFresh, stale };
}
