// The tab bar's icons: small line drawings built as SVG elements (no markup strings, no style
// attribute: the CSP allows neither inline script nor inline style). Colour comes from CSS
// (`stroke: currentColor`), so they follow the tab's state and dark mode.
const SVG = "http://www.w3.org/2000/svg";

const PATHS = {
  // a speech bubble: conversations
  home: ["M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H10l-5 4v-4H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z"],
  // a checklist: every task (actions, logs, runs)
  tasks: ["M9 6h11", "M9 12h11", "M9 18h11", "M4 5.5l1.2 1.2L7 5", "M4 11.5l1.2 1.2L7 11", "M4 17.5l1.2 1.2L7 17"],
  // sliders: agents, people, settings
  more: ["M4 7h10", "M18 7h2", "M16 5v4", "M4 17h4", "M12 17h8", "M10 15v4", "M4 12h14", "M20 12h0"],
  // a key: this button asks for your passkey (a signed intent, web/signing.js)
  key: ["M7.5 10.5a4 4 0 1 1 4 4 4 4 0 0 1-4-4z", "M14.3 13.3L21 20", "M18 17l2-2", "M16 15l1.5-1.5"],
  // an arrow to the left: back
  back: ["M15 5l-7 7 7 7"],
};

/** An icon for `name`, hidden from screen readers (the link or button beside it carries the words). */
export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  for (const [key, value] of Object.entries({ viewBox: "0 0 24 24", width: "24", height: "24", "aria-hidden": "true", focusable: "false", class: "icon" })) {
    svg.setAttribute(key, value);
  }
  for (const d of PATHS[name] || []) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}
