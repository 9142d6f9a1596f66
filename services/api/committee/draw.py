"""The draw (随机抽取), as a pure function anyone can re-run from the revealed seed.

Each candidate's place in the draw is the SHA-256 of `seed:group:round:expert_id`; the
panel of a group is its `seats` candidates with the smallest hashes, in that order. No
library's random generator is involved, so the draw is reproduced exactly by any
program that can compute SHA-256, whatever its language or version.

Groups (specialties of the mix) are drawn in their sorted order; an expert already
drawn for an earlier group is passed over. A recusal's replacement is drawn the same way
in the recused seat's group, round n for the n-th recusal of the session, among the
group's candidates never seated.
"""

from __future__ import annotations

import hashlib
import json
import secrets

ALL = "*"  # the one group of a session drawn without a mix


def new_seed() -> str:
    return secrets.token_hex(32)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def candidates_digest(candidates: dict[str, list[str]]) -> str:
    """What the commitment binds besides the seed: the candidate lists, as drawn from."""
    return sha256(json.dumps(candidates, sort_keys=True, separators=(",", ":")))


def _place(seed: str, group: str, round_: int, expert_id: str) -> str:
    return sha256(f"{seed}:{group}:{round_}:{expert_id}")


def pick(seed: str, group: str, round_: int, pool: list[str], k: int, taken: set[str]) -> list[str]:
    """The k candidates of `pool` not in `taken` with the smallest places."""
    free = [e for e in pool if e not in taken]
    return sorted(free, key=lambda e: _place(seed, group, round_, e))[:k]


def draw(seed: str, candidates: dict[str, list[str]], mix: dict[str, int]) -> list[tuple[str, str]]:
    """The panel as (group, expert id) in seat order; ValueError if a group runs short."""
    seats: list[tuple[str, str]] = []
    taken: set[str] = set()
    for group in sorted(mix):
        chosen = pick(seed, group, 0, candidates.get(group, []), mix[group], taken)
        if len(chosen) < mix[group]:
            raise ValueError(group)
        seats += [(group, e) for e in chosen]
        taken.update(chosen)
    return seats


def replacement(
    seed: str, candidates: dict[str, list[str]], group: str, round_: int, seated: set[str]
) -> str | None:
    """The expert drawn to replace the `round_`-th recusal, in `group`; None if none left."""
    chosen = pick(seed, group, round_, candidates.get(group, []), 1, seated)
    return chosen[0] if chosen else None


def replay(
    seed: str,
    candidates: dict[str, list[str]],
    mix: dict[str, int],
    recusals: list[tuple[int, str]],
) -> list[tuple[str, str, int]]:
    """Every seat ever drawn, (group, expert id, round), from the seed and the recusals in
    order (`recusals`: (round, recused expert id)) — what the session's panel must be."""
    seats = [(g, e, 0) for g, e in draw(seed, candidates, mix)]
    group_of = {e: g for g, e, _ in seats}
    for round_, recused in sorted(recusals):
        group = group_of[recused]
        found = replacement(seed, candidates, group, round_, {e for _, e, _ in seats})
        if found is not None:
            seats.append((group, found, round_))
            group_of[found] = group
    return seats
