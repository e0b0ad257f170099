// A request Codex waits on (API.md `requests[]`): the approval card shows exactly what will run
// (command, folder, reason) or change (each file's diff, wrapped inside its own box), and one large
// button per decision the agent offers; the answer carries the digest of what was shown, so the
// relay refuses it (409 request-changed) if the request changed meanwhile. An answered request
// becomes one line: what it was, what was decided and by whom.
import { clockTime, guarded, h } from "../dom.js";
import { t } from "../i18n.js";
import { renderDiff } from "../diff.js";
import { signMark } from "../signing.js";

const DECISION_KIND = { accept: "primary", decline: "", cancel: "danger" };

/** The card of a pending request. `answer(decision)` sends it; `error` is this device's last failure;
 * `signs`: the agent wants each answer signed by the passkey (the buttons say so). */
export function requestCard(request, { answer, allowed, error, signs = false }) {
  const errorEl = h("p", { class: "error", role: "alert" }, error || "");
  const buttons = (request.decisions || []).map((decision) => {
    const button = h("button", {
      type: "button", class: `button wide decision ${DECISION_KIND[decision] || ""}`.trim(), "data-decision": decision,
      disabled: !allowed,
    }, t(`decision.${decision}`, {}, decision));
    button.addEventListener("click", () => guarded(button, () => answer(decision), errorEl));
    signMark(button, signs);
    return button;
  });
  return h("section", { class: "card approval", "data-request-id": request.requestId, "data-kind": request.kind },
    h("h2", {}, t(`request.ask.${request.kind}`, {}, request.kind)),
    request.title ? h("p", { class: "request-title" }, request.title) : null,
    shownRequest(request),
    request.truncated ? h("p", { class: "hint" }, t("request.truncated")) : null,
    request.requestedAt ? h("p", { class: "meta" }, t("request.askedAt", { time: clockTime(request.requestedAt) })) : null,
    h("div", { class: "decisions" }, buttons),
    allowed ? null : h("p", { class: "hint" }, t("request.notYours", { reason: t("reason.role") })),
    errorEl);
}

/** What the request would do, in full: the command with its folder and reason, and every change. */
function shownRequest(request) {
  return [
    request.command ? [h("h3", {}, t("request.command")), h("pre", { class: "command mono" }, request.command)] : null,
    request.cwd ? h("p", { class: "meta" }, t("task.cwd", { cwd: request.cwd })) : null,
    request.reason ? [h("h3", {}, t("request.reason")), h("p", { class: "request-reason" }, request.reason)] : null,
    (request.changes || []).map(changeBox),
  ];
}

/** A change to approve: its diff open (what is approved must be seen), or its path alone. */
function changeBox(change) {
  const name = change.movePath ? `${change.path} → ${change.movePath}` : change.path;
  return h("div", { class: "change", "data-path": change.path },
    change.diff ? renderDiff(change.diff, { open: true, name })
      : h("p", { class: "change-head" }, h("span", { class: "mono change-path" }, name), " ",
        h("span", { class: "hint" }, t(`change.${change.kind}`, {}, change.kind))));
}

/** An answered (or expired, withdrawn, refused) request, for the conversation. */
export function answeredLine(request, error) {
  const refused = request.kind === "other" && request.status === "declined" && !request.decidedBy;
  const outcome = refused ? t("request.refused")
    : request.status === "pending" ? t("request.unanswered") // the turn ended before anyone answered
    : t(`request.status.${request.status}`, {}, request.status);
  const who = request.decidedBy
    ? t("request.decidedBy", { name: request.decidedBy, time: clockTime(request.decidedAt) })
    : null;
  const what = request.command || (request.changes || []).map((c) => c.path).join(", ") || request.title || "";
  return h("li", { class: `turn-request request-${request.status}`, "data-request-id": request.requestId, "data-request-status": request.status },
    h("p", { class: "request-outcome" }, h("strong", {}, outcome), who ? ` · ${who}` : ""),
    what ? h("p", { class: "mono small request-what" }, what) : null,
    error ? h("p", { class: "error", role: "alert" }, error) : null);
}
