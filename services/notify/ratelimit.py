"""Per-phone rate guard in Redis, checked before every provider call.

Fixed windows aligned to the epoch, one counter per (phone, kind, window). The check and
the increment are one Lua script, so concurrent jobs cannot both slip under a limit, and
a refused message does not use up quota. Counters are only a guard: if Redis loses them
(restart without persistence) the providers' own per-number limits still apply, mapped
to retry-later.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

_SCRIPT = """
for i = 1, #KEYS do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used >= tonumber(ARGV[2 * i - 1]) then
    return i
  end
end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[2 * i])
end
return 0
"""


_script = None  # EVALSHA: the script is loaded once per server, then called by its hash


async def admit(
    redis: Redis, *, phone: str, kind: str, limits: list[tuple[int, int]], now: float | None = None
) -> float:
    """0 if the message may go now (and count it), else seconds until the window ends."""
    now = time.time() if now is None else now
    keys: list[str] = []
    args: list[int] = []
    ends: list[float] = []
    for window, limit in limits:
        start = int(now // window) * window
        keys.append(f"notify:rate:{kind}:{phone}:{window}:{start}")
        args += [limit, window + 5]
        ends.append(start + window)
    global _script
    if _script is None:
        _script = redis.register_script(_SCRIPT)
    hit = int(await _script(keys=keys, args=args, client=redis))
    return 0.0 if hit == 0 else max(ends[hit - 1] - now, 1.0)
