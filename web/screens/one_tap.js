// Asking for an action or a log read is one gesture when the person who asks may also approve and
// the workspace does not ask for a second person (`currentWorkspace.requireSecondApprover`): the task
// is created, then approved at once. Otherwise it waits for another operator, and the task screen
// says so. The relay enforces the rule (403 second-approver-required); this only saves a tap.
import { approveTask, createTask } from "../signing.js";

/** This person created the task and the workspace wants someone else to approve it. */
export function secondApproverNeeded(ctx, task) {
  const workspace = ctx.state && ctx.state.currentWorkspace;
  const me = ctx.auth && ctx.auth.currentUser ? ctx.auth.currentUser.userId : null;
  return !!(workspace && workspace.requireSecondApprover) && !!task.createdBy && task.createdBy.userId === me;
}

/** Create the task (and approve it when one tap may run it); the created task. */
export async function startTask(ctx, body) {
  const { task } = await createTask(ctx, body);
  const may = !!(ctx.auth && ctx.auth.permissions && ctx.auth.permissions.approveTasks);
  if (task.status === "awaiting_approval" && may && !secondApproverNeeded(ctx, task)) {
    try {
      await approveTask(ctx, task);
    } catch {
      /* it was created and waits: its screen offers Approve and says why if that fails again */
    }
  }
  return task;
}
