"""Secrets never leave the server: every text the agent sends passes the config's text filters first.

`Redactor` holds the filters the plugins gave (`register_text_filters`) and `redaction.allowlist`.
Each finding is replaced by `[redacted: <kind>]`; a finding whose text an allowlist pattern matches
(`re.search`) stays. A filter that raises withholds the whole text — `[withheld: filter <id> failed]`
— so output is never sent unfiltered because a filter failed.

`TaskRedactions` is one task's view of it: it counts the distinct secrets hidden in everything the
task sent (the `redactions` of its updates), and `OutputStream` filters output that arrives in pieces:
only whole lines go out, and an open `-----BEGIN` block is held back until its `-----END` line, so a
secret split across two pieces is seen whole.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from typing import Any, Callable, Iterable

from mobile_codex.core.plugin_types import Finding
from mobile_codex.core.text import clamp_head, clamp_tail

log = logging.getLogger("mobile_codex.agent")

Find = Callable[[str, str], "Iterable[Finding]"]

# Keys of structured values (items, requests, results) that are ids, kinds and states, never free text.
PLAIN_KEYS = frozenset({
    "itemId", "requestId", "steerId", "digest", "type", "kind", "status", "decisions", "decision", "role",
    "sessionId", "threadId", "turnId", "requestedAt", "timestamp", "createdAt", "updatedAt", "completedAt", "at",
})  # fmt: skip
LINE_HOLD_MAX = 16 * 1024  # a line longer than this goes out in pieces, cut at whitespace
BLOCK_HOLD_MAX = 64 * 1024  # an open BEGIN block longer than this is not a key: it goes out (filtered)
BLOCK_BEGIN = re.compile(r"-----BEGIN [^\n]*-----")
BLOCK_END = re.compile(r"-----END [^\n]*-----")
NOT_TOKEN = re.compile(r"[^A-Za-z0-9_+/=.~-]")  # no secret token holds one of these
DIFF_LINE_START = re.compile(r"\n[+ ]")  # a diff's added or context line (never "-": keys end in "-----END")


def clamp_head_words(text: str, budget: int) -> str:
    """clamp_head that leaves no cut token at the end: a token cut in half no longer looks like one to a
    filter, and its first half would go out. The cut moves back to the last character no token holds
    (a blank, a quote, a comma...). For texts clamped before they are filtered (items, diffs, summaries)."""
    short = clamp_head(text, budget)
    if short == text:
        return text
    ends = [m.end() for m in NOT_TOKEN.finditer(short)]
    return short[: ends[-1]] if ends else ""


def clamp_tail_words(text: str, budget: int) -> str:
    """clamp_tail that leaves no cut token at the start (see clamp_head_words)."""
    short = clamp_tail(text, budget)
    if short == text:
        return text
    first = NOT_TOKEN.search(short)
    return short[first.start() :] if first else ""


def marker(kind: str) -> str:
    return f"[redacted: {kind}]"


def withheld(filter_id: str) -> str:
    return f"[withheld: filter {filter_id} failed]"


class Redactor:
    """The agent's text filters, in load order, and its allowlist. Thread-safe (no state)."""

    def __init__(self, filters: Iterable[tuple[str, Find]] = (), *, allowlist: Iterable[str] = (), enabled: bool = True):
        self.filters = list(filters) if enabled else []
        self.allowlist = [re.compile(pattern) for pattern in allowlist]

    @property
    def active(self) -> bool:
        return bool(self.filters)

    def redact(self, text: str, where: str) -> tuple[str, list[str]]:
        """`text` with its secrets replaced, and what was hidden (each secret's text; a withheld
        text as one entry). Filters run one after the other, each on the previous one's result."""
        hidden: list[str] = []
        if not text or not self.filters:
            return text, hidden
        for filter_id, find in self.filters:
            try:
                findings = sorted((f for f in find(text, where) if 0 <= f.start < f.end <= len(text)), key=lambda f: f.start)
            except Exception:
                log.exception("text filter %s failed; the text is withheld", filter_id)
                return withheld(filter_id) + ("\n" if text.endswith("\n") else ""), [f"withheld:{filter_id}:{text}"]
            out, at = [], 0
            for start, end, kind in _merged(findings):
                secret = text[start:end]
                if any(pattern.search(secret) for pattern in self.allowlist):
                    continue
                out += [text[at:start], marker(kind)]
                hidden.append(secret)
                at = end
            if out:
                out.append(text[at:])
                text = "".join(out)
        return text, hidden

    def for_task(self) -> "TaskRedactions":
        return TaskRedactions(self)


def _merged(findings: list[Finding]) -> list[tuple[int, int, str]]:
    """Sorted findings with overlapping ones joined (the first one's kind names the joined span)."""
    spans: list[list] = []
    for finding in findings:
        if spans and finding.start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], finding.end)
        else:
            spans.append([finding.start, finding.end, finding.kind])
    return [tuple(span) for span in spans]


def _fingerprint(secret: str) -> str:
    """One secret's identity for counting: a key block shown in a diff (`+` before each line) is the same key."""
    return hashlib.sha256(DIFF_LINE_START.sub("\n", secret.strip()).encode("utf-8", "replace")).hexdigest()


class TaskRedactions:
    """One task's redactions: filters its texts and counts the distinct secrets hidden."""

    def __init__(self, redactor: Redactor):
        self.redactor = redactor
        self._lock = threading.Lock()
        self._seen: set[str] = set()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._seen)

    def text(self, text: str, where: str) -> str:
        if not isinstance(text, str) or not text:
            return text
        clean, hidden = self.redactor.redact(text, where)
        if hidden:
            with self._lock:
                self._seen.update(_fingerprint(secret) for secret in hidden)
        return clean

    def value(self, value: Any, where: str) -> Any:
        """A copy of a JSON value with every free-text string filtered (keys in PLAIN_KEYS kept)."""
        if isinstance(value, str):
            return self.text(value, where)
        if isinstance(value, list):
            return [self.value(entry, where) for entry in value]
        if isinstance(value, dict):
            return {key: entry if key in PLAIN_KEYS else self.value(entry, where) for key, entry in value.items()}
        return value

    def stream(self) -> "OutputStream":
        return OutputStream(self)


class OutputStream:
    """Output arriving in pieces, filtered in whole lines (see the module doc). Not thread-safe."""

    def __init__(self, redactions: TaskRedactions):
        self.redactions = redactions
        self._held = ""

    def push(self, text: str) -> str:
        """The filtered part of what was held plus `text` that may go now."""
        if not self.redactions.redactor.active:
            return text
        self._held += text
        cut = self._cut()
        ready, self._held = self._held[:cut], self._held[cut:]
        return self.redactions.text(ready, "output") if ready else ""

    def end(self) -> str:
        """Everything still held, filtered (the run ended: an open block is redacted to its end)."""
        ready, self._held = self._held, ""
        return self.redactions.text(ready, "output") if ready else ""

    def _cut(self) -> int:
        held = self._held
        cut = held.rfind("\n") + 1  # whole lines only
        if cut == 0 and len(held) > LINE_HOLD_MAX:  # a very long line: up to its last whitespace
            space = max(held.rfind(" ", 0, LINE_HOLD_MAX), held.rfind("\t", 0, LINE_HOLD_MAX))
            cut = space + 1 if space > 0 else LINE_HOLD_MAX
        # An open BEGIN block (no END after it) waits for its END, unless it grew too long to be a key.
        opened = None
        for begin in BLOCK_BEGIN.finditer(held, 0, cut):
            if not BLOCK_END.search(held, begin.end(), cut):
                opened = begin
                break
        if opened is not None and len(held) - opened.start() <= BLOCK_HOLD_MAX:
            cut = held.rfind("\n", 0, opened.start()) + 1
        return cut
