"""An agent's side over real HTTP (a scripted agent, as tests/web/test_turn_history.py, test_home.py and
test_screenshots.py use it): it advertises chat and supervised modes, claims tasks and reports them
(a Codex answer, a thread id), so the phone has conversations to list. Also `LOOK`: what a screenshot
must not show. And `finished_task`: one Codex task, claimed and reported completed."""

from __future__ import annotations

from tests.relay.agent_helpers import pair_over_http
from tests.waiting import wait_until

EXEC_MODES = [
    {"id": "read-only", "label": "Read-only", "writes": False, "interactive": False},
    {"id": "chat", "label": "Chat", "writes": False, "interactive": True},
    {"id": "supervised", "label": "Supervised", "writes": True, "interactive": True},
]


def finished_task(relay, prompt: str, **update) -> str:
    """A Codex task on a freshly paired agent, claimed and reported completed with `update`; its id."""
    owner = relay.owner()
    agent = pair_over_http(relay, owner, "box-1")
    assert agent.post("/api/agent/poll", {"label": "Box"})[0] == 200
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": prompt})
    assert status == 201, made
    task_id = made["task"]["taskId"]
    status, polled = agent.post("/api/agent/poll", {"label": "Box"})
    assert [t["taskId"] for t in polled["tasks"]] == [task_id]
    done = {**update, "status": "completed", "result": {"exitCode": 0}}
    assert agent.post(f"/api/agent/tasks/{task_id}/update", done)[0] == 200
    return task_id


class ScriptedAgent:
    def __init__(self, relay, owner, agent_id: str = "box-1", label: str = "Build box"):
        self.http = pair_over_http(relay, owner, agent_id)
        self.agent_id = agent_id
        self.label = label
        self.owner = owner

    def poll(self, *, wait_ms: int = 0, max_tasks: int = 0, **extra) -> list[dict]:
        body = {"label": self.label, "codexAvailable": True, "codexVersion": "0.169.0", "codexSignedIn": True,
                "execModes": EXEC_MODES, "waitMs": wait_ms, "maxTasks": max_tasks, **extra}  # fmt: skip
        status, reply = self.http.post("/api/agent/poll", body)
        assert status == 200, reply
        return reply["tasks"]

    def claim(self) -> dict:
        (task,) = wait_until(lambda: self.poll(wait_ms=1000, max_tasks=1), timeout=20, what="a task to claim")
        return task

    def report(self, task_id: str, **body) -> None:
        status, reply = self.http.post(f"/api/agent/tasks/{task_id}/update", body)
        assert status == 200, reply

    def turn(self, prompt: str, answer: str | None, *, thread: str = "", continues: bool = False, status: str = "completed") -> str:
        """One Codex task the agent claims and reports; its id. `thread`: a chat turn of that Codex
        thread (`continues`: a later turn, asked with its threadId); `answer` None: left running."""
        request = {"type": "codex_exec", "agentId": self.agent_id, "prompt": prompt}
        if thread:
            request["execMode"] = "chat"
        if continues:
            request["threadId"] = thread
        code, made = self.owner.post("/api/admin/tasks", request)
        assert code == 201, made
        task = self.claim()
        assert task["taskId"] == made["task"]["taskId"]
        if answer is None:
            self.report(task["taskId"], status="running")
            return task["taskId"]
        report = {"status": status, "summary": answer, "result": {"exitCode": 0 if status == "completed" else 1}}
        if thread:
            report.update(threadId=thread, itemsAppend=[{"itemId": "a1", "type": "agentMessage", "text": answer}])
            report["result"]["threadId"] = thread
        self.report(task["taskId"], **report)
        return task["taskId"]


# What a screenshot must not show (issue 18): run in the page, returns what is wrong.
LOOK = """
() => {
  const name = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.trim().replace(/ +/g, ".") : ""} "${(el.textContent || "").trim().slice(0, 30)}"`;
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== "hidden"; };
  const layer = (el) => { for (let x = el; x; x = x.parentElement) { const p = getComputedStyle(x).position; if (p === "fixed" || p === "sticky") return x; } return null; };
  const clipped = [];
  for (const el of document.querySelectorAll("#app *")) {
    if (!shown(el) || ["SELECT", "TEXTAREA", "INPUT", "svg", "path"].includes(el.tagName)) continue;
    const s = getComputedStyle(el);
    const scrolls = ["auto", "scroll"].includes(s.overflowX);
    if (el.scrollWidth > el.clientWidth + 1 && !scrolls && s.textOverflow !== "ellipsis" && el.clientWidth > 0) clipped.push(name(el));
  }
  const controls = [...document.querySelectorAll("#app a[href], #app button, #app input, #app select, #app textarea, #app summary")].filter(shown);
  const overlapping = [];
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const [a, b] = [controls[i], controls[j]];
      if (a.contains(b) || b.contains(a) || layer(a) !== layer(b)) continue;
      const r = a.getBoundingClientRect(), q = b.getBoundingClientRect();
      const w = Math.min(r.right, q.right) - Math.max(r.left, q.left), h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (w > 1 && h > 1) overlapping.push(`${name(a)} / ${name(b)}`);
    }
  }
  const page = document.scrollingElement;
  return { sideways: page.scrollWidth > window.innerWidth, clipped: clipped.slice(0, 10), overlapping: overlapping.slice(0, 10) };
}
"""


def in_language(phones, relay, language: str):
    """A phone with the app opened in `language` (not signed in)."""
    phone = phones(relay)
    phone.context.add_init_script(f"localStorage.setItem('mc.lang', {language!r})")
    phone.open("/")
    return phone


def signed_in_with_token(phones, relay, language: str):
    """A phone in `language`, signed in with the bootstrap token (the last of the other ways, so the
    person has no passkey)."""
    from .conftest import BOOTSTRAP_TOKEN

    phone = in_language(phones, relay, language)
    phone.screen("signin")
    phone.page.locator("details.disclosure summary").last.click()
    phone.page.fill("input[name=bootstrapToken]", BOOTSTRAP_TOKEN)
    phone.page.locator("input[name=bootstrapToken] >> xpath=ancestor::form//button[@type='submit']").click()
    phone.screen("home")
    return phone
