"""One source of facts: what eligibility evaluates is what the reviewers read.

The counts and records the engine reads (论文 `papers`, 业绩 `achievements`, 年度考核
`annual_assessments`, 双定向 `dual_directed`) are derived from the declaration's
sections; a value the applicant typed in `applicant_facts` that the sections contradict
is ignored and listed (`ignored`) with the section that says otherwise. The date rules the
seeds state become checks on the sections' items, each with its sentence; a seed that
states no such rule for its pack gets no check (`SEEDS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.api.declarations.sections import SECTION_TITLES
from services.kit.vocabulary import GRADE_NAMES, LEVELS

# 000: 柳州市2022年度工程系列职称申报工作业务培训; 002: 职称申报系统操作注意事项 (柳州);
# 003: 长工信〔2022〕139号; 004: 桂工信职办〔2023〕6号.
LZ_SINCE = (
    "柳州市2022年度工程系列职称申报工作业务培训 四（一）评审主要材料：“只提供任现职以来"
    "（如：中级申报副高级，必须是取得中级职称以后）的论文著作、专业技术工作经历、业绩成果和"
    "获奖情况。”"
)
LZ_EXPERIENCE = (
    "柳州市2022年度工程系列职称申报工作业务培训 四（一）7-1 填写要求：“专业技术工作经历从取得"
    "下一级职称时填起，驻村工作队员的驻村工作经历等同于专业工作经历。……各时期前后时间一般应"
    "连续不中断。”"
)
GX_EXPERIENCE = (
    "桂工信职办〔2023〕6号 二（二）2（1）：“专业技术工作经历从取得下一级职称时填起。……必须是"
    "任现职以来（如：副高级申报正高级，必须是取得副高级职称以后，下同）从事的专业技术工作”"
)
GX_ACHIEVEMENTS = (
    "桂工信职办〔2023〕6号 二（二）2（2）：“业绩成果……必须是任现职以来从事专业技术工作"
    "所取得的业绩。”"
)
GX_PAPERS = "桂工信职办〔2023〕6号 二（二）2（3）：“学术成果……必须是任现职以来所发表”"
GX_PAPERS_WAITING = (
    "桂工信职办〔2023〕6号 二（二）2（3）：“对具有等待期的论文发表材料，可凭用稿通知先行申报，"
    "并于开评月的上月月底前将论文公开发表的材料按规定程序补充报送至评委会所在职改办。”"
)
GX_PROJECT_WAITING = (
    "桂工信职办〔2023〕6号 二（二）2（2）：“对具有等待期的课题结题材料，可凭课题立项相关材料"
    "先行申报，并于开评月的上月月底前将课题结题材料按规定程序补充报送至评委会所在职改办。”"
)
GX_RECONFIRM = (
    "桂工信职办〔2023〕6号 一（二）3：“在自治区外（含中直驻桂单位或外省单位驻桂机构）取得职称，"
    "流动到我区后仍从事相同系列专业技术工作的，原则上应按规定办理重新确认后方可申报原系列上一级职称。”"
)
GX_TRANSFER = (
    "桂工信职办〔2023〕6号 一（二）2：“职称转评……资历、年限、业绩成果等可以从取得下一级职称起算。”"
)
SECOND_TITLE = (
    "职称申报系统操作注意事项 一（二）1（3）：“申报方式：正常申报均为晋升，"
    "第二职称和转评详见说明。”（该说明不在依据文件中）"
)
CZ_PAPERS = (
    "长工信〔2022〕139号 三（一）4：“任助理工程师期间，发表学术论文两篇以上或实用技术材料2项以上。”"
)
CZ_ACHIEVEMENTS = (
    "长工信〔2022〕139号 三（一）5：“任助理工程师期间，取得的业绩成果须符合下列条件之一”"
)


@dataclass(frozen=True)
class Seed:
    """The date rules one seed states for its packs; a rule it does not state is None."""

    name: str
    # section → clause: its items must date from the current title on (任现职以来)
    since_title: dict[str, str]
    since_title_levels: tuple[str, ...] = tuple(LEVELS)
    experience_from_lower: str | None = None  # 从取得下一级职称时填起, gaps flagged
    village_posting: str | None = None  # 驻村经历等同专业工作经历
    reconfirm: str | None = None  # 区外取得职称须重新确认
    transfer_from_lower: str | None = None  # 转评: 业绩成果等从取得下一级职称起算
    # section → clause: items in their waiting period (用稿通知, 课题立项) count when the
    # published proof arrives by the last day of the month before the evaluation month
    waiting: dict[str, str] = field(default_factory=dict)
    # campaign year → that day, where the seed names the evaluation month
    proof_due: dict[int, tuple[date, str]] = field(default_factory=dict)


SEEDS = {
    "guangxi-engineering": Seed(
        name="柳州市2022年度工程系列职称申报工作业务培训",
        since_title={
            "papers": LZ_SINCE,
            "achievements": LZ_SINCE,
            "awards": LZ_SINCE,
            "professional_experience": LZ_SINCE,
        },
        experience_from_lower=LZ_EXPERIENCE,
        village_posting=LZ_EXPERIENCE,
    ),
    "guangxi-arts_crafts": Seed(
        name="桂工信职办〔2023〕6号",
        since_title={
            "papers": GX_PAPERS,
            "achievements": GX_ACHIEVEMENTS,
            "professional_experience": GX_EXPERIENCE,
        },
        reconfirm=GX_RECONFIRM,
        transfer_from_lower=GX_TRANSFER,
        waiting={"papers": GX_PAPERS_WAITING, "achievements": GX_PROJECT_WAITING},
        proof_due={
            2023: (
                date(2023, 10, 31),
                "桂工信职办〔2023〕6号 五（二）：“2023年11月为自治区工艺美术系列职改办组织评审、"
                "复核与二次公示阶段。”",
            )
        },
    ),
    "changzhi-engineering": Seed(
        name="长工信〔2022〕139号",
        since_title={"papers": CZ_PAPERS, "achievements": CZ_ACHIEVEMENTS},
        since_title_levels=("intermediate",),
    ),
}

ITEM_DATE = {
    "papers": "published_on",
    "achievements": "completed_on",
    "awards": "awarded_on",
    "professional_experience": "end_on",
}
ITEM_NAME = {"papers": "title", "achievements": "name", "awards": "name"}
WAITING_STAGE = {"papers": "accepted", "achievements": "project_approved"}
WAITING_ZH = {"papers": "仅有用稿通知", "achievements": "仅有课题立项材料"}
PROOF_ZH = {"papers": "论文公开发表的材料", "achievements": "课题结题材料"}


def seed_for(region_code: str, series: str) -> Seed | None:
    province = {"45": "guangxi", "14": "changzhi"}.get(region_code[:2])
    return SEEDS.get(f"{province}-{series}") if province else None


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _entries(sections: dict[str, Any], key: str) -> list[dict[str, Any]]:
    got = sections.get(key)
    return [e for e in got if isinstance(e, dict)] if isinstance(got, list) else []


def _label(section: str, entry: dict[str, Any], index: int) -> str:
    name = entry.get(ITEM_NAME.get(section, "name"))
    title = SECTION_TITLES[section]
    return f"“{title}”第{index + 1}项" + (f"《{name}》" if name else "")


def _finding(
    rule: str, section: str | None, index: int | None, clause: str, message: str, severity: str
) -> dict[str, Any]:
    return {
        "rule": rule,
        "section": section,
        "index": index,
        "clause": clause,
        "message": message,
        "severity": severity,  # refuse: submission refused; flag: shown to the reviewers
    }


def term_start(
    seed: Seed | None,
    sections: dict[str, Any],
    titles: list[dict[str, Any]],
    *,
    level: str,
    mode: str,
) -> tuple[date | None, str]:
    """From when items count: the current title's date (现专业技术资格证书), or for a
    转评 where the seed says so, the date of the title one level below the target."""
    current = _day((sections.get("current_title") or {}).get("obtained_on"))
    if seed is not None and seed.transfer_from_lower and mode == "transfer" and level in LEVELS:
        index = LEVELS.index(level)
        lower = LEVELS[index - 1] if index else None
        dates = [d for t in titles if t.get("level") == lower and (d := _day(t.get("obtained_on")))]
        if dates:
            return min(dates), "取得下一级职称"
    return current, "取得现职称"


@dataclass
class Derived:
    applicant: dict[str, Any]  # the facts sent to the eligibility service
    ignored: list[dict[str, Any]]  # typed values the sections contradict
    findings: list[dict[str, Any]]  # date rules: refuse / flag
    pending: list[dict[str, Any]]  # items in their waiting period, with the due date

    def source(self) -> dict[str, Any]:
        return {"ignored": self.ignored, "findings": self.findings, "pending": self.pending}


def _counted(
    seed: Seed | None,
    section: str,
    sections: dict[str, Any],
    start: date | None,
    *,
    level: str,
    since: str,
    year: int,
    today: date,
    findings: list[dict[str, Any]],
    pending: list[dict[str, Any]],
) -> int:
    """The items of `section` that count, with findings for those that do not."""
    rules = seed.since_title if seed and level in seed.since_title_levels else {}
    n = 0
    for i, entry in enumerate(_entries(sections, section)):
        label = _label(section, entry, i)
        day = _day(entry.get(ITEM_DATE[section]))
        if section in rules and start and day and day < start:
            findings.append(
                _finding(
                    "since_current_title",
                    section,
                    i,
                    rules[section],
                    f"{label}的日期{day}早于{since}的日期{start}，不是任现职以来的，"
                    "请删除或改填任现职以来的内容。",
                    "refuse",
                )
            )
            continue
        if section in WAITING_STAGE and entry.get("stage") == WAITING_STAGE[section]:
            clause = (seed.waiting if seed else {}).get(section)
            if clause is None:
                findings.append(
                    _finding(
                        "waiting_period",
                        section,
                        i,
                        f"{seed.name if seed else '本批次依据文件'}未规定等待期材料可先行申报",
                        f"{label}{WAITING_ZH[section]}，本批次依据文件未规定可凭此先行申报，不计入。",
                        "flag",
                    )
                )
                continue
            due, due_clause = seed.proof_due.get(year, (None, ""))
            if due is not None and today > due:
                findings.append(
                    _finding(
                        "waiting_period",
                        section,
                        i,
                        clause,
                        f"{label}{WAITING_ZH[section]}，{PROOF_ZH[section]}应于{due}前补充报送，"
                        "已逾期，不予计入。",
                        "refuse",
                    )
                )
                continue
            pending.append(
                {
                    "section": section,
                    "index": i,
                    "name": entry.get(ITEM_NAME.get(section, "name")),
                    "due_on": due.isoformat() if due else None,
                    "clause": clause + (f"；{due_clause}" if due_clause else ""),
                    "message": f"{label}{WAITING_ZH[section]}，先行申报；须于"
                    + (f"{due}前" if due else "开评月的上月月底前")
                    + f"将{PROOF_ZH[section]}补充报送至评委会所在职改办。",
                }
            )
        n += 1
    return n


def _experience(
    seed: Seed | None,
    sections: dict[str, Any],
    start: date | None,
    *,
    level: str,
    since: str,
    today: date,
    findings: list[dict[str, Any]],
) -> None:
    entries = _entries(sections, "professional_experience")
    rules = seed.since_title if seed and level in seed.since_title_levels else {}
    clause = rules.get("professional_experience")
    spans: list[tuple[date, date]] = []
    for i, entry in enumerate(entries):
        begin, end = _day(entry.get("start_on")), _day(entry.get("end_on")) or today
        if begin is None:
            continue
        label = _label("professional_experience", entry, i)
        if clause and start and end < start:
            findings.append(
                _finding(
                    "since_current_title",
                    "professional_experience",
                    i,
                    clause,
                    f"{label}（{begin}至{end}）在{since}（{start}）以前，不是任现职以来的，"
                    "请删除或改填任现职以来的专业技术工作经历。",
                    "refuse",
                )
            )
            continue
        if entry.get("village_posting") and (seed is None or seed.village_posting is None):
            findings.append(
                _finding(
                    "village_posting",
                    "professional_experience",
                    i,
                    f"{seed.name if seed else '本批次依据文件'}未规定驻村经历的认定",
                    f"{label}为驻村工作经历，本批次依据文件未规定其等同专业工作经历，"
                    "由审核单位认定。",
                    "flag",
                )
            )
            continue
        spans.append((begin, end))
    if seed is None or seed.experience_from_lower is None:
        return
    if spans and start is not None:
        for begin, end in _gaps(spans, start):
            findings.append(
                _finding(
                    "experience_gap",
                    "professional_experience",
                    None,
                    seed.experience_from_lower,
                    f"“专业工作经历”应从{since}（{start}）时填起、前后连续，{begin}至{end}"
                    "之间没有填写，请补充或说明。",
                    "flag",
                )
            )
    # 工作简历从参加工作填起, and its periods too are continuous (the same sentence).
    history = [
        (b, _day(e.get("end_on")) or today)
        for e in _entries(sections, "main_experience")
        if (b := _day(e.get("start_on")))
    ]
    if history:
        for begin, end in _gaps(history, None):
            findings.append(
                _finding(
                    "history_gap",
                    "main_experience",
                    None,
                    seed.experience_from_lower,
                    f"“主要经历”各时期前后时间一般应连续不中断，{begin}至{end}之间没有填写，"
                    "请补充或说明。",
                    "flag",
                )
            )


def _gaps(spans: list[tuple[date, date]], start: date | None) -> list[tuple[date, date]]:
    """Uncovered stretches longer than a month: from `start` to the first period, and
    between periods (a month's slack, as the sections are filled by month)."""
    spans = sorted(spans)
    slack = timedelta(days=31)
    gaps = []
    if start is not None and spans[0][0] > start + slack:
        gaps.append((start, spans[0][0]))
    reach = spans[0][1]
    for begin, end in spans[1:]:
        if begin > reach + slack:
            gaps.append((reach, begin))
        reach = max(reach, end)
    return gaps


def _reconfirm(
    seed: Seed | None,
    sections: dict[str, Any],
    titles: list[dict[str, Any]],
    *,
    series: str,
    today: date,
    findings: list[dict[str, Any]],
) -> None:
    if seed is None or seed.reconfirm is None:
        return
    current = sections.get("current_title") or {}
    if current.get("series") not in (None, series):
        return
    region = current.get("region")
    if region is None:  # the registry's certificate may say where it was obtained
        got = (current.get("level"), str(current.get("obtained_on") or "")[:10])
        region = next(
            (
                t.get("region")
                for t in titles
                if t.get("series") == series
                and (t.get("level"), str(t.get("obtained_on") or "")[:10]) == got
            ),
            None,
        )
    if not region or str(region).startswith("45"):
        return
    confirmed = _day(current.get("reconfirmed_on"))
    if confirmed is None or confirmed > today:
        findings.append(
            _finding(
                "title_reconfirmation",
                "current_title",
                None,
                seed.reconfirm,
                f"现职称在自治区外（{region}）取得，须先办理职称重新确认后方可申报上一级职称；"
                "请在“现专业技术资格证书”中填写重新确认日期。",
                "refuse",
            )
        )


FACT_ZH = {
    "papers": "论文数",
    "achievements": "业绩成果数",
    "annual_assessments": "年度考核结果",
    "dual_directed": "是否申报“双定向”",
}


def _ignored(fact: str, typed: dict[str, Any], derived: Any, section: str, shown: str) -> list:
    if fact not in typed or typed[fact] == derived:
        return []
    return [
        {
            "fact": fact,
            "typed": typed[fact],
            "evaluated": derived,
            "section": section,
            "message": f"申报人填写的{FACT_ZH[fact]}与“{SECTION_TITLES[section]}”不一致"
            f"（按该部分计为{shown}），以“{SECTION_TITLES[section]}”为准。",
        }
    ]


def _assessments(sections: dict[str, Any]) -> list[dict[str, Any]]:
    got = [
        {"year": e["year"], "grade": e["grade"]}
        for e in _entries(sections, "annual_assessments")
        if "year" in e and "grade" in e
    ]
    return sorted(got, key=lambda e: e["year"])


def derive(
    typed: dict[str, Any],
    sections: dict[str, Any],
    *,
    region_code: str,
    series: str,
    level: str,
    year: int,
    today: date,
) -> Derived:
    """The facts to evaluate: `typed` (already reconciled with the registries) with the
    counts, records and flags the sections hold put over it."""
    seed = seed_for(region_code, series)
    titles = [t for t in typed.get("titles") or [] if isinstance(t, dict)]
    mode = (sections.get("basic_info") or {}).get("declaration_mode") or "promotion"
    start, since = term_start(seed, sections, titles, level=level, mode=mode)
    findings: list[dict[str, Any]] = []
    if mode == "second_title":
        # No seed says from when a second title's items count (002 leaves it to a 说明
        # not among them): nothing is refused on that date, the reviewers decide.
        start = None
        findings.append(
            _finding(
                "second_title",
                "basic_info",
                None,
                SECOND_TITLE,
                "申报方式为第二职称：依据文件未规定第二职称的论文、业绩、经历从何时起算，"
                "不按任现职以来核对，由审核单位认定。",
                "flag",
            )
        )
    pending: list[dict[str, Any]] = []
    counts = {}
    for section in ("papers", "achievements", "awards"):
        counts[section] = _counted(
            seed,
            section,
            sections,
            start,
            level=level,
            since=since,
            year=year,
            today=today,
            findings=findings,
            pending=pending,
        )
    _experience(seed, sections, start, level=level, since=since, today=today, findings=findings)
    _reconfirm(seed, sections, titles, series=series, today=today, findings=findings)
    assessments = _assessments(sections)
    dual = bool((sections.get("basic_info") or {}).get("dual_directed", False))
    typed_assessments = typed.get("annual_assessments")
    ignored = _ignored("papers", typed, counts["papers"], "papers", f"{counts['papers']}篇")
    ignored += _ignored(
        "achievements", typed, counts["achievements"], "achievements", f"{counts['achievements']}项"
    )
    if (
        typed_assessments is not None
        and sorted(
            (dict(e) for e in typed_assessments if isinstance(e, dict)),
            key=lambda e: e.get("year", 0),
        )
        != assessments
    ):
        ignored += _ignored(
            "annual_assessments",
            {"annual_assessments": typed_assessments},
            assessments,
            "annual_assessments",
            "、".join(f"{e['year']}年{GRADE_NAMES[e['grade']]}" for e in assessments) or "无",
        )
    ignored += _ignored(
        "dual_directed", typed, dual, "basic_info", "申报“双定向”" if dual else "未申报“双定向”"
    )
    applicant = {
        **typed,
        "papers": counts["papers"],
        "achievements": counts["achievements"],
        "annual_assessments": assessments,
        "dual_directed": dual,
    }
    return Derived(applicant, ignored, findings, pending)


def overdue(eligibility: dict[str, Any] | None, today: date) -> list[dict[str, Any]]:
    """Items filed in their waiting period whose proof is past due. The evaluation is made
    again at each resubmission (a return is how the proof is sent), so an item still listed
    as pending is one whose proof has not arrived."""
    out = []
    for item in ((eligibility or {}).get("facts_source") or {}).get("pending", []):
        due = _day(item.get("due_on"))
        if due is not None and today > due:
            out.append(item)
    return out
