"""Task text in Redis (core/task_text.py): every replica reads and writes the same entries.

One key per task, `mc:text:e:<id>`, holding its text as JSON. The bounds are kept in Redis beside
them and changed only by Lua scripts, so each admit, write, end and eviction is one atomic step for
all replicas:

- `mc:text:meta` hash: task id -> {s: what it counts for, t: its text's size, l: 1 while unfinished,
  w: its workspace, r: its reserve, v: a version that changes on every write};
- `mc:text:sum` hash: `bytes` (all held), `live` (what unfinished text counts for), `seq` (versions);
- `mc:text:done` sorted set: terminal task ids, oldest end first (what eviction takes);
- `mc:text:fin:<workspace>` sorted set: that workspace's terminal ids, for its finished cap;
- `mc:text:exp` sorted set: each entry's expiry, so an entry Redis expired leaves the sums at the
  next script.

Every key has a TTL: a finished task's entry `finished_ttl_s` after its last write, an unfinished
one's UNFINISHED_TTL_S (or longer) after its last write, the bookkeeping keys longer than any entry.
`update(change)` is an optimistic transaction: read the entry and its version, run `change` here,
write only if the version is still the one read (a compare-and-set inside the write script, what
WATCH/MULTI would do without holding a connection while `change` runs), else read again and retry.
`inspect` is a plain read; `get_many` one MGET of the entries. The scripts name keys beyond KEYS (a victim's entry, a workspace's set):
one Redis, not a Redis Cluster. Redis unreachable: VolatileStoreUnavailable, never an empty entry.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

import redis
from mobile_codex.core.errors import VolatileStoreUnavailable
from mobile_codex.core.task_text import EMPTY, TextBounds, text_size

T = TypeVar("T")

PREFIX = "mc:text:"
UNFINISHED_TTL_S = 30 * 24 * 3600  # a queued task may wait that long for its agent, from its last write
ATTEMPTS = 50  # an update losing this many races in a row gives up (503): a storm, not a conversation

# Shared by every script: names, the clock, forgetting one task, catching up with what Redis expired.
# The shebang makes a full Redis (maxmemory, noeviction) refuse a script before it starts, never
# halfway through its writes.
_COMMON = """#!lua
local P = KEYS[1]
local META, SUM, DONE, EXP = P .. 'meta', P .. 'sum', P .. 'done', P .. 'exp'
local MAX_TASKS, MAX_BYTES, LIVE_RESERVE, CAP = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local LIVE_TTL, FIN_TTL = tonumber(ARGV[5]), tonumber(ARGV[6])

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fin_key(ws) return P .. 'fin:' .. ws end

local function forget(id)
  local raw = redis.call('HGET', META, id)
  if raw then
    local m = cjson.decode(raw)
    redis.call('HDEL', META, id)
    redis.call('HINCRBY', SUM, 'bytes', -m.s)
    if m.l == 1 then redis.call('HINCRBY', SUM, 'live', -m.s) end
    redis.call('ZREM', DONE, id)
    if m.w ~= '' then redis.call('ZREM', fin_key(m.w), id) end
  end
  redis.call('ZREM', EXP, id)
  redis.call('DEL', P .. 'e:' .. id)
end

local function expire_due(now)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', EXP, '-inf', now, 'LIMIT', 0, 100)) do forget(id) end
end

local function oldest_but(key, keep)
  local two = redis.call('ZRANGE', key, 0, 1)
  if two[1] ~= keep then return two[1] end
  return two[2]
end

local function evict(keep, ws)
  if CAP >= 0 and ws ~= '' then
    while redis.call('ZCARD', fin_key(ws)) > CAP do
      local victim = oldest_but(fin_key(ws), keep)
      if not victim then break end
      forget(victim)
    end
  end
  while redis.call('HLEN', META) > MAX_TASKS or tonumber(redis.call('HGET', SUM, 'bytes') or '0') > MAX_BYTES do
    local victim = oldest_but(DONE, keep)
    if not victim then break end
    forget(victim)
  end
end

local function hold(id, m, text, now)
  m.v = redis.call('HINCRBY', SUM, 'seq', 1)
  local ttl = LIVE_TTL
  redis.call('HINCRBY', SUM, 'bytes', m.s)
  if m.l == 1 then
    redis.call('HINCRBY', SUM, 'live', m.s)
  else
    ttl = FIN_TTL
    redis.call('ZADD', DONE, m.v, id)
    if m.w ~= '' then redis.call('ZADD', fin_key(m.w), m.v, id) end
  end
  redis.call('HSET', META, id, cjson.encode(m))
  if text then
    redis.call('SET', P .. 'e:' .. id, text, 'PX', ttl)
  else
    redis.call('PEXPIRE', P .. 'e:' .. id, ttl)
  end
  redis.call('ZADD', EXP, now + ttl, id)
  evict(id, m.w)
  local keep = math.max(LIVE_TTL, FIN_TTL) + 60000
  for _, key in ipairs({META, SUM, DONE, EXP}) do redis.call('PEXPIRE', key, keep) end
  if m.w ~= '' then redis.call('PEXPIRE', fin_key(m.w), keep) end
end

local function unhold(id, m)
  redis.call('HINCRBY', SUM, 'bytes', -m.s)
  if m.l == 1 then redis.call('HINCRBY', SUM, 'live', -m.s) end
  if m.l == 0 then
    redis.call('ZREM', DONE, id)
    if m.w ~= '' then redis.call('ZREM', fin_key(m.w), id) end
  end
end
"""

# ARGV[7..]: id, text, its size, workspace, reserve. 1 when admitted, 0 when there is no room.
_ADMIT = _COMMON + """
local id, text, size, ws, reserve = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10], tonumber(ARGV[11])
local now = now_ms()
expire_due(now)
local counted = math.max(size, reserve)
local live_count = redis.call('HLEN', META) - redis.call('ZCARD', DONE)
if live_count >= MAX_TASKS or tonumber(redis.call('HGET', SUM, 'live') or '0') + counted > MAX_BYTES then
  return 0
end
forget(id)
hold(id, {s = counted, t = size, l = 1, w = ws, r = reserve}, text, now)
return 1
"""

# ARGV[7..]: id, text, its size, 1 to end the task (else it keeps its state), the version read (0:
# none held). 1 when written, 0 when another write came first (read again).
_PUT = _COMMON + """
local id, text, size, ending, seen = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10] == '1', tonumber(ARGV[11])
local now = now_ms()
expire_due(now)
local raw = redis.call('HGET', META, id)
local m = {v = 0, l = 1, w = '', r = LIVE_RESERVE, s = 0}
if raw then m = cjson.decode(raw) end
if m.v ~= seen then return 0 end
if raw then unhold(id, m) end
if ending then m.l = 0 end
m.t = size
if m.l == 1 then m.s = math.max(size, m.r) else m.s = size end
hold(id, m, text, now)
return 1
"""

# ARGV[7]: id. An unfinished task ends: it counts as what it holds now, and may go first.
_END = _COMMON + """
local now = now_ms()
expire_due(now)
local raw = redis.call('HGET', META, ARGV[7])
if not raw then return 0 end
local m = cjson.decode(raw)
if m.l == 0 then return 0 end
unhold(ARGV[7], m)
m.l, m.s = 0, m.t
hold(ARGV[7], m, false, now)
return 1
"""

_FORGET = _COMMON + """
expire_due(now_ms())
forget(ARGV[7])
return 1
"""


def _encode(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _decode(raw: bytes | None) -> dict[str, Any] | None:
    return None if raw is None else json.loads(raw)


@contextmanager
def _reachable() -> Iterator[None]:
    """Redis away, or full (`maxmemory` with `noeviction` refuses writes): 503, try again later."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, redis.exceptions.OutOfMemoryError) as err:
        raise VolatileStoreUnavailable(f"redis: {err}") from None


class RedisTaskText:
    def __init__(self, client: redis.Redis, bounds: TextBounds = TextBounds()):
        self._r = client
        self.bounds = bounds
        cap = -1 if bounds.finished_per_workspace is None else bounds.finished_per_workspace
        live_ttl_s = max(UNFINISHED_TTL_S, bounds.finished_ttl_s)
        self._bounds_args = [
            bounds.max_tasks, bounds.max_bytes, bounds.live_reserve, cap, int(live_ttl_s * 1000),
            max(1, int(bounds.finished_ttl_s * 1000)),
        ]  # fmt: skip
        self._admit = client.register_script(_ADMIT)
        self._put = client.register_script(_PUT)
        self._end = client.register_script(_END)
        self._forget = client.register_script(_FORGET)

    def _run(self, script, *args) -> int:
        return int(self._call(script, keys=[PREFIX], args=[*self._bounds_args, *args]))

    def _call(self, fn, *args, **kwargs):
        with _reachable():
            return fn(*args, **kwargs)

    def _entry(self, task_id: str) -> dict[str, Any] | None:
        return _decode(self._call(self._r.get, PREFIX + "e:" + task_id))

    def get(self, task_id: str) -> dict[str, Any]:
        return self._entry(task_id) or dict(EMPTY)

    def get_many(self, task_ids: list[str]) -> list[dict[str, Any]]:
        """`get` of each task in one MGET: one round trip for the state view's 100 tasks, not 100.
        Like `get` it reads the entries alone (no meta: an entry Redis expired is simply absent)."""
        if not task_ids:
            return []  # nothing to read (MGET refuses no keys)
        raws = self._call(self._r.mget, [PREFIX + "e:" + task_id for task_id in task_ids])
        return [_decode(raw) or dict(EMPTY) for raw in raws]

    def admit(self, task_id: str, *, workspace: str | None = None, reserve: int | None = None, **fields: Any) -> bool:
        entry = {**EMPTY, **fields}
        reserve = self.bounds.live_reserve if reserve is None else reserve
        return bool(self._run(self._admit, task_id, _encode(entry), text_size(entry), workspace or "", reserve))

    def set(self, task_id: str, *, terminal: bool = False, **fields: Any) -> None:
        self.update(task_id, lambda entry: entry.update(fields), terminal=terminal)

    def update(self, task_id: str, change: Callable[[dict[str, Any]], None], *, terminal: bool | None = None) -> None:
        for _ in range(ATTEMPTS):
            entry, version = self._versioned(task_id)
            change(entry)
            if self._run(self._put, task_id, _encode(entry), text_size(entry), int(bool(terminal)), version):
                return
        raise VolatileStoreUnavailable(f"redis: task text of {task_id} changed under {ATTEMPTS} updates in a row")

    def _versioned(self, task_id: str) -> tuple[dict[str, Any], int]:
        """The entry (EMPTY's values when none is held) and the version it has, read together."""
        with _reachable(), self._r.pipeline(transaction=True) as pipe:
            pipe.get(PREFIX + "e:" + task_id)
            pipe.hget(PREFIX + "meta", task_id)
            raw, meta = pipe.execute()
        version = json.loads(meta)["v"] if meta is not None else 0
        return _decode(raw) or dict(EMPTY), version

    def inspect(self, task_id: str, look: Callable[[dict[str, Any] | None], T]) -> T:
        return look(self._entry(task_id))

    def mark_terminal(self, task_id: str) -> None:
        self._run(self._end, task_id)

    def forget(self, task_id: str) -> None:
        self._run(self._forget, task_id)

    def stats(self) -> tuple[int, int]:
        with _reachable(), self._r.pipeline(transaction=True) as pipe:
            pipe.hlen(PREFIX + "meta")
            pipe.hget(PREFIX + "sum", "bytes")
            count, held = pipe.execute()
        return int(count), int(held or 0)
