// The state view, kept current with the relay's long wait (API.md: changeCursor +
// waitForChangeAfter): one request is always open and answers as soon as anything changes,
// so output streams in without a fixed timer. A relay without changeCursor (the reference)
// is polled at its web.pollIntervalMs instead. Network failures back off and retry. A wait the
// relay answered early with the same cursor (it may not hold more requests now: `heldMs` short)
// is followed by a pause of pollIntervalMs, never by an immediate new request. `retryNow()` cuts a
// backoff short (the network came back, or another request just reached the relay).
// It opts in to task deltas (`tasksSince`): each answer carries only the tasks that changed, and
// state_merge.js keeps `state.tasks` the whole list for the screens.
import { api, isOffline } from "./api.js";
import { mergeTasks } from "./state_merge.js";

const WAIT_MS = 25000;
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });

export class LiveState {
  /** handlers: onState(state), onOffline(bool), onError(err) — an ApiError that is not "offline". */
  constructor(handlers) {
    this.handlers = handlers;
    this.controller = null;
    this.wake = null; // ends the backoff pause in progress, if any
  }

  retryNow() {
    if (this.wake) this.wake();
  }

  get running() {
    return this.controller !== null;
  }

  start() {
    if (!this.controller) this.loop(new AbortController());
  }

  stop() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  /** Drop the open wait and fetch at once (after a workspace switch, a new task...). */
  restart() {
    this.stop();
    this.start();
  }

  async loop(controller) {
    this.controller = controller;
    const { signal } = controller;
    let cursor = null;
    let tasks = []; // the whole list so far, and the relay's cursor of it
    let tasksCursor = "";
    let failures = 0;
    while (!signal.aborted) {
      try {
        const state = await api.state(cursor, WAIT_MS, { signal, tasksSince: tasksCursor });
        if (signal.aborted) return;
        tasks = mergeTasks(tasks, state);
        tasksCursor = state.tasksCursor || "";
        state.tasks = tasks;
        failures = 0;
        this.handlers.onOffline(false);
        this.handlers.onState(state);
        const interval = (state.web && state.web.pollIntervalMs) || 2500;
        const asked = cursor;
        cursor = state.changeCursor || null;
        const answeredEarly = asked && cursor === asked && typeof state.heldMs === "number" && state.heldMs < WAIT_MS / 2;
        if (!cursor || answeredEarly) await sleep(interval, signal);
      } catch (err) {
        if (signal.aborted) return;
        if (!isOffline(err)) {
          if (this.controller === controller) this.controller = null;
          this.handlers.onError(err);
          return;
        }
        this.handlers.onOffline(true);
        cursor = null;
        failures += 1;
        await Promise.race([
          sleep(Math.min(30000, 1000 * 2 ** Math.min(failures, 5)), signal),
          new Promise((resolve) => { this.wake = resolve; }),
        ]);
        this.wake = null;
      }
    }
  }
}
