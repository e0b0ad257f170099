// Settings of this device, shown on the More screen: the language (remembered in this browser),
// this device's cached task details (clearable), sign out.
import { actionButton, field, h, section } from "../dom.js";
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
    section(t("settings.heading"), field(t("settings.language"), language, t("settings.languageHint"))),
    section(t("more.cacheHeading"),
      h("p", {}, t("more.cacheIntro")), cacheCount,
      actionButton(t("more.clearCache"), async () => { clearCache(ctx.userId); showCount(); }, { errorEl })),
    section(null, actionButton(t("more.signOut"), () => ctx.signOut(), { errorEl, kind: "danger wide" })),
  ];
}
