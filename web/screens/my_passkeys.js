// My passkeys: each with its label, when it was added and last used; revoke (the relay keeps your
// last one unless you signed in with the bootstrap token or a login link); add one with a label.
import { api } from "../api.js";
import { ago, clockTime, confirmButton, errorBox, field, h, section, submitForm } from "../dom.js";
import { t } from "../i18n.js";
import { passkeysSupported, registerPasskey } from "../passkeys.js";
import { guard } from "./people_parts.js";

export const title = "passkeys.title";

export function mount(ctx) {
  const auth = ctx.auth;
  const passkeys = auth.passkeys || [];
  const error = errorBox();
  const label = h("input", { type: "text", name: "label", maxlength: "120", value: t("passkeys.defaultLabel", { count: passkeys.length + 1 }) });
  const add = submitForm([field(t("enroll.labelLabel"), label, t("enroll.labelHint"))], t("passkeys.add"), async () => {
    ctx.setAuth(await registerPasskey(label.value.trim() || t("enroll.defaultLabel")));
  }, "primary");
  const now = ctx.state ? Date.parse(ctx.state.now) : Date.now();
  const el = h("div", { class: "screen passkeys" },
    h("h1", {}, t("passkeys.heading")),
    auth.passkeysEnabled ? null : guard(t("error.passkeys-disabled")),
    section(null,
      passkeys.length
        ? h("ul", { class: "list" }, passkeys.map((p) => h("li", {}, h("article", { class: "person", "data-passkey-id": p.passkeyId },
            h("h3", {}, p.label || p.displayId),
            h("p", { class: "meta" }, t("passkeys.added", { when: clockTime(p.createdAt) }), " · ",
              p.lastUsedAt ? t("passkeys.lastUsed", { when: ago(p.lastUsedAt, now) }) : t("passkeys.neverUsed")),
            h("p", { class: "meta mono small" }, p.displayId),
            passkeys.length === 1 ? guard(t("passkeys.lastGuard")) : null,
            confirmButton(t("passkeys.revoke"), t("passkeys.revokeConfirm"), async () => {
              ctx.setAuth((await api.revokePasskey(p.passkeyId)).auth);
            }, { errorEl: error })))))
        : h("p", {}, t("passkeys.none")),
      error),
    auth.passkeysEnabled
      ? section(t("passkeys.addHeading"),
          passkeysSupported() ? h("p", {}, t("enroll.intro")) : guard(t("error.passkeys-unsupported")),
          add)
      : null);
  return { el };
}
