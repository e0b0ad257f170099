// Home's suggestion to add a passkey, for someone signed in without one: one short line and two
// buttons, "Add a passkey" and "Not now". "Not now" hides it on this device for a week (per person,
// in localStorage); Manage → My passkeys still offers the same thing whenever they want it.
import { h, link } from "../dom.js";
import { t } from "../i18n.js";

const KEY = "mc.passkeyNudgeHiddenUntil"; // {userId: ms since epoch}
const QUIET_MS = 7 * 24 * 60 * 60 * 1000;

function hiddenUntil() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || "{}");
    return saved && typeof saved === "object" ? saved : {};
  } catch {
    return {};
  }
}

/** Whether the person chose "Not now" on this device less than a week ago. */
export function nudgeSnoozed(userId) {
  const until = Number(hiddenUntil()[userId]);
  return Number.isFinite(until) && until > Date.now();
}

function snooze(userId) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...hiddenUntil(), [userId]: Date.now() + QUIET_MS }));
  } catch { /* storage blocked: hidden until the app is opened again */ }
}

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
