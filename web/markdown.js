// Codex's answers as formatted text: markdown-it (vendored, web/vendor/README.md) with raw HTML off,
// no images (the CSP allows none from elsewhere, and a picture in an answer is a tracking pixel),
// links only to http(s) and mailto, opening in a new tab without the opener or a referrer. Its HTML
// is parsed in an inert document (scripts and handlers never run there) and copied over element by
// element from an allow list, so even a renderer bug cannot add a script, a handler or a style.
// Without the vendored script (an old cached shell) the answer is shown as plain text.
import { h } from "./dom.js";

const SAFE_LINK = /^(https?:|mailto:)/i;
const ELEMENTS = new Set([
  "p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "s", "code", "pre", "blockquote", "ul", "ol", "li",
  "a", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
]);
const ATTRIBUTES = { a: ["href"], ol: ["start"], code: ["class"] };

let renderer = null;

function markdownIt() {
  if (renderer || typeof globalThis.markdownit !== "function") return renderer;
  renderer = globalThis.markdownit({ html: false, linkify: true, typographer: false });
  renderer.disable("image");
  renderer.validateLink = (url) => SAFE_LINK.test(url.trim());
  return renderer;
}

/** A DOM fragment for `text` (markdown); never HTML from the text itself. */
export function renderMarkdown(text) {
  const md = markdownIt();
  const out = document.createDocumentFragment();
  if (!md) {
    out.append(h("p", { class: "md-plain" }, text || ""));
    return out;
  }
  const inert = new DOMParser().parseFromString(`<body>${md.render(text || "")}</body>`, "text/html");
  for (const node of inert.body.childNodes) copyNode(node, out);
  return out;
}

function copyNode(node, parent) {
  if (node.nodeType === Node.TEXT_NODE) {
    parent.append(document.createTextNode(node.data));
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  const name = node.localName;
  if (!ELEMENTS.has(name)) {
    parent.append(document.createTextNode(node.textContent)); // what the renderer should never make: its text only
    return;
  }
  const el = document.createElement(name);
  for (const attribute of ATTRIBUTES[name] || []) {
    const value = node.getAttribute(attribute);
    if (value === null) continue;
    if (attribute === "href" && !SAFE_LINK.test(value.trim())) continue;
    if (attribute === "class" && !/^language-[\w+-]+$/.test(value)) continue;
    el.setAttribute(attribute, value);
  }
  if (name === "a") {
    el.setAttribute("target", "_blank");
    el.setAttribute("rel", "noopener noreferrer");
  }
  if (name === "pre") el.setAttribute("tabindex", "0"); // a wide code block scrolls by keyboard too
  for (const child of node.childNodes) copyNode(child, el);
  parent.append(el);
}
