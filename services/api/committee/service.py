"""Committee sessions (评审会): the committee's rules, a session with the declarations that
reached it, the draw of its panel, recusals, opening, attendance and closing.

The draw commits before it draws: the seed's SHA-256 and the digest of the candidate
lists go into the audit chain (`panel_draw_committed`), then the panel is drawn from the
seed (draw.py) and the seed revealed in the next audit row (`panel_drawn`), in the same
transaction, so nobody sees or chooses a panel before the seed that made it is on record
(`004_…` 三（三）: "评审专家由各评委会组建单位在核准批复的评委库中随机抽取产生，禁止任何单位
或部门以任何形式指定评审专家").
"""

from __future__ import annotations

import uuid
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.committee import draw as drawing
from services.api.committee import scoring, verdicts
from services.api.committee.problems import (
    AttendanceInvalid,
    NoDeclarationsReady,
    NotOnPanel,
    PanelSizeInvalid,
    PoolTooSmall,
    QuorumNotMet,
    RecusalAfterVoting,
    SessionNotFound,
    SessionStatusWrong,
    SettingInvalid,
    TalliesSealed,
)
from services.api.committee.schemas import (
    AttendanceWrite,
    CommitteeSettingRead,
    CommitteeSettingWrite,
    DrawVerification,
    RecusalCreate,
    RecusalRead,
    SeatRead,
    SessionCreate,
    SessionRead,
    TallyRead,
)
from services.api.declarations import service as declarations
from services.api.http import check_if_match
from services.api.models import (
    Ballot,
    BallotCast,
    Campaign,
    CommitteeSession,
    CommitteeSetting,
    Declaration,
    Expert,
    Org,
    PanelSeat,
    ReviewStep,
    SessionDeclaration,
)
from services.kit.auth import Principal
from services.kit.db import xact_lock


def _pair(share: Fraction) -> tuple[int, int]:
    return share.numerator, share.denominator


# 人社部令第40号《职称评审管理暂行规定》 (scoring.py holds the rules and their defaults):
# an odd number of experts, at least 25 on a provincial committee (11 on a prefecture-level
# one, as a setting); a quorum and a pass mark, both shares as fractions.
MIN_PANEL = scoring.MIN_PANEL
QUORUM = _pair(scoring.VoteRule().quorum)
PASS_MARK = _pair(scoring.VoteRule().pass_share)
# The status a declaration reaches the committee in: paid (the chain's last step).
READY = "paid"
STATUS_ZH = {"created": "已组建", "drawn": "已抽取专家", "open": "开会中", "closed": "已闭会"}
LEVEL_ZH = {
    "technician": "员级",
    "assistant": "助理级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}


def _tier_of(region_code: str) -> str:
    return "provincial" if region_code.endswith("0000") else "prefecture"


async def setting(
    session: AsyncSession, committee_code: str, *, region_code: str | None = None
) -> CommitteeSettingRead:
    """The committee's rules: its stored setting, or the national defaults for its tier
    (a committee of a province-wide campaign is provincial, any other prefecture-level)."""
    row = await session.get(CommitteeSetting, committee_code)
    if row is None:
        if region_code is None:
            query = select(Campaign.region_code).where(Campaign.committee_code == committee_code)
            region_code = (await session.exec(query.limit(1))).first() or ""
        tier = _tier_of(region_code)
        return CommitteeSettingRead(
            committee_code=committee_code,
            tier=tier,
            min_panel=MIN_PANEL[tier],
            quorum=QUORUM,
            pass_mark=PASS_MARK,
            default=True,
        )
    return CommitteeSettingRead(
        committee_code=committee_code,
        tier=row.tier,
        min_panel=row.min_panel,
        quorum=(row.quorum_num, row.quorum_den),
        pass_mark=(row.pass_num, row.pass_den),
        default=False,
    )


async def put_setting(
    session: AsyncSession, principal: Principal, *, committee_code: str, body: CommitteeSettingWrite
) -> CommitteeSettingRead:
    minimum = body.min_panel or MIN_PANEL[body.tier]
    if minimum % 2 == 0:
        raise SettingInvalid(f"最低评审专家人数须为单数（{scoring.DECREE_40}），收到{minimum}。")
    for name, (num, den) in (("到会比例", body.quorum), ("通过比例", body.pass_mark)):
        if not 0 < num <= den:
            raise SettingInvalid(f"{name}须为不大于1的正分数，收到{num}/{den}。")
    # A committee's first setting has no row to lock: two PUTs at once take turns here (the
    # second then updates the first's row) instead of both inserting it.
    await xact_lock(session, f"api.committee_setting:{committee_code}")
    row = await session.get(CommitteeSetting, committee_code, with_for_update=True)
    row = row or CommitteeSetting(committee_code=committee_code)
    row.tier, row.min_panel = body.tier, minimum
    row.quorum_num, row.quorum_den = body.quorum
    row.pass_num, row.pass_den = body.pass_mark
    row.updated_by, row.updated_at = principal.sub, await clock.db_now(session)
    await audit.saved(
        session,
        row,
        principal=principal,
        action="committee_setting_changed",
        reason=f"{committee_code}：{body.tier}，最低{minimum}人，到会{body.quorum[0]}/"
        f"{body.quorum[1]}，通过{body.pass_mark[0]}/{body.pass_mark[1]}",
    )
    return await setting(session, committee_code)


# Sessions ------------------------------------------------------------------------------


async def declaration_ids(session: AsyncSession, session_id: uuid.UUID) -> list[uuid.UUID]:
    query = (
        select(SessionDeclaration.declaration_id)
        .where(SessionDeclaration.session_id == session_id)
        .order_by(SessionDeclaration.declaration_id)
    )
    return list((await session.exec(query)).all())


async def read(session: AsyncSession, row: CommitteeSession) -> SessionRead:
    return SessionRead(
        id=row.id,
        committee_code=row.committee_code,
        campaign_id=row.campaign_id,
        series=row.series,
        level=row.level,
        panel_size=row.panel_size,
        mix=row.mix,
        rule=row.rule,
        status=row.status,
        version=row.version,
        seed_sha256=row.seed_sha256,
        seed=row.seed,
        declaration_ids=await declaration_ids(session, row.id),
        judging=verdicts.summary(row),
        opened_at=row.opened_at,
        closed_at=row.closed_at,
    )


def _seated(principal: Principal):
    """SQL: the sessions this expert sits on (an active seat) while they are open."""
    return and_(
        CommitteeSession.status == "open",
        exists().where(
            PanelSeat.session_id == CommitteeSession.id,
            PanelSeat.expert_sub == principal.sub,
            PanelSeat.status == "active",
        ),
    )


def _visible(principal: Principal):
    if principal.role == "ops":
        return True
    if principal.role == "expert":
        return _seated(principal)
    return CommitteeSession.office_org_id == uuid.UUID(principal.org_id)


async def load(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, *, lock: bool = False
) -> CommitteeSession:
    """The session as this caller may see it (its office, ops, an expert seated on it while
    it is open); any other is answered as one that does not exist."""
    query = select(CommitteeSession).where(CommitteeSession.id == session_id, _visible(principal))
    if lock:
        query = query.with_for_update()
    found = (await session.exec(query)).first()
    if found is None:
        raise SessionNotFound()
    return found


async def get(session: AsyncSession, principal: Principal, session_id: uuid.UUID) -> SessionRead:
    return await read(session, await load(session, principal, session_id))


async def listing(session: AsyncSession, principal: Principal) -> list[SessionRead]:
    query = select(CommitteeSession).where(_visible(principal))
    rows = (await session.exec(query.order_by(CommitteeSession.created_at))).all()
    return [await read(session, r) for r in rows]


def require(row: CommitteeSession, *statuses: str, action_zh: str) -> None:
    if row.status not in statuses:
        need = "或".join(STATUS_ZH[s] for s in statuses)
        raise SessionStatusWrong(
            f"评审会当前为“{STATUS_ZH[row.status]}”，{action_zh}须在“{need}”时办理。",
            status_now=row.status,
        )


async def bump(session: AsyncSession, row: CommitteeSession) -> None:
    row.version += 1
    row.updated_at = await clock.db_now(session)
    session.add(row)


async def locked(
    session: AsyncSession,
    principal: Principal,
    session_id: uuid.UUID,
    if_match: str | None,
    *,
    required: bool = True,
) -> CommitteeSession:
    row = await load(session, principal, session_id, lock=True)
    check_if_match(if_match, row.version, required=required)
    return row


async def create(
    session: AsyncSession,
    principal: Principal,
    *,
    body: SessionCreate,
    judging: dict[str, Any] | None = None,
) -> SessionRead:
    """A session of the office's committee for the campaign and level, with every
    declaration of it that has reached the committee (paid, its chain ending at this
    office) and sits in no other session. `judging`: the excerpt of the campaign's pack
    saying how it judges (judging.py), read before this transaction; None: by ballot."""
    campaign = await campaigns.get(session, body.campaign_id)
    rules = await setting(session, campaign.committee_code, region_code=campaign.region_code)
    wrong = scoring.panel_size_problem(body.panel_size, minimum=rules.min_panel)
    if wrong:
        raise PanelSizeInvalid(wrong, min_panel=rules.min_panel)
    if body.mix and (sum(body.mix.values()) != body.panel_size or min(body.mix.values()) < 1):
        raise PanelSizeInvalid(
            f"各专业抽取人数之和须等于评审专家人数{body.panel_size}，本次为"
            f"{sum(body.mix.values())}。"
        )
    office = uuid.UUID(principal.org_id)
    # Sessions of one campaign and level are formed one at a time: a second request waits
    # here until the first commits, then sees the declarations it placed (a new snapshot
    # per statement) instead of locking the same rows after it and failing on their key.
    await xact_lock(session, f"api.committee_session:{campaign.id}:{body.level}")
    at_office = exists().where(
        ReviewStep.declaration_id == Declaration.id,
        ReviewStep.kind == "committee_office",
        ReviewStep.org_id == office,
    )
    placed = exists().where(SessionDeclaration.declaration_id == Declaration.id)
    query = (
        select(Declaration)
        .where(
            Declaration.campaign_id == campaign.id,
            Declaration.level == body.level,
            Declaration.status == READY,
            at_office,
            ~placed,
        )
        .order_by(Declaration.id)
        .with_for_update()
    )
    ready = list((await session.exec(query)).all())
    if not ready:
        raise NoDeclarationsReady()
    row = CommitteeSession(
        office_org_id=office,
        committee_code=campaign.committee_code,
        campaign_id=campaign.id,
        series=campaign.series,
        level=body.level,
        panel_size=body.panel_size,
        mix=body.mix or {drawing.ALL: body.panel_size},
        rule=rules.model_dump(mode="json", exclude={"committee_code", "default"}),
        judging=judging,
        created_by=principal.sub,
    )
    await audit.saved(
        session,
        row,
        principal=principal,
        action="committee_session_created",
        reason=f"评审会{row.id}：{campaign.committee_code} {LEVEL_ZH[body.level]}，"
        f"评审专家{body.panel_size}人，申报{len(ready)}份；"
        f"评审方式：{'答辩评价与量化赋分相结合' if _scored(judging) else '不记名投票'}",
    )
    for declaration in ready:
        session.add(SessionDeclaration(declaration_id=declaration.id, session_id=row.id))
        await audit.noted(
            session, principal, declaration, "committee_session_assigned", f"列入评审会{row.id}"
        )
    await session.flush()
    return await read(session, row)


# The draw ------------------------------------------------------------------------------


async def _ancestors(session: AsyncSession, org_id: uuid.UUID | None) -> list[Org]:
    found: list[Org] = []
    while org_id is not None and len(found) < 10:
        org = await session.get(Org, org_id)
        if org is None:
            break
        found.append(org)
        org_id = org.parent_id
    return found


async def _conflicts(session: AsyncSession, row: CommitteeSession) -> tuple[set, set, set]:
    """(applicants' employer ids, their names, their supervisors' ids) for the session."""
    units = (
        await session.exec(
            select(Declaration.unit_org_id)
            .join(SessionDeclaration, SessionDeclaration.declaration_id == Declaration.id)
            .where(SessionDeclaration.session_id == row.id)
        )
    ).all()
    unit_ids = set(units)
    names = set((await session.exec(select(Org.name).where(Org.id.in_(unit_ids)))).all())
    supervisors = set(
        (
            await session.exec(
                select(ReviewStep.org_id)
                .join(
                    SessionDeclaration,
                    SessionDeclaration.declaration_id == ReviewStep.declaration_id,
                )
                .where(SessionDeclaration.session_id == row.id, ReviewStep.kind == "supervisor")
            )
        ).all()
    )
    return unit_ids, names, supervisors


async def candidates(session: AsyncSession, row: CommitteeSession) -> tuple[dict, dict]:
    """The candidates per group, ordered by id, and those passed over with why."""
    unit_ids, names, supervisors = await _conflicts(session, row)
    experts = (
        await session.exec(
            select(Expert)
            .where(
                Expert.office_org_id == row.office_org_id,
                Expert.series == row.series,
                Expert.status == "approved",
            )
            .order_by(Expert.id)
        )
    ).all()
    pool: list[Expert] = []
    excluded: dict[str, str] = {}
    for expert in experts:
        chain = await _ancestors(session, expert.employer_org_id)
        own_supervisors = {o.id for o in chain if o.kind == "supervisor"}
        if expert.employer_org_id in unit_ids or expert.employer_name in names:
            excluded[str(expert.id)] = "与申报人同一工作单位"
        elif own_supervisors & supervisors:
            excluded[str(expert.id)] = "与申报人同一主管部门"
        elif set(expert.conflict_org_ids) & (unit_ids | supervisors):
            excluded[str(expert.id)] = "本人申明的回避情形"
        else:
            pool.append(expert)
    groups = {
        group: [str(e.id) for e in pool if group == drawing.ALL or group in e.specialties]
        for group in sorted(row.mix)
    }
    return groups, excluded


async def draw(
    session: AsyncSession, principal: Principal, *, session_id: uuid.UUID, if_match: str | None
) -> SessionRead:
    row = await locked(session, principal, session_id, if_match)
    require(row, "created", action_zh="抽取评审专家")
    groups, excluded = await candidates(session, row)
    short = {g: (len(groups[g]), n) for g, n in row.mix.items() if len(groups[g]) < n}
    if short:
        said = "；".join(
            f"{'全部专业' if g == drawing.ALL else g}可抽{have}人，需{need}人"
            for g, (have, need) in short.items()
        )
        raise PoolTooSmall(f"评委库中可抽取的专家不足（已排除回避情形{len(excluded)}人）：{said}。")
    seed = drawing.new_seed()
    row.seed_sha256 = drawing.sha256(seed)
    row.candidates = groups
    # The commitment, on record before the panel exists.
    await audit.record(
        session,
        principal=principal,
        action="panel_draw_committed",
        reason=f"评审会{row.id} 抽取承诺：seed_sha256={row.seed_sha256}；"
        f"candidates_sha256={drawing.candidates_digest(groups)}；"
        f"回避排除{len(excluded)}人",
    )
    seats = drawing.draw(seed, groups, row.mix)
    subs = dict(
        (
            await session.exec(
                select(Expert.id, Expert.sub).where(Expert.id.in_([uuid.UUID(e) for _, e in seats]))
            )
        ).all()
    )
    for n, (group, expert_id) in enumerate(seats, start=1):
        eid = uuid.UUID(expert_id)
        session.add(
            PanelSeat(
                session_id=row.id, expert_id=eid, expert_sub=subs[eid], seat=n, group=group, round=0
            )
        )
    row.seed = seed
    row.status = "drawn"
    await bump(session, row)
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="panel_drawn",
        reason=f"评审会{row.id} 随机抽取{len(seats)}人，公开 seed={seed}；"
        f"专家：{','.join(e for _, e in seats)}",
    )
    return await read(session, row)


async def _seats(session: AsyncSession, session_id: uuid.UUID) -> list[PanelSeat]:
    query = select(PanelSeat).where(PanelSeat.session_id == session_id).order_by(PanelSeat.seat)
    return list((await session.exec(query)).all())


async def verify(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> DrawVerification:
    """The draw re-run from the revealed seed over the recorded candidates and recusals:
    the panel it gives, and whether it is the panel on record."""
    row = await load(session, principal, session_id)
    if row.seed is None or row.seed_sha256 is None or row.candidates is None:
        raise SessionStatusWrong(
            "评审会尚未抽取评审专家，没有可复核的抽取结果。", status_now=row.status
        )
    seats = await _seats(session, row.id)
    recusals = sorted((s.recused_in, str(s.expert_id)) for s in seats if s.recused_in)
    panel = drawing.replay(row.seed, row.candidates, row.mix, recusals)
    recorded = sorted((s.group, str(s.expert_id), s.round) for s in seats)
    return DrawVerification(
        seed=row.seed,
        seed_sha256=row.seed_sha256,
        seed_matches_commitment=drawing.sha256(row.seed) == row.seed_sha256,
        candidates=row.candidates,
        candidates_sha256=drawing.candidates_digest(row.candidates),
        mix=row.mix,
        recusals=recusals,
        panel=panel,
        same_as_recorded=sorted(panel) == recorded,
    )


async def panel(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> list[SeatRead]:
    """The panel as drawn (recused seats too); before the draw there is none to show."""
    row = await load(session, principal, session_id)
    seats = await _seats(session, row.id)
    names = dict(
        (
            await session.exec(
                select(Expert.id, Expert.name).where(Expert.id.in_([s.expert_id for s in seats]))
            )
        ).all()
    )
    return [
        SeatRead(
            expert_id=s.expert_id,
            name=names[s.expert_id],
            specialty=s.group,
            seat=s.seat,
            round=s.round,
            status=s.status,
            recusal_reason=s.recusal_reason,
            present=s.present,
        )
        for s in seats
    ]


async def my_seat(session: AsyncSession, principal: Principal, row: CommitteeSession) -> PanelSeat:
    query = select(PanelSeat).where(
        PanelSeat.session_id == row.id,
        PanelSeat.expert_sub == principal.sub,
        PanelSeat.status == "active",
    )
    seat = (await session.exec(query.with_for_update())).first()
    if seat is None:
        raise NotOnPanel()
    return seat


async def expert_session(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> CommitteeSession:
    """A session an expert acts in: one they sit on (404 for any other), locked."""
    query = select(CommitteeSession).where(
        CommitteeSession.id == session_id,
        exists().where(
            PanelSeat.session_id == CommitteeSession.id, PanelSeat.expert_sub == principal.sub
        ),
    )
    row = (await session.exec(query.with_for_update())).first()
    if row is None:
        raise SessionNotFound()
    return row


async def recuse(
    session: AsyncSession, principal: Principal, *, session_id: uuid.UUID, body: RecusalCreate
) -> RecusalRead:
    """An expert steps down with a reason; a replacement is drawn from the same seed in the
    same specialty (round n for the session's n-th recusal), never chosen by anyone."""
    row = await expert_session(session, principal, session_id)
    require(row, "drawn", "open", action_zh="申请回避")
    seat = await my_seat(session, principal, row)
    voted = await session.scalar(
        select(func.count())
        .select_from(BallotCast)
        .where(BallotCast.session_id == row.id, BallotCast.expert_id == seat.expert_id)
    )
    if voted:
        raise RecusalAfterVoting()
    row.recusals += 1
    round_ = row.recusals
    seat.status, seat.recusal_reason, seat.recused_in, seat.present = (
        "recused",
        body.reason,
        round_,
        False,
    )
    seats = await _seats(session, row.id)
    assert row.seed is not None and row.candidates is not None
    found = drawing.replacement(
        row.seed, row.candidates, seat.group, round_, {str(s.expert_id) for s in seats}
    )
    replacement_id = uuid.UUID(found) if found else None
    if replacement_id is not None:
        expert = await session.get(Expert, replacement_id)
        assert expert is not None
        session.add(
            PanelSeat(
                session_id=row.id,
                expert_id=replacement_id,
                expert_sub=expert.sub,
                seat=max(s.seat for s in seats) + 1,
                group=seat.group,
                round=round_,
            )
        )
    await bump(session, row)
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="panel_recusal",
        reason=f"评审会{row.id} 第{round_}次回避：专家{seat.expert_id}，理由：{body.reason}；"
        + (f"由种子补抽专家{replacement_id}" if replacement_id else "可抽取专家已用尽，未能补抽"),
    )
    return RecusalRead(
        recused_expert_id=seat.expert_id, round=round_, replacement_expert_id=replacement_id
    )


async def open_session(
    session: AsyncSession, principal: Principal, *, session_id: uuid.UUID, if_match: str | None
) -> SessionRead:
    row = await locked(session, principal, session_id, if_match)
    require(row, "drawn", action_zh="开会")
    row.status = "open"
    row.opened_at = await clock.db_now(session)
    await bump(session, row)
    await audit.record(
        session,
        principal=principal,
        action="committee_session_opened",
        reason=f"评审会{row.id}开会",
    )
    return await read(session, row)


async def attendance(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    body: AttendanceWrite,
    if_match: str | None,
) -> list[SeatRead]:
    """Who is present (签到), recorded by the office while the session is open."""
    row = await locked(session, principal, session_id, if_match)
    require(row, "open", action_zh="登记到会专家")
    seats = await _seats(session, row.id)
    active = {s.expert_id: s for s in seats if s.status == "active"}
    present = set(body.present)
    if not present <= set(active):
        raise AttendanceInvalid()
    voted = set(
        (
            await session.exec(
                select(BallotCast.expert_id).where(BallotCast.session_id == row.id).distinct()
            )
        ).all()
    )
    if voted - present:
        # A ballot cast stays counted: whoever cast one was present.
        raise AttendanceInvalid(
            f"已有{len(voted - present)}位专家投票，投过票的专家不能从到会名单中去掉。"
        )
    for expert_id, seat in active.items():
        seat.present = expert_id in present
        session.add(seat)
    await bump(session, row)
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="committee_attendance",
        reason=f"评审会{row.id} 到会{len(present)}人（应到{len(active)}人）",
    )
    return await panel(session, principal, session_id)


def _scored(judging: dict[str, Any] | None) -> bool:
    return bool(judging and any(x["method"] != "vote" for x in judging["judging"]))


vote_rule = verdicts.vote_rule


async def close(
    session: AsyncSession, principal: Principal, *, session_id: uuid.UUID, if_match: str | None
) -> list[TallyRead]:
    """Close the session: count each declaration's ballots, record its tally and move it to
    `evaluated` (one audit row each). Nothing about the outcome changes afterwards."""
    row = await locked(session, principal, session_id, if_match)
    require(row, "open", action_zh="闭会")
    seats = [s for s in await _seats(session, row.id) if s.status == "active"]
    members, present = len(seats), sum(s.present for s in seats)
    rule = vote_rule(row)
    if not scoring.quorum_met(rule, panel=members, present=present):
        need = scoring.quorum_needed(rule, panel=members)
        raise QuorumNotMet(
            f"评审专家{members}人，到会{present}人，须至少{need}人到会，会议方能作出评审结论"
            f"（{scoring.QUORUM_RULE}，{scoring.DECREE_40}）。",
            panel=members,
            present=present,
        )
    now = await clock.db_now(session)
    counts: dict[tuple[uuid.UUID, str], int] = dict(
        (
            (did, choice),
            n,
        )
        for did, choice, n in (
            await session.exec(
                select(Ballot.declaration_id, Ballot.choice, func.count())
                .where(Ballot.session_id == row.id)
                .group_by(Ballot.declaration_id, Ballot.choice)
            )
        ).all()
    )
    ids = await declaration_ids(session, row.id)
    model = verdicts.model_of(row)
    scored = {}
    if isinstance(model, scoring.ScoredModel):
        campaign = await campaigns.get(session, row.campaign_id)
        scored = await verdicts.close_scored(
            session,
            row,
            model,
            ids=ids,
            as_of=campaign.evaluate_on,
            members=members,
            present=present,
            counts=counts,
        )
    answers = []
    for declaration_id in ids:
        declaration = await session.get(Declaration, declaration_id, with_for_update=True)
        assert declaration is not None
        if declaration_id in scored:
            outcome, reason = scored[declaration_id]
            await evaluated(
                session,
                principal,
                declaration,
                outcome,
                now,
                action="committee_evaluated",
                reason=f"评审会{row.id}答辩评价与量化赋分：{reason}",
            )
            answers.append(
                TallyRead(declaration_id=declaration_id, status="evaluated", outcome=outcome)
            )
            continue
        agree, disagree, abstain = (counts.get((declaration_id, c), 0) for c in CHOICES)
        result = scoring.tally(
            rule, panel=members, present=present, agree=agree, disagree=disagree, abstain=abstain
        )
        outcome = result.outcome()
        await evaluated(
            session,
            principal,
            declaration,
            outcome,
            now,
            action="committee_evaluated",
            reason=f"评审会{row.id}不记名投票：{result.reason}",
        )
        answers.append(
            TallyRead(declaration_id=declaration_id, status="evaluated", outcome=outcome)
        )
    row.status = "closed"
    row.closed_at = now
    await bump(session, row)
    await audit.record(
        session,
        principal=principal,
        action="committee_session_closed",
        reason=f"评审会{row.id}闭会：{len(answers)}份申报，"
        f"通过{sum(a.outcome['passed'] for a in answers)}份",
    )
    return answers


async def evaluated(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    outcome: dict,
    now: datetime,
    *,
    action: str,
    reason: str,
) -> None:
    """Record a declaration's outcome on its place in its session and move it to
    `evaluated` (again, after a 复核), the reason in its audit row."""
    placed = await session.get(SessionDeclaration, declaration.id)
    assert placed is not None
    placed.outcome = outcome
    session.add(placed)
    await declarations.transition(
        session,
        principal,
        declaration,
        to_status="evaluated",
        action=action,
        reason=reason,
        now=now,
    )


CHOICES = verdicts.CHOICES


async def tallies(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> list[TallyRead]:
    """Each declaration's tally, once the session is closed; sealed before."""
    row = await load(session, principal, session_id)
    if row.status != "closed":
        raise TalliesSealed()
    query = (
        select(SessionDeclaration, Declaration.status)
        .join(Declaration, Declaration.id == SessionDeclaration.declaration_id)
        .where(SessionDeclaration.session_id == row.id)
        .order_by(SessionDeclaration.declaration_id)
    )
    return [
        TallyRead(declaration_id=placed.declaration_id, status=status, outcome=placed.outcome or {})
        for placed, status in (await session.exec(query)).all()
    ]
