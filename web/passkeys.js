// WebAuthn ceremonies: the relay speaks the JSON form (binary fields as base64url strings),
// navigator.credentials speaks ArrayBuffers. These helpers convert both ways.
import { api, ApiError } from "./api.js";

export function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
}

const descriptors = (list) => (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }));

export function creationOptions(json) {
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

export function requestOptions(json) {
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

/** The PublicKeyCredential JSON the relay verifies, with `response` holding the ceremony's fields. */
function credentialJSON(cred, response) {
  return {
    id: cred.id, rawId: toBase64url(cred.rawId), type: cred.type, response,
    clientExtensionResults: cred.getClientExtensionResults(), authenticatorAttachment: cred.authenticatorAttachment || null,
  };
}

export function registrationJSON(cred) {
  const r = cred.response;
  return credentialJSON(cred, {
    clientDataJSON: toBase64url(r.clientDataJSON),
    attestationObject: toBase64url(r.attestationObject),
    transports: typeof r.getTransports === "function" ? r.getTransports() : [],
  });
}

export function assertionJSON(cred) {
  const r = cred.response;
  return credentialJSON(cred, {
    clientDataJSON: toBase64url(r.clientDataJSON),
    authenticatorData: toBase64url(r.authenticatorData),
    signature: toBase64url(r.signature),
    userHandle: r.userHandle ? toBase64url(r.userHandle) : null,
  });
}

export const passkeysSupported = () => typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

/** The browser refused or the person dismissed the prompt: a client-side code with its own message. */
function ceremonyFailed(err) {
  const code = err && err.name === "NotAllowedError" ? "passkey-canceled" : "passkey-browser-error";
  return new ApiError(code, 0, err && err.message);
}

// --- fingerprints (issue 20) --------------------------------------------------------------------
// An agent trusts a passkey for signed intents once its operator compared fingerprints: the one
// `mobile-codex agent trust` prints from the public key the relay lists, and the one this phone
// computed from the credential it just made (never from anything the relay says). Same formula on
// both sides: the first 16 hex digits of SHA-256 of the public key's SPKI DER, in blocks of 4.
const FINGERPRINTS_KEY = "mc.fingerprints";
const hexOf = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** "abcd ef01 2345 6789" for an SPKI DER public key. */
export async function fingerprintOf(spki) {
  const digest = hexOf(await crypto.subtle.digest("SHA-256", spki)).slice(0, 16);
  return digest.match(/.{4}/g).join(" ");
}

/** The object this device keeps under `key` in localStorage ({} when none, unreadable or blocked). */
export function savedMap(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key) || "{}");
    return saved && typeof saved === "object" ? saved : {};
  } catch {
    return {};
  }
}

/** Set `name` to `value` in that object; with storage blocked, nothing is kept. */
export function saveInMap(key, name, value) {
  try {
    localStorage.setItem(key, JSON.stringify({ ...savedMap(key), [name]: value }));
  } catch { /* storage blocked */ }
}

/** {passkeyId: fingerprint} of the passkeys registered on this device (the only ones it can vouch for). */
export const knownFingerprints = () => savedMap(FINGERPRINTS_KEY);

/** Remember the fingerprint of a credential just made; its passkeyId is SHA-256 hex of its id (API.md). */
async function rememberFingerprint(cred) {
  const spki = typeof cred.response.getPublicKey === "function" ? cred.response.getPublicKey() : null;
  if (!spki) return null; // an algorithm the browser cannot export: no fingerprint to show
  const fingerprint = await fingerprintOf(spki);
  const passkeyId = hexOf(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(cred.id)));
  saveInMap(FINGERPRINTS_KEY, passkeyId, fingerprint); // storage blocked: shown once, not remembered
  return { passkeyId, fingerprint };
}

let fresh = null; // {passkeyId, fingerprint, label} of the passkey just made here, until the person dismisses it

/** The passkey this app just registered, whose fingerprint the screens show once (null: none). */
export const freshPasskey = () => fresh;
export function dismissFreshPasskey() {
  fresh = null;
}

/** Register a passkey for the signed-in user; resolves to the new `auth` and, when the browser can
 * export the public key, `made` = {passkeyId, fingerprint} of the new passkey (also `freshPasskey()`). */
export async function registerPasskey(label) {
  if (!passkeysSupported()) throw new ApiError("passkeys-unsupported", 0);
  const options = await api.passkeyRegisterOptions(label);
  let cred;
  try {
    cred = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
  } catch (err) {
    throw ceremonyFailed(err);
  }
  const { auth } = await api.passkeyRegisterVerify(options.registrationId, registrationJSON(cred));
  const made = await rememberFingerprint(cred);
  fresh = made && { ...made, label };
  return { auth, made };
}

/** Have a passkey sign `challenge` (an intent's hash) with user verification: one system prompt.
 * Resolves to the `intentAssertion` the agent verifies (base64url parts). */
export async function signChallenge(challenge) {
  if (!passkeysSupported()) throw new ApiError("passkeys-unsupported", 0);
  let cred;
  try {
    cred = await navigator.credentials.get({ publicKey: { challenge, allowCredentials: [], userVerification: "required" } });
  } catch (err) {
    throw ceremonyFailed(err);
  }
  const r = cred.response;
  return {
    credentialId: toBase64url(cred.rawId), clientDataJSON: toBase64url(r.clientDataJSON),
    authenticatorData: toBase64url(r.authenticatorData), signature: toBase64url(r.signature),
    userHandle: r.userHandle ? toBase64url(r.userHandle) : null,
  };
}

/** Sign in with a discoverable passkey; resolves to the new `auth`. */
export async function signInWithPasskey() {
  if (!passkeysSupported()) throw new ApiError("passkeys-unsupported", 0);
  const options = await api.passkeyLoginOptions();
  let cred;
  try {
    cred = await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
  } catch (err) {
    throw ceremonyFailed(err);
  }
  return (await api.passkeyLoginVerify(options.loginId, assertionJSON(cred))).auth;
}
