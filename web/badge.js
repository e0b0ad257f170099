// The app badge (Badging API, where the platform has it): how many Codex requests wait for this
// person. The service worker sets it from a push; the app keeps it true from the live state view,
// so answering a request here or on another device clears it without waiting for a push.
let shown = -1;

export function showWaiting(count) {
  if (count === shown || !("setAppBadge" in navigator)) return;
  shown = count;
  const done = count > 0 ? navigator.setAppBadge(count) : navigator.clearAppBadge();
  done.catch(() => { /* not installed, or the platform refuses: the tab badge still shows it */ });
}
