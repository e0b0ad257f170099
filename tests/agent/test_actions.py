"""run_action: argv actions from config, confined, time-limited, with an allowlisted environment."""

from __future__ import annotations

import time

import pytest

from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.agent_app.reporter import TOTAL_OUTPUT_CAP, TRUNCATED_NOTE, TaskReporter

from .conftest import Collected, dispatcher, wait_dead


def run_action(config, action_id: str) -> Collected:
    job = Collected({"taskId": "task_1", "type": "run_action", "actionId": action_id})
    job.outcome = dispatcher(config).run(job.ctx)
    return job


def failure(config, task: dict) -> TaskFailed:
    with pytest.raises(TaskFailed) as caught:
        dispatcher(config).run(Collected({"taskId": "task_1", **task}).ctx)
    return caught.value


@pytest.mark.parametrize("code", [0, 3])
def test_exit_codes_are_reported(agent_config, code):
    config = agent_config(actions={"x": {"argv": ["sh", "-c", f"echo out; echo err >&2; exit {code}"]}})
    job = run_action(config, "x")
    assert job.outcome.result["exitCode"] == code and job.outcome.result["actionId"] == "x"
    assert job.outcome.error == (None if code == 0 else "nonzero-exit")
    assert "out\n" in job.text and "err\n" in job.text


def test_no_shell_the_argv_is_taken_literally(agent_config, workspace):
    config = agent_config(actions={"x": {"argv": ["echo", "$HOME; touch pwned"]}})
    job = run_action(config, "x")
    assert "$HOME; touch pwned" in job.text and not (workspace / "pwned").exists()
    # What runs is said as a list, each argument quoted (the phone shows it so), never as a shell line.
    assert job.text.startswith('argv: ["echo", "$HOME; touch pwned"]\n')


def test_timeout_kills_the_whole_group_including_a_grandchild(agent_config, tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = f"sleep 300 & echo $! > {pid_file}; wait"
    config = agent_config(actions={"slow": {"argv": ["sh", "-c", script], "timeoutSec": 1}})
    started = time.monotonic()
    assert failure(config, {"type": "run_action", "actionId": "slow"}).code == "timeout"
    assert time.monotonic() - started < 5
    assert wait_dead(int(pid_file.read_text()))


def test_a_grandchild_that_left_the_group_is_killed_too(agent_config, tmp_path):
    pid_file = tmp_path / "escaped.pid"
    script = f"setsid sleep 300 & echo $! > {pid_file}; sleep 300"
    config = agent_config(actions={"slow": {"argv": ["sh", "-c", script], "timeoutSec": 1}})
    assert failure(config, {"type": "run_action", "actionId": "slow"}).code == "timeout"
    assert wait_dead(int(pid_file.read_text()))


def test_what_a_finished_action_left_running_is_killed(agent_config, tmp_path):
    pid_file = tmp_path / "bg.pid"
    config = agent_config(actions={"bg": {"argv": ["sh", "-c", f"sleep 300 & echo $! > {pid_file}; echo started"]}})
    started = time.monotonic()
    job = run_action(config, "bg")
    assert job.outcome.result["exitCode"] == 0 and time.monotonic() - started < 5
    assert wait_dead(int(pid_file.read_text()))


def test_cwd_escapes_are_refused(agent_config, workspace, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace / "link").symlink_to(outside)
    (workspace / "sub").mkdir()
    for cwd in ("..", "../outside", str(outside), "link", "link/."):
        config = agent_config(actions={"x": {"argv": ["pwd"], "cwd": cwd}})
        assert failure(config, {"type": "run_action", "actionId": "x"}).code == "path-outside-workspace", cwd
    job = run_action(agent_config(actions={"x": {"argv": ["pwd"], "cwd": "sub"}}), "x")
    assert job.text.splitlines()[-1] == str((workspace / "sub").resolve())


def test_the_child_sees_only_allowlisted_variables(agent_config, monkeypatch):
    monkeypatch.setenv("SECRET_DB_PASSWORD", "hunter2")
    monkeypatch.setenv("MOBILE_CODEX_AGENT_TOKEN", "agent-token")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-allowed")
    monkeypatch.setenv("LANG", "C.UTF-8")
    job = run_action(agent_config(actions={"env": {"argv": ["env"]}}), "env")
    names = {line.split("=", 1)[0] for line in job.text.splitlines()[1:] if "=" in line}
    assert "SECRET_DB_PASSWORD" not in names and "MOBILE_CODEX_AGENT_TOKEN" not in names
    assert {"OPENAI_API_KEY", "LANG", "PATH"} <= names
    from mobile_codex.core.child_env import allowed

    assert all(allowed(name) for name in names)


def test_unknown_action(agent_config):
    assert failure(agent_config(), {"type": "run_action", "actionId": "nope"}).code == "unknown-action"


def test_output_is_capped_per_update_and_in_total(agent_config, recording_client):
    config = agent_config(actions={"loud": {"argv": ["sh", "-c", "yes 0123456789abcdef | head -c 3000000"]}})
    reporter = TaskReporter(recording_client, "task_1", per_update_bytes=config.max_task_log_bytes)
    job = Collected({"taskId": "task_1", "type": "run_action", "actionId": "loud"})
    job.ctx = type(job.ctx)(task=job.ctx.task, output=reporter.append, cancel=job.cancel)
    outcome = dispatcher(config).run(job.ctx)
    reporter.finish({"status": "completed", "result": outcome.result})
    sizes = [len(body.get("outputAppend", "").encode()) for _, body in recording_client.updates]
    assert max(sizes) <= config.max_task_log_bytes
    sent = recording_client.output("task_1")
    assert len(sent.encode()) == TOTAL_OUTPUT_CAP  # the note included: the ASCII output fills the rest to the byte
    assert sent.endswith(TRUNCATED_NOTE)
    assert TRUNCATED_NOTE.strip() == "[output truncated: the agent sends at most 1 MiB per task]"
    assert recording_client.final("task_1")["status"] == "completed"


def test_the_truncation_note_fits_inside_the_cap_whatever_the_text(recording_client):
    reporter = TaskReporter(recording_client, "task_1", per_update_bytes=1024, total_cap=200)
    for _ in range(3):
        reporter.append("é" * 50)  # 100 bytes each, two-byte characters never cut in half
    reporter.finish({"status": "completed"})
    sent = recording_client.output("task_1")
    assert len(sent.encode()) <= 200 and sent.endswith(TRUNCATED_NOTE)
    assert sent[: -len(TRUNCATED_NOTE)] == "é" * (len(sent[: -len(TRUNCATED_NOTE)]))
