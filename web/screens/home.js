// Home: the workspace's conversations, newest first across its agents (title, agent, where it
// stands, the start of the last answer), older ones paged in as the list is scrolled to its end
// (`api.olderTasks`), and the box that starts a new one at the bottom. On a wide screen app.js
// shows it in two parts: the list (`part: "list"`, the side pane, beside the open conversation)
// and the box (`part: "compose"`, the main pane).
import { api } from "../api.js";
import { errorBox, errorMessage, fill, h, keyed, link } from "../dom.js";
import { t } from "../i18n.js";
import { conversationRow, conversations, rowSignature } from "./conversations.js";
import { homeComposer } from "./home_composer.js";
import { fingerprintCard } from "./fingerprint_card.js";
import { passkeyNudge } from "./passkey_nudge.js";

export const title = "home.title";

const PAGE = 50;
// Tasks older than the state view's newest 100, kept while the app is open (per workspace).
let older = { workspace: "", tasks: [], next: null, done: false, loading: false };

export function mount(ctx, { part = "all" } = {}) {
  const nudge = h("div");
  const list = h("ul", { class: "list conversations", "aria-label": t("home.heading") });
  const error = errorBox();
  const more = h("button", { type: "button", class: "button wide load-older" }, t("home.loadOlder"));
  const box = homeComposer(() => current);
  const listed = part !== "compose";
  const newLink = part === "list" ? link(t("home.newHeading"), "#/home", "primary wide") : null;
  const el = h("div", { class: `screen home part-${part}` },
    h("h1", {}, t(listed ? "home.heading" : "home.newHeading")), newLink, nudge,
    listed ? [list, more, error] : null, part === "list" ? null : box.el);
  let current = ctx;
  more.addEventListener("click", () => loadOlder());
  // Scrolling to the end of the list pages in the next older tasks, as the button would.
  const watcher = "IntersectionObserver" in window
    ? new IntersectionObserver((seen) => { if (seen.some((e) => e.isIntersecting)) loadOlder(); }) : null;
  if (watcher) watcher.observe(more);

  async function loadOlder() {
    if (older.done || older.loading || more.hidden || !api.olderTasks) return;
    const before = older.next || lastTaskId(current);
    if (!before) return;
    older.loading = true;
    fill(error);
    try {
      const reply = await api.olderTasks(before, PAGE);
      const known = new Set([...(current.state.tasks || []), ...older.tasks].map((x) => x.taskId));
      older.tasks.push(...(reply.tasks || []).filter((x) => !known.has(x.taskId)));
      older.next = reply.nextBefore || null;
      older.done = !older.next;
    } catch (err) {
      if (err.status === 404 || err.status === 405) older.done = true; // a relay without paging: nothing older to show
      else fill(error, errorMessage(err));
    } finally {
      older.loading = false;
      update(current);
    }
  }

  function update(ctx) {
    current = ctx;
    const auth = ctx.auth;
    if (older.workspace !== auth.currentWorkspaceId) older = { workspace: auth.currentWorkspaceId, tasks: [], next: null, done: false, loading: false };
    fill(nudge, part !== "list" ? passkeyNudge(auth, () => update(current)) : null,
      part !== "list" ? fingerprintCard(() => update(current)) : null); // a passkey just registered (enroll)
    nudge.hidden = !nudge.childElementCount; // nothing to suggest: no empty gap under the heading
    box.update(ctx);
    if (!ctx.state) {
      list._keyed = null;
      more.hidden = true;
      return fill(list, h("li", { class: "hint" }, t("common.loading")));
    }
    const open = ctx.openTaskId || "";
    const shown = conversations(ctx, [...(ctx.state.tasks || []), ...older.tasks]);
    more.hidden = older.done || (!older.tasks.length && (ctx.state.tasks || []).length < 100);
    if (!shown.length) {
      list._keyed = null;
      // "Ask Codex below" only when there is a box below: with no agent it holds "Pair an agent" instead.
      const agents = (ctx.state.agents || []).filter((a) => !a.revokedAt);
      return fill(list, h("li", { class: "empty" }, t(agents.length ? "home.none" : "home.noneNoAgent")));
    }
    keyed(list, shown, (c) => c.key, (c) => rowSignature(ctx, c, open), (c) => h("li", {}, conversationRow(ctx, c, open)));
  }

  // The cursor goes to the prompt once the box can be used and is on the page (the person came to write).
  let wantFocus = part !== "list";
  function tryFocus() {
    if (wantFocus && el.isConnected && box.focus()) wantFocus = false;
  }

  update(ctx);
  setTimeout(tryFocus, 0);
  return { el, update: (next) => { update(next); tryFocus(); } };
}

/** The oldest task the app holds: where the next page of older ones starts. */
function lastTaskId(ctx) {
  const tasks = (ctx.state && ctx.state.tasks) || [];
  return older.tasks.length ? older.tasks[older.tasks.length - 1].taskId : tasks.length ? tasks[tasks.length - 1].taskId : "";
}
