"""The VolatileStore contract (core/volatile_store.py), the same on memory and on Redis."""

from __future__ import annotations

import threading
import time

from tests.waiting import wait_until


def test_set_get_delete(shared):
    assert shared.get("k:a") is None
    shared.set("k:a", b"one", 60)
    assert shared.get("k:a") == b"one"
    shared.set("k:a", "zwei ✓".encode(), 60)
    assert shared.get("k:a") == "zwei ✓".encode()
    shared.delete("k:a")
    assert shared.get("k:a") is None


def test_entries_expire(shared):
    shared.set("k:short", b"x", 0.2)
    shared.set("k:long", b"y", 60)
    wait_until(lambda: shared.get("k:short") is None, timeout=5, what="the short entry to expire")
    assert shared.get("k:long") == b"y"


def test_set_if_absent_stores_once(shared):
    assert shared.set_if_absent("k:x", b"first", 60) is True
    assert shared.set_if_absent("k:x", b"second", 60) is False
    assert shared.get("k:x") == b"first"


def test_take_gives_the_value_to_one_caller(shared):
    shared.set("k:t", b"secret", 60)
    got = []
    threads = [threading.Thread(target=lambda: got.append(shared.take("k:t"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got, key=lambda v: v or b"") == [None] * 7 + [b"secret"]
    assert shared.get("k:t") is None


def test_incr_counts_and_expires(shared):
    assert [shared.incr("n:c", 60) for _ in range(3)] == [1, 2, 3]
    assert shared.incr("n:d", 0.2) == 1
    wait_until(lambda: shared.incr("n:d", 0.2) == 1, timeout=5, what="the counter to start again")


def test_epoch_is_stable(shared):
    first = shared.epoch()
    assert len(first) >= 16 and shared.epoch() == first


def test_publish_wakes_a_waiter(shared):
    seen = shared.versions(("bus:a", "bus:b"))
    assert seen == {"bus:a": 0, "bus:b": 0}
    woke = {}

    def waiter():
        started = time.monotonic()
        woke["versions"] = shared.wait(seen, 30)
        woke["after"] = time.monotonic() - started

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.2)  # let it block (a publish before it waits is seen just the same)
    assert shared.publish("bus:b") == 1
    thread.join(timeout=30)
    assert woke["versions"] == {"bus:a": 0, "bus:b": 1}
    assert woke["after"] < 25  # woken by the publish, not by the 30 s timeout


def test_wait_returns_at_once_when_behind_and_at_the_timeout_otherwise(shared):
    shared.publish("bus:c")
    assert shared.wait({"bus:c": 0}, 30) == {"bus:c": 1}
    assert shared.wait({"bus:c": 1}, 0.1) == {"bus:c": 1}


def test_publish_many_moves_each_topic_and_wakes_their_waiters(shared):
    shared.publish("bus:d")
    seen = shared.versions(("bus:d", "bus:e", "bus:f"))
    woke = {}
    thread = threading.Thread(target=lambda: woke.update(versions=shared.wait({"bus:f": 0}, 30)))
    thread.start()
    shared.publish_many(("bus:d", "bus:f"))
    thread.join(timeout=30)
    assert woke["versions"] == {"bus:f": 1}
    assert shared.versions(("bus:d", "bus:e", "bus:f")) == {**seen, "bus:d": 2, "bus:f": 1}
    shared.publish_many(())  # nothing to move is no error
