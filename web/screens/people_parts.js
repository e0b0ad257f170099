// Pieces the people, users and passkeys screens share: a code shown once (invites, recovery codes),
// the choices of how long a code stays valid, and a guard explained next to the control it blocks.
import { clockTime, copyButton, h } from "../dom.js";
import { t } from "../i18n.js";

/** A one-time code: the relay keeps only its hash, so this is the only time anyone sees it. */
export function shownOnce(heading, code, expiresAt, howTo, dataName) {
  return h("section", { class: "card callout shown-once", "aria-live": "polite" },
    h("h2", {}, heading),
    h("p", { class: "pair-code mono", [`data-${dataName}`]: code }, code),
    h("p", { class: "notice" }, t("people.shownOnce")),
    h("p", { class: "meta" }, t("pair.expires", { when: clockTime(expiresAt) })),
    h("p", { class: "hint" }, howTo),
    copyButton(t("people.copyCode"), code));
}

export const TTL_CHOICES = [3600, 86400, 604800]; // API.md clamps invitations and recovery codes to 300..604800

export function ttlOption(sec) {
  return sec % 86400 === 0
    ? h("option", { value: String(sec) }, t("people.days", { count: sec / 86400 }))
    : h("option", { value: String(sec) }, t("people.hours", { count: sec / 3600 }));
}

/** Why a control is not offered: shown where the control would be. */
export function guard(text) {
  return h("p", { class: "hint guard" }, text);
}
