// Settings, shown on the More screen: one's display name (on the relay), and of this device the
// language (remembered in this browser), the cached task details (clearable), sign out.
import { api } from "../api.js";
import { actionButton, field, h, section, submitForm } from "../dom.js";
import { currentLanguage, LANGUAGES, t } from "../i18n.js";
import { cachedTasks, clearCache } from "../taskcache.js";

export function settingsSections(ctx, errorEl) {
  const language = h("select", { name: "language", lang: "" },
    Object.entries(LANGUAGES).map(([tag, name]) => h("option", { value: tag, lang: tag }, name)));
  language.value = currentLanguage();
  language.addEventListener("change", () => ctx.setLanguage(language.value));

  const cacheCount = h("p", { class: "meta", role: "status" });
  const showCount = () => { cacheCount.textContent = t("more.cacheCount", { count: cachedTasks(ctx.userId).length }); };
  showCount();

  return [
    profileSection(ctx),
    section(t("settings.heading"), field(t("settings.language"), language, t("settings.languageHint"))),
    section(t("more.cacheHeading"),
      h("p", {}, t("more.cacheIntro")), cacheCount,
      actionButton(t("more.clearCache"), async () => { clearCache(ctx.userId); showCount(); }, { errorEl })),
    section(null, actionButton(t("more.signOut"), () => ctx.signOut(), { errorEl, kind: "danger wide" })),
  ];
}

/** One's display name (POST /api/auth/profile): the relay checks it (1..80 characters). */
function profileSection(ctx) {
  const name = h("input", {
    type: "text", name: "displayName", maxlength: "80", autocomplete: "nickname", required: true,
    value: ctx.auth.currentUser.displayName,
  });
  // The new auth redraws the More screen: its heading shows the new name.
  const form = submitForm([field(t("profile.displayName"), name, t("profile.displayNameHint"))], t("profile.save"), async () => {
    ctx.setAuth((await api.setProfile(name.value)).auth);
  });
  return section(t("profile.heading"), form);
}
