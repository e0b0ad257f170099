"""The installable parts and the strings: every string and error code in English and 简体中文, manifest,
icons, service worker list."""

from __future__ import annotations

import http.client
import json
import re
import struct

from mobile_codex.core.audit import KINDS as AUDIT_KINDS
from mobile_codex.core.notifications import CHOOSABLE_KINDS

from ..conftest import API_MD
from .conftest import WEB

# Backticked kebab-case words of API.md that are not error codes.
NOT_ERROR_CODES = {"no-store", "read-only", "workspace-write", "on-request"}  # on-request: an approval policy
# Codes of the app itself (network, passkey prompt, form checks), the relay's generic 400 and the
# relay's own additions to API.md (docs/api.md).
CLIENT_CODES = {
    "network-error", "passkey-canceled", "passkey-browser-error", "passkeys-unsupported", "clipboard-unavailable",
    "prompt-required", "workspace-name-required", "bad-request", "unknown", "unsupported-media-type",
    # Web Push on this device (web/push.js): why the browser could not subscribe.
    "push-unsupported", "push-no-key", "push-denied", "push-dismissed", "push-no-worker", "push-service-unreachable",
}  # fmt: skip
# Keys built at run time from a value: every value must have its string.
DYNAMIC_KEYS = {
    # Notifications: the kinds a person can choose (core/notifications.py CHOOSABLE_KINDS), Notification.permission.
    "notifications.kind": list(CHOOSABLE_KINDS),
    "audit.kind": list(AUDIT_KINDS),  # the audit trail's kinds of entry (core/audit.py KINDS)
    "audit.says": list(AUDIT_KINDS),  # and each kind's sentence (web/screens/audit_sentences.js)
    "notifications.permission": ["default", "granted", "denied", "unsupported"],
    "role": ["viewer", "operator", "owner"],
    "status": ["awaiting_approval", "queued", "running", "completed", "failed", "rejected", "interrupted", "canceled"],
    "type": ["codex_exec", "run_action", "read_log", "read_session", "delete_session"],
    "flag": ["codexExec", "codexExecWrite", "readSession", "deleteSession", "runAction", "readLog", "pairings"],
    "tasks.filter": ["all", "active", "approval", "completed", "problems"],
    "mode": ["read-only", "workspace-write", "resume", "chat", "supervised"],
    "modeInfo": ["read-only", "workspace-write", "chat", "supervised"],
    "session.role": ["user", "assistant"],
    # Interactive Codex (API.md): decisions, request kinds and statuses, item statuses, change kinds, steers.
    "decision": ["accept", "decline", "cancel"],
    "request.ask": ["command", "fileChange", "other"],
    "request.status": ["accepted", "declined", "canceled", "expired", "resolved"],
    "item": ["inProgress", "completed", "failed", "declined"],
    "change": ["add", "update", "delete"],
    "steer": ["pending", "applied"],
    # agent_app/turn_channel.py STEER_TURN_ENDED, and the signed-intent refusals (core/intents.py CODES)
    "steerReason": ["turn-ended", "intent-signature-required", "intent-signature-invalid", "intent-expired",
                    "intent-replayed", "approver-not-trusted"],
    "sign.agent": ["writes", "all"],  # an agent's requireSignedIntents (web/screens/agent_parts.js)
}
AGENT_ERROR_CODES = [  # PRODUCT.md "Agent behaviour details" (<flag>-disabled-locally has one message)
    "codex-not-installed", "unknown-exec-mode", "unknown-action", "unknown-log-source", "path-outside-workspace",
    "invalid-session-id", "session-not-found", "session-outside-workspace", "resume-write-mode-disabled",
    "write-run-in-progress", "log-not-readable", "timeout", "canceled",
    # ours (docs/operations.md, "Why a task failed")
    "nonzero-exit", "action-not-startable", "unsupported-task-type", "session-delete-failed", "agent-stopped",
    "exec-mode-invalid-command", "prompt-missing", "invalid-task-field",
    # Interactive Codex (issue 16)
    "codex-crashed", "codex-stalled", "thread-not-found", "codex-not-signed-in", "codex-refused", "codex-turn-failed",
    # Signed intents (issue 20, core/intents.py CODES)
    "intent-signature-required", "intent-signature-invalid", "intent-expired", "intent-replayed", "approver-not-trusted",
]  # fmt: skip


def api_error_codes() -> set[str]:
    """Every error code of API.md: the codes after a status (`409 \\`a\\`, \\`b\\``) ..."""
    text = API_MD.read_text()
    after_status = set()
    for run in re.finditer(r"\b[45]\d\d\s*((?:`[a-z][a-z0-9-]*`(?:\s*,\s*|\s+or\s+)?)+)", text):
        after_status.update(re.findall(r"`([a-z][a-z0-9-]*)`", run.group(1)))
    # ... and, so none mentioned elsewhere is missed, every backticked kebab-case word.
    every_kebab = set(re.findall(r"`([a-z]+(?:-[a-z0-9]+)+)`", text)) - NOT_ERROR_CODES
    assert after_status <= every_kebab | {"forbidden"}
    return after_status | every_kebab


def table(phone) -> dict[str, dict]:
    phone.open("/")
    phone.screen("signin")
    return phone.page.evaluate("async () => (await import('/i18n.js')).TABLE")


def test_every_api_error_code_has_a_message_in_every_language(phone):
    codes = api_error_codes()
    assert len(codes) >= 60 and {"rate-limited", "invalid-login-code", "task-already-finished"} <= codes
    languages = table(phone)
    assert set(languages) == {"en", "zh-CN"}
    for language, strings in languages.items():
        missing = sorted(code for code in codes if f"error.{code}" not in strings)
        assert not missing, f"{language}: API.md error codes without a message in web/strings/: {missing}"
        assert [code for code in CLIENT_CODES if f"error.{code}" not in strings] == [], language
        assert [code for code in AGENT_ERROR_CODES if f"taskError.{code}" not in strings] == [], language


def test_every_string_the_code_uses_is_in_every_language(phone):
    languages = table(phone)
    english = languages["en"]
    namespaces = {key.split(".")[0] for key in english}
    used = set()
    for path in WEB.rglob("*.js"):
        if path.parent.name == "strings":  # the tables themselves: a key counts as used when code names it
            continue
        for literal in re.findall(r"""["'`]([a-zA-Z]+\.[A-Za-z0-9_.-]+)["'`]""", path.read_text()):
            if literal.split(".")[0] in namespaces and not literal.endswith(".js"):
                used.add(literal)
    for prefix, values in DYNAMIC_KEYS.items():
        used.update(f"{prefix}.{value}" for value in values)
    used.update(k for k in english if k.startswith(("error.", "taskError.")))
    assert len(used) > 150
    for language, strings in languages.items():
        missing = sorted(used - set(strings))
        assert not missing, f"{language}: strings without a translation: {missing}"
        placeholders = {k: set(re.findall(r"\{(\w+)\}", json.dumps(v))) for k, v in strings.items()}
        for key, value in english.items():  # a translation keeps the English placeholders
            assert placeholders.get(key, set()) == set(re.findall(r"\{(\w+)\}", json.dumps(value))), (language, key)
    unused = sorted(set(english) - used)
    assert not unused, f"strings no code uses: {unused}"
    for language, strings in languages.items():
        extra = sorted(set(strings) - set(english))
        assert not extra, f"{language}: keys English does not have: {extra}"
        for key, value in strings.items():  # plural forms the language has (Intl.PluralRules), `other` always
            if isinstance(value, dict):
                assert "other" in value and set(value) <= {"zero", "one", "two", "few", "many", "other"}, (language, key)


def test_every_audit_kind_has_a_sentence_builder():
    """web/screens/audit_sentences.js builds a sentence for each kind the relay notes (core/audit.py
    KINDS); a kind left out would read as its bare name, the fallback meant for newer relays."""
    source = (WEB / "screens" / "audit_sentences.js").read_text()
    table = source.split("const SENTENCES = new Map(Object.entries({", 1)[1].split("\n})", 1)[0]
    built = {kind.replace("_", ".") for kind in re.findall(r"""^  "?([a-z][a-z_-]*)"?:""", table, re.MULTILINE)}
    assert built == set(AUDIT_KINDS), (sorted(set(AUDIT_KINDS) - built), sorted(built - set(AUDIT_KINDS)))


# Values that may stay as in English in another language: names and pure placeholders.
SAME_IN_EVERY_LANGUAGE = {
    "app.name", "agent.codexHeading", "codex.title", "type.codex_exec", "agents.codexVersion",
    "session.role.assistant",
}  # fmt: skip


def test_chinese_is_a_translation_not_a_copy(phone):
    languages = table(phone)
    english, chinese = languages["en"], languages["zh-CN"]
    han = re.compile(r"[\u4e00-\u9fff]")
    copied = sorted(key for key, value in chinese.items() if key not in SAME_IN_EVERY_LANGUAGE and not han.search(json.dumps(value, ensure_ascii=False)))
    assert not copied, f"zh-CN strings with no Chinese in them: {copied}"
    assert all(chinese[key] == english[key] for key in SAME_IN_EVERY_LANGUAGE)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def fetch(relay, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", relay.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_manifest_and_icons_make_the_app_installable(relay):
    status, headers, body = fetch(relay, "/manifest.webmanifest")
    assert status == 200 and headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(body)
    assert manifest["name"] == "Mobile Codex" and manifest["short_name"]
    assert (manifest["start_url"], manifest["display"], manifest["scope"]) == ("/", "standalone", "/")
    sizes = {}
    for icon in manifest["icons"]:
        status, headers, data = fetch(relay, icon["src"])
        assert status == 200 and headers["content-type"] == "image/png", icon
        assert data == (WEB / icon["src"].lstrip("/")).read_bytes()
        width, height = png_size(data)
        assert icon["sizes"] == f"{width}x{height}" and icon["type"] == "image/png"
        sizes.setdefault(icon.get("purpose", "any"), set()).add(width)
    assert {192, 512} <= sizes["any"] and 512 in sizes["maskable"]
    page = fetch(relay, "/")[2].decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


def test_index_has_no_inline_script_or_style_and_loads_the_vendored_renderer_and_one_module():
    page = (WEB / "index.html").read_text()
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/vendor/markdown-it.umd.min.js">', '<script type="module" src="/app.js">']
    assert "<style" not in page and " style=" not in page and "javascript:" not in page
    for path in WEB.rglob("*.js"):
        if path.parent.name == "vendor":
            continue  # third-party code, byte for byte as published: tests/web/test_markdown.py checks its checksum
        code = path.read_text()
        assert ".innerHTML" not in code and "eval(" not in code and "setAttribute(\"style\"" not in code, path
        # (the SVG namespace is a name, never fetched)
        assert not re.search(r"https?://(?!localhost|www\.w3\.org/2000/svg\b)", code), f"{path}: no third-party origins"


def test_the_service_worker_caches_every_shell_file_and_no_api():
    worker = (WEB / "sw.js").read_text()
    listed = set(re.findall(r'"(/[^"]*)"', worker.split("];")[0]))
    files = {
        "/" + path.relative_to(WEB).as_posix()
        for path in WEB.rglob("*")
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts and path.name != "sw.js"
    }
    assert files - listed == set(), "add these to SHELL in web/sw.js"
    assert listed - files == {"/"}, "SHELL lists files that do not exist"
    assert 'url.pathname.startsWith("/api/")' in worker
