// The fingerprint of the passkey this phone just made (issue 20), shown once after registering it —
// on My passkeys, or on Home after the "register your passkey" screen — so the person can compare it
// with what `mobile-codex agent trust` prints on the server before the agent trusts the passkey.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { dismissFreshPasskey, freshPasskey } from "../passkeys.js";

/** The card, or null when nothing was just made; `done()` runs after the person dismissed it. */
export function fingerprintCard(done) {
  const made = freshPasskey();
  if (!made) return null;
  const ok = h("button", { type: "button", class: "button" }, t("passkeys.fingerprintDone"));
  ok.addEventListener("click", () => {
    dismissFreshPasskey();
    done();
  });
  return h("section", { class: "card fingerprint-new", role: "status" },
    h("h2", {}, t("passkeys.madeHeading", { label: made.label })),
    h("p", {}, t("passkeys.fingerprintIntro")),
    h("p", { class: "fingerprint mono", "data-fingerprint": made.fingerprint }, made.fingerprint),
    h("p", { class: "hint" }, t("passkeys.fingerprintCheck")),
    ok);
}
