"""The canary for protocol drift: every message the agent sends validates against the schema the
installed Codex writes (`codex app-server generate-json-schema`)."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest

from mobile_codex.agent_app.turn_channel import Steer

from .model_server import add_file, exec_command, message
from .turn_host import TurnHost

# Our replies to Codex's server requests, by the request's method: the schema file of the reply.
REPLY_SCHEMAS = {
    "item/commandExecution/requestApproval": "CommandExecutionRequestApprovalResponse.json",
    "item/fileChange/requestApproval": "FileChangeRequestApprovalResponse.json",
}


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory, codex_bin):
    folder = tmp_path_factory.mktemp("app-server-schema")
    subprocess.run([codex_bin, "app-server", "generate-json-schema", "--out", str(folder)], check=True,
                   capture_output=True, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip
    return folder


def validator(schema_dir, name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((schema_dir / name).read_text()))


def test_every_message_the_agent_sends_fits_the_installed_codex_schema(tmp_path, codex_bin, model_server, schema_dir):
    host = TurnHost(tmp_path, codex_bin, model_server)
    host.interactive.record = sent = []
    model_server.reset()
    model_server.script(exec_command("sleep 1; echo a"), add_file("canary.txt", "x"), message("first"))
    turn = host.start("do things")
    turn.answer(turn.request(1), "accept")
    turn.channel.give(Steer("s1", "and a steer"))
    turn.answer(turn.request(2), "decline")
    first = turn.finish()
    assert first.error is None and turn.channel.field("steers_applied") == ["s1"]
    model_server.script(exec_command("echo b"), message("second"))
    again = host.start("continue", threadId=first.thread_id)
    again.answer(again.request(), "cancel")
    again.finish()

    methods = [m.get("method") for m in sent]
    for needed in ("initialize", "initialized", "account/read", "thread/start", "thread/resume", "turn/start", "turn/steer"):
        assert needed in methods, needed
    requests, notifications = validator(schema_dir, "ClientRequest.json"), validator(schema_dir, "ClientNotification.json")
    replies = [m for m in sent if "method" not in m]
    assert len(replies) == 3
    for sent_message in sent:
        if "method" in sent_message:
            schema = requests if "id" in sent_message else notifications
            schema.validate(sent_message)
    envelope = validator(schema_dir, "JSONRPCResponse.json")
    for reply in replies:  # each answers an approval request; both kinds take the same decisions
        envelope.validate(reply)
        for name in REPLY_SCHEMAS.values():
            validator(schema_dir, name).validate(reply["result"])
