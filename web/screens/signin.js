// Sign in: passkey first; the bootstrap token (recovery), an invite or a recovery code below.
import { api } from "../api.js";
import { actionButton, errorBox, field, h, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { passkeysSupported, signInWithPasskey } from "../passkeys.js";

export const title = "signin.title";

export function mount(ctx) {
  const auth = ctx.auth || {};
  const usePasskeys = auth.passkeysEnabled !== false;

  const passkeyError = errorBox();
  const passkeyPart = usePasskeys
    ? h("section", { class: "card" },
        h("h2", {}, t("signin.passkeyHeading")),
        h("p", {}, t(passkeysSupported() ? "signin.passkeyIntro" : "signin.passkeyUnsupported")),
        auth.hasPasskeys === false ? h("p", { class: "hint" }, t("signin.noPasskeysYet")) : null,
        actionButton(t("signin.passkey"), async () => ctx.setAuth(await signInWithPasskey()), {
          errorEl: passkeyError, kind: "primary wide", disabled: !passkeysSupported(),
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

  const recoveryCode = codeInput("recoveryCode");
  const recovery = submitForm([field(t("signin.recoveryLabel"), recoveryCode, t("signin.recoveryHint"))], t("signin.recoverySubmit"), async () => {
    ctx.setAuth((await api.redeemRecovery(recoveryCode.value)).auth);
  });

  const el = h("div", { class: "screen signin" },
    h("h1", {}, t("signin.heading")),
    passkeyPart,
    h("section", { class: "card" },
      h("h2", {}, t("signin.otherWays")),
      disclosure("signin.invite", invite),
      disclosure("signin.recovery", recovery),
      disclosure("signin.bootstrap", bootstrap, !usePasskeys)));
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
