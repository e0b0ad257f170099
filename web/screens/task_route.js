// `#/task/<id>`: a Codex task opens its conversation (conversation.js), any other task its details
// (task.js). The type may not be known when the route mounts (the state view is on its way and this
// device has no copy): the choice is made at the first update that knows it, and kept.
import { h } from "../dom.js";
import { cachedTask, withCached } from "../taskcache.js";
import * as conversation from "./conversation.js";
import * as details from "./task.js";

export const title = "task.title";

export function mount(ctx) {
  const el = h("div", { class: "screen-slot" });
  let chosen = null;
  let screen = null;

  function update(ctx) {
    const taskId = ctx.params[0];
    const live = ctx.state && (ctx.state.tasks || []).find((x) => x.taskId === taskId);
    const task = live ? withCached(ctx.userId, live) : cachedTask(ctx.userId, taskId);
    const wanted = task ? (task.type === "codex_exec" ? conversation : details) : ctx.state ? details : null;
    if (wanted && wanted !== chosen) {
      chosen = wanted;
      screen = wanted.mount(ctx);
      el.replaceChildren(screen.el);
    } else if (screen) {
      screen.update(ctx);
    }
  }

  update(ctx);
  return { el, update };
}
