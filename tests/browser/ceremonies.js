// The passkey ceremonies as the web app will run them, defined as `window.mc` in the page:
// fetch options from the relay -> navigator.credentials.create/get -> POST the result to verify.
// WebAuthn JSON form on the wire: binary fields are base64url strings.
window.mc = (() => {
  const enc = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const dec = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)), (c) =>
      c.charCodeAt(0),
    ).buffer;

  async function answer(response) {
    return { status: response.status, body: await response.json() };
  }
  const get = async (path) => answer(await fetch(path));
  const post = async (path, body) =>
    answer(
      await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) }),
    );

  const descriptors = (list) => (list || []).map((c) => ({ ...c, id: dec(c.id) }));

  async function register(label) {
    const options = await post("/api/auth/passkeys/register/options", { label });
    if (options.status !== 200) return options;
    const pk = options.body.publicKey;
    const cred = await navigator.credentials.create({
      publicKey: { ...pk, challenge: dec(pk.challenge), user: { ...pk.user, id: dec(pk.user.id) }, excludeCredentials: descriptors(pk.excludeCredentials) },
    });
    const credential = {
      id: cred.id, rawId: enc(cred.rawId), type: cred.type,
      response: {
        clientDataJSON: enc(cred.response.clientDataJSON),
        attestationObject: enc(cred.response.attestationObject),
        transports: cred.response.getTransports(),
      },
      clientExtensionResults: cred.getClientExtensionResults(), authenticatorAttachment: cred.authenticatorAttachment,
    };
    return post("/api/auth/passkeys/register/verify", { registrationId: options.body.registrationId, credential });
  }

  async function assert(pk) {
    const cred = await navigator.credentials.get({
      publicKey: { ...pk, challenge: dec(pk.challenge), allowCredentials: descriptors(pk.allowCredentials) },
    });
    return {
      id: cred.id, rawId: enc(cred.rawId), type: cred.type,
      response: {
        clientDataJSON: enc(cred.response.clientDataJSON),
        authenticatorData: enc(cred.response.authenticatorData),
        signature: enc(cred.response.signature),
        userHandle: cred.response.userHandle ? enc(cred.response.userHandle) : null,
      },
      clientExtensionResults: cred.getClientExtensionResults(), authenticatorAttachment: cred.authenticatorAttachment,
    };
  }

  async function login() {
    const options = await post("/api/auth/passkeys/login/options");
    if (options.status !== 200) return options;
    const credential = await assert(options.body.publicKey);
    return post("/api/auth/passkeys/login/verify", { loginId: options.body.loginId, credential });
  }

  return { get, post, register, assert, login };
})();
