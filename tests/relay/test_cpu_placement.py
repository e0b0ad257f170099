"""`server.oneCore`: the relay's serving threads held on one CPU, moved when another is much less busy
(relay_app/cpu_placement.py). Real threads and processes, real affinity syscalls; only the watcher's
/proc readings are written by the test where it needs a CPU to look busy."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from mobile_codex.relay_app.cpu_placement import OneCore, cpu_times, least_busy, thread_ticks

from ..relay_process import free_port, relay_process

CPUS = sorted(os.sched_getaffinity(0))


@pytest.fixture(autouse=True)
def two_cpus():
    # CI and every machine of this project have 2 cores; with one there is nothing to place
    assert len(CPUS) >= 2, f"these tests need 2 CPUs, this process may use {CPUS}"


def allowed(tid: int | str = "self", pid: int | str = "self") -> str:
    status = Path(f"/proc/{pid}/task/{tid}/status" if tid != "self" else f"/proc/{pid}/status").read_text()
    return next(line.split(":", 1)[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))


def in_thread(fn):
    """Run fn in a new thread that stays alive until released; returns (tid, result, release)."""
    out, ready, release = {}, threading.Event(), threading.Event()

    def body():
        out["tid"] = threading.get_native_id()
        out["result"] = fn()
        ready.set()
        release.wait(30)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    assert ready.wait(10)

    def done():
        release.set()
        thread.join(10)

    return out["tid"], out["result"], done


def test_proc_stat_is_read_for_every_cpu_this_process_may_use():
    times = cpu_times(Path("/proc/stat").read_text())
    assert set(CPUS) <= set(times)
    assert all(0 <= busy <= total and total > 0 for busy, total in times.values())
    own = thread_ticks(Path(f"/proc/self/task/{threading.get_native_id()}/stat").read_text())
    assert own >= 0


def snapshot(**busy_total):
    return {int(k[3:]): v for k, v in busy_total.items()}


BEFORE = snapshot(cpu0=(0, 0), cpu1=(0, 0))


def test_the_threads_stay_where_they_are_unless_another_cpu_is_much_less_busy():
    # both cores as busy with other work: stay
    assert least_busy(BEFORE, snapshot(cpu0=(60, 100), cpu1=(60, 100)), [0, 1], 0, own_ticks=0) == 0
    # the relay's own work is what keeps its core busy: stay
    assert least_busy(BEFORE, snapshot(cpu0=(95, 100), cpu1=(10, 100)), [0, 1], 0, own_ticks=90) == 0
    # something else holds the relay's core: move
    assert least_busy(BEFORE, snapshot(cpu0=(95, 100), cpu1=(10, 100)), [0, 1], 0, own_ticks=5) == 1
    # less busy, but by under a quarter of a core: stay (no moving back and forth)
    assert least_busy(BEFORE, snapshot(cpu0=(50, 100), cpu1=(30, 100)), [0, 1], 0, own_ticks=0) == 0
    assert least_busy(BEFORE, snapshot(cpu0=(55, 100), cpu1=(30, 100)), [0, 1], 0, own_ticks=0) == 1
    # only the CPUs the relay was given count, however idle another is
    three = snapshot(cpu0=(95, 100), cpu1=(90, 100), cpu2=(0, 100))
    assert least_busy(snapshot(cpu0=(0, 0), cpu1=(0, 0), cpu2=(0, 0)), three, [0, 1], 0, own_ticks=0) == 0


def test_entered_threads_share_one_cpu_and_the_rest_of_the_process_keeps_all():
    placement = OneCore()
    pinned_tid, _, release_pinned = in_thread(placement.enter)
    free_tid, _, release_free = in_thread(lambda: None)
    try:
        assert allowed(pinned_tid) == str(placement.cpu)
        assert os.sched_getaffinity(free_tid) == set(CPUS)
        # a program started from a thread that is not serving (as `up`'s agent starts Codex) may use every CPU
        child = subprocess.run(["cat", "/proc/self/status"], capture_output=True, text=True, check=True).stdout
        assert f"Cpus_allowed_list:\t{allowed()}\n" in child and not allowed().isdigit(), child

        other = next(cpu for cpu in CPUS if cpu != placement.cpu)
        placement.move_to(other)
        assert os.sched_getaffinity(pinned_tid) == {other} and placement.cpu == other
        assert os.sched_getaffinity(free_tid) == set(CPUS)
        with pytest.raises(ValueError, match="not among the relay's CPUs"):
            placement.move_to(max(CPUS) + 1)
    finally:
        release_pinned()
        release_free()


def test_where_threads_cannot_be_placed_nothing_is(monkeypatch):
    # macOS and others have no sched_setaffinity: the relay serves as before, its threads untouched
    monkeypatch.delattr(os, "sched_setaffinity")
    placement = OneCore().start()
    tid, _, release = in_thread(placement.enter)
    try:
        assert not placement.useful and os.sched_getaffinity(tid) == set(CPUS)
    finally:
        placement.stop()
        release()


def test_a_thread_that_left_is_not_moved_any_more():
    placement = OneCore()
    tid, _, release = in_thread(lambda: (placement.enter(), placement.leave()))
    try:
        start = os.sched_getaffinity(tid)
        placement.move_to(next(cpu for cpu in CPUS if cpu != placement.cpu))
        assert os.sched_getaffinity(tid) == start
    finally:
        release()


def write_proc(root: Path, tid: int, busy: dict[int, int], total: int, own: int) -> None:
    """The watcher's /proc files, each replaced whole; the thread's own time first, so a reading
    between the two writes never shows other work that is not there."""

    def replace(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "new").write_text(text)
        (path.parent / "new").rename(path)

    fields = ["S"] + ["0"] * 10 + [str(own), "0"] + ["0"] * 30
    replace(root / "self" / "task" / str(tid) / "stat", f"{tid} (a (worker)) {' '.join(fields)}\n")
    lines = ["cpu  0 0 0 0 0 0 0 0 0 0"]
    for cpu in CPUS:
        b = busy.get(cpu, 0)
        lines.append(f"cpu{cpu} {b} 0 0 {total - b} 0 0 0 0 0 0")
    replace(root / "stat", "\n".join(lines) + "\n")


def test_the_watcher_moves_the_serving_threads_off_a_core_that_other_work_keeps_busy(tmp_path):
    placement = OneCore(every=0.05, proc=tmp_path)
    here = placement.cpu
    other = next(cpu for cpu in CPUS if cpu != here)
    tid, _, release = in_thread(placement.enter)
    try:
        write_proc(tmp_path, tid, {}, total=0, own=0)
        placement.start()
        time.sleep(0.2)
        # the relay alone keeps its core busy: no move
        write_proc(tmp_path, tid, {here: 900}, total=1000, own=880)
        time.sleep(0.3)
        assert os.sched_getaffinity(tid) == {here}
        # then another program takes it
        write_proc(tmp_path, tid, {here: 1900, other: 100}, total=2000, own=900)
        deadline = time.monotonic() + 10
        while os.sched_getaffinity(tid) != {other} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.sched_getaffinity(tid) == {other} and placement.cpu == other
    finally:
        placement.stop()
        release()


def relay_tasks(pid: int) -> dict[int, str]:
    tasks = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            tasks[int(task.name)] = allowed(task.name, pid)
        except (OSError, StopIteration):
            pass
    return tasks


@pytest.mark.parametrize("one_core", [True, False])
def test_a_serving_relay_holds_its_loop_and_workers_on_one_cpu(run_cli, tmp_path, user_dirs, one_core):
    config = tmp_path / "relay.json"
    assert run_cli("init-relay", "--origin", "http://localhost", "--output", config, "--data-dir", tmp_path / "data").returncode == 0
    document = json.loads(config.read_text())
    document["server"] = {"threads": 16, "oneCore": one_core}
    config.write_text(json.dumps(document))
    port = free_port()
    with relay_process(config, user_dirs, port) as proc:
        assert proc.stdout.readline().startswith("relay listening"), proc.stderr.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as answer:
            assert answer.status == 200
        everything = allowed(pid=proc.pid)
        tasks = relay_tasks(proc.pid)
        single = [tid for tid, cpus in tasks.items() if cpus.isdigit()]
        if one_core:
            # 16 workers and the loop, all on the same CPU; the main thread and the rest keep them all
            assert len(single) == 17 and len({tasks[tid] for tid in single}) == 1, tasks
            assert tasks[proc.pid] == everything
        else:
            assert single == [] and set(tasks.values()) == {everything}, tasks
