// The app: boot (service worker, login link, auth status), the router (hash routes, guarded by
// who is signed in), the shared state (auth + the live state view) and the shell around screens.
import { api, isOffline, onReachability, onSignedOut, SIGNED_OUT } from "./api.js";
import { showWaiting } from "./badge.js";
import { errorMessage, fill, h, withCode } from "./dom.js";
import { currentLanguage, setLanguage, t } from "./i18n.js";
import { LiveState } from "./live.js";
import { cachedTask, forgetUser, lastUser, remember, rememberUser } from "./taskcache.js";
import { setCatalog } from "./catalog.js";
import * as agent from "./screens/agent.js";
import * as agents from "./screens/agents.js";
import * as codex from "./screens/codex.js";
import * as enroll from "./screens/enroll.js";
import * as home from "./screens/home.js";
import * as more from "./screens/more.js";
import * as myPasskeys from "./screens/my_passkeys.js";
import * as notifications from "./screens/notifications.js";
import * as offline from "./screens/offline.js";
import * as pairing from "./screens/pairing.js";
import * as people from "./screens/people.js";
import * as session from "./screens/session.js";
import * as sessions from "./screens/sessions.js";
import * as signin from "./screens/signin.js";
import * as task from "./screens/task_route.js";
import * as tasks from "./screens/tasks.js";
import * as users from "./screens/users.js";
import * as audit from "./screens/audit.js";
import * as workspaces from "./screens/workspaces.js";
import { taskTitle, waitingInState } from "./screens/task_parts.js";
import { icon } from "./nav_icons.js";

// Route -> screen module. A Codex task's conversation screen replaces `task` here at merge (conv18).
const ROUTES = {
  signin, enroll, workspaces, home, agents, agent, pair: pairing, codex, tasks, task, more, offline,
  sessions, session, people, users, passkeys: myPasskeys, notifications, audit,
};
const HOME = "#/home";
// Three tabs: conversations, every task, and "Manage" (agents, pairing, people, settings: where an
// admin looks for them). `more` keeps its route name so old links still work.
const TABS = [["home", "nav.home"], ["tasks", "nav.tasks"], ["more", "nav.manage"]];
const TAB_OF = { task: "home", codex: "home" }; // every other screen lives under Manage
// Where the back button goes when there is no in-app history to go back through (an opened link).
const PARENT = { task: HOME, codex: HOME, agent: "#/agents", pair: "#/agents", session: "#/sessions" };
const wide = window.matchMedia("(min-width: 900px)"); // two panes: the list beside the open conversation

const app = {
  booted: false,
  auth: null, // the relay's `auth` object; null until known
  authKey: "",
  state: null, // the last state view
  offline: false,
  notice: "", // a one-off message (e.g. a login link that did not work)
  screen: null,
  screenKey: "",
  title: "", // the screen's title; the page title adds how many Codex requests wait
  side: null, // the conversation list beside the open conversation (wide screens)
  sideKey: "",
  steps: 0, // hash changes inside the app: the back button goes back through them, else up
};

const live = new LiveState({ onState, onOffline: setOffline, onError: liveFailed });

// --- the shell ---------------------------------------------------------------------------------

const workspaceButton = h("a", { class: "workspace-button", href: "#/workspaces" });
const connection = h("span", { class: "connection", role: "status" });
const banner = h("div", { class: "banner", role: "status" });
const main = h("main", { id: "screen", tabindex: "-1" });
const side = h("aside", { class: "side-pane", hidden: true });
const panes = h("div", { class: "panes" }, side, main);
const tabbar = h("nav", { class: "tabbar" });
const brandName = h("span", {});
const back = h("button", { type: "button", class: "back", hidden: true }, icon("back"));
back.addEventListener("click", goBack);
const shell = h("div", { class: "shell" },
  h("header", { class: "topbar" },
    back,
    h("a", { class: "brand", href: HOME }, h("img", { src: "/icons/icon-192.png", alt: "", width: "28", height: "28" }), brandName),
    workspaceButton, connection),
  banner, panes, tabbar);

function updateShell(route) {
  const signedIn = !!(app.auth && app.auth.currentUser && !app.auth.needsPasskeyEnrollment);
  const ws = signedIn && app.auth.workspaces.find((w) => w.workspaceId === app.auth.currentWorkspaceId);
  brandName.textContent = t("app.name");
  tabbar.setAttribute("aria-label", t("nav.label"));
  workspaceButton.hidden = !signedIn;
  fill(workspaceButton, h("span", { class: "pill-kind" }, t("shell.workspace")), h("span", { class: "pill-name" }, ws ? ws.name : t("workspaces.choose")));
  back.hidden = !signedIn || !backTarget(route);
  back.setAttribute("aria-label", t("shell.back"));
  workspaceButton.setAttribute("aria-label", t("workspaces.switchTo", { name: ws ? ws.name : "" }));
  connection.hidden = !app.offline;
  connection.textContent = app.offline ? t("shell.offline") : "";
  const offlineBanner = app.offline && route.name !== "offline";
  fill(banner, offlineBanner ? h("p", { class: "offline-banner", "data-offline": "true" }, t("shell.offlineBanner")) : null,
    app.notice ? h("p", { class: "error" }, withCode(app.notice)) : null);
  banner.hidden = !offlineBanner && !app.notice;
  tabbar.hidden = !signedIn || !app.auth.currentWorkspaceId;
  const active = TAB_OF[route.name] || (TABS.some(([name]) => name === route.name) ? route.name : "more");
  const waiting = signedIn ? waitingInState(app.state) : 0;
  if (signedIn && app.state) showWaiting(waiting); // the app badge, true as requests are answered anywhere
  fill(tabbar, TABS.map(([name, label]) =>
    h("a", { href: `#/${name}`, class: "tab", "aria-current": active === name ? "page" : null, "data-tab": name },
      icon(name), h("span", { class: "tab-label" }, t(label)),
      name === "home" && waiting ? h("span", { class: "badge", "data-waiting": String(waiting), "aria-label": t("task.waitingCount", { count: waiting }) }, String(waiting)) : null)));
  const named = route.name === "task" && signedIn ? taskName(route.params[0]) : "";
  const title = named ? `${named} · ${t("app.name")}` : app.title || t("app.name");
  document.title = waiting ? t("shell.waitingTitle", { count: waiting, title }) : title;
}

/** The open task's name for the page title: the same words as in the list and on the screen. */
function taskName(taskId) {
  const task = ((app.state && app.state.tasks) || []).find((x) => x.taskId === taskId) || cachedTask(app.auth.currentUser.userId, taskId);
  return task ? taskTitle(task, app.state) : "";
}

// --- routing -------------------------------------------------------------------------------------

function parseHash() {
  const path = location.hash.replace(/^#\/?/, "").split("?")[0];
  const parts = path.split("/").filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  return { name: parts[0] || "", params: parts.slice(1) };
}

/** Where the person may be: the route they asked for, unless who they are says otherwise. */
function resolve() {
  const asked = parseHash();
  if (!app.booted) return { name: "loading", params: [] };
  const auth = app.auth;
  if (!auth) return app.offline && asked.name === "task" ? asked : { name: app.offline ? "offline" : "loading", params: [] };
  if (!auth.currentUser) return { name: "signin", params: [] };
  if (auth.needsPasskeyEnrollment) return { name: "enroll", params: [] };
  if (!auth.currentWorkspaceId && asked.name !== "enroll") return { name: "workspaces", params: [] };
  if (!ROUTES[asked.name] || asked.name === "signin" || asked.name === "offline") return { name: "home", params: [] };
  return asked;
}

function context(route) {
  const userId = app.auth && app.auth.currentUser ? app.auth.currentUser.userId : lastUser();
  return {
    auth: app.auth, state: app.state, params: route.params, userId, offline: app.offline,
    openTaskId: route.name === "task" ? route.params[0] : "",
    go, setAuth, signOut, retry: loadStatus, clearNotice, refresh: () => live.running && live.restart(), setLanguage: changeLanguage,
  };
}

function render() {
  const route = resolve();
  const wanted = `#/${[route.name, ...route.params.map(encodeURIComponent)].join("/")}`;
  if (route.name !== "loading" && parseHash().name !== route.name) history.replaceState(null, "", wanted);
  updateShell(route);
  const key = `${wanted}|${app.authKey}|${wide.matches}`;
  const ctx = context(route);
  showSide(route, ctx);
  if (key === app.screenKey && app.screen) {
    if (app.screen.update) app.screen.update(ctx);
    return;
  }
  const screen = ROUTES[route.name];
  app.screenKey = key;
  const part = route.name === "home" && !side.hidden ? "compose" : "all";
  app.screen = screen ? screen.mount(ctx, { part }) : { el: h("p", { class: "hint loading" }, t("common.loading")) };
  fill(main, app.screen.el);
  app.title = screen ? `${t(screen.title)} · ${t("app.name")}` : t("app.name");
  updateShell(route);
  window.scrollTo(0, 0);
}

/** On a wide screen, Home and a conversation show the conversation list beside them (one list,
 * kept while moving between conversations, so its scroll position and paging stay). */
function showSide(route, ctx) {
  const signedIn = !!(app.auth && app.auth.currentUser && app.auth.currentWorkspaceId);
  const paired = signedIn && wide.matches && (route.name === "home" || route.name === "task");
  side.hidden = !paired;
  panes.classList.toggle("two", paired);
  if (!paired) return;
  if (!app.side || app.sideKey !== app.authKey) {
    app.side = home.mount(ctx, { part: "list" });
    app.sideKey = app.authKey;
    fill(side, app.side.el);
  } else app.side.update(ctx);
}

/** Where the back button leads from this screen ("" on a tab's own screen: nothing to go back to). */
function backTarget(route) {
  if (TABS.some(([name]) => name === route.name) || ["signin", "enroll", "loading", "offline"].includes(route.name)) return "";
  return PARENT[route.name] || "#/more";
}

/** Back through the app's own history when there is some (installed apps have no browser back
 * button), else up to the screen this one belongs to. */
function goBack() {
  if (app.steps > 0) {
    app.steps -= 2; // this step back, and the hash change it causes
    history.back();
  } else go(backTarget(resolve()));
}

/** Switch the language (remembered on this device) and draw everything again in it. */
function changeLanguage(tag) {
  setLanguage(tag);
  app.screenKey = "";
  render();
}

function go(hash) {
  app.notice = "";
  if (location.hash === hash) render();
  else location.hash = hash;
}

// --- auth and live state -------------------------------------------------------------------------

/** The relay says this browser is signed out (here, on another device or by `end-sessions`): the
 * task text this device kept for the user goes, and the offline screen shows nobody's. */
function forgetSignedOut() {
  const known = app.auth && app.auth.currentUser ? app.auth.currentUser.userId : null;
  for (const userId of new Set([known, lastUser()])) if (userId) forgetUser(userId);
}

function setAuth(auth, goTo) {
  const before = app.auth && app.auth.currentUser ? `${app.auth.currentUser.userId}/${app.auth.currentWorkspaceId}` : "";
  if (auth && !auth.currentUser) forgetSignedOut();
  app.auth = auth;
  const user = auth && auth.currentUser;
  const after = user ? `${user.userId}/${auth.currentWorkspaceId}` : "";
  if (user) rememberUser(user.userId);
  if (before !== after) app.state = null;
  app.authKey = JSON.stringify(auth);
  const wantsLive = !!(user && !auth.needsPasskeyEnrollment && auth.currentWorkspaceId);
  if (!wantsLive) live.stop();
  else if (before !== after || !live.running) live.restart();
  if (goTo) go(goTo);
  else render();
}

function onState(state) {
  app.state = state;
  setCatalog(state.web && state.web.catalog);
  const user = state.auth && state.auth.currentUser;
  if (state.auth && JSON.stringify(state.auth) !== app.authKey) {
    if (!user || user.userId !== app.auth.currentUser.userId || state.auth.currentWorkspaceId !== app.auth.currentWorkspaceId) {
      return setAuth(state.auth);
    }
    app.auth = state.auth;
    app.authKey = JSON.stringify(state.auth);
  }
  if (user) remember(user.userId, state.tasks);
  render();
}

function setOffline(isOff) {
  if (app.offline === isOff) return;
  app.offline = isOff;
  render();
}

function liveFailed(err) {
  if (SIGNED_OUT.has(err.code) || err.code === "passkey-enrollment-required" || err.code === "no-workspace-selected") {
    loadStatus();
    return;
  }
  app.notice = errorMessage(err);
  render();
  setTimeout(() => { if (app.auth && app.auth.currentUser && !live.running) live.start(); }, 5000);
}

async function signOut() {
  live.stop(); // before the session ends, so the held state wait is not answered 401
  await api.logout();
  forgetUser(app.auth && app.auth.currentUser ? app.auth.currentUser.userId : lastUser());
  app.state = null;
  await loadStatus();
  go("#/signin");
}

let statusRetry = null;
async function loadStatus() {
  clearTimeout(statusRetry);
  try {
    const status = await api.status();
    app.booted = true;
    setOffline(false);
    setAuth(status.auth);
  } catch (err) {
    app.booted = true;
    if (!isOffline(err)) {
      app.notice = errorMessage(err);
      render();
      return;
    }
    app.offline = true;
    render();
    statusRetry = setTimeout(loadStatus, 15000);
  }
}

/** The login link printed by `mobile-codex up`: `<origin>/#code=XXXX-XXXX-XXXX`, at first load or
 * opened in this app while it is open (only the fragment changes: a hashchange). */
async function redeemLoginLink() {
  if (!signin.isSignInLink(location.hash)) return false;
  const outcome = await signin.signInWithLink(location.hash);
  app.notice = outcome.error || "";
  if (outcome.auth) history.replaceState(null, "", HOME);
  return outcome;
}

function clearNotice() {
  if (!app.notice) return;
  app.notice = "";
  render();
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    /* no offline shell (e.g. a private window): the app works without it */
  });
  // A tapped notification while the app is open: the worker focused this window; go to its link.
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.origin !== location.origin || !event.data || event.data.type !== "open") return;
    const url = new URL(event.data.url, location.origin);
    if (url.origin === location.origin && url.hash) go(url.hash);
  });
}

/** Offline is shown as soon as anything says so: the browser's offline event or any request that
 * failed on the network; back online at the next answer from the relay (or the online event). */
function watchConnection() {
  onReachability((reachable) => {
    if (reachable) live.retryNow();
    if (app.booted && app.auth) setOffline(!reachable);
  });
  window.addEventListener("offline", () => setOffline(true));
  window.addEventListener("online", () => {
    if (!app.auth) loadStatus();
    else if (app.auth.currentUser) live.restart(); // the wait held before may be dead: a fresh one answers, and clears the banner
  });
}

async function boot() {
  onSignedOut(forgetSignedOut);
  document.documentElement.lang = currentLanguage();
  fill(document.getElementById("app"), shell);
  render();
  registerServiceWorker();
  window.addEventListener("hashchange", async () => {
    app.steps += 1;
    const outcome = await redeemLoginLink();
    if (outcome && outcome.auth) setAuth(outcome.auth);
    else if (!outcome) app.notice = "";
    render();
  });
  wide.addEventListener("change", () => render());
  watchConnection();
  await redeemLoginLink();
  await loadStatus();
}

boot();
