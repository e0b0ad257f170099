// Home's suggestion to add a passkey, for someone signed in without one: one short line and two
// buttons, "Add a passkey" and "Not now". "Not now" hides it on this device for a week (per person,
// in localStorage); Manage → My passkeys still offers the same thing whenever they want it.
import { h, link } from "../dom.js";
import { t } from "../i18n.js";
import { saveInMap, savedMap } from "../passkeys.js";

const KEY = "mc.passkeyNudgeHiddenUntil"; // {userId: ms since epoch}
const QUIET_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether the person chose "Not now" on this device less than a week ago. */
export function nudgeSnoozed(userId) {
  const until = Number(savedMap(KEY)[userId]);
  return Number.isFinite(until) && until > Date.now();
}

// storage blocked: hidden until the app is opened again
const snooze = (userId) => saveInMap(KEY, userId, Date.now() + QUIET_MS);

/** The callout, or null when there is nothing to suggest; `onHide` redraws Home without it. */
export function passkeyNudge(auth, onHide) {
  const userId = (auth.currentUser && auth.currentUser.userId) || "";
  if (!auth.passkeysEnabled || auth.passkeyCount || nudgeSnoozed(userId)) return null;
  const later = h("button", { type: "button", class: "button quiet", "data-not-now": "" }, t("home.notNow"));
  later.addEventListener("click", () => { snooze(userId); onHide(); });
  return h("div", { class: "card callout passkey-nudge", "data-passkey-nudge": "" },
    h("p", {}, t("home.addPasskeyHint")),
    h("div", { class: "nudge-actions" }, link(t("agents.addPasskey"), "#/enroll"), later));
}
