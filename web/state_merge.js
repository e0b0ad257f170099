// State deltas (issue 18, docs/api.md "State deltas"): the live state asks with `tasksSince` and
// the relay answers only the tasks that changed since the phone's last view, and the ids that left
// it. This merges such an answer into the tasks the phone has, so every screen still reads
// `ctx.state.tasks` as the whole list, in the relay's order (newest update first, then task id).

/** The relay's order of the state view's tasks. */
export function viewOrder(a, b) {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  if (a.taskId === b.taskId) return 0;
  return a.taskId < b.taskId ? -1 : 1;
}

/** The whole task list after `state` (an answer of the state view), given the list the phone had. */
export function mergeTasks(known, state) {
  if (!state.tasksDelta) return state.tasks || [];
  const removed = new Set(state.removedTaskIds || []);
  const byId = new Map();
  for (const task of known) if (!removed.has(task.taskId)) byId.set(task.taskId, task);
  for (const task of state.tasks || []) byId.set(task.taskId, task);
  return [...byId.values()].sort(viewOrder);
}
