"""The draw as a pure function (services/api/committee/draw.py), and the ballot tables kept
append-only for the app role, on the real database.

`004_…` 三（三）: "评审专家由各评委会组建单位在核准批复的评委库中随机抽取产生，禁止任何单位或
部门以任何形式指定评审专家" — the draw depends on the seed alone, so anyone can re-run it.
"""

from __future__ import annotations

import hashlib
import uuid

import asyncpg
import pytest

from services.api.committee import draw as drawing
from tests.conftest import Stack

CANDIDATES = {
    "机械工程": [f"m{i:02d}" for i in range(12)],
    "电气工程": [f"e{i:02d}" for i in range(8)] + ["m00", "m01"],  # two in both specialties
}
MIX = {"机械工程": 7, "电气工程": 4}


def test_the_draw_is_the_smallest_hashes_of_the_seed_and_nothing_else() -> None:
    seats = drawing.draw("abc", CANDIDATES, MIX)
    assert [g for g, _ in seats] == ["机械工程"] * 7 + ["电气工程"] * 4  # groups in sorted order
    experts = [e for _, e in seats]
    assert len(set(experts)) == 11  # nobody drawn twice, even in two specialties

    # The rule written out independently: per group, by SHA-256 of seed:group:0:id.
    def place(group: str, expert: str) -> str:
        return hashlib.sha256(f"abc:{group}:0:{expert}".encode()).hexdigest()

    first = sorted(CANDIDATES["机械工程"], key=lambda e: place("机械工程", e))[:7]
    assert experts[:7] == first
    rest = [e for e in CANDIDATES["电气工程"] if e not in first]
    assert experts[7:] == sorted(rest, key=lambda e: place("电气工程", e))[:4]
    # Same seed, same panel; another seed, another panel (over a few seeds).
    assert drawing.draw("abc", CANDIDATES, MIX) == seats
    assert len({tuple(drawing.draw(f"s{i}", CANDIDATES, MIX)) for i in range(20)}) > 1


def test_a_short_group_is_refused_and_replacements_replay() -> None:
    with pytest.raises(ValueError, match="电气工程"):
        drawing.draw("abc", CANDIDATES, {"电气工程": 11})
    seats = drawing.draw("abc", CANDIDATES, MIX)
    seated = {e for _, e in seats}
    leaving = seats[0][1]
    found = drawing.replacement("abc", CANDIDATES, "机械工程", 1, seated)
    assert found is not None and found not in seated and found in CANDIDATES["机械工程"]
    replayed = drawing.replay("abc", CANDIDATES, MIX, [(1, leaving)])
    assert replayed[-1] == ("机械工程", found, 1)
    assert len(replayed) == 12


async def test_the_app_role_cannot_change_or_remove_a_ballot(stack: Stack, client) -> None:
    conn = await asyncpg.connect(
        stack.database_url.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        for table in ("api.ballot", "api.ballot_cast"):
            for sql in (f"UPDATE {table} SET session_id = session_id", f"DELETE FROM {table}"):  # noqa: S608
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(sql)
    finally:
        await conn.close()


async def test_committee_settings_default_to_the_decree_and_can_be_set(client) -> None:
    """人社部令第40号 as issue #19 states it: odd, at least 25 (provincial) or 11
    (prefecture-level), quorum 2/3 of the panel, pass 2/3 of those present."""
    from tests.api.factories import OPS, auth, make_campaign, token

    campaign = await make_campaign(client)  # 柳州 (450200): a prefecture-level committee
    office = token("committee_office", uuid.uuid4())
    url = f"/v1/committee-settings/{campaign['committee_code']}"
    r = await client.get(url, headers=auth(office))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "committee_code": campaign["committee_code"],
        "tier": "prefecture",
        "min_panel": 11,
        "quorum": [2, 3],
        "pass_mark": [2, 3],
        "default": True,
    }
    code = f"test-committee-{uuid.uuid4().hex[:8]}"
    url = f"/v1/committee-settings/{code}"
    r = await client.put(url, json={"tier": "provincial"}, headers=auth(office))
    assert r.status_code == 403
    r = await client.put(url, json={"tier": "provincial", "min_panel": 26}, headers=auth(OPS))
    assert r.status_code == 422 and r.json()["type"].endswith("committee-setting-invalid")
    assert "单数" in r.json()["detail"]
    r = await client.put(url, json={"tier": "provincial", "quorum": [4, 3]}, headers=auth(OPS))
    assert r.status_code == 422 and "到会比例" in r.json()["detail"]
    r = await client.put(url, json={"tier": "provincial", "pass_mark": [3, 4]}, headers=auth(OPS))
    assert r.status_code == 200, r.text
    r = await client.get(url, headers=auth(office))
    assert r.json()["min_panel"] == 25 and r.json()["pass_mark"] == [3, 4]
    assert r.json()["default"] is False
