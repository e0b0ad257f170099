"""How long `mobile-codex up` and `mobile-codex relay` take to stop (issue 14): loops, not tests.

    .venv/bin/python bench/shutdown.py [--runs 20] [--only up|relay] [--keep]

up: a temp HOME (XDG dirs inside it), a temp workspace and `init-relay --origin
http://localhost:PORT` on a free port, once. Each run starts `mobile-codex up --workspace W`, waits
for the sign-in link and for its agent to connect, sends SIGINT (odd runs) or SIGTERM (even runs)
and times until the process exits. The stop lands while the agent goes from its greeting poll to its
first held one, where a lost interrupt used to cost the whole 20 s long poll.

relay: a relay subprocess (bench/_harness.py) with one paired agent and a signed-in phone. Each run
starts the relay, sends the agent's greeting poll, then holds an agent poll (waitMs 20000) and a
phone state wait (waitForChangeAfter, waitMs 25000), lets them settle for `--settle` seconds, sends
SIGTERM and times until the process exits. Both held requests must come back answered as at the end
of a wait: the poll empty with heldMs > 0, the state wait 200 with the view.

Targets: up stops within 3 s and relay within 2 s in every run. Exit code 0 when both are met.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _harness import ROOT, Agent, Phone, Relay, emit, free_port, pair_agents, percentile, say, table

UP_TARGET_SEC = 3.0
RELAY_TARGET_SEC = 2.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# up is signalled once it has printed the sign-in link and its agent has connected: when a person
# would press Ctrl-C, and while the agent goes from its first (greeting) poll to its first held one.
READY_MARKS = ("#code=", "agent: connected to the relay")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "mobile_codex.cli.main", *args]


# --- up ---------------------------------------------------------------------------------------


class UpFolder:
    """A user's dirs and workspace in a temp folder, and a relay config on a free port."""

    def __init__(self, folder: Path):
        home = folder / "home"
        home.mkdir(parents=True)
        self.workspace = folder / "workspace"
        self.workspace.mkdir()
        self.env = {
            **os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"), "XDG_STATE_HOME": str(home / ".local" / "state"),
        }  # fmt: skip
        self.port = free_port()
        subprocess.run(cli("init-relay", "--origin", f"http://localhost:{self.port}"), env=self.env, cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip


def stop_up_once(place: UpFolder, sig: signal.Signals) -> dict:
    proc = subprocess.Popen(cli("up", "--workspace", str(place.workspace)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=place.env, cwd=ROOT, start_new_session=True)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while not all(any(mark in line for line in seen) for mark in READY_MARKS):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("up printed no sign-in link or its agent never connected:\n" + "".join(seen))
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            pass
    started = time.perf_counter()
    proc.send_signal(sig)
    try:
        code = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    elapsed = time.perf_counter() - started
    reader.join(5)
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    return {"seconds": elapsed, "exit": code, "clean": code == 0 and "Traceback" not in output, "signal": sig.name}


def measure_up(runs: int, folder: Path) -> dict:
    place = UpFolder(folder / "up")
    rows = []
    for n in range(runs):
        result = stop_up_once(place, SIGNALS[n % 2])
        rows.append(result)
        say(f"  up run {n + 1}/{runs}: {result['signal']} -> exit {result['exit']} in {result['seconds']:.2f} s")
    return summarize(rows, UP_TARGET_SEC)


# --- relay ------------------------------------------------------------------------------------


def in_thread(fn) -> tuple[threading.Thread, dict]:
    box: dict = {}

    def target() -> None:
        try:
            box["reply"] = fn()
        except Exception as err:  # noqa: BLE001 - reported in the figures
            box["error"] = repr(err)
        box["at"] = time.perf_counter()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def stop_relay_once(relay: Relay, token: str, cookie: str | None, settle: float) -> tuple[dict, str | None]:
    relay.start()
    phone = Phone(relay, cookie=cookie)
    agent = Agent(relay, "shutdown-0000", token)
    agent.poll()  # the greeting, answered at once
    cursor = phone.ok("GET", "/api/admin/state")["changeCursor"]
    poll_thread, poll = in_thread(lambda: agent.poll(wait_ms=20000, report=False))
    state_thread, state = in_thread(lambda: phone.another().get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000"))
    time.sleep(settle)  # a benchmark, not a test: let both settle into their holds
    started = time.perf_counter()
    relay.proc.send_signal(signal.SIGTERM)
    try:
        code = relay.proc.wait(60)
    except subprocess.TimeoutExpired:
        relay.proc.kill()
        code = relay.proc.wait()
    elapsed = time.perf_counter() - started
    poll_thread.join(30)
    state_thread.join(30)
    reply = poll.get("reply") or {}
    status, view = state.get("reply") or (None, None)
    answered = (
        reply.get("tasks") == [] and reply.get("cancelTaskIds") == [] and reply.get("heldMs", 0) > 0
        and status == 200 and isinstance(view, dict) and "changeCursor" in view
    )  # fmt: skip
    return {
        "seconds": elapsed, "exit": code, "clean": code == 0 and answered, "signal": "SIGTERM",
        "pollAnsweredMs": round((poll["at"] - started) * 1000) if "at" in poll else None,
        "heldMs": reply.get("heldMs"), "error": poll.get("error") or state.get("error"),
    }, phone.cookie  # fmt: skip


def measure_relay(runs: int, folder: Path, settle: float) -> dict:
    (folder / "relay").mkdir()
    relay = Relay(threads=16, folder=folder / "relay", keep=True)
    relay.start()
    phone = Phone(relay)
    (agent,) = pair_agents(relay, phone, 1, prefix="shutdown")
    token, cookie = agent.token, phone.cookie
    phone.close()
    agent.close()
    relay.stop()
    rows = []
    for n in range(runs):
        result, cookie = stop_relay_once(relay, token, cookie, settle)
        rows.append(result)
        say(f"  relay run {n + 1}/{runs}: exit {result['exit']} in {result['seconds']:.2f} s, held poll answered "
            f"after {result['pollAnsweredMs']} ms (heldMs {result['heldMs']}){' ' + result['error'] if result['error'] else ''}")  # fmt: skip
    return summarize(rows, RELAY_TARGET_SEC)


# --- figures ----------------------------------------------------------------------------------


def summarize(rows: list[dict], target: float) -> dict:
    times = [r["seconds"] for r in rows]
    within = sum(1 for r in rows if r["seconds"] <= target and r["clean"])
    return {
        "runs": len(rows), "withinTarget": within, "targetSec": target, "clean": sum(r["clean"] for r in rows),
        "p50Sec": round(percentile(times, 50), 2), "maxSec": round(max(times), 2), "minSec": round(min(times), 2),
        "secondsEach": [round(t, 2) for t in times], "targetMet": within == len(rows),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", choices=("up", "relay"))
    parser.add_argument("--settle", type=float, default=0.5, help="seconds the relay's held requests get before SIGTERM")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (configs, data, relay log)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="mobile-codex-shutdown-"))
    figures: dict = {}
    try:
        if args.only in (None, "up"):
            say(f"up: {args.runs} runs in {folder}")
            figures["up"] = measure_up(args.runs, folder)
        if args.only in (None, "relay"):
            say(f"relay: {args.runs} runs in {folder}")
            figures["relay"] = measure_relay(args.runs, folder, args.settle)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    rows = [[name, f["runs"], f"{f['withinTarget']}/{f['runs']}", f["targetSec"], f["minSec"], f["p50Sec"], f["maxSec"], f["clean"]]
            for name, f in figures.items()]  # fmt: skip
    print(table(["command", "runs", "within target", "target s", "min s", "p50 s", "max s", "clean"], rows,
                title="time from the signal to the process's exit"))  # fmt: skip
    met = all(f["targetMet"] for f in figures.values())
    emit("shutdown", {**figures, "targetMet": met})
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
