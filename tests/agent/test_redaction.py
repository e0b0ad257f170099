"""Secrets never leave the server (issue 21): the agent's redactor, its output stream, its reporter.

The real detector (the built-in `secrets` filter, detect-secrets) over the fake secrets of
tests/secret_samples.py; the reporter sends to a recording stand-in for the relay client.
"""

from __future__ import annotations

import json

import pytest

from mobile_codex.agent_app.agent import redactor_for
from mobile_codex.agent_app.codex.app_server.requests import COMMAND_APPROVAL, FILE_CHANGE_APPROVAL, phone_request
from mobile_codex.agent_app.redaction import Redactor
from mobile_codex.agent_app.reporter import TaskReporter
from mobile_codex.core.errors import ConfigError
from mobile_codex.core.interactive import request_digest
from mobile_codex.core.plugins import DEFAULT_PLUGINS, load_plugins
from mobile_codex.plugins.filters.secrets import find_secrets

from ..secret_samples import ALLOWED_KEY_ID, AWS_KEY_ID, GITHUB_TOKEN, MARKERS, NEEDLES, PRIVATE_KEY, SECRET_TEXT
from .conftest import RecordingClient

CLEAN = "Compiling 12 files...\nok: 340 tests passed in 2.1 s\nsee https://example.org/docs?page=2 for more\n"


def redactor(**kwargs) -> Redactor:
    return Redactor([("secrets", find_secrets)], **kwargs)


def assert_hidden(text: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"{needle!r} leaked in {text!r}"


def test_each_kind_becomes_a_marker_that_names_it():
    text, hidden = redactor().redact(SECRET_TEXT, "output")
    for marker in MARKERS:
        assert marker in text
    assert_hidden(text)
    assert "aws_access_key_id = [redacted: AWS Access Key]\n" in text  # what surrounds a secret stays
    assert len(hidden) == 4


@pytest.mark.parametrize("text", [CLEAN, "", "plain words\n", "commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n"])
def test_a_text_without_secrets_passes_unchanged(text):
    assert redactor().redact(text, "output") == (text, [])


def test_a_private_key_without_its_end_is_hidden_to_the_end_of_the_text():
    cut = PRIVATE_KEY.rsplit("\n", 1)[0]  # no END line
    text, _ = redactor().redact(f"before\n{cut}\n", "output")
    assert text.startswith("before\n[redacted: Private Key]") and "-----" not in text
    assert_hidden(text)


def test_an_allowlisted_finding_passes_and_the_others_do_not():
    text, hidden = redactor(allowlist=["ALLOWED[0-9]{9}$"]).redact(f"ok {ALLOWED_KEY_ID}\nbad {AWS_KEY_ID}\n", "output")
    assert text == f"ok {ALLOWED_KEY_ID}\nbad [redacted: AWS Access Key]\n"
    assert hidden == [AWS_KEY_ID]


def test_a_filter_that_raises_withholds_the_text():
    def broken(text, where):
        raise RuntimeError("boom")

    text, hidden = Redactor([("secrets", find_secrets), ("broken", broken)]).redact(SECRET_TEXT, "output")
    assert text == "[withheld: filter broken failed]\n" and len(hidden) == 1
    text, _ = Redactor([("broken", broken)]).redact(CLEAN, "output")  # even a clean text: nobody checked it
    assert text == "[withheld: filter broken failed]\n"


def test_off_in_the_config_nothing_is_filtered(agent_config):
    config = agent_config(redaction={"enabled": False})
    off = redactor_for(config, load_plugins(entry_points=[]))
    assert not off.active and off.redact(SECRET_TEXT, "output") == (SECRET_TEXT, [])
    on = redactor_for(agent_config(), load_plugins(entry_points=[]))  # on by default, with the built-in filter
    assert [fid for fid, _ in on.filters] == ["secrets"]
    assert_hidden(on.redact(SECRET_TEXT, "output")[0])


def test_a_plugin_filter_that_raises_withholds_through_the_agents_redactor(agent_config):
    plugins = load_plugins(builtins=(*DEFAULT_PLUGINS, "tests.sample_plugins.broken_filter"), entry_points=[])
    built = redactor_for(agent_config(), plugins)
    assert [fid for fid, _ in built.filters] == ["secrets", "broken"]
    assert built.redact("hello\n", "output")[0] == "[withheld: filter broken failed]\n"


def test_a_bad_allowlist_pattern_is_a_config_error(agent_config):
    with pytest.raises(ConfigError) as err:
        agent_config(redaction={"allowlist": ["(unclosed"]})
    assert "redaction.allowlist[0]" in str(err.value)


@pytest.mark.parametrize("size", [1, 5, 17, 64])
def test_a_secret_split_across_output_pieces_is_still_caught(size):
    stream = redactor().for_task().stream()
    whole = "start\n" + SECRET_TEXT + CLEAN
    sent = [stream.push(whole[i : i + size]) for i in range(0, len(whole), size)] + [stream.end()]
    text = "".join(sent)
    assert_hidden(text)
    assert text == redactor().redact(whole, "output")[0]
    for piece in sent:  # and no piece ever held a secret's start without its end
        assert "-----BEGIN" not in piece


def test_a_line_without_its_newline_waits_until_it_ends_or_the_run_does():
    stream = redactor().for_task().stream()
    assert stream.push("token ghp_") == ""
    assert stream.push(GITHUB_TOKEN[4:]) == ""
    assert stream.push(" done\nnext") == "token [redacted: GitHub Token] done\n"
    assert stream.end() == "next"


def test_the_reporter_filters_output_items_and_the_final_update_and_counts_each_secret_once():
    client = RecordingClient()
    reporter = TaskReporter(client, "t1", per_update_bytes=12000, redactions=redactor().for_task())
    for i in range(0, len(SECRET_TEXT), 9):
        reporter.append(SECRET_TEXT[i : i + 9])
    reporter.append("tail without newline " + AWS_KEY_ID)
    reporter.queue_turn_fields(items=[{"itemId": "i1", "type": "command", "command": f"echo {GITHUB_TOKEN}",
                                       "output": SECRET_TEXT, "status": "completed"}])  # fmt: skip
    reporter.finish({"status": "completed", "summary": f"printed {GITHUB_TOKEN}", "diffText": f"+{SECRET_TEXT}",
                     "result": {"lastMessage": f"key {AWS_KEY_ID}", "exitCode": 0}})  # fmt: skip
    sent = json.dumps([body for _, body in client.updates])
    assert_hidden(sent)
    output = client.output("t1")
    assert output == redactor().redact(SECRET_TEXT, "output")[0] + "tail without newline [redacted: AWS Access Key]"
    final = client.final("t1")
    assert final["summary"] == "printed [redacted: GitHub Token]" and "[redacted: Private Key]" in final["diffText"]
    assert final["result"] == {"lastMessage": "key [redacted: AWS Access Key]", "exitCode": 0}
    items = [item for _, body in client.updates for item in body.get("itemsAppend", [])]
    assert items[0]["command"] == "echo [redacted: GitHub Token]" and items[0]["itemId"] == "i1"
    assert final["redactions"] == 4  # the same four secrets, wherever they showed up


def test_a_clean_run_reports_no_redactions():
    client = RecordingClient()
    reporter = TaskReporter(client, "t2", per_update_bytes=12000, redactions=redactor().for_task())
    reporter.append(CLEAN)
    reporter.finish({"status": "completed", "summary": "fine"})
    assert client.output("t2") == CLEAN
    assert all("redactions" not in body for _, body in client.updates)


def test_an_approval_request_is_filtered_before_its_digest():
    redactions = redactor().for_task()
    common = dict(request_id="r1", task_id="t3", cwd="/w", requested_at="2026-01-01T00:00:00Z", redact=redactions.text)
    request = phone_request(COMMAND_APPROVAL, {"command": f"curl -H 'Authorization: {GITHUB_TOKEN}' x",
                                               "reason": f"needs {AWS_KEY_ID}"}, file_changes={}, **common)  # fmt: skip
    assert request["command"] == "curl -H 'Authorization: [redacted: GitHub Token]' x"
    assert request["reason"] == "needs [redacted: AWS Access Key]"
    assert request["digest"] == request_digest("t3", request)  # covers exactly what the phone sees
    change = {"type": "fileChange", "changes": [{"path": "/w/.env", "kind": {"type": "add"}, "diff": SECRET_TEXT}]}
    request = phone_request(FILE_CHANGE_APPROVAL, {"itemId": "c1"}, file_changes={"c1": change}, **{**common, "request_id": "r2"})
    assert_hidden(json.dumps(request))
    assert "[redacted: Private Key]" in request["changes"][0]["diff"]
    assert request["digest"] == request_digest("t3", request)
    assert redactions.count == 4  # distinct secrets: the token and the key id showed up twice


def test_an_item_growing_by_deltas_is_filtered_once_per_update_not_once_per_delta():
    calls = []

    def counting(text, where):
        calls.append(where)
        return find_secrets(text, where)

    client = RecordingClient()
    reporter = TaskReporter(client, "t4", per_update_bytes=12000, redactions=Redactor([("secrets", counting)]).for_task())
    reporter.close()  # no flusher thread: this test flushes
    text = ""
    for word in ("token ", GITHUB_TOKEN, " is", " here"):
        text += word
        reporter.queue_turn_fields(items=[{"itemId": "m1", "type": "agentMessage", "text": text, "status": "inProgress"}])
    reporter.flush()
    assert calls == ["item"]  # the one free-text field, once
    items = [item for _, body in client.updates for item in body.get("itemsAppend", [])]
    assert items == [{"itemId": "m1", "type": "agentMessage", "text": "token [redacted: GitHub Token] is here", "status": "inProgress"}]
    assert client.updates[-1][1]["redactions"] == 1


def test_a_key_whose_begin_line_was_cut_off_is_hidden_up_to_its_end_line():
    tail = PRIVATE_KEY[PRIVATE_KEY.index("\n") + 1 :]  # a tail clamped to its budget starts mid-key
    text, _ = redactor().redact(f"{tail}\nservice ready\n", "output")
    assert text == "[redacted: Private Key]\nservice ready\n"
    text, _ = redactor().redact(f"log line one\n{tail[30:]}\n", "output")
    assert text == "log line one\n[redacted: Private Key]\n"
    text, _ = redactor().redact(f"log line one\n{tail[60:]}\n", "output")  # a cut-off line of a few characters too
    assert text == "log line one\n[redacted: Private Key]\n"


def test_a_short_secret_is_hidden_where_it_stands_not_inside_other_words():
    text, _ = redactor().redact('password = "a"\n', "output")
    assert text == 'password = "[redacted: Secret Keyword]"\n'


def test_a_clamp_before_the_filter_leaves_no_cut_token_behind():
    from mobile_codex.agent_app.redaction import clamp_head_words, clamp_tail_words

    text = f"first line\ntoken {GITHUB_TOKEN} end"
    head = clamp_head_words(text, len("first line\ntoken ") + 12)  # the cut falls inside the token
    assert head == "first line\ntoken " and GITHUB_TOKEN[:8] not in head
    tail = clamp_tail_words(text, len(" end") + 12)
    assert tail == " end"
    assert clamp_head_words(text, 1000) == text and clamp_tail_words(text, 1000) == text  # nothing cut: unchanged
    minified = '{"a":"' + "x" * 50 + '","t":"' + GITHUB_TOKEN + '"}'  # no blank at all: quotes bound a token too
    assert clamp_tail_words(minified, 20) == '"}'  # the cut fell inside the token
    assert clamp_head_words(minified, 70) == '{"a":"' + "x" * 50 + '","t":"'
