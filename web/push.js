// Web Push on this device: whether it can work here, and subscribing after the person asked (the
// permission prompt shows only then, never on page load). Subscribing talks to the browser's push
// service (Google's, Mozilla's, Apple's ...): when that cannot be reached the browser may wait for a
// long time, so a timeout turns that into a clear message instead of a button that never answers.
const SUBSCRIBE_TIMEOUT_MS = 20000;

export class PushError extends Error {
  constructor(code) {
    super(code);
    this.code = code; // an app error code: its message is "error.<code>" in the string tables
  }
}

export const pushSupported = () =>
  "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

/** iPhone and iPad: Web Push works only for the app added to the Home Screen (iOS 16.4+). */
export function isIos() {
  const ua = navigator.userAgent;
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

export const isStandalone = () =>
  navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;

export const permission = () => ("Notification" in window ? Notification.permission : "unsupported");

/** The base64url VAPID key the relay gives, as the bytes PushManager.subscribe wants. */
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function withTimeout(promise, ms, code) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new PushError(code)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Ask for permission, then subscribe with the relay's VAPID key: {endpoint, keys:{p256dh, auth}}. */
export async function subscribe(publicKey) {
  if (!pushSupported()) throw new PushError("push-unsupported");
  if (!publicKey) throw new PushError("push-no-key");
  const asked = await Notification.requestPermission();
  if (asked !== "granted") throw new PushError(asked === "denied" ? "push-denied" : "push-dismissed");
  const registration = await withTimeout(navigator.serviceWorker.ready, SUBSCRIBE_TIMEOUT_MS, "push-no-worker");
  let subscription;
  try {
    subscription = await withTimeout(
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }),
      SUBSCRIBE_TIMEOUT_MS, "push-service-unreachable");
  } catch (err) {
    if (err instanceof PushError) throw err;
    // AbortError / NotAllowedError / InvalidStateError: the browser could not reach its push service
    // (no network to it, a browser without one, such as headless Chromium) or refused the key.
    throw new PushError(err && err.name === "NotAllowedError" ? "push-denied" : "push-service-unreachable");
  }
  const json = subscription.toJSON();
  return { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
}
