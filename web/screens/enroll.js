// "Register your passkey": where enrollment-locked users land (invite or recovery code), and where
// the agents screen sends anyone without a passkey (My passkeys lists them and adds more).
import { api } from "../api.js";
import { errorBox, field, form, h, actionButton } from "../dom.js";
import { t } from "../i18n.js";
import { passkeysSupported, registerPasskey } from "../passkeys.js";

export const title = "enroll.title";

export function mount(ctx) {
  const locked = !!(ctx.auth && ctx.auth.needsPasskeyEnrollment);
  const label = h("input", { type: "text", name: "label", maxlength: "120", value: t("enroll.defaultLabel") });
  const error = errorBox();
  const enrolled = h("p", { class: "success", role: "status" });
  const registerForm = form("stack", [
    field(t("enroll.labelLabel"), label, t("enroll.labelHint")),
    h("button", { type: "submit", class: "button primary wide", disabled: !passkeysSupported() }, t("enroll.submit")),
    error,
    enrolled,
  ], async () => {
    const { auth } = await registerPasskey(label.value.trim() || t("enroll.defaultLabel"));
    enrolled.textContent = t("enroll.done");
    ctx.setAuth(auth, "#/home");
  }, error);

  const signOutError = errorBox();
  const el = h("div", { class: "screen enroll" },
    h("h1", {}, t(locked ? "enroll.headingLocked" : "enroll.heading")),
    h("section", { class: "card" },
      h("p", {}, t(locked ? "enroll.introLocked" : "enroll.intro")),
      passkeysSupported() ? null : h("p", { class: "error" }, t("error.passkeys-unsupported")),
      registerForm),
    locked
      ? h("section", { class: "card" }, actionButton(t("more.signOut"), () => ctx.signOut(), { errorEl: signOutError }), signOutError)
      : null,
    ctx.auth && ctx.auth.passkeyCount
      ? h("p", { class: "hint" }, t("enroll.count", { count: ctx.auth.passkeyCount }))
      : null);
  return { el };
}
