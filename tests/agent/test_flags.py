"""The agent's own flags: each one off refuses its task type, even when the relay sent the task."""

from __future__ import annotations

import pytest

from mobile_codex.agent_app.errors import TaskFailed

from .conftest import Collected, dispatcher

SESSION = "01a21488-512b-7060-8b60-bb29a9ebe3f2"
TASKS = {
    "codex_exec": {"prompt": "hi"},
    "run_action": {"actionId": "x"},
    "read_log": {"logSourceId": "app"},
    "read_session": {"sessionId": SESSION},
    "delete_session": {"sessionId": SESSION},
}
CASES = [
    ("codexExec", "codex_exec", {}),
    ("codexExecWrite", "codex_exec", {"writeAccess": True}),
    ("codexExecWrite", "codex_exec", {"execMode": "workspace-write"}),
    ("runAction", "run_action", {}),
    ("readLog", "read_log", {}),
    ("codexExec", "read_session", {}),
    ("readSession", "read_session", {}),
    ("codexExec", "delete_session", {}),
    ("deleteSession", "delete_session", {}),
]


@pytest.mark.parametrize(("flag", "task_type", "extra"), CASES)
def test_a_flag_off_here_refuses_its_task_type(agent_config, tmp_path, flag, task_type, extra):
    (tmp_path / "app.log").write_text("x\n")
    flags = {flag: False} if flag != "codexExecWrite" else {}  # codexExecWrite is off by default
    config = agent_config(
        features=flags, actions={"x": {"argv": ["true"]}}, logSources={"app": {"path": str(tmp_path / "app.log")}}
    )
    job = Collected({"taskId": "task_1", "type": task_type, **TASKS[task_type], **extra})
    with pytest.raises(TaskFailed) as caught:
        dispatcher(config).run(job.ctx)
    assert caught.value.code == f"{flag}-disabled-locally"


def test_with_the_flags_on_the_same_tasks_get_past_the_flag_check(agent_config, tmp_path):
    (tmp_path / "app.log").write_text("x\n")
    config = agent_config(actions={"x": {"argv": ["true"]}}, logSources={"app": {"path": str(tmp_path / "app.log")}})
    assert dispatcher(config).run(Collected({"taskId": "t", "type": "run_action", "actionId": "x"}).ctx).error is None
    with pytest.raises(TaskFailed) as caught:  # no codex binary in this agent: the next check answers
        dispatcher(config).run(Collected({"taskId": "t", "type": "codex_exec", "prompt": "hi"}).ctx)
    assert caught.value.code == "codex-not-installed"


def test_unknown_task_type(agent_config):
    with pytest.raises(TaskFailed) as caught:
        dispatcher(agent_config()).run(Collected({"taskId": "t", "type": "format_disk"}).ctx)
    assert caught.value.code == "unsupported-task-type"


def test_unknown_exec_mode(agent_config):
    with pytest.raises(TaskFailed) as caught:
        dispatcher(agent_config()).run(Collected({"taskId": "t", "type": "codex_exec", "execMode": "yolo"}).ctx)
    assert caught.value.code == "unknown-exec-mode"


def test_resume_never_writes(agent_config):
    config = agent_config(features={"codexExecWrite": True})
    task = {"taskId": "t", "type": "codex_exec", "resumeSessionId": SESSION, "writeAccess": True, "prompt": "go"}
    with pytest.raises(TaskFailed) as caught:
        dispatcher(config).run(Collected(task).ctx)
    assert caught.value.code == "resume-write-mode-disabled"


@pytest.mark.parametrize("prompt", [None, "", "  \n"])
def test_a_codex_task_without_its_prompt_is_failed_not_run(agent_config, prompt):
    """Issue 15: a prompt lost on the relay must not become an empty Codex run."""
    task = {"taskId": "t", "type": "codex_exec"} | ({} if prompt is None else {"prompt": prompt})
    with pytest.raises(TaskFailed) as caught:  # before the Codex lookup: this agent has none
        dispatcher(agent_config()).run(Collected(task).ctx)
    assert caught.value.code == "prompt-missing"
