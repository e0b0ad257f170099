// The conversation of an interactive turn (API.md `items[]`), as it arrives: what the person wrote,
// what Codex answered (markdown, markdown.js), the commands it ran folded to one line each with their
// exit code (a tap shows folder and output), the files it changed with their line counts, steers,
// notices — and, in between, the requests a person already answered (who decided what). Every box
// wraps or scrolls inside itself, never the page.
import { clockTime, h, keyed } from "../dom.js";
import { t } from "../i18n.js";
import { counts } from "../diff.js";
import { renderMarkdown } from "../markdown.js";
import { answeredLine } from "./approval.js";

/** Render the turn into `list` (an <ol>), reusing the elements of entries that did not change. A
 * request still pending when the turn ended (its task was interrupted) is no longer a question. */
export function showItems(list, task, answerErrors, terminal) {
  keyed(list, entries(task, answerErrors, terminal), (entry) => entry.key, (entry) => entry.signature, (entry) => entry.render());
}

/** Items in their order, each answered request before the first item that came after it. */
function entries(task, answerErrors, terminal) {
  const answered = (task.requests || []).filter((r) => r.status !== "pending" || terminal)
    .sort((a, b) => String(a.requestedAt).localeCompare(String(b.requestedAt)));
  const out = [];
  const flushBefore = (at) => {
    while (answered.length && (!at || String(answered[0].requestedAt) < String(at))) {
      const request = answered.shift();
      const error = answerErrors.get(request.requestId) || "";
      out.push({ key: `r:${request.requestId}`, signature: JSON.stringify([request, error]), render: () => answeredLine(request, error) });
    }
  };
  for (const item of task.items || []) {
    if (item.at) flushBefore(item.at);
    out.push({ key: `i:${item.itemId}`, signature: JSON.stringify(item), render: () => itemEntry(item) });
  }
  flushBefore(null);
  for (const steer of unshownSteers(task)) {
    out.push({ key: `s:${steer.steerId}`, signature: JSON.stringify(steer), render: () => steerBubble(steer) });
  }
  return out;
}

/** Steers the agent has not (yet) reported as a conversation item: pending, rejected, or applied
 * without an item of their text. */
function unshownSteers(task) {
  const shown = new Set((task.items || []).filter((i) => i.type === "steer").map((i) => i.text));
  return (task.steers || []).filter((s) => s.status !== "applied" || !shown.has(s.text));
}

function itemEntry(item) {
  switch (item.type) {
    case "userMessage": return message("user", t("session.role.user"), item.text);
    case "agentMessage": return answer(item.text);
    case "steer": return message("user steer", t("turn.steer"), item.text);
    case "command": return commandEntry(item);
    case "fileChange": return fileChangeEntry(item);
    default: return h("li", { class: "turn-notice", "data-item-type": item.type }, item.text || "");
  }
}

export function message(who, role, text, ...extra) {
  return h("li", { class: `msg ${who.split(" ").map((w) => `msg-${w}`).join(" ")}`, "data-item-type": who.includes("steer") ? "steer" : who },
    h("span", { class: "msg-role" }, role), h("p", { class: "msg-text" }, text || ""), extra);
}

/** Codex's words, formatted. */
export function answer(text) {
  return h("li", { class: "msg msg-assistant", "data-item-type": "assistant" },
    h("span", { class: "msg-role" }, t("session.role.assistant")), h("div", { class: "msg-text md" }, renderMarkdown(text)));
}

const itemStatus = (status) =>
  status ? h("span", { class: `chip item-${status}`, "data-status": status }, t(`item.${status}`, {}, status)) : null;

/** A command the folded line may not show whole (it shows two lines at most). */
const long = (command) => !!command && (command.length > 60 || command.includes("\n"));

function commandEntry(item) {
  const done = item.exitCode !== null && item.exitCode !== undefined;
  const facts = [item.cwd ? t("task.cwd", { cwd: item.cwd }) : null, item.at ? clockTime(item.at) : null].filter(Boolean).join(" · ");
  return h("li", { class: "turn-item", "data-item-type": "command" },
    h("details", { class: "command-fold" },
      h("summary", { class: "command-line" },
        h("span", { class: "mono command-text" }, `$ ${item.command || ""}`),
        done ? h("span", { class: `chip exit ${item.exitCode === 0 ? "exit-ok" : "exit-bad"}`, "data-exit-code": String(item.exitCode) },
          t("turn.exitCode", { code: item.exitCode })) : itemStatus(item.status)),
      facts ? h("p", { class: "meta" }, facts) : null,
      long(item.command) ? h("pre", { class: "command mono" }, item.command) : null, // the line above may cut it
      item.output ? h("pre", { class: "output mono item-output", tabindex: "0" }, item.output)
        : h("p", { class: "hint" }, t("turn.noCommandOutput"))));
}

function fileChangeEntry(item) {
  return h("li", { class: "turn-item", "data-item-type": "fileChange" },
    h("div", { class: "card-head" }, h("span", { class: "turn-kind" }, t("turn.fileChange")), itemStatus(item.status)),
    h("ul", { class: "diff-files" }, (item.changes || []).map((change) =>
      h("li", {}, h("span", { class: "mono" }, change.movePath ? `${change.path} → ${change.movePath}` : change.path), " ",
        h("span", { class: "hint" }, t(`change.${change.kind}`, {}, change.kind || "")), " ",
        counts(change.added, change.removed)))));
}

function steerBubble(steer) {
  const note = steer.status === "rejected"
    ? h("p", { class: "msg-meta steer-rejected" }, t("turn.steerRejected"),
      steer.reason ? `: ${t(`steerReason.${steer.reason}`, {}, steer.reason)}` : "")
    : h("p", { class: "msg-meta" }, t(`steer.${steer.status}`, {}, steer.status));
  return h("li", { class: "msg msg-user msg-steer", "data-item-type": "steer", "data-steer-status": steer.status, "data-steer-id": steer.steerId },
    h("span", { class: "msg-role" }, t("turn.steer")), h("p", { class: "msg-text" }, steer.text || ""), note);
}
