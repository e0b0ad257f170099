"""Reading a Codex rollout: odd lines are skipped, injected context never shows as the person's words."""

from __future__ import annotations

import pytest

from mobile_codex.agent_app.codex.rollout import Message, is_injected_context, read_messages

from .rollout_lines import ENV, item


def test_lines_that_are_not_json_objects_are_skipped(tmp_path):
    rollout = tmp_path / "rollout.jsonl"
    odd = ['["response_item"]', '42', '"response_item"', "null", '{"type": "response_item", "payload": ["x"]}',
           "[" * 100_000 + '"response_item"', '{"type": "response_item"', "\xff response_item"]  # fmt: skip
    rollout.write_text("\n".join([item("user", "first"), *odd, item("assistant", "second")]) + "\n")
    assert read_messages(rollout) == [Message("user", "first", "t"), Message("assistant", "second", "t")]


@pytest.mark.parametrize(
    "text",
    [
        ENV,
        "\n  " + ENV + "\n",
        ENV + "\nand more text after the block",
        "<environment_context>\n  <cwd>/ws</cwd>",  # cut short: no closing tag
        "<user_instructions>\nBe brief.\n</user_instructions>\nAlso this.",
        "<turn_aborted>",
        "# AGENTS.md instructions for /ws\n\n<INSTRUCTIONS>\nuse tabs\n</INSTRUCTIONS>",
        "<permissions instructions>\nread-only\n</permissions instructions>",
    ],
)
def test_injected_context_is_recognised(text):
    assert is_injected_context(text)


@pytest.mark.parametrize(
    "text",
    ["fix the tests", "why is <environment_context> in the preview?", "<b>bold</b> please", "<div> is not centred",
     "<3 thanks", "< environment_context> typed by hand"],  # fmt: skip
)
def test_what_a_person_types_is_kept(text):
    assert not is_injected_context(text)


def test_previews_skip_context_blocks_followed_by_text(tmp_path):
    rollout = tmp_path / "rollout.jsonl"
    lines = [item("user", ENV + "\n"), item("user", ENV + " trailing"), item("user", "<environment_context>"),
             item("user", "what the person typed"), item("assistant", "answer")]  # fmt: skip
    rollout.write_text("\n".join(lines) + "\n")
    assert [m.text for m in read_messages(rollout)] == ["what the person typed", "answer"]
