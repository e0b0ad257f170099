"""Redis-only rules: never a server that could put task text on disk (SECURITY.md), and 503 while it is away."""

from __future__ import annotations

import threading

import pytest
import redis

from mobile_codex.core.errors import VolatileStoreRefused, VolatileStoreUnavailable
from tests.servers.redis import RedisServer
from tests.waiting import wait_until

from .conftest import open_shared


def test_a_redis_that_saves_snapshots_is_refused_unless_accepted(redis_url, redis_server):
    client = redis.Redis(port=redis_server.port)
    client.config_set("save", "3600 1")
    try:
        with pytest.raises(VolatileStoreRefused) as refused:
            open_shared("redis", redis_url)
        assert "save" in str(refused.value) and "acceptPersistence" in str(refused.value)
        assert "SECURITY.md" in str(refused.value)
        accepted = open_shared("redis", redis_url, accept_persistence=True)
        accepted.set("k:a", b"x", 5)
        assert accepted.get("k:a") == b"x"
        accepted.close()
    finally:
        client.config_set("save", "")
        client.close()


def test_a_redis_with_an_append_only_file_is_refused():
    server = RedisServer("--appendonly", "yes")
    try:
        with pytest.raises(VolatileStoreRefused, match="appendonly yes"):
            open_shared("redis", server.url)
    finally:
        server.close()


def test_a_redis_without_config_is_refused():
    server = RedisServer("--rename-command", "CONFIG", "")
    try:
        with pytest.raises(VolatileStoreRefused, match="cannot read the server's persistence settings"):
            open_shared("redis", server.url)
    finally:
        server.close()


def test_the_password_comes_from_a_file(tmp_path):
    server = RedisServer("--requirepass", "s3cret-pass")
    try:
        secret = tmp_path / "redis-password"
        secret.write_text("s3cret-pass\n")
        store = open_shared("redis", server.url, password_file=secret)
        store.set("k:a", b"x", 5)
        assert store.get("k:a") == b"x"
        store.close()
        with pytest.raises(VolatileStoreRefused):  # no password: CONFIG is refused, so is the server
            open_shared("redis", server.url)
    finally:
        server.close()


def test_operations_raise_unavailable_while_redis_is_down_and_recover(redis_url, redis_server):
    store = open_shared("redis", redis_url)
    try:
        store.set("k:a", b"x", 60)
        redis_server.stop()
        with pytest.raises(VolatileStoreUnavailable):
            store.get("k:a")
        with pytest.raises(VolatileStoreUnavailable):
            store.incr("rate:x", 60)
        redis_server.start()
        assert store.get("k:a") is None  # a restarted Redis kept nothing
        store.set("k:a", b"y", 60)
        assert store.get("k:a") == b"y"
    finally:
        store.close()


def test_a_wait_reads_again_only_for_its_own_topics(redis_url):
    waiting, publishing = open_shared("redis", redis_url), open_shared("redis", redis_url)  # two replicas
    reads = []
    counted = waiting.versions
    waiting.versions = lambda topics: reads.append(topics) or counted(topics)
    try:
        woke = {}
        thread = threading.Thread(target=lambda: woke.update(versions=waiting.wait({"bus:mine": 0}, 30)))
        thread.start()
        wait_until(lambda: reads, what="the wait's first read")
        for _ in range(200):
            publishing.publish("bus:another")  # heard by the waiting replica's listener, not its topic
        publishing.publish("bus:mine")
        thread.join(30)
        assert woke["versions"] == {"bus:mine": 1}
        assert len(reads) <= 3  # the first read, the one its own message caused (and maybe a resubscription's)
    finally:
        waiting.close()
        publishing.close()


def test_a_message_published_while_the_listener_was_away_still_ends_the_wait(redis_url, redis_server):
    waiting, publishing = open_shared("redis", redis_url), open_shared("redis", redis_url)
    try:
        woke = {}
        thread = threading.Thread(target=lambda: woke.update(versions=waiting.wait({"bus:mine": 0}, 30)))
        thread.start()
        admin = redis.Redis(port=redis_server.port)
        wait_until(lambda: admin.pubsub_numsub("mc:bus")[0][1] == 1, what="the listener subscribed")
        admin.client_kill_filter(_type="pubsub")  # the listener is away for at least half a second...
        publishing.publish("bus:mine")  # ...so Redis delivers this message to nobody
        thread.join(5)  # the wait reads again once the listener is back, not at its 10 s safety read
        assert not thread.is_alive() and woke["versions"] == {"bus:mine": 1}
    finally:
        waiting.close()
        publishing.close()
