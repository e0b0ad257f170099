// `#/task/<id>`: the screen for the task's type. A Codex task opens as its conversation, any other
// task (an action, a log read, a session read) in the task screen; which module serves which type is
// the one table below. Until the task is known (no state yet, nothing cached) the task screen shows.
import { fill, h } from "../dom.js";
import { cachedTask } from "../taskcache.js";
import * as task from "./task.js";

const BY_TYPE = { codex_exec: task }; // a Codex task's conversation screen goes here (issue 18, conv18)

export const title = "task.title";

export function mount(ctx, options) {
  const el = h("div", { class: "task-route" });
  let screen = null;
  let shown = null;

  function update(ctx) {
    const taskId = ctx.params[0];
    const found = (ctx.state && (ctx.state.tasks || []).find((x) => x.taskId === taskId)) || cachedTask(ctx.userId, taskId);
    const wanted = (found && BY_TYPE[found.type]) || task;
    if (wanted === shown) return screen.update && screen.update(ctx);
    shown = wanted;
    screen = wanted.mount(ctx, options);
    fill(el, screen.el);
  }

  update(ctx);
  return { el, update };
}
