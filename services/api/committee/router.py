"""HTTP for the committee stage: the expert pool, committee settings, sessions, the draw,
recusals, defence slots, the secret ballot and the closing tallies."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.campaigns.problems import CampaignNotFound
from services.api.committee import ballots, defence, judging, pool, scored, service
from services.api.committee.problems import (
    AdjustmentInvalid,
    AlreadyMarked,
    AlreadyVoted,
    AttendanceInvalid,
    DefenceAlreadyScheduled,
    DefenceSlotInvalid,
    ExpertApplicationExists,
    ExpertDecisionNotAllowed,
    ExpertNotFound,
    GradeRatioBroken,
    GradesInvalid,
    GradesMissing,
    MarksClosed,
    MarksMissing,
    NoDeclarationsReady,
    NotInSession,
    NotOnPanel,
    NotPresent,
    NotScored,
    PanelSizeInvalid,
    PoolTooSmall,
    QuorumNotMet,
    RecusalAfterVoting,
    ScheduleInvalid,
    SessionNotFound,
    SessionStatusWrong,
    SettingInvalid,
    TalliesSealed,
)
from services.api.committee.schemas import (
    AdjustmentCreate,
    AdjustmentRead,
    AttendanceWrite,
    BallotCreate,
    BallotReceipt,
    CommitteeSettingRead,
    CommitteeSettingWrite,
    DefenceSlotCreate,
    DefenceSlotRead,
    DrawVerification,
    ExpertApplication,
    ExpertDecision,
    ExpertRead,
    GradeRead,
    GradesWrite,
    MarkCreate,
    MarkReceipt,
    PointsRead,
    PointsScheduleWrite,
    RecusalCreate,
    RecusalRead,
    SeatRead,
    SessionCreate,
    SessionRead,
    TallyRead,
)
from services.api.http import DeferredIdempotencyDep, IfMatch, RelayAfterCommit, WriteDep, etag
from services.api.orgs.problems import OrgNotFound
from services.api.problems import Forbidden, IfMatchRequired, VersionMismatch
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(tags=["committee"], dependencies=[RelayAfterCommit])
OFFICE = [allow("committee_office")]
OFFICE_OPS = [allow("committee_office", "ops")]
EXPERT = [allow("expert")]
SESSION_READERS = [allow("committee_office", "ops", "expert")]
S = "/v1/committee-sessions/{session_id}"
# What a write on a session against the version the office saw can answer.
SESSION_WRITE = (SessionNotFound, Forbidden, IfMatchRequired, VersionMismatch, SessionStatusWrong)


async def _tagged(write, action, /, *, status_code: int = 200, **kwargs) -> JSONResponse:
    """Run the service action, answer the session it returns with its ETag, under the key."""
    done = await action(write.session, write.principal, **kwargs)
    return await write.idem.respond(
        done, status_code=status_code, headers={"ETag": etag(done.version)}
    )


# The expert pool (评委库) ----------------------------------------------------------------


@router.post(
    "/v1/experts/applications",
    status_code=201,
    response_model=ExpertRead,
    dependencies=EXPERT,
    summary="评委专家入库申请 (the signed-in expert applies to their office's pool)",
    responses=validated(Forbidden, ExpertApplicationExists, OrgNotFound),
)
async def apply(write: WriteDep, body: ExpertApplication) -> JSONResponse:
    return await write.apply(pool.apply, status_code=201, body=body)


@router.get(
    "/v1/experts/me",
    response_model=ExpertRead,
    dependencies=EXPERT,
    summary="The signed-in expert's own entry in the pool and its status",
    responses=documented(Forbidden, ExpertNotFound),
)
async def my_entry(session: SessionDep, principal: PrincipalDep) -> ExpertRead:
    return await pool.mine(session, principal)


@router.get(
    "/v1/experts",
    response_model=list[ExpertRead],
    dependencies=OFFICE_OPS,
    summary="The office's expert pool (ops: every pool), optionally by status",
    responses=documented(Forbidden),
)
async def experts(
    session: SessionDep,
    principal: PrincipalDep,
    status: Literal["pending", "approved", "rejected", "suspended", "retired"] | None = None,
) -> list[ExpertRead]:
    return await pool.listing(session, principal, status=status)


@router.get(
    "/v1/experts/{expert_id}",
    response_model=ExpertRead,
    dependencies=OFFICE_OPS,
    summary="One expert of the office's pool",
    responses=documented(Forbidden, ExpertNotFound),
)
async def expert(expert_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ExpertRead:
    return await pool.get(session, principal, expert_id)


@router.post(
    "/v1/experts/{expert_id}/decisions",
    response_model=ExpertRead,
    dependencies=OFFICE,
    summary="核准、不予核准、暂停、恢复或退出评委库 (If-Match: the expert's version)",
    responses=validated(
        Forbidden, ExpertNotFound, ExpertDecisionNotAllowed, IfMatchRequired, VersionMismatch
    ),
)
async def decide(
    write: WriteDep, expert_id: uuid.UUID, body: ExpertDecision, if_match: IfMatch = None
) -> JSONResponse:
    return await _tagged(write, pool.decide, expert_id=expert_id, body=body, if_match=if_match)


# Committee settings ----------------------------------------------------------------------


@router.get(
    "/v1/committee-settings/{committee_code}",
    response_model=CommitteeSettingRead,
    dependencies=OFFICE_OPS,
    summary="A committee's panel rules: minimum panel, quorum, pass mark "
    "(defaults: 人社部令第40号)",
    responses=documented(Forbidden),
)
async def get_setting(
    committee_code: str, session: SessionDep, principal: PrincipalDep
) -> CommitteeSettingRead:
    return await service.setting(session, committee_code)


@router.put(
    "/v1/committee-settings/{committee_code}",
    response_model=CommitteeSettingRead,
    dependencies=[allow("ops")],
    summary="Set a committee's panel rules (ops)",
    responses=validated(Forbidden, SettingInvalid),
)
async def put_setting(
    committee_code: str, body: CommitteeSettingWrite, write: WriteDep
) -> JSONResponse:
    return await write.apply(service.put_setting, committee_code=committee_code, body=body)


# Sessions -------------------------------------------------------------------------------


@router.post(
    "/v1/committee-sessions",
    status_code=201,
    response_model=SessionRead,
    dependencies=OFFICE,
    summary="组建评审会: a session for a campaign and level, with every paid declaration "
    "that reached this office",
    description="How the session judges (`judging`: secret ballot, or 长治 工程师's 答辩评价 "
    "and 量化赋分) is taken from the campaign's policy pack, read from the eligibility service "
    "with no database connection held, and kept with the session.",
    responses=validated(Forbidden, CampaignNotFound, PanelSizeInvalid, NoDeclarationsReady),
)
async def create_session(
    body: SessionCreate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: DeferredIdempotencyDep,
) -> JSONResponse:
    return await judging.create(
        session,
        principal,
        body=body,
        sessionmaker=request.app.state.sessionmaker,
        rules=request.app.state.rules,
        idem=idem,
    )


@router.get(
    "/v1/committee-sessions",
    response_model=list[SessionRead],
    dependencies=SESSION_READERS,
    summary="Sessions: the office's own, ops every one, an expert those they sit on while open",
    responses=documented(Forbidden),
)
async def sessions(session: SessionDep, principal: PrincipalDep) -> list[SessionRead]:
    return await service.listing(session, principal)


@router.get(
    S,
    response_model=SessionRead,
    dependencies=SESSION_READERS,
    summary="One session (an expert: one they sit on, while it is open)",
    responses=documented(Forbidden, SessionNotFound),
)
async def get_session(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    read = await service.get(session, principal, session_id)
    return JSONResponse(read.model_dump(mode="json"), headers={"ETag": etag(read.version)})


@router.post(
    S + "/draw",
    response_model=SessionRead,
    dependencies=OFFICE,
    summary="随机抽取评审专家: commit the seed's hash to the audit chain, draw, reveal the seed",
    description="Conflicts are excluded first (the applicants' employers, their supervising "
    "departments, conflicts the expert declared); nobody chooses an expert. If-Match required.",
    responses=documented(*SESSION_WRITE, PoolTooSmall),
)
async def draw(write: WriteDep, session_id: uuid.UUID, if_match: IfMatch = None) -> JSONResponse:
    return await _tagged(write, service.draw, session_id=session_id, if_match=if_match)


@router.get(
    S + "/draw",
    response_model=DrawVerification,
    dependencies=OFFICE_OPS,
    summary="Re-run the draw from the revealed seed: the panel it gives and whether it is the "
    "panel on record",
    responses=documented(Forbidden, SessionNotFound, SessionStatusWrong),
)
async def verify_draw(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DrawVerification:
    return await service.verify(session, principal, session_id)


@router.get(
    S + "/panel",
    response_model=list[SeatRead],
    dependencies=OFFICE_OPS,
    summary="The drawn panel (empty before the draw), recused seats included",
    responses=documented(Forbidden, SessionNotFound),
)
async def panel(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[SeatRead]:
    return await service.panel(session, principal, session_id)


@router.post(
    S + "/recusals",
    status_code=201,
    response_model=RecusalRead,
    dependencies=EXPERT,
    summary="回避: an expert of the panel steps down with a reason; a replacement is drawn "
    "from the same seed",
    responses=validated(
        Forbidden, SessionNotFound, SessionStatusWrong, NotOnPanel, RecusalAfterVoting
    ),
)
async def recuse(write: WriteDep, session_id: uuid.UUID, body: RecusalCreate) -> JSONResponse:
    return await write.apply(service.recuse, status_code=201, session_id=session_id, body=body)


@router.post(
    S + "/opening",
    response_model=SessionRead,
    dependencies=OFFICE,
    summary="Open the session: its experts see its declarations and slots, and vote",
    responses=documented(*SESSION_WRITE),
)
async def open_session(
    write: WriteDep, session_id: uuid.UUID, if_match: IfMatch = None
) -> JSONResponse:
    return await _tagged(write, service.open_session, session_id=session_id, if_match=if_match)


@router.put(
    S + "/attendance",
    response_model=list[SeatRead],
    dependencies=OFFICE,
    summary="Record which experts of the panel are present (the quorum counts them)",
    responses=validated(*SESSION_WRITE, AttendanceInvalid),
)
async def attendance(
    write: WriteDep, session_id: uuid.UUID, body: AttendanceWrite, if_match: IfMatch = None
) -> JSONResponse:
    return await write.apply(
        service.attendance, session_id=session_id, body=body, if_match=if_match
    )


@router.post(
    S + "/defence-slots",
    status_code=201,
    response_model=DefenceSlotRead,
    dependencies=OFFICE,
    summary="安排答辩: a slot for one declaration; the applicant gets one SMS with time and "
    "place, and a reminder the day before",
    responses=validated(*SESSION_WRITE, NotInSession, DefenceSlotInvalid, DefenceAlreadyScheduled),
)
async def schedule_defence(
    write: WriteDep, session_id: uuid.UUID, body: DefenceSlotCreate, if_match: IfMatch = None
) -> JSONResponse:
    return await write.apply(
        defence.schedule, status_code=201, session_id=session_id, body=body, if_match=if_match
    )


@router.get(
    S + "/defence-slots",
    response_model=list[DefenceSlotRead],
    dependencies=SESSION_READERS,
    summary="The session's defence slots (an expert: of a session they sit on, while open)",
    responses=documented(Forbidden, SessionNotFound),
)
async def defence_slots(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[DefenceSlotRead]:
    return await defence.slots(session, principal, session_id)


@router.post(
    S + "/ballots",
    status_code=201,
    response_model=BallotReceipt,
    dependencies=EXPERT,
    summary="不记名投票: one ballot per expert and declaration; the answer never says what it was",
    responses=validated(
        Forbidden,
        SessionNotFound,
        SessionStatusWrong,
        NotOnPanel,
        NotInSession,
        NotPresent,
        AlreadyVoted,
    ),
)
async def cast(write: WriteDep, session_id: uuid.UUID, body: BallotCreate) -> JSONResponse:
    return await write.apply(ballots.cast, status_code=201, session_id=session_id, body=body)


@router.post(
    S + "/closing",
    response_model=list[TallyRead],
    dependencies=OFFICE,
    summary="闭会: count the ballots, record each declaration's tally, move it to evaluated",
    responses=documented(*SESSION_WRITE, QuorumNotMet, MarksMissing, GradesMissing),
)
async def close(write: WriteDep, session_id: uuid.UUID, if_match: IfMatch = None) -> JSONResponse:
    return await write.apply(service.close, session_id=session_id, if_match=if_match)


@router.get(
    S + "/tallies",
    response_model=list[TallyRead],
    dependencies=OFFICE_OPS,
    summary="Each declaration's tally, once the session is closed (never a ballot)",
    responses=documented(Forbidden, SessionNotFound, TalliesSealed),
)
async def tallies(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[TallyRead]:
    return await service.tallies(session, principal, session_id)


# Scored sessions (长工信〔2022〕139号 九: 答辩评价 + 量化赋分) ---------------------------------


@router.post(
    S + "/marks",
    status_code=201,
    response_model=MarkReceipt,
    dependencies=EXPERT,
    summary="答辩评分: an expert's 答辩材料学术水平 and 现场答辩 marks (100 points each) for one "
    "declaration, once; the answer never says what they were",
    responses=validated(
        Forbidden,
        SessionNotFound,
        SessionStatusWrong,
        NotScored,
        NotOnPanel,
        NotInSession,
        NotPresent,
        AlreadyMarked,
        MarksClosed,
    ),
)
async def mark(write: WriteDep, session_id: uuid.UUID, body: MarkCreate) -> JSONResponse:
    return await write.apply(scored.mark, status_code=201, session_id=session_id, body=body)


@router.put(
    S + "/points-schedule",
    response_model=SessionRead,
    dependencies=OFFICE,
    summary="量化赋分分值: the points per item the committee sets before the session opens "
    "(If-Match: the session's version)",
    description="The notice names the 量化赋分 items but gives no points; the committee sets "
    "them with its basis (`source`), kept with the session's judging rules, so every line is "
    "prefilled alike.",
    responses=validated(*SESSION_WRITE, NotScored, ScheduleInvalid),
)
async def put_points_schedule(
    write: WriteDep, session_id: uuid.UUID, body: PointsScheduleWrite, if_match: IfMatch = None
) -> JSONResponse:
    return await _tagged(
        write, scored.put_schedule, session_id=session_id, body=body, if_match=if_match
    )


@router.put(
    S + "/grades",
    response_model=list[GradeRead],
    dependencies=OFFICE,
    summary="答辩成绩等次: 优/中/差 for every declaration, entered or given by rank of the "
    "答辩成绩, held at 3:6:1 (If-Match: the session's version)",
    description="A distribution off 3:6:1 is refused (`grade-ratio-broken`) with `gaps`: per "
    "grade, how many too many (+) or too few (−).",
    responses=validated(*SESSION_WRITE, NotScored, GradeRatioBroken, GradesInvalid, MarksMissing),
)
async def put_grades(
    write: WriteDep, session_id: uuid.UUID, body: GradesWrite, if_match: IfMatch = None
) -> JSONResponse:
    return await write.apply(scored.put_grades, session_id=session_id, body=body, if_match=if_match)


@router.get(
    S + "/grades",
    response_model=list[GradeRead],
    dependencies=OFFICE_OPS,
    summary="The session's 优/中/差 grades (never a mark)",
    responses=documented(Forbidden, SessionNotFound, NotScored),
)
async def grades(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[GradeRead]:
    return await scored.grades(session, principal, session_id)


@router.get(
    S + "/declarations/{declaration_id}/points",
    response_model=PointsRead,
    dependencies=SESSION_READERS,
    summary="量化赋分: each line prefilled from the declaration with the section entry and "
    "documents it rests on, and every adjustment with its reason",
    responses=documented(Forbidden, SessionNotFound, NotScored, NotInSession),
)
async def points(
    session_id: uuid.UUID, declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> PointsRead:
    return await scored.points(
        session, principal, session_id=session_id, declaration_id=declaration_id
    )


@router.post(
    S + "/declarations/{declaration_id}/adjustments",
    status_code=201,
    response_model=AdjustmentRead,
    dependencies=[allow("committee_office", "expert")],
    summary="调整量化赋分: an expert of the panel or the office changes one item's points, "
    "with a reason (logged)",
    responses=validated(
        Forbidden,
        SessionNotFound,
        SessionStatusWrong,
        NotScored,
        NotOnPanel,
        NotInSession,
        AdjustmentInvalid,
    ),
)
async def adjust(
    write: WriteDep, session_id: uuid.UUID, declaration_id: uuid.UUID, body: AdjustmentCreate
) -> JSONResponse:
    return await write.apply(
        scored.adjust,
        status_code=201,
        session_id=session_id,
        declaration_id=declaration_id,
        body=body,
    )
