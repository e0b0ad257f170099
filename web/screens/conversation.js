// A conversation with Codex: the codex_exec tasks of one Codex thread on one agent, oldest turn
// first (a task without a thread is a conversation of its own), opened from any of its turns
// (`#/task/<taskId>`). Each turn is drawn by turn_view.js; under the newest one, the reply box
// (composer.js): while a turn runs it steers it, once it ended it starts the next turn of the same
// thread in the conversation's mode (a one-off `codex exec` run continues as a `chat`). Text the
// relay lost in a restart comes from this device's cache (taskcache.js).
import { api } from "../api.js";
import { actionButton, errorBox, fill, h, link } from "../dom.js";
import { t } from "../i18n.js";
import { isTerminal } from "../catalog.js";
import { cachedTask, cachedTasks, withCached } from "../taskcache.js";
import { agentLabel, isInteractive, redactionsNote, statusChip, taskTitle, waitingChip } from "./task_parts.js";
import { composer, threadOf } from "./composer.js";
import { turnView } from "./turn_view.js";
import { approveTask, needsSignature, signMark } from "../signing.js";

export const title = "conversation.title";

export function mount(ctx) {
  const taskId = ctx.params[0];
  const heading = h("h1", {});
  const chipSlot = h("span", { class: "chips" }); // status and "request waits" side by side, not touching
  const meta = h("p", { class: "meta" });
  const note = h("p", { class: "notice", role: "status" });
  const cacheNote = h("p", { class: "hint" }, t("task.fromCache"));
  const redactedNote = h("p", { class: "hint redactions", role: "status" });
  const controls = h("div", { class: "toolbar" });
  const error = errorBox();
  const turns = h("div", { class: "stack turns" });
  const answerErrors = new Map(); // requestId -> why this device's answer was refused (kept across redraws)
  const views = new Map(); // taskId -> its turn view
  const box = composer(() => current);
  const review = h("button", { type: "button", class: "review-bar", hidden: true });
  review.addEventListener("click", () => bringIntoView(pendingCards()[0], true));
  const body = h("div", { class: "stack" },
    h("div", { class: "card conversation-head" }, heading, h("div", { class: "card-head" }, chipSlot, meta), note, cacheNote, redactedNote, controls, error),
    turns, box.el, review);
  const missing = h("div", { class: "card" }, h("p", {}, t("task.notFound")), link(t("tasks.title"), "#/tasks"));
  const el = h("div", { class: "screen task conversation-screen" }, body, missing);
  let current = ctx;
  let shownControls = "";
  const seen = new Set(); // requests this screen has shown (each is brought into view once, at most)
  let opened = false;
  const onScroll = () => {
    if (!el.isConnected) return; // not drawn yet, or another screen replaced this one
    if (!scheduled) scheduled = requestAnimationFrame(() => { scheduled = 0; showReview(); });
  };
  let scheduled = 0;
  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", onScroll, { passive: true });

  function update(ctx) {
    current = ctx;
    const task = findTask(ctx, taskId);
    body.hidden = !task;
    missing.hidden = !!task || !ctx.state;
    if (!task) return;
    const following = atBottom(); // measured before this update makes the page longer
    const thread = threadTurns(ctx, task);
    const latest = thread[thread.length - 1];
    heading.textContent = taskTitle(thread[0], ctx.state);
    fill(chipSlot, statusChip(latest.status), waitingChip(latest));
    meta.textContent = [agentLabel(ctx, latest.agentId), modeLabel(ctx, latest)].filter(Boolean).join(" · ");
    cacheNote.hidden = !latest.fromCache;
    redactionsNote(redactedNote, latest);
    const terminal = isTerminal(latest.status);
    note.textContent = latest.cancelRequestedAt && !terminal ? t("task.cancelRequested")
      : latest.status === "awaiting_approval" ? t("task.awaitingApproval")
      : latest.awaitingInput && !terminal ? t("task.awaitingInput")
      : latest.status === "queued" ? t("task.queued") : "";
    note.hidden = !note.textContent;
    renderControls(ctx, latest, terminal);

    for (const id of [...views.keys()]) if (!thread.some((x) => x.taskId === id)) views.delete(id);
    const lost = thread.find((turn) => !turn.prompt && !(turn.items || []).length); // the record stands in for every lost turn
    const elements = thread.map((turn) => {
      if (!views.has(turn.taskId)) views.set(turn.taskId, turnView(() => current, answerErrors));
      const view = views.get(turn.taskId);
      view.update(ctx, turn, { history: turn === lost, record: !!lost && !!threadOf(lost) && isInteractive(ctx, lost) });
      return view.el;
    });
    const shown = [...turns.children];
    if (shown.length !== elements.length || shown.some((x, i) => x !== elements[i])) turns.replaceChildren(...elements);
    box.update(ctx, latest, replyMode(ctx, latest));
    noticeRequests(thread, following);
  }

  /** A pending request is impossible to miss, without pulling the page away from what the person
   * reads: one already waiting when the conversation opens is brought into view (they came for it,
   * often from its notification), as is one that arrives while they follow the turn at the bottom of
   * the page; otherwise the review bar says that it waits and brings it into view on a tap. */
  function noticeRequests(thread, following) {
    const ids = thread.filter((turn) => !isTerminal(turn.status))
      .flatMap((turn) => (turn.requests || []).filter((r) => r.status === "pending").map((r) => r.requestId));
    const fresh = ids.filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    const first = !opened;
    opened = true;
    requestAnimationFrame(() => {
      if (!el.isConnected) return;
      if (fresh.length && (first || following)) bringIntoView(pendingCards().find((c) => c.dataset.requestId === fresh[0]), false);
      showReview();
    });
  }

  function pendingCards() {
    return [...turns.querySelectorAll(".approvals:not([hidden]) .approval[data-request-id]")];
  }

  function bringIntoView(card, smooth) {
    if (!card) return;
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    card.scrollIntoView({ block: "start", behavior: smooth && !still ? "smooth" : "auto" });
    if (!smooth) return;
    card.tabIndex = -1; // a screen reader goes on from the card, not from the bar
    card.focus({ preventScroll: true });
  }

  /** The bar shows while some request waits and no waiting card is on screen (between the top bar
   * and the tab bar, less the bar's own place). */
  function showReview() {
    const cards = pendingCards();
    const top = (document.querySelector(".topbar") || { getBoundingClientRect: () => ({ bottom: 0 }) }).getBoundingClientRect().bottom;
    const tabbar = document.querySelector(".tabbar");
    const tabTop = tabbar ? tabbar.getBoundingClientRect().top : window.innerHeight;
    const bottom = (tabTop > window.innerHeight / 2 ? tabTop : window.innerHeight) - 72;
    const onScreen = cards.some((card) => {
      const r = card.getBoundingClientRect();
      return r.top < bottom - 24 && r.bottom > top + 24;
    });
    review.hidden = !cards.length || onScreen;
    if (!review.hidden) review.textContent = t("conversation.review", { count: cards.length });
  }

  function atBottom() {
    const page = document.documentElement;
    return el.isConnected && page.scrollHeight - window.scrollY - window.innerHeight < 96;
  }

  function renderControls(ctx, task, terminal) {
    const perms = ctx.auth ? ctx.auth.permissions : {};
    const decide = task.status === "awaiting_approval" && perms.approveTasks && !!ctx.state;
    // While a request waits with "Stop the turn" among its answers, that button (in the request's card,
    // beside Approve) is the one place to stop; the header offers Stop only otherwise.
    const stopInCard = !terminal && !!perms.approveTasks && !task.fromCache
      && (task.requests || []).some((r) => r.status === "pending" && (r.decisions || []).includes("cancel"));
    const cancel = !terminal && task.status !== "awaiting_approval" && !task.cancelRequestedAt && perms.createTasks && !!ctx.state && !stopInCard;
    const signs = decide && needsSignature(ctx, task);
    const key = [task.taskId, decide, cancel, signs].join();
    if (key === shownControls) return;
    shownControls = key;
    const act = (action) => async () => {
      if (action === "approve") await approveTask(current, task);
      else await api.taskAction(task.taskId, action);
      current.refresh();
    };
    const approve = decide ? actionButton(t("task.approve"), act("approve"), { errorEl: error, kind: "primary" }) : null;
    if (approve) signMark(approve, signs);
    fill(controls,
      approve,
      decide ? actionButton(t("task.reject"), act("reject"), { errorEl: error, kind: "danger" }) : null,
      cancel ? actionButton(t("conversation.stop"), act("cancel"), { errorEl: error, kind: "danger" }) : null);
    controls.hidden = !controls.children.length;
  }

  update(ctx);
  return { el, update };
}

function findTask(ctx, taskId) {
  const live = ctx.state && (ctx.state.tasks || []).find((x) => x.taskId === taskId);
  return live ? withCached(ctx.userId, live) : cachedTask(ctx.userId, taskId);
}

/** The turns of this task's Codex thread, oldest first (the task itself included): from the state
 * view, or offline from this device's cache. */
export function threadTurns(ctx, task) {
  const thread = threadOf(task);
  if (!thread) return [task];
  const byId = new Map();
  const sameThread = (x) => x.type === "codex_exec" && x.agentId === task.agentId && threadOf(x) === thread;
  if (!ctx.state) for (const x of cachedTasks(ctx.userId)) if (sameThread(x)) byId.set(x.taskId, x); // offline
  for (const x of (ctx.state && ctx.state.tasks) || []) if (sameThread(x)) byId.set(x.taskId, withCached(ctx.userId, x));
  byId.set(task.taskId, task);
  return [...byId.values()].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
}

/** The mode a reply runs in: the turn's own when it is a conversation mode; a one-off run continues
 * as `chat` (read-only) when the agent offers it; none when the agent offers no conversation. */
export function replyMode(ctx, task) {
  if (isInteractive(ctx, task)) return task.execMode;
  const agent = ctx.state && (ctx.state.agents || []).find((a) => a.agentId === task.agentId);
  return agent && (agent.execModes || []).some((m) => m.id === "chat" && m.interactive) ? "chat" : null;
}

function modeLabel(ctx, task) {
  if (!task.execMode) return null;
  const agent = ctx.state && (ctx.state.agents || []).find((a) => a.agentId === task.agentId);
  const mode = agent && (agent.execModes || []).find((m) => m.id === task.execMode);
  // The app's own words for a mode it knows (as in the composer), the agent's label for one it does not.
  return t(`mode.${task.execMode}`, {}, mode && mode.label ? mode.label : t("task.mode", { mode: task.execMode }));
}
