// A new Codex task's request body (API.md `POST /api/admin/tasks`), made the same way by the home
// composer and the full prompt form: a write mode asks for write access, model and effort only for
// a conversation mode, no folder means the workspace root.
export function codexBody({ agentId, prompt, mode, cwd = "", model = "", effort = "" }) {
  const body = { type: "codex_exec", agentId, prompt, execMode: mode.id };
  if (cwd.trim()) body.cwd = cwd.trim();
  if (mode.writes) body.writeAccess = true;
  if (mode.interactive && model) body.model = model;
  if (mode.interactive && effort) body.effort = effort;
  return body;
}
