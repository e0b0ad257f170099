// Shown when the relay cannot be reached before we know who is signed in (the app itself came
// from the service worker's cache): says so, retries, and lists the task details this device kept.
import { actionButton, h } from "../dom.js";
import { t } from "../i18n.js";
import { cachedTasks, lastUser } from "../taskcache.js";
import { statusChip, taskTitle } from "./task_parts.js";

export const title = "offline.title";

export function mount(ctx) {
  const tasks = cachedTasks(lastUser());
  const el = h("div", { class: "screen offline" },
    h("section", { class: "card callout", "data-offline": "true" },
      h("h1", {}, t("offline.heading")),
      h("p", {}, t("offline.intro")),
      actionButton(t("offline.retry"), () => ctx.retry(), { kind: "primary" })),
    tasks.length
      ? h("section", { class: "card" }, h("h2", {}, t("offline.cached")),
          h("ul", { class: "list" }, tasks.map((task) => h("li", {},
            h("a", { class: "task-row", href: `#/task/${encodeURIComponent(task.taskId)}` },
              h("span", { class: "row-title" }, taskTitle(task)), h("span", { class: "row-meta" }, statusChip(task.status)))))))
      : null);
  return { el };
}
