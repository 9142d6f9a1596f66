"""The judging rules a committee session calls (`services/api/committee/scoring.py`) and the
policy data behind them (`judging:` in the 长治 pack). Pure: no database, no HTTP server;
the pack is read as the gateway receives it, from the eligibility service's app.

The 长治 sentences are quoted from 长工信〔2022〕139号 九 (seed 003) and checked word for
word against the seed when the seeds sit beside the checkout. The ballot defaults are the
national rules issue #19 states from 人社部令第40号《职称评审管理暂行规定》 (not a seed)."""

from __future__ import annotations

import functools
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from services.api.committee import scoring as s
from services.rules.engine.packs import POLICY_DIR, PackError, build_pack

ROOT = Path(__file__).resolve().parents[2]
CZ = "changzhi-engineering-2022"
CZ_COMMITTEE = "cz-eng-intermediate-initial"


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _seed(prefix: str) -> str | None:
    found = [p / "shared" / "seeds" for p in ROOT.parents if (p / "shared" / "seeds").is_dir()]
    for path in found[0].glob(f"{prefix}_*.txt") if found else ():
        return _squeezed(path.read_text(encoding="utf-8"))
    return None


SEED_003 = _seed("003")


def quoted(sentence: str) -> str:
    """`sentence` from seed 003, checked word for word (spacing aside) when it is here."""
    if SEED_003 is not None:
        assert _squeezed(sentence) in SEED_003, sentence
    return sentence


# 长工信〔2022〕139号 九
WAY = quoted("工程师评审实行答辩评价、量化赋分评审相结合的评价方式")
WEIGHTS = quoted("答辩成绩实行百分制，答辩材料学术水平评价占40%，现场答辩评价占60%。")
RATIO = quoted("严格控制答辩成绩的优、中、差等次比例（3：6：1），答辩成绩为差的列为淘汰对象。")
ITEMS = quoted(
    "量化评审赋分项目包括：完成技术项目、技术项目获奖、论文论著、学历（学位）、专业工作年限、"
    "任职经历、考核、职业资格、学术团体任职、艰苦岗位等。"
)
COMPOSITION = quoted("答辩成绩（30%）和量化评审赋分组成评审成绩。")
DELIBERATION = quoted("执行评委会根据评审成绩，进行综合评议，确定申报人员的综合评价结果。")


def _raw_pack() -> dict:
    return yaml.safe_load((POLICY_DIR / f"{CZ}.yaml").read_text(encoding="utf-8"))


@functools.cache
def _cz_model() -> s.ScoredModel:
    found = s.judging_model(_raw_pack(), CZ_COMMITTEE, "intermediate")
    assert isinstance(found, s.ScoredModel)
    return found


@pytest.fixture(scope="module")
async def served_pack(client) -> dict:
    """The pack as the gateway receives it: `GET /v1/policies/{id}` of the rules service."""
    r = await client.get(f"/v1/policies/{CZ}")
    assert r.status_code == 200
    return r.json()


@pytest.fixture
def model(served_pack) -> s.ScoredModel:
    found = s.judging_model(served_pack, CZ_COMMITTEE, "intermediate")
    assert isinstance(found, s.ScoredModel)
    return found


# ── the pack data against the quoted sentences ─────────────────────────────────────────


def test_the_pack_data_is_what_the_sentences_say(model: s.ScoredModel) -> None:
    assert WAY in model.basis.text
    assert model.basis.ref == "长工信〔2022〕139号 九"
    # 答辩材料学术水平评价占40%，现场答辩评价占60%; 百分制
    assert model.defence.basis.text == WEIGHTS
    assert (model.defence.material, model.defence.live) == (Fraction(40, 100), Fraction(60, 100))
    assert model.defence.full_marks == 100 and "百分制" in WEIGHTS
    # 优、中、差等次比例（3：6：1）; 差 列为淘汰对象
    assert model.grades.basis.text == RATIO
    shares = "：".join(str(n) for _, n in model.grades.shares)
    assert f"（{shares}）" in RATIO and [g for g, _ in model.grades.shares] == list(s.GRADES)
    assert model.grades.eliminated == {"poor"} and "差的列为淘汰对象" in RATIO
    # 答辩成绩（30%）和量化评审赋分组成评审成绩
    assert f"答辩成绩（{model.defence_share * 100}%）" in COMPOSITION
    assert model.review_basis.text == COMPOSITION + DELIBERATION
    # every item the sentence lists, in its order, and no other
    listed = ITEMS.split("：")[1].removesuffix("等。").split("、")
    assert [x.name for x in model.items] == listed
    assert all(x.basis.text == ITEMS for x in model.items)
    # the notice gives no points: the pack sets none
    assert all(x.rule is None for x in model.items) and model.schedule_source is None


def test_levels_and_committees_the_notice_leaves_to_the_ballot(served_pack) -> None:
    for level in ("assistant", "technician"):
        found = s.judging_model(served_pack, CZ_COMMITTEE, level)
        assert isinstance(found, s.VoteModel) and found.vote == s.VoteRule()
    with pytest.raises(s.ScoringError, match="没有评委会"):
        s.judging_model(served_pack, "no-such-committee", "intermediate")
    with pytest.raises(s.ScoringError, match="不评审"):
        s.judging_model(served_pack, CZ_COMMITTEE, "senior")


def test_the_raw_pack_file_gives_the_same_model(model: s.ScoredModel) -> None:
    assert s.judging_model(_raw_pack(), CZ_COMMITTEE, "intermediate") == model


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda j: j.update(committees=["nobody"]), "unknown committee 'nobody'"),
        (lambda j: j.update(levels=["senior"]), "does not judge senior"),
        (lambda j: j["defence"].update(live_percent=50), "must be 100"),
        (lambda j: j.pop("grades"), "needs defence, grades, review and quantified"),
        (lambda j: j["quantified"]["items"].append(dict(j["quantified"]["items"][0])), "twice"),
        (lambda j: j["quantified"]["items"][0].update(points={"each": 1.5}), "each"),
    ],
)
def test_a_broken_judging_entry_stops_the_pack(change, message) -> None:
    raw = _raw_pack()
    change(raw["judging"][0])
    with pytest.raises(PackError, match=message):
        build_pack(raw, f"{CZ}.yaml")


# ── the worked example (九) ─────────────────────────────────────────────────────────────

# The notice gives no points (ITEMS lists the items only); the committee of this example
# sets its own schedule, as `with_schedule` lets it.
SCHEDULE = {
    "technical_projects": {"each": "3"},
    "papers": {"field": "authorship", "values": {"sole": "2", "first": "2", "other": "1"}},
    "education": {
        "field": "level",
        "values": {"doctorate": "10", "master": "8", "bachelor": "6", "junior_college": "4"},
        "best_only": True,
    },
    "work_years": {"each": "1", "cap": "10"},
    "assessments": {"field": "grade", "values": {"excellent": "2", "qualified": "1"}},
}
SECTIONS = {
    "education": [
        {
            "level": "bachelor",
            "school": "太原理工大学",
            "major": "机械工程",
            "graduated_on": "2012-06-30",
        },
        {
            "level": "master",
            "school": "中北大学",
            "major": "机械工程",
            "graduated_on": "2016-06-30",
        },
    ],
    "papers": [
        {
            "title": "减速机齿轮修形",
            "journal": "机械传动",
            "published_on": "2020-03-01",
            "authorship": "first",
        },
        {
            "title": "轴承寿命估算",
            "journal": "轴承",
            "published_on": "2021-05-01",
            "authorship": "other",
        },
    ],
    "achievements": [{"name": "矿用减速机改造", "content": "主持", "role": "项目负责人"}],
    "annual_assessments": [
        {"year": 2021, "grade": "excellent"},
        {"year": 2020, "grade": "qualified"},
        {"year": 2019, "grade": "qualified"},
        {"year": 2018, "grade": "basic"},
    ],
}
ATTACHMENTS = [
    {
        "document_id": "d-paper-0",
        "kind": "academic_output",
        "item": {"section": "papers", "index": 0},
    },
    {
        "document_id": "d-paper-1",
        "kind": "academic_output",
        "item": {"section": "papers", "index": 1},
    },
    {
        "document_id": "d-proj-0",
        "kind": "achievements",
        "item": {"section": "achievements", "index": 0},
    },
    {"document_id": "d-photo", "kind": "photo"},
]
FACTS = {"professional_work_since": "2012-07-01", "township_years": 0}


def test_worked_example(model: s.ScoredModel) -> None:
    # 答辩成绩实行百分制，答辩材料学术水平评价占40%，现场答辩评价占60%:
    # three experts mark the material 80, 85, 90 (mean 85) and the live defence 90.
    defence = s.defence_score(model, material=["80", "85", "90"], live=90)
    assert defence == Fraction(85) * Fraction(2, 5) + Fraction(90) * Fraction(3, 5) == 88

    # 严格控制答辩成绩的优、中、差等次比例（3：6：1）: ten defend; by rank 3 优, 6 中, 1 差.
    scores = {"A": defence, **{f"P{i}": 95 - 3 * i for i in range(9)}}
    grades = s.grades_by_rank(model, scores)
    check = s.check_grades(model, grades)
    assert check.counts == {"excellent": 3, "medium": 6, "poor": 1}
    assert grades["A"] == "medium"  # 88 ranks fourth (95, 92, 89 above it)
    # 答辩成绩为差的列为淘汰对象
    assert check.eliminated == ("P8",)

    # 量化赋分, prefilled from A's declaration with the committee's schedule
    scheduled = s.with_schedule(model, SCHEDULE, source="示例评委会设定（通知未给分值）")
    lines = s.quantified_points(
        scheduled, sections=SECTIONS, documents=ATTACHMENTS, facts=FACTS, as_of=date(2022, 12, 31)
    )
    got = {(x.item, x.section, x.index): x.points for x in lines}
    assert got == {
        ("technical_projects", "achievements", 0): 3,
        ("papers", "papers", 0): 2,
        ("papers", "papers", 1): 1,
        ("education", "education", 1): 8,  # the master's degree, the best entry
        ("work_years", "facts.professional_work_since", None): 10,  # 10 whole years, cap 10
        ("assessments", "annual_assessments", 0): 2,
        ("assessments", "annual_assessments", 1): 1,
        ("assessments", "annual_assessments", 2): 1,
        ("assessments", "annual_assessments", 3): 0,  # 基本合格 gives nothing
    }
    # 学术团体任职 has no section: an expert scores it, with the reason logged
    societies = s.Adjustment(
        "academic_societies", "1", "担任长治市机械工程学会理事，核验聘书", by="e-7"
    )
    result = s.review_score(scheduled, defence=defence, points=lines, adjustments=[societies])
    # 答辩成绩（30%）和量化评审赋分组成评审成绩: 88 × 30% + (28 + 1) = 26.4 + 29
    assert result.defence_part == Fraction(264, 10)
    assert (result.prefilled, result.adjusted, result.points) == (28, 1, 29)
    assert result.total == Fraction(554, 10)
    assert result.adjustments == (societies,) and not result.eliminated
    assert "评审成绩 55.4 分 = 答辩成绩 88 分 × 30%（26.4 分） + 量化赋分 29 分" in result.reason
    assert "专家调整 1 项共 1 分" in result.reason and COMPOSITION in result.reason

    eliminated = s.review_score(scheduled, defence=50, points=lines, grade="poor")
    assert eliminated.eliminated and "列为淘汰对象" in eliminated.reason


def test_each_point_is_traceable_to_its_entry_and_documents(model: s.ScoredModel) -> None:
    for m in (model, s.with_schedule(model, SCHEDULE, source="示例")):
        lines = s.quantified_points(
            m, sections=SECTIONS, documents=ATTACHMENTS, facts=FACTS, as_of=date(2022, 12, 31)
        )
        assert lines
        for line in lines:
            if line.section.startswith("facts."):
                assert line.index is None and FACTS[line.section.removeprefix("facts.")]
                continue
            entry = SECTIONS[line.section][line.index]
            assert line.item in {x.id for x in m.items if x.source == line.section}
            attached = {
                a["document_id"]
                for a in ATTACHMENTS
                if a.get("item") == {"section": line.section, "index": line.index}
            }
            assert set(line.document_ids) == attached
            named = (
                entry.get("title") or entry.get("name") or entry.get("school") or entry.get("year")
            )
            assert str(named) in line.note
    # Without a schedule (the pack as shipped) every line is evidence awaiting an expert.
    bare = s.quantified_points(
        model, sections=SECTIONS, documents=ATTACHMENTS, facts=FACTS, as_of=date(2022, 12, 31)
    )
    assert all(
        x.points is None and "由专家评定" in x.note
        for x in bare
        if not x.section.startswith("facts.")
    )
    assert len(bare) == 2 + 2 + 1 + 4 + 1  # every entry, best_only and caps need a schedule
    assert [x.document_ids for x in bare if x.section == "papers"] == [
        ("d-paper-0",),
        ("d-paper-1",),
    ]
    result = s.review_score(model, defence=88, points=bare)
    assert result.points == 0 and len(result.unscored) == len(bare)
    assert f"另有 {len(bare)} 条依据未设分值" in result.reason


def test_adjustments_need_a_reason_and_a_known_item(model: s.ScoredModel) -> None:
    with pytest.raises(s.ScoringError, match="须写明理由"):
        s.review_score(
            model, defence=80, points=(), adjustments=[s.Adjustment("papers", "2", "  ")]
        )
    with pytest.raises(s.ScoringError, match="没有“bonus”这一项"):
        s.review_score(model, defence=80, points=(), adjustments=[s.Adjustment("bonus", "2", "x")])
    with pytest.raises(s.ScoringError, match="未知的键"):
        s.with_schedule(model, {"papers": {"per": "2"}}, source="x")
    with pytest.raises(s.ScoringError, match="没有“bonus”这一项"):
        s.with_schedule(model, {"bonus": {"each": "2"}}, source="x")


def test_marks_are_exact_and_bounded(model: s.ScoredModel) -> None:
    assert s.defence_score(model, material="87.5", live="92.5") == Fraction(905, 10)
    with pytest.raises(s.ScoringError, match="小数字符串"):
        s.defence_score(model, material=87.5, live=90)  # a float has already rounded
    with pytest.raises(s.ScoringError, match="0 至 100 分之间"):
        s.defence_score(model, material=101, live=90)
    with pytest.raises(s.ScoringError, match="不是数字"):
        s.defence_score(model, material="八十", live=90)


# ── 3:6:1 ───────────────────────────────────────────────────────────────────────────────


def _graded(excellent: int, medium: int, poor: int) -> dict[str, str]:
    kinds = ["excellent"] * excellent + ["medium"] * medium + ["poor"] * poor
    return {f"d{i}": g for i, g in enumerate(kinds)}


@pytest.mark.parametrize(
    "counts", [(3, 6, 1), (6, 12, 2), (2, 4, 1), (3, 4, 0), (2, 5, 0), (1, 2, 0), (0, 1, 0)]
)
def test_grades_held_at_three_six_one_are_accepted(model: s.ScoredModel, counts) -> None:
    check = s.check_grades(model, _graded(*counts))
    assert tuple(check.counts.values()) == counts
    assert len(check.eliminated) == counts[2]


@pytest.mark.parametrize(
    ("counts", "says", "gaps"),
    [
        (
            (4, 5, 1),
            "本场共 10 人，应为优 3 人、中 6 人、差 1 人；"
            "现为优 4 人、中 5 人、差 1 人：优多 1 人，中少 1 人。",
            {"excellent": 1, "medium": -1},
        ),
        (
            (3, 7, 0),
            "现为优 3 人、中 7 人、差 0 人：中多 1 人，差少 1 人。",
            {"medium": 1, "poor": -1},
        ),
        (
            (3, 3, 1),
            "本场共 7 人，应为优 2 至 3 人、中 4 至 5 人、差 0 至 1 人；"
            "现为优 3 人、中 3 人、差 1 人：中少 1 人。",
            {"medium": -1},
        ),
        (
            (10, 0, 0),
            "优多 7 人，中少 6 人，差少 1 人。",
            {"excellent": 7, "medium": -6, "poor": -1},
        ),
    ],
)
def test_a_distribution_breaking_three_six_one_is_refused_by_how_much(
    model: s.ScoredModel, counts, says, gaps
) -> None:
    with pytest.raises(s.GradeRatioBroken) as caught:
        s.check_grades(model, _graded(*counts))
    assert says in caught.value.detail
    assert RATIO in caught.value.detail and "长工信〔2022〕139号 九" in caught.value.detail
    assert caught.value.extra["gaps"] == gaps


def test_unknown_grades_and_tied_ranks_are_refused(model: s.ScoredModel) -> None:
    with pytest.raises(s.ScoringError, match="等次“good”无效"):
        s.check_grades(model, {"d1": "good"})
    tied = {f"d{i}": 90 - i for i in range(10)} | {"d3": 87, "d2": 87}
    with pytest.raises(s.ScoringError, match="并列"):
        s.grades_by_rank(model, tied)


@given(st.integers(min_value=0, max_value=120))
def test_bounds_hold_the_exact_share(n: int) -> None:
    m = _cz_model()
    bounds = s.grade_bounds(m, n)
    for grade, share in zip(s.GRADES, (3, 6, 1), strict=True):
        lo, hi = bounds[grade]
        assert lo <= Fraction(share * n, 10) <= hi and hi - lo <= 1
        if n % 10 == 0:
            assert lo == hi == share * n // 10


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60, unique=True))
def test_grades_by_rank_always_pass_the_guard(marks: list[int]) -> None:
    m = _cz_model()
    grades = s.grades_by_rank(m, {f"d{i}": str(x) for i, x in enumerate(marks)})
    s.check_grades(m, grades)
    best = {g: [x for i, x in enumerate(marks) if grades[f"d{i}"] == g] for g in s.GRADES}
    if best["excellent"] and best["medium"]:
        assert min(best["excellent"]) > max(best["medium"])


# ── the 2/3 ballot ──────────────────────────────────────────────────────────────────────

RULE = s.VoteRule()


@pytest.mark.parametrize(
    ("panel", "present", "quorum", "needed"),
    [
        (25, 25, True, 17),
        (25, 17, True, 12),
        (25, 16, False, 11),
        (23, 16, True, 11),
        (11, 8, True, 6),
    ],
)
def test_two_thirds_at_the_boundaries(panel, present, quorum, needed) -> None:
    assert s.quorum_met(RULE, panel=panel, present=present) is quorum
    assert s.votes_needed(RULE, present=present) == needed
    just = s.tally(
        RULE, panel=panel, present=present, agree=needed, disagree=present - needed, abstain=0
    )
    short = s.tally(
        RULE,
        panel=panel,
        present=present,
        agree=needed - 1,
        disagree=0,
        abstain=present - needed + 1,
    )
    assert just.needed == short.needed == needed
    assert just.passed is quorum and short.passed is False
    assert just.quorum_met is short.quorum_met is quorum
    if quorum:
        assert f"到会评审专家 {present} 人" in just.reason and f"至少 {needed} 票" in just.reason
        assert "评审通过" in just.reason and "尚差 1 票），评审未通过" in short.reason
        assert s.DECREE_40 in just.reason and s.BALLOT_RULE in just.reason
    else:
        assert just.quorum_needed == 17
        assert "到会 16 人，不足 2/3（至少 17 人），尚差 1 人，会议不能表决" in just.reason
        assert s.QUORUM_RULE == "评审会议出席的评审专家不少于评审委员会人数的2/3"
        assert s.QUORUM_RULE in just.reason


def test_ballots_that_cannot_be_are_refused() -> None:
    with pytest.raises(s.ScoringError, match="多于到会专家 17 人"):
        s.tally(RULE, panel=25, present=17, agree=12, disagree=6, abstain=0)
    with pytest.raises(s.ScoringError, match="多于评审委员会人数"):
        s.tally(RULE, panel=11, present=12, agree=12, disagree=0, abstain=0)
    with pytest.raises(s.ScoringError, match="非负整数"):
        s.tally(RULE, panel=11, present=9, agree=-1, disagree=0, abstain=0)
    uncast = s.tally(RULE, panel=11, present=9, agree=6, disagree=1, abstain=0)
    assert uncast.passed and "未投 2 票" in uncast.reason


@given(st.integers(min_value=1, max_value=301), st.data())
def test_two_thirds_in_integers(panel: int, data) -> None:
    present = data.draw(st.integers(min_value=0, max_value=panel))
    assert s.quorum_met(RULE, panel=panel, present=present) == (3 * present >= 2 * panel)
    needed = s.votes_needed(RULE, present=present)
    assert 3 * needed >= 2 * present > 3 * (needed - 1) or present == needed == 0


def test_a_committee_may_set_its_own_shares() -> None:
    half = s.VoteRule(quorum=Fraction(1, 2), pass_share=Fraction(1, 2), basis="某评委会章程")
    t = s.tally(half, panel=11, present=6, agree=3, disagree=3, abstain=0)
    assert t.passed and "某评委会章程" in t.reason and "1/2" in t.reason


@pytest.mark.parametrize(
    ("size", "minimum", "says"),
    [
        (11, s.MIN_PANEL["prefecture"], None),
        (25, s.MIN_PANEL["provincial"], None),
        (10, s.MIN_PANEL["prefecture"], "评审专家人数为 10 人，须为单数"),
        (9, s.MIN_PANEL["prefecture"], "少于本级评审委员会的最低人数 11 人，尚差 2 人"),
        (23, s.MIN_PANEL["provincial"], "少于本级评审委员会的最低人数 25 人，尚差 2 人"),
        (0, 11, "须为正整数"),
    ],
)
def test_panel_size(size, minimum, says) -> None:
    problem = s.panel_size_problem(size, minimum=minimum)
    if says is None:
        assert problem is None
        s.check_panel_size(size, minimum=minimum)
    else:
        assert problem is not None and says in problem
        with pytest.raises(s.ScoringError, match=says):
            s.check_panel_size(size, minimum=minimum)
    if problem and size > 0:
        assert s.DECREE_40 in problem


# ── the outcome at the close of a session ───────────────────────────────────────────────


def test_verdict_by_ballot_and_by_score(model: s.ScoredModel, served_pack) -> None:
    voting = s.judging_model(served_pack, CZ_COMMITTEE, "assistant")
    ballot = s.tally(RULE, panel=11, present=9, agree=6, disagree=3, abstain=0)
    assert s.verdict(voting, tally=ballot).passed and s.verdict(voting, tally=ballot).score is None
    with pytest.raises(s.ScoringError, match="不记名投票"):
        s.verdict(voting, tally=None)

    kept = s.review_score(model, defence=88, points=(), grade="medium")
    struck = s.review_score(model, defence=95, points=(), grade="poor")
    with pytest.raises(s.ScoringError, match="评审成绩"):
        s.verdict(model, tally=ballot)
    # 差: eliminated whatever the ballot says, and no ballot is needed
    out = s.verdict(model, tally=None, score=struck)
    assert not out.passed and "列为淘汰对象" in out.reason
    # the others: the 综合评议's ballot on the score
    failed = s.tally(RULE, panel=11, present=9, agree=5, disagree=4, abstain=0)
    assert s.verdict(model, tally=ballot, score=kept).passed
    out = s.verdict(model, tally=failed, score=kept)
    assert (
        not out.passed and out.reason.startswith("评审成绩 26.4 分") and "综合评议：" in out.reason
    )


def test_results_are_recorded_exactly(model: s.ScoredModel) -> None:
    # the material's mean is 80 2/3: 答辩成绩 = 80 2/3 × 40% + 90 × 60% = 1294/15, exactly
    third = s.defence_score(model, material=["80", "81", "81"], live=90)
    score = s.review_score(model, defence=third, points=(), grade="medium")
    record = s.as_record(score)
    assert record["defence"] == "1294/15" and s.shown(third) == "约86.27"
    assert record["defence_part"] == "25.88"  # × 30%: exact again
    assert record["total"] == record["defence_part"] and record["adjustments"] == []
    assert (
        s.as_record(s.tally(RULE, panel=11, present=9, agree=6, disagree=3, abstain=0))["needed"]
        == 6
    )
    assert s.as_record(model.grades)["eliminated"] == ["poor"]
