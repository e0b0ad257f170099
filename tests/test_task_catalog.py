"""The task catalogue (core/task_catalog.py) is the one place for task rules; nothing keeps a copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mobile_codex.core.features import FeatureFlags
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.task_catalog import (
    AGENT_FLAG_KEYS, AGENT_STATUSES, ALL_STATUSES, BUILT_IN_EXEC_MODES, BUILT_IN_TURN_MODES, TASK_TYPES, TERMINAL, TRANSITIONS, UNFINISHED,
    Move, Side, Status, agent_flags, default_exec_mode, may, web_catalog,
)  # fmt: skip

ROOT = Path(__file__).resolve().parent.parent


def test_statuses_split_into_unfinished_and_terminal():
    assert set(UNFINISHED) | TERMINAL == set(ALL_STATUSES) and not set(UNFINISHED) & TERMINAL
    assert TERMINAL == {"completed", "failed", "rejected", "interrupted", "canceled"}


def test_every_transition_names_known_statuses_and_only_the_agent_reports():
    for move, transition in TRANSITIONS.items():
        assert transition.sources <= set(ALL_STATUSES) and transition.targets <= set(ALL_STATUSES), move
        assert not transition.sources & TERMINAL, f"{move}: nothing leaves a terminal status"
    assert [move for move, t in TRANSITIONS.items() if t.side is Side.AGENT] == [Move.REPORT]
    assert AGENT_STATUSES == ("running", "completed", "failed", "canceled")


@pytest.mark.parametrize(
    ("move", "status", "target", "open_"),
    [
        (Move.APPROVE, Status.AWAITING_APPROVAL, None, True),
        (Move.APPROVE, Status.QUEUED, None, False),
        (Move.CANCEL, Status.QUEUED, Status.CANCELED, True),
        (Move.CANCEL, Status.RUNNING, None, False),
        (Move.REQUEST_CANCEL, Status.RUNNING, None, True),
        (Move.REPORT, Status.RUNNING, Status.COMPLETED, True),
        (Move.REPORT, Status.RUNNING, Status.REJECTED, False),
        (Move.REPORT, Status.QUEUED, None, False),
        (Move.INTERRUPT, Status.AWAITING_APPROVAL, Status.INTERRUPTED, True),
        (Move.INTERRUPT, Status.COMPLETED, None, False),
    ],
)
def test_may(move, status, target, open_):
    assert may(move, status, target) is open_


def test_task_types_and_their_flags():
    assert {name: kind.flags for name, kind in TASK_TYPES.items()} == {
        "codex_exec": ("codexExec",), "run_action": ("runAction",), "read_log": ("readLog",),
        "read_session": ("codexExec", "readSession"), "delete_session": ("codexExec", "deleteSession"),
    }  # fmt: skip
    assert [name for name, kind in TASK_TYPES.items() if kind.needs_approval] == ["run_action", "read_log"]
    assert TASK_TYPES["codex_exec"].required_flags(write_access=True) == ("codexExec", "codexExecWrite")
    assert TASK_TYPES["run_action"].required_flags(write_access=True) == ("runAction",)


def test_relay_only_flags_are_not_the_agents():
    assert "pairings" not in AGENT_FLAG_KEYS and "pairings" not in agent_flags(FeatureFlags())
    assert agent_flags(FeatureFlags(codex_exec_write=True))["codexExecWrite"] is True


def test_default_exec_mode():
    assert default_exec_mode() == "read-only"
    assert default_exec_mode(write_access=True) == "workspace-write"
    assert default_exec_mode(resume_session_id="s", write_access=True) == "resume"


def test_the_built_in_exec_mode_plugin_agrees_with_the_catalogue(tmp_path):
    modes = load_plugins().exec_modes(config=None)
    command_line = {mode_id: c.item.writes for mode_id, c in modes.items() if not c.item.interactive}
    assert command_line == dict(BUILT_IN_EXEC_MODES)
    turns = {mode_id: c.item.turn for mode_id, c in modes.items() if c.item.interactive}
    assert turns == dict(BUILT_IN_TURN_MODES)
    assert modes["supervised"].item.flags == ("codexExec", "codexExecWrite")
    assert modes["chat"].item.writes is False and modes["chat"].item.turn.approval_policy == "never"
    assert modes["workspace-write"].item.flags == ("codexExec", "codexExecWrite")


def test_web_catalogue_is_json_of_the_same_rules():
    catalog = web_catalog()
    assert catalog["terminalStatuses"] == [s for s in ALL_STATUSES if s in TERMINAL]
    assert catalog["taskTypes"]["read_log"] == {
        "flags": ["readLog"], "needsApproval": True, "needsCodex": False, "changesWorkspace": False
    }
    assert catalog["taskTypes"]["run_action"]["changesWorkspace"] is True
    assert set(catalog["agentFlags"]) == set(AGENT_FLAG_KEYS)


def test_no_copy_of_the_rules_in_the_apps_or_the_web_app():
    """A list of terminal statuses or a table of task flags anywhere else is a second copy."""
    terminal_list = re.compile(r'"completed",\s*"failed",\s*"rejected"')
    flag_table = re.compile(r'"read_session"\s*:\s*[\[(]')
    offenders = []
    for folder, pattern in (("relay_app", "*.py"), ("agent_app", "*.py"), ("cli", "*.py"), ("plugins", "*.py"), ("web", "*.js")):
        for path in (ROOT / folder).rglob(pattern):
            text = path.read_text(encoding="utf-8")
            if terminal_list.search(text) or flag_table.search(text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
