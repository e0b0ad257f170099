// Sign in: passkey first, then a one-time sign-in code typed in (what `mobile-codex up` and
// `login-code` print); the bootstrap token (recovery), an invite or a recovery code below. While the
// relay says no passkey is registered yet, the code comes first and the passkey button is a plain
// (secondary) one: the first thing offered is one that can work.
// A sign-in link (`#code=...`) is redeemed by the app shell through `signInWithLink`, at first
// load and when opened in an app that is already open.
import { api } from "../api.js";
import { actionButton, errorBox, errorMessage, field, fill, form, h, submitForm, withCode } from "../dom.js";
import { t } from "../i18n.js";
import { passkeysSupported, signInWithPasskey } from "../passkeys.js";

export const title = "signin.title";

const LINK = /^#code=([A-Za-z0-9-]+)/;

/** Whether `hash` is a sign-in link's fragment. */
export const isSignInLink = (hash) => LINK.test(hash);

/** Redeem the sign-in link in `hash`; the address bar loses the code at once either way.
 * Returns {auth} or {error: a human message saying whether the code was spent or expired}. */
export async function signInWithLink(hash) {
  const match = LINK.exec(hash);
  history.replaceState(null, "", location.pathname + location.search);
  try {
    return { auth: (await api.loginCode(match[1])).auth };
  } catch (err) {
    return { error: loginCodeMessage(err) };
  }
}

const WHY_REFUSED = { spent: "signin.code.spent", expired: "signin.code.expired" }; // the relay's `detail`

/** The relay says why a known code failed (`detail` spent or expired); anything else as usual. */
export function loginCodeMessage(err) {
  const why = err && err.code === "invalid-login-code" && Object.hasOwn(WHY_REFUSED, err.detail) ? WHY_REFUSED[err.detail] : null;
  return why ? t(why) : errorMessage(err);
}

export function mount(ctx) {
  const auth = ctx.auth || {};
  const usePasskeys = auth.passkeysEnabled !== false;
  const noPasskeyYet = auth.hasPasskeys === false;

  const passkeyError = errorBox();
  const passkeyPart = usePasskeys
    ? h("section", { class: "card" },
        h("h2", {}, t("signin.passkeyHeading")),
        h("p", {}, t(passkeysSupported() ? "signin.passkeyIntro" : "signin.passkeyUnsupported")),
        noPasskeyYet ? h("p", { class: "hint" }, t("signin.noPasskeysYet")) : null,
        actionButton(t("signin.passkey"), async () => ctx.setAuth(await signInWithPasskey()), {
          errorEl: passkeyError, kind: noPasskeyYet ? "wide" : "primary wide", disabled: !passkeysSupported(),
        }),
        passkeyError)
    : null;

  const token = h("input", { type: "password", name: "bootstrapToken", autocomplete: "off", spellcheck: "false" });
  const bootstrap = submitForm([field(t("signin.tokenLabel"), token, t("signin.tokenHint"))], t("signin.tokenSubmit"), async () => {
    const reply = await api.bootstrapLogin(token.value.trim());
    token.value = "";
    ctx.setAuth(reply.auth);
  });

  const inviteCode = codeInput("inviteCode");
  const displayName = h("input", { type: "text", name: "displayName", autocomplete: "name", maxlength: "80" });
  const invite = submitForm([
    field(t("signin.inviteLabel"), inviteCode),
    field(t("signin.displayNameLabel"), displayName, t("signin.displayNameHint")),
  ], t("signin.inviteSubmit"), async () => {
    ctx.setAuth((await api.redeemInvite(inviteCode.value, displayName.value.trim())).auth);
  });

  const loginCode = codeInput("loginCode");
  const codeError = errorBox();
  const codeForm = form("stack", [
    field(t("signin.code.label"), loginCode, withCode(t("signin.code.hint"))),
    h("button", { type: "submit", class: "button primary" }, t("signin.code.submit")),
    codeError,
  ], async () => {
    try {
      const reply = await api.loginCode(loginCode.value.trim());
      loginCode.value = "";
      ctx.setAuth(reply.auth);
    } catch (err) {
      fill(codeError, withCode(loginCodeMessage(err)));
    }
  }, codeError);

  const recoveryCode = codeInput("recoveryCode");
  const recovery = submitForm([field(t("signin.recoveryLabel"), recoveryCode, t("signin.recoveryHint"))], t("signin.recoverySubmit"), async () => {
    ctx.setAuth((await api.redeemRecovery(recoveryCode.value)).auth);
  });

  const codePart = h("section", { class: "card", "data-login-code": "" }, h("h2", {}, t("signin.code.heading")), codeForm);
  const el = h("div", { class: "screen signin" },
    h("h1", {}, t("signin.heading")),
    noPasskeyYet ? [codePart, passkeyPart] : [passkeyPart, codePart],
    h("section", { class: "card" },
      h("h2", {}, t("signin.otherWays")),
      disclosure("signin.invite", invite),
      disclosure("signin.recovery", recovery),
      disclosure("signin.bootstrap", bootstrap, !usePasskeys)));
  // A new attempt starts clean: the errors of earlier ones (here or the shell's notice) go.
  const clearOld = () => {
    for (const box of el.querySelectorAll(".error")) fill(box);
    if (ctx.clearNotice) ctx.clearNotice();
  };
  el.addEventListener("submit", clearOld, true);
  el.addEventListener("click", (event) => { if (event.target.closest("button")) clearOld(); }, true);
  return { el };
}

function codeInput(name) {
  return h("input", {
    type: "text", name, autocomplete: "one-time-code", autocapitalize: "characters", spellcheck: "false",
    inputmode: "text", placeholder: "XXXX-XXXX-XXXX",
  });
}

function disclosure(key, body, open = false) {
  return h("details", { class: "disclosure", open }, h("summary", {}, t(key)), body);
}
