"""docs/ says only what exists: commands, flags, config keys and hooks are checked against the
code, the configuration tables against the models, and the tutorial's runnable blocks are run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mobile_codex.core import hookspecs
from mobile_codex.core.config import load_document
from mobile_codex.core.config.schema import REQUIRED, Context

from .doc_model import AGENT_KEYS, APPRISE_KEYS, ID, RELAY_KEYS, all_names, commands, default_of, parser_limits, top_level_flags

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted((REPO / "docs").glob("*.md"))
TEXT = {path.name: path.read_text(encoding="utf-8") for path in DOCS}
COMMANDS = commands()
ALL_FLAGS = set().union(*COMMANDS.values()) | top_level_flags()

# Flags of other programs the docs show (systemctl, journalctl, useradd, pip, git, caddy, codex, ...).
FOREIGN_FLAGS = {
    "--now", "--no-pager", "--system", "--home-dir", "--shell", "--from", "--to", "--with-api-key", "--global",
    "--add", "--short", "--upgrade", "--directory", "--sandbox", "--full-auto", "--bg",
}  # fmt: skip
# camelCase names in docs that are not config keys: API fields, task fields, hook-value attributes.
NOT_CONFIG = {
    "writeAccess", "execMode", "resumeSessionId", "outputTail", "heldMs", "waitMs", "publicKeySpki", "loginCode",
    "firstSeq", "prevHash", "startPrevHash",  # fields of an audit export (security.md)
}
TOP_LEVEL = {path.split(".")[0] for path in (*RELAY_KEYS, *AGENT_KEYS)}
ENTRY_SECTIONS = ("actions", "logSources")
OWN_SECTIONS = "plugins.config."  # below it, each plugin's own keys (docs/plugins.md): not the core's to list


def _spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def _blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced block."""
    return re.findall(r"^```([^\n]*)\n(.*?)^```", text, flags=re.S | re.M)


def _logical_lines(text: str) -> list[str]:
    return text.replace("\\\n", " ").splitlines()


def test_the_docs_exist():
    expected = {"tutorial.md", "deployment.md", "security.md", "feature-flags.md", "operations.md", "migration.md",
                "plugins.md", "configuration.md"}  # fmt: skip
    assert expected <= set(TEXT)


@pytest.mark.parametrize("name", sorted(TEXT))
def test_every_command_named_exists(name):
    named = set(re.findall(r"\bmobile-codex ([a-z][a-z-]*)", TEXT[name]))
    assert named - set(COMMANDS) == set(), f"{name} names commands that do not exist"


@pytest.mark.parametrize("name", sorted(TEXT))
def test_every_flag_belongs_to_the_command_it_is_shown_with(name):
    wrong = []
    for line in _logical_lines(TEXT[name]):
        starts = [(m.start(), m.group(1)) for m in re.finditer(r"\bmobile-codex ([a-z][a-z-]*)", line)]
        starts += [(m.start(), m.group(1)) for m in re.finditer(r"`([a-z][a-z-]*) --", line) if m.group(1) in COMMANDS]
        for start, command in starts:
            segment = re.split(r"\||&&|;|`|\)|#", line[start:].lstrip("`"), maxsplit=1)[0]
            for flag in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", segment):
                if flag not in COMMANDS.get(command, set()):
                    wrong.append(f"{command} {flag}")
    assert wrong == []


@pytest.mark.parametrize("name", sorted(TEXT))
def test_every_flag_named_exists(name):
    flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", TEXT[name]))
    assert flags - ALL_FLAGS - FOREIGN_FLAGS == set(), f"{name} names flags no command has"


def _is_key_path(path: str) -> bool:
    if path.startswith(OWN_SECTIONS):
        return True
    parts = path.split(".")
    if parts[0] in ENTRY_SECTIONS and len(parts) > 1:
        parts[1] = ID
    normalized = ".".join(parts)
    return any(key == normalized or key.startswith(normalized + ".") for key in (*RELAY_KEYS, *AGENT_KEYS))


WIRE_DOCS = {"api.md"}  # documents fields of the HTTP API, not config keys


@pytest.mark.parametrize("name", sorted(set(TEXT) - WIRE_DOCS))
def test_every_config_key_named_exists(name):
    names, unknown = all_names(), []
    texts = _spans(TEXT[name]) + [body for info, body in _blocks(TEXT[name]) if info.strip() == "json"]
    for text in texts:
        for key in re.findall(r'"([A-Za-z]\w*)"\s*:', text):
            if key not in names:
                unknown.append(key)
    for span in _spans(TEXT[name]):
        if re.fullmatch(r"[a-z][A-Za-z0-9]*(\.(<id>|[A-Za-z0-9_<>-]+))+", span) and span.split(".")[0] in TOP_LEVEL:
            if not _is_key_path(span):
                unknown.append(span)
        elif re.fullmatch(r"[a-z]+[A-Z][A-Za-z0-9]*", span) and span not in names and span not in NOT_CONFIG:
            unknown.append(span)
    assert unknown == [], f"{name} names config keys the models do not have"


def test_not_config_names_are_really_not_config_keys():
    assert NOT_CONFIG & all_names() == set()


@pytest.mark.parametrize(("marker", "kind"), [("relay-config", "relay"), ("agent-config", "agent")])
def test_complete_config_examples_load(marker, kind):
    bodies = [body for name in TEXT for info, body in _blocks(TEXT[name]) if info.split()[1:] == [marker]]
    assert bodies, f"no ```json {marker} block in docs/"
    for body in bodies:  # with the built-in plugins, which check their sections (ConfigError otherwise)
        load_document(json.loads(body), Context(file=marker, base_dir=REPO), kind, entry_points=[])


# --- configuration.md: its tables are the models ------------------------------------------

# Keys whose default is computed when the file is loaded (the model holds a placeholder).
DERIVED = {"publicOrigin", "dataDir", "server.connectionLimit", "agentLabel", "stateDir", "actions.<id>.label",
           "logSources.<id>.label", "codex.homeDir", "codex.writeModeDefaultsToOff"}  # fmt: skip


def _table(section: str) -> dict[str, list[str]]:
    text = TEXT["configuration.md"].split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


@pytest.mark.parametrize(
    ("section", "keys"), [("Relay", RELAY_KEYS), ("Agent", AGENT_KEYS), ("Apprise notifications", APPRISE_KEYS)]
)
def test_configuration_tables_list_every_key_with_its_default_and_range(section, keys):
    rows = _table(section)
    assert list(rows) and set(rows) == set(keys)
    for path, key in keys.items():
        default_cell, allowed = rows[path][0], rows[path][1]
        default = default_of(key)
        if default is REQUIRED:
            assert default_cell.startswith("required"), path
        elif path not in DERIVED:
            shown = "none" if default is None else f"`{json.dumps(list(default) if isinstance(default, tuple) else default)}`"
            assert default_cell == shown, path
        limits = parser_limits(key)
        if "lo" in limits:
            assert allowed.startswith(f"{limits['lo']}..{limits['hi']}"), path
        for option in limits.get("options", ()):
            assert option in allowed, path


# --- plugins.md: every hook ----------------------------------------------------------------

HOOKS = sorted(name for name, obj in vars(hookspecs).items() if callable(obj) and hasattr(obj, f"{hookspecs.PROJECT}_spec"))


def test_every_hook_is_documented_in_the_plugin_guide():
    assert HOOKS, "no hookspecs found"
    missing = [hook for hook in HOOKS if f"`{hook}(" not in TEXT["plugins.md"]]
    assert missing == []


def test_the_plugin_guide_names_only_real_hooks():
    named = set(re.findall(r"\b(register_[a-z_]+)\(", TEXT["plugins.md"]))
    assert named - set(HOOKS) == set()


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEXT))
def test_relative_links_resolve(name):
    broken = []
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", TEXT[name]):
        if not re.match(r"[a-z]+:", target) and not (REPO / "docs" / target).exists():
            broken.append(target)
    assert broken == []


def test_the_readme_links_every_doc():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in TEXT if f"(docs/{name})" not in readme] == []


# --- the tutorial's runnable blocks --------------------------------------------------------


def test_the_tutorials_runnable_blocks_succeed_in_a_temporary_home(tmp_path):
    blocks = [body for info, body in _blocks(TEXT["tutorial.md"]) if info.split() == ["sh", "runnable"]]
    assert len(blocks) >= 4
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"), "XDG_CACHE_HOME": str(home / ".cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", "LANG": "C.UTF-8",
    }  # fmt: skip
    for block in blocks:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=home, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"block failed:\n{block}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        assert "Traceback" not in done.stderr
    assert (home / ".config" / "mobile-codex" / "relay.json").exists()


def test_the_security_model_calls_the_bootstrap_token_break_glass_once_a_passkey_exists():
    """SECURITY.md: docs tell operators to treat the bootstrap token as break-glass once a passkey exists."""
    (bullet,) = [p for p in TEXT["security.md"].split("\n- ") if p.startswith("The **bootstrap token**")]
    assert "break-glass" in bullet and "passkey" in bullet and "offline" in bullet
