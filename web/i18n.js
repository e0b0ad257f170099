// Every string the app shows, in one table per language (web/strings/<BCP 47 tag>.js). A language
// is a data change: add a table with the same keys (a test checks every key, placeholder and API
// error code in every table). Values may hold {name} placeholders; a value may be {one, other}
// (the plural forms of Intl.PluralRules) for counts.
import en from "./strings/en.js";
import zhCN from "./strings/zh-CN.js";

export const TABLE = { en, "zh-CN": zhCN };
/** Each language by its own name (for the language switch; not translated on purpose). */
export const LANGUAGES = { en: "English", "zh-CN": "简体中文" };
export const DEFAULT_LANGUAGE = "en";
const STORAGE_KEY = "mc.lang";

let language = pickLanguage();

function pickLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch { /* storage blocked */ }
  if (saved && TABLE[saved]) return saved;
  for (const wanted of navigator.languages || [navigator.language || ""]) {
    const exact = Object.keys(TABLE).find((tag) => tag.toLowerCase() === String(wanted).toLowerCase());
    const base = Object.keys(TABLE).find((tag) => tag.split("-")[0] === String(wanted).split("-")[0].toLowerCase());
    if (exact || base) return exact || base;
  }
  return DEFAULT_LANGUAGE;
}

export const currentLanguage = () => language;

/** Remember a language for this device (the settings on the More screen call this, then redraw). */
export function setLanguage(tag) {
  if (!TABLE[tag]) return;
  language = tag;
  try {
    localStorage.setItem(STORAGE_KEY, tag);
  } catch { /* not remembered */ }
  document.documentElement.lang = tag;
}

/** The text for `key` in the current language (English when missing), with {placeholders} filled. */
export function t(key, params = {}, fallback = undefined) {
  let value = key in TABLE[language] ? TABLE[language][key] : TABLE[DEFAULT_LANGUAGE][key];
  if (value === undefined) return fallback !== undefined ? fallback : key;
  if (typeof value === "object") {
    const form = new Intl.PluralRules(language).select(Number(params.count));
    value = value[form] !== undefined ? value[form] : value.other;
  }
  return value.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
