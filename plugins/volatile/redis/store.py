"""The `redis` volatile store (redis-py): shared by every relay replica, never on disk.

Opening refuses a server that persists (`CONFIG GET save` non-empty, `appendonly yes`) or whose
CONFIG command is disabled, because then task text could reach its disk (SECURITY.md), unless
`volatile.acceptPersistence` says the operator accepts that. Every key is under `mc:`; every
entry has a TTL. While the server cannot be reached each call raises `VolatileStoreUnavailable`
after the socket timeout (the relay answers 503, and the client's retry is the reconnect).

The wake-up bus: a topic's version is a counter (`mc:bus:<topic>`), and publishing also sends
the topic name on the pub/sub channel `mc:bus`. One listener thread per process turns those
messages into wake-ups of the local waits on those topics (hashed into slots), so a held long-poll
costs no Redis connection and a message wakes only the waits of its own topics, not every held
poll of the replica (bench/replicas.py: waking all 250 held polls per message made dispatch 4×
slower). A wait reads the versions again when woken, when the listener has (re)subscribed — a
message published while it was away is not replayed — and every `SAFETY_READ_S` in any case.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Mapping

import redis
from mobile_codex.core.config.secrets import read_secret
from mobile_codex.core.errors import VolatileStoreRefused, VolatileStoreUnavailable
from mobile_codex.core.task_text import TextBounds

from .task_text import RedisTaskText

PREFIX = "mc:"
BUS_CHANNEL = PREFIX + "bus"
BUS_TTL_S = 7 * 24 * 3600  # a topic nobody published to for a week starts again from 0
SOCKET_TIMEOUT_S = 3.0
HEARD_SLOTS = 4096  # topics hashed into this many slots: a collision only costs a wait a read
SAFETY_READ_S = 10.0  # a wait reads its versions at least this often, whatever it heard
RULE = "SECURITY.md: task text is kept in memory only, never on disk"


def _password(config) -> str | None:
    try:
        return read_secret("volatile", config.password_env, config.password_file)
    except ValueError as err:
        raise VolatileStoreRefused(str(err)) from None


def open_redis_store(config) -> RedisVolatileStore:
    client = redis.Redis.from_url(
        config.url, password=_password(config), socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=SOCKET_TIMEOUT_S, health_check_interval=30,
    )  # fmt: skip
    if not config.accept_persistence:
        refuse_persistence(client, config.url)
    return RedisVolatileStore(client)


def refuse_persistence(client: redis.Redis, url: str) -> None:
    """Raise VolatileStoreRefused unless the server at `url` provably keeps nothing on disk."""
    try:
        save = client.config_get("save").get("save", "")
        appendonly = client.config_get("appendonly").get("appendonly", "")
    except redis.ResponseError as err:
        raise VolatileStoreRefused(
            f"volatile.url {url}: cannot read the server's persistence settings (CONFIG GET: {err}); "
            f"set volatile.acceptPersistence to true only if you know it keeps nothing on disk ({RULE})"
        ) from None
    except redis.RedisError as err:
        raise VolatileStoreRefused(f"volatile.url {url}: cannot reach Redis: {err}") from None
    if save or appendonly == "yes":
        setting = f"save {save!r}" if save else "appendonly yes"
        raise VolatileStoreRefused(
            f"volatile.url {url}: this Redis persists to disk ({setting}); run it with --save '' --appendonly no, "
            f"or set volatile.acceptPersistence to true to accept that task text may reach its disk ({RULE})"
        )


def _unavailable(err: Exception) -> VolatileStoreUnavailable:
    return VolatileStoreUnavailable(f"redis: {err}")


def _ms(ttl_s: float) -> int:
    return max(1, int(ttl_s * 1000))


class RedisVolatileStore:
    def __init__(self, client: redis.Redis):
        self._r = client
        self._changed = threading.Lock()  # guards the waits' registry below and the listener's start
        self._waits: dict[int, set[threading.Event]] = {}  # topic slot -> the waits to wake for it
        self._listener: threading.Thread | None = None
        self._pubsub = None
        self._closed = False

    def _call(self, method: str, *args, **kwargs):
        try:
            return getattr(self._r, method)(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as err:
            raise _unavailable(err) from None

    def epoch(self) -> str:
        fresh = secrets.token_hex(16)
        self._call("set", PREFIX + "epoch", fresh, nx=True)
        value = self._call("get", PREFIX + "epoch")
        return (value or fresh.encode()).decode()

    def get(self, key: str) -> bytes | None:
        return self._call("get", PREFIX + key)

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._call("set", PREFIX + key, value, px=_ms(ttl_s))

    def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        return bool(self._call("set", PREFIX + key, value, px=_ms(ttl_s), nx=True))

    def take(self, key: str) -> bytes | None:
        return self._call("getdel", PREFIX + key)

    def delete(self, key: str) -> None:
        self._call("delete", PREFIX + key)

    def incr(self, key: str, ttl_s: float) -> int:
        try:
            with self._r.pipeline(transaction=True) as pipe:
                pipe.incr(PREFIX + key)
                pipe.pexpire(PREFIX + key, _ms(ttl_s), nx=True)
                count, _ = pipe.execute()
        except (redis.ConnectionError, redis.TimeoutError) as err:
            raise _unavailable(err) from None
        return int(count)

    def publish(self, topic: str) -> int:
        try:
            with self._r.pipeline(transaction=True) as pipe:
                pipe.incr(PREFIX + "bus:" + topic)
                pipe.expire(PREFIX + "bus:" + topic, BUS_TTL_S)
                pipe.publish(BUS_CHANNEL, topic)
                version, _, _ = pipe.execute()
        except (redis.ConnectionError, redis.TimeoutError) as err:
            raise _unavailable(err) from None
        return int(version)

    def versions(self, topics: tuple[str, ...]) -> dict[str, int]:
        if not topics:
            return {}
        values = self._call("mget", [PREFIX + "bus:" + topic for topic in topics])
        return {topic: int(value or 0) for topic, value in zip(topics, values)}

    def wait(self, seen: Mapping[str, int], timeout_s: float) -> dict[str, int]:
        self._ensure_listener()
        topics = tuple(seen)
        slots = {hash(topic) % HEARD_SLOTS for topic in topics}
        deadline = time.monotonic() + timeout_s
        woken = threading.Event()
        with self._changed:
            for slot in slots:
                self._waits.setdefault(slot, set()).add(woken)
        try:
            while True:
                woken.clear()  # before the read: a message after it sets it again
                current = self.versions(topics)
                left = deadline - time.monotonic()
                if current != dict(seen) or left <= 0:
                    return current
                woken.wait(min(left, SAFETY_READ_S))
        finally:
            with self._changed:
                for slot in slots:
                    waits = self._waits.get(slot)
                    if waits is not None:
                        waits.discard(woken)
                        if not waits:
                            del self._waits[slot]

    def _wake(self, slots=None) -> None:
        """Wake the waits on these topic slots (None: every wait)."""
        with self._changed:
            chosen = self._waits.values() if slots is None else [self._waits.get(slot, ()) for slot in slots]
            for waits in chosen:
                for woken in waits:
                    woken.set()

    def _ensure_listener(self) -> None:
        if self._listener is not None:
            return
        with self._changed:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name="volatile-bus", daemon=True)
                self._listener.start()

    def _listen(self) -> None:
        while not self._closed:
            try:
                self._pubsub = self._r.pubsub()
                self._pubsub.subscribe(BUS_CHANNEL)
                while not self._closed:
                    message = self._pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        # (Re)subscribed: what was published while the listener was away is lost,
                        # so every wait reads its versions again now.
                        self._wake()
                    elif message["type"] == "message":
                        self._wake({hash(topic) % HEARD_SLOTS for topic in message["data"].decode().split("\n")})
            except (redis.RedisError, OSError, ValueError, AttributeError):
                self._wake()  # Redis away: each wait reads now and answers 503 rather than hold on
                with contextlib.suppress(redis.RedisError, OSError):
                    self._pubsub.close()
                time.sleep(0.5)

    def close(self) -> None:
        self._closed = True
        if self._listener is not None:
            self._listener.join(timeout=3)
        if self._pubsub is not None:
            self._pubsub.close()
        self._r.close()

    def publish_many(self, topics: tuple[str, ...]) -> None:
        if not topics:
            return
        try:
            with self._r.pipeline(transaction=True) as pipe:
                for topic in topics:
                    pipe.incr(PREFIX + "bus:" + topic)
                    pipe.expire(PREFIX + "bus:" + topic, BUS_TTL_S)
                pipe.publish(BUS_CHANNEL, "\n".join(topics))
                pipe.execute()
        except (redis.ConnectionError, redis.TimeoutError) as err:
            raise _unavailable(err) from None

    def task_text(self, bounds: TextBounds) -> RedisTaskText:
        return RedisTaskText(self._r, bounds)
