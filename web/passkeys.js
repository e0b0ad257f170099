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

/** Register a passkey for the signed-in user; resolves to the new `auth`. */
export async function registerPasskey(label) {
  if (!passkeysSupported()) throw new ApiError("passkeys-unsupported", 0);
  const options = await api.passkeyRegisterOptions(label);
  let cred;
  try {
    cred = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
  } catch (err) {
    throw ceremonyFailed(err);
  }
  return (await api.passkeyRegisterVerify(options.registrationId, registrationJSON(cred))).auth;
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
