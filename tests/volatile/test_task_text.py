"""Task text (core/task_text.py) on each volatile backend: the same bounds, the same rules.

Unfinished text is never evicted; the oldest terminal text goes first; each unfinished task counts
as its reserve; a workspace keeps at most its cap of finished text; a refused change leaves the entry
as it was. On Redis also: replicas see each other's text, every key expires, concurrent updates from
two replicas lose nothing, and an unreachable Redis is an error, never an empty prompt."""

from __future__ import annotations

import threading

import pytest
import redis

from mobile_codex.core.errors import VolatileStoreUnavailable
from mobile_codex.core.task_text import EMPTY, TextBounds, get_many, text_size
from mobile_codex.relay_app.errors import ApiError
from mobile_codex.relay_app.resources.turn_bodies import parse_turn_report
from mobile_codex.relay_app.services import conversation
from mobile_codex.relay_app.services.tasks import INTERACTIVE_TEXT_RESERVE, TEXT_RESERVE
from tests.relay.turn_helpers import command_request
from tests.waiting import wait_until

from .conftest import open_shared

NOW = "2026-12-04T12:00:00.000Z"


@pytest.fixture
def make_text(shared):
    """make_text(**bounds): the task text of the store under test, within those bounds."""
    return lambda **bounds: shared.task_text(TextBounds(**bounds))


@pytest.fixture
def redis_pair(redis_url):
    """Two stores on one Redis, as two relay replicas open them."""
    stores = [open_shared("redis", redis_url) for _ in range(2)]
    yield stores
    for store in stores:
        store.close()


def test_get_update_inspect_and_forget(make_text):
    text = make_text()
    assert text.get("t") == EMPTY and text.inspect("t", lambda entry: entry) is None
    assert text.admit("t", prompt="héllo ✓")
    text.update("t", lambda entry: entry.update(outputTail="out"))
    assert text.get("t") == {**EMPTY, "prompt": "héllo ✓", "outputTail": "out"}
    assert text.inspect("t", lambda entry: entry["prompt"]) == "héllo ✓"
    assert text.stats() == (1, text_size(text.get("t")))
    text.forget("t")
    assert text.get("t") == EMPTY and text.stats() == (0, 0)


def test_get_is_a_copy(make_text):
    text = make_text()
    text.set("t", result={"messages": [{"role": "user"}]})
    text.get("t")["result"]["messages"].clear()
    assert text.get("t")["result"] == {"messages": [{"role": "user"}]}


def test_get_many_reads_each_task_as_get_does_in_the_order_asked(make_text):
    text = make_text()
    text.admit("a", prompt="first ✓")
    text.set("b", terminal=True, outputTail="done", result={"exitCode": 0})
    text.admit("gone", prompt="p")
    text.forget("gone")
    ids = ["b", "unknown", "a", "gone", "b"]
    many = text.get_many(ids)
    assert many == [text.get(task_id) for task_id in ids]
    assert [entry["prompt"] for entry in many] == ["", "", "first ✓", "", ""]
    assert many[0]["result"] == {"exitCode": 0} and many[1] == many[3] == EMPTY
    assert text.get_many([]) == [] and get_many(text, ()) == []
    assert get_many(text, iter(["a"])) == [text.get("a")]  # the core's entry point takes any sequence


def test_get_many_gives_copies(make_text):
    text = make_text()
    text.set("t", result={"messages": [{"role": "user"}]})
    first, again, unknown = text.get_many(["t", "t", "u"])
    first["result"]["messages"].clear()
    first["prompt"] = unknown["prompt"] = "changed"
    assert again["result"] == {"messages": [{"role": "user"}]}  # a duplicate is its own copy
    assert text.get("t")["result"] == {"messages": [{"role": "user"}]} and text.get("t")["prompt"] == ""
    assert text.get_many(["u"]) == [EMPTY] and EMPTY["prompt"] == ""


def test_a_backend_without_get_many_is_read_one_task_at_a_time(make_text):
    """A plugin's TaskText written before get_many (not subclassing the protocol) keeps working."""
    held = make_text()
    held.admit("a", prompt="p")
    reads = []

    class OldBackend:
        def get(self, task_id):
            reads.append(task_id)
            return held.get(task_id)

    assert get_many(OldBackend(), ["a", "x"]) == [held.get("a"), EMPTY] and reads == ["a", "x"]


def test_text_is_bounded_oldest_terminal_first(make_text):
    text = make_text(max_tasks=3, max_bytes=10_000)
    for name in ("a", "b", "c"):
        text.set(name, prompt=name * 10)
    text.mark_terminal("b")
    text.set("d", prompt="d")
    assert text.get("b")["prompt"] == "" and text.get("a")["prompt"] == "a" * 10 and text.stats()[0] == 3
    assert text.admit("e", prompt="e") is False  # no terminal task left: unfinished text is never dropped
    assert text.get("a")["prompt"] == "a" * 10  # (issue 15: it used to go, and its agent ran an empty prompt)
    for name in ("a", "c", "d"):
        text.mark_terminal(name)
    text.set("big", prompt="x" * 9_000)
    assert text.stats()[1] <= 10_000 and text.get("big")["prompt"] == "x" * 9_000
    text.forget("big")
    assert text.get("big")["prompt"] == ""


def test_unfinished_text_is_never_evicted_and_new_tasks_wait_for_room(make_text):
    text = make_text(max_tasks=3, max_bytes=10_000)
    assert all(text.admit(name, prompt=name * 10) for name in ("a", "b", "c"))
    assert text.admit("d", prompt="d") is False  # three unfinished tasks fill it
    text.set("a", outputTail="o" * 9_000)  # an unfinished task's text grows past the budget: kept
    assert text.get("b")["prompt"] == "b" * 10 and text.get("a")["outputTail"] == "o" * 9_000
    text.mark_terminal("a")
    assert text.admit("d", prompt="d") is True  # room is made from finished tasks' text only
    assert text.get("a")["prompt"] == "" and [text.get(n)["prompt"] for n in "bcd"] == ["b" * 10, "c" * 10, "d"]


def test_each_unfinished_task_reserves_what_its_text_can_grow_to(make_text):
    text = make_text(max_bytes=3 * 1000, live_reserve=1000)
    assert [text.admit(name, prompt="p") for name in "abcd"] == [True, True, True, False]
    text.set("a", summary="s" * 900)  # within its reserve: nothing else moves
    assert text.stats() == (3, 3000)
    text.mark_terminal("b")  # a finished task counts only what it holds ...
    assert text.stats() == (3, 2000 + text_size(text.get("b")))
    assert text.admit("d", prompt="p") is True  # ... and goes to make room for an unfinished one
    assert text.get("b")["prompt"] == "" and text.get("a")["summary"] == "s" * 900 and text.stats() == (3, 3000)


def test_the_store_counts_an_interactive_task_as_its_reserve_and_refuses_past_it(make_text):
    text = make_text(max_bytes=3 * INTERACTIVE_TEXT_RESERVE, live_reserve=TEXT_RESERVE)
    assert text.admit("t1", reserve=INTERACTIVE_TEXT_RESERVE)
    assert text.admit("t2", reserve=INTERACTIVE_TEXT_RESERVE)
    assert text.stats() == (2, 2 * INTERACTIVE_TEXT_RESERVE)
    assert text.admit("t3", reserve=INTERACTIVE_TEXT_RESERVE)
    assert not text.admit("t4")  # no room left for even an ordinary task
    text.mark_terminal("t1")  # a finished task counts as what it holds, and goes first
    assert text.admit("t4") and text.stats()[0] == 4


def test_a_workspace_keeps_the_text_of_at_most_its_cap_of_finished_tasks(make_text):
    text = make_text(finished_per_workspace=2)
    assert all(text.admit(name, workspace="A", prompt=name) for name in ("a1", "a2", "a3", "a4", "a5"))
    assert text.admit("b1", workspace="B", prompt="b1")
    text.mark_terminal("b1")
    for name in ("a1", "a2", "a3"):
        text.set(name, terminal=True, outputTail="out")
    # A's third finished task pushed out its longest-finished one; B's and the unfinished are kept
    assert [text.get(n)["prompt"] for n in ("a1", "a2", "a3", "a4", "a5", "b1")] == ["", "a2", "a3", "a4", "a5", "b1"]
    text.mark_terminal("a4")
    assert text.get("a2")["prompt"] == "" and text.get("a3")["outputTail"] == "out" and text.stats()[0] == 4


def test_the_finished_cap_never_drops_unfinished_text(make_text):
    text = make_text(finished_per_workspace=1)
    assert all(text.admit(f"t{n}", workspace="A", prompt=f"p{n}") for n in range(5))
    text.mark_terminal("t0")
    text.set("t1", outputTail="growing")  # unfinished: no cap applies to it
    assert [text.get(f"t{n}")["prompt"] for n in range(5)] == [f"p{n}" for n in range(5)]
    text.mark_terminal("t1")
    assert text.get("t0")["prompt"] == ""
    assert [text.get(f"t{n}")["prompt"] for n in range(1, 5)] == ["p1", "p2", "p3", "p4"]
    text.forget("t1")
    assert text.stats()[0] == 3  # nothing of the forgotten task stays behind


def test_a_refused_change_leaves_the_entry_as_it_was(make_text):
    text = make_text(live_reserve=TEXT_RESERVE)
    text.admit("t1", reserve=INTERACTIVE_TEXT_RESERVE, prompt="keep me", **conversation.turn_text(model="", effort=""))
    before = text.stats()
    bad = parse_turn_report({"requestsAdd": [{**command_request("t1", "r1"), "digest": "0" * 64}]})
    with pytest.raises(ApiError):
        text.update("t1", lambda entry: conversation.apply_report(entry, "t1", bad, NOW))
    with pytest.raises(ApiError):
        text.update("unknown", lambda entry: conversation.apply_report(entry, "unknown", bad, NOW))
    assert text.get("t1")["prompt"] == "keep me" and text.get("t1")["requests"] == [] and text.stats() == before
    assert text.inspect("unknown", lambda entry: entry) is None  # a refused change made no entry


def test_an_update_of_an_ended_task_keeps_it_ended(make_text):
    text = make_text(max_tasks=2)
    text.admit("done", prompt="p")
    text.mark_terminal("done")
    text.set("done", outputTail="late")  # set(terminal=False) does not bring it back to life
    text.admit("live", prompt="q")
    assert text.admit("more", prompt="r")  # the ended task's text made room
    assert text.get("done")["prompt"] == "" and text.get("live")["prompt"] == "q"


def test_replicas_on_one_redis_see_each_others_text(redis_pair):
    bounds = TextBounds(max_tasks=3, live_reserve=100, finished_per_workspace=1)
    one, two = (store.task_text(bounds) for store in redis_pair)
    assert one.admit("t1", workspace="w", prompt="from one ✓")
    assert two.get("t1")["prompt"] == "from one ✓"
    two.update("t1", lambda entry: entry.update(outputTail="from two"))
    assert one.inspect("t1", lambda entry: entry["outputTail"]) == "from two"
    assert two.admit("t2", workspace="w") and one.admit("t3", workspace="w")
    assert not two.admit("t4")  # the bounds are the store's, not one replica's
    one.mark_terminal("t1")
    assert two.admit("t4") and one.get("t1") == EMPTY  # ended on one, evicted by the other's admit
    assert one.stats() == two.stats() == (3, 300)


def test_concurrent_updates_from_two_replicas_lose_nothing(redis_pair):
    one, two = (store.task_text(TextBounds()) for store in redis_pair)
    one.admit("t", outputTail="")
    writers = [
        threading.Thread(target=lambda text=text, tag=tag: [
            text.update("t", lambda entry, n=n: entry.update(outputTail=entry["outputTail"] + f"{tag}{n},"))
            for n in range(25)
        ])
        for text, tag in ((one, "a"), (two, "b"), (one, "c"), (two, "d"))
    ]  # fmt: skip
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    parts = one.get("t")["outputTail"].rstrip(",").split(",")
    assert sorted(parts) == sorted(f"{tag}{n}" for tag in "abcd" for n in range(25))
    assert one.stats() == (1, text_size(one.get("t")))


def test_every_task_text_key_in_redis_expires(redis_url):
    store = open_shared("redis", redis_url)
    try:
        text = store.task_text(TextBounds(finished_per_workspace=5, finished_ttl_s=3600))
        text.admit("live", workspace="w", prompt="p")
        text.admit("done", workspace="w", prompt="p")
        text.mark_terminal("done")
        client = redis.Redis.from_url(redis_url)
        keys = client.keys("mc:text:*")
        assert len(keys) >= 6, keys  # two entries, meta, sums, the terminal queue, the workspace's, expiries
        ttls = {key.decode(): client.pttl(key) for key in keys}
        assert all(ttl > 0 for ttl in ttls.values()), ttls
        assert ttls["mc:text:e:done"] <= 3600 * 1000 < ttls["mc:text:e:live"]  # finished text goes after retention
        assert min(ttls[k] for k in ttls if "e:" not in k) >= ttls["mc:text:e:live"]  # the bookkeeping outlives them
    finally:
        store.close()


def test_text_redis_expired_leaves_the_bounds_too(redis_url):
    store = open_shared("redis", redis_url)
    try:
        text = store.task_text(TextBounds(max_tasks=2, finished_ttl_s=0.2))
        text.admit("a", prompt="a")
        text.mark_terminal("a")
        text.admit("b", prompt="b")
        client = redis.Redis.from_url(redis_url)
        wait_until(lambda: client.get("mc:text:e:a") is None, timeout=5, what="the finished entry to expire")
        text.forget("nothing")  # any write catches up with what Redis expired
        assert text.stats() == (1, text_size(text.get("b")))
    finally:
        store.close()


def test_an_unreachable_redis_is_an_error_never_empty_text(redis_url, redis_server):
    store = open_shared("redis", redis_url)
    try:
        text = store.task_text(TextBounds())
        text.admit("t", prompt="queued prompt")
        redis_server.stop()
        for call in (
            lambda: text.get("t"), lambda: text.get_many(["t", "u"]), lambda: text.inspect("t", bool),
            lambda: text.admit("u", prompt="x"),
            lambda: text.set("t", summary="s"), lambda: text.mark_terminal("t"), lambda: text.stats(),
        ):  # fmt: skip
            with pytest.raises(VolatileStoreUnavailable):
                call()
        redis_server.start()
        assert text.get("t") == EMPTY  # a restarted Redis kept nothing (the epoch rule interrupts the task)
        assert text.get_many(["t"]) == [EMPTY]
        assert text.admit("u", prompt="again") and text.get("u")["prompt"] == "again"
    finally:
        store.close()


def test_a_full_redis_refuses_text_whole_and_keeps_its_counts(redis_url):
    store = open_shared("redis", redis_url)
    client = redis.Redis.from_url(redis_url)
    try:
        text = store.task_text(TextBounds())
        client.config_set("maxmemory", client.info("memory")["used_memory"] + 200_000)  # noeviction: writes refused
        admitted = []
        with pytest.raises(VolatileStoreUnavailable):
            for n in range(100):
                admitted.append(text.admit(f"t{n}", prompt="p" * 50_000))
        assert 0 < len(admitted) < 100 and all(admitted)
        with pytest.raises(VolatileStoreUnavailable):
            text.set("t0", outputTail="more")
        client.config_set("maxmemory", 0)
        held = [text.get(f"t{n}")["prompt"] for n in range(len(admitted))]
        assert held == ["p" * 50_000] * len(admitted) and text.get(f"t{len(admitted)}") == EMPTY
        assert text.stats() == (len(admitted), sum(text_size(text.get(f"t{n}")) for n in range(len(admitted))))
    finally:
        client.config_set("maxmemory", 0)
        store.close()


def test_get_many_on_redis_is_one_command_for_every_task(redis_url):
    store = open_shared("redis", redis_url)
    client = redis.Redis.from_url(redis_url)
    try:
        text = store.task_text(TextBounds())
        for n in range(50):
            text.admit(f"t{n}", prompt=f"p{n}")
        client.config_resetstat()
        many = text.get_many([f"t{n}" for n in range(50)] + ["unknown"])
        stats = client.info("commandstats")
        assert [entry["prompt"] for entry in many] == [f"p{n}" for n in range(50)] + [""]
        assert stats.get("cmdstat_mget", {}).get("calls") == 1 and "cmdstat_get" not in stats, stats
    finally:
        client.close()
        store.close()
