// Building the DOM without innerHTML: every text from the relay goes in as a text node (no XSS),
// and nothing here sets a style attribute (the CSP forbids inline styles).
import { t, currentLanguage } from "./i18n.js";

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A button that runs `action`, disabled while it runs; a failure is shown in `errorEl` (or thrown). */
export function actionButton(label, action, { errorEl, kind = "", disabled = false, type = "button", title } = {}) {
  const button = h("button", { type, class: `button ${kind}`.trim(), disabled, title }, label);
  button.addEventListener("click", (event) => {
    if (type === "submit") return; // the form's submit handler runs it
    event.preventDefault();
    guarded(button, action, errorEl);
  });
  return button;
}

/** Run `action` with `button` disabled; show a failure as a human message in `errorEl`. */
export async function guarded(button, action, errorEl) {
  if (button) button.disabled = true;
  if (errorEl) fill(errorEl);
  try {
    await action();
  } catch (err) {
    if (!errorEl) throw err;
    fill(errorEl, errorMessage(err));
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

/** A form whose submit runs `action` (with the submit button disabled meanwhile). */
export function form(className, children, action, errorEl) {
  const el = h("form", { class: className, novalidate: true }, children);
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(el.querySelector("button[type=submit]"), action, errorEl);
  });
  return el;
}

/** The usual form: fields, one submit button, the error line under it. */
export function submitForm(fields, submitLabel, action, kind = "") {
  const errorEl = errorBox();
  const submit = h("button", { type: "submit", class: `button ${kind}`.trim() }, submitLabel);
  return form("stack", [...fields, submit, errorEl], action, errorEl);
}

export function field(labelText, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, labelText), input, hint ? h("p", { class: "hint" }, hint) : null);
}

export function errorBox() {
  return h("p", { class: "error", role: "alert" });
}

/** A human message for a failure. `invalid-field` names the field the relay named in `detail`
 * ("Display name is not valid"); a field the app has no name for keeps the general message. */
export function errorMessage(err) {
  if (err && err.code === "invalid-field" && err.detail) {
    const name = t(`error.field.${err.detail}`, {}, null);
    if (name) return t("error.invalid-field.named", { field: name });
  }
  if (err && err.code) return t(`error.${err.code}`, {}, t("error.unknown", { code: err.code }));
  return t("error.unknown", { code: String((err && err.message) || err) });
}

/** A text whose `backticked` parts are commands: each becomes a <code> element (the strings
 * tables write a command between backticks; the person should never see the backticks). */
export function withCode(text) {
  return String(text).split("`").map((part, i) => (i % 2 ? h("code", {}, part) : part)).filter((part) => part !== "");
}

export function link(label, href, kind = "") {
  return h("a", { href, class: `button ${kind}`.trim() }, label);
}

// --- time --------------------------------------------------------------------------------

export function parseTime(iso) {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** "3 minutes ago", in the current language. `now` is the relay's clock when known. */
export function ago(iso, now = Date.now()) {
  const then = parseTime(iso);
  if (then === null) return t("time.never");
  const seconds = Math.round((then - now) / 1000);
  const format = new Intl.RelativeTimeFormat(currentLanguage(), { numeric: "auto" });
  const steps = [["second", 60], ["minute", 60], ["hour", 24], ["day", 30], ["month", 12], ["year", Infinity]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return Math.abs(seconds) < 10 ? t("time.justNow") : format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), "year");
}

export function clockTime(iso) {
  const ms = parseTime(iso);
  if (ms === null) return "";
  return new Intl.DateTimeFormat(currentLanguage(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

/** A destructive button that asks once more in place (no window.confirm: it blocks and can't be styled). */
export function confirmButton(label, confirmLabel, action, { errorEl, disabled = false } = {}) {
  const wrap = h("span", { class: "confirm" });
  const first = h("button", { type: "button", class: "button danger", disabled }, label);
  const yes = h("button", { type: "button", class: "button danger" }, confirmLabel);
  const no = h("button", { type: "button", class: "button" }, t("common.keep"));
  const ask = (asking) => fill(wrap, asking ? [yes, no] : [first]);
  first.addEventListener("click", () => ask(true));
  no.addEventListener("click", () => ask(false));
  yes.addEventListener("click", () => guarded(yes, async () => { await action(); ask(false); }, errorEl));
  ask(false);
  return wrap;
}

/** "Copy" for a code or a command, saying when it worked (the clipboard needs a secure context). */
export function copyButton(label, text) {
  const error = errorBox();
  const copied = h("span", { class: "hint", role: "status" });
  const button = actionButton(label, async () => {
    if (!navigator.clipboard) throw { code: "clipboard-unavailable" };
    await navigator.clipboard.writeText(text).catch(() => { throw { code: "clipboard-unavailable" }; });
    copied.textContent = t("common.copied");
  }, { errorEl: error });
  return [h("div", { class: "toolbar" }, button, copied), error];
}

/** A labelled section with a heading. */
export function section(title, ...children) {
  return h("section", { class: "card" }, title ? h("h2", {}, title) : null, children);
}

/**
 * Render a list into `container`, reusing the element of an item whose signature did not change
 * (so a live update does not close what the person opened or wipe what they typed); a re-rendered
 * item keeps its <details> open state.
 */
export function keyed(container, items, keyOf, signatureOf, render) {
  const previous = container._keyed || new Map();
  const next = new Map();
  const elements = items.map((item) => {
    const key = keyOf(item);
    const signature = signatureOf(item);
    const old = previous.get(key);
    let el = old && old.signature === signature ? old.el : render(item);
    if (old && old.el !== el) {
      const opened = [...old.el.querySelectorAll("details")].map((d) => d.open);
      el.querySelectorAll("details").forEach((d, i) => { if (opened[i] !== undefined) d.open = opened[i]; });
    }
    next.set(key, { signature, el });
    return el;
  });
  container._keyed = next;
  const current = [...container.children];
  if (current.length !== elements.length || current.some((el, i) => el !== elements[i])) container.replaceChildren(...elements);
}
