"""HTTP for the committee stage: the expert pool, committee settings, sessions, the draw,
recusals, defence slots, the secret ballot and the closing tallies."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.campaigns.problems import CampaignNotFound
from services.api.clients.rules import RulesUnavailable
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
from services.api.http import (
    DeferredIdempotencyDep,
    IfMatch,
    RelayAfterCommit,
    WriteDep,
    etag,
    sends,
)
from services.api.orgs.problems import OrgNotFound
from services.api.problems import Forbidden, IfMatchRequired, VersionMismatch
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, merged, validated

router = APIRouter(tags=["committee"], route_class=RelayAfterCommit)
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
    summary=("评委专家入库申请（已登录的专家向所属评委会办公室的专家库申请）"),
    responses=validated(Forbidden, ExpertApplicationExists, OrgNotFound),
    description=(
        "评审专家账号提交入库申请：姓名、工作单位、现有职称、系列、"
        "专业、地区，以及申报回避的机构。提交后待评委会办公室审核。"
        "仅评审专家账号可调用。"
    ),
)
async def apply(write: WriteDep, body: ExpertApplication) -> JSONResponse:
    return await write.apply(pool.apply, status_code=201, body=body)


@router.get(
    "/v1/experts/me",
    response_model=ExpertRead,
    dependencies=EXPERT,
    summary="本人在专家库中的条目及其状态",
    responses=documented(Forbidden, ExpertNotFound),
    description=(
        "评审专家读取自己在专家库中的条目和状态（待审核、已入库、"
        "暂停、退出等）。仅评审专家本人可调用。"
    ),
)
async def my_entry(session: SessionDep, principal: PrincipalDep) -> ExpertRead:
    return await pool.mine(session, principal)


@router.get(
    "/v1/experts",
    response_model=list[ExpertRead],
    dependencies=OFFICE_OPS,
    summary="本办公室的专家库（运维：全部专家库），可按状态筛选",
    responses=documented(Forbidden),
    description=(
        "列出调用者所在评委会办公室的专家库，可按状态筛选；"
        "运维人员看到全部。评委会办公室和运维人员可调用。"
    ),
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
    summary="专家库中的一位专家",
    responses=documented(Forbidden, ExpertNotFound),
    description=("读取本办公室专家库中一位专家的条目。评委会办公室和运维人员可调用。"),
)
async def expert(expert_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ExpertRead:
    return await pool.get(session, principal, expert_id)


@router.post(
    "/v1/experts/{expert_id}/decisions",
    response_model=ExpertRead,
    dependencies=OFFICE,
    summary="审核专家入库申请或调整专家状态",
    responses=validated(
        Forbidden, ExpertNotFound, ExpertDecisionNotAllowed, IfMatchRequired, VersionMismatch
    ),
    description=(
        "评委会办公室对专家作出决定：核准入库、驳回、暂停、"
        "恢复或退出，须写明理由。仅评委会办公室可调用。"
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
    summary=("评委会的评审规则：最低人数、出席比例、通过比例（默认按人社部令第40号）"),
    responses=documented(Forbidden),
    description=(
        "读取评委会的评审规则：级别（省级或地市级）、"
        "评审专家最低人数、须出席的比例和通过所需的同意票比例；"
        "未设置的按人社部令第40号《职称评审管理暂行规定》的默认值。"
        "评委会办公室和运维人员可调用。"
    ),
)
async def get_setting(
    committee_code: str, session: SessionDep, principal: PrincipalDep
) -> CommitteeSettingRead:
    return await service.setting(session, committee_code)


@router.put(
    "/v1/committee-settings/{committee_code}",
    response_model=CommitteeSettingRead,
    dependencies=[allow("ops")],
    summary="设置评委会的评审规则（运维）",
    responses=validated(Forbidden, SettingInvalid),
    description=(
        "运维人员设置评委会的评审规则：级别、最低人数（须为单数；"
        "默认省级25人、地市级11人）、出席比例和通过比例（默认均为三分"
        "之二，人社部令第40号《职称评审管理暂行规定》）。"
        "仅运维人员可调用。"
    ),
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
    summary="组建评审会：某批次某级别，含已缴费并到达本办公室的全部申报书",
    description=(
        "评委会办公室为一个批次、一个级别组建评审会：人数、"
        "各专业的席位，纳入已缴费并到达本办公室的全部申报书。"
        "评审方式（不记名投票，或长治工程师的答辩评价与量化赋分）"
        "取自批次的政策包。仅评委会办公室可调用。"
    ),
    responses=merged(
        validated(
            Forbidden, CampaignNotFound, PanelSizeInvalid, NoDeclarationsReady, RulesUnavailable
        ),
        sends("ETag", status=201),
    ),
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
    summary=("评审会列表：评委会办公室看本办公室的，运维看全部，专家看自己参加且尚未闭会的"),
    responses=documented(Forbidden),
    description=(
        "列出评审会：评委会办公室看到本办公室组建的，"
        "运维人员看到全部，评审专家只看到自己被抽中参加、"
        "且尚未闭会的。"
    ),
)
async def sessions(session: SessionDep, principal: PrincipalDep) -> list[SessionRead]:
    return await service.listing(session, principal)


@router.get(
    S,
    response_model=SessionRead,
    dependencies=SESSION_READERS,
    summary="查看一个评审会（专家：自己参加且尚未闭会的）",
    responses=merged(documented(Forbidden, SessionNotFound), sends("ETag")),
    description=(
        "读取一个评审会：批次、级别、人数、各专业席位、"
        "评审方式和规则、随机种子及其哈希、状态和申报书。"
        "评委会办公室、运维人员和参加该会的专家（闭会前）可调用。"
    ),
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
    summary=("随机抽取评审专家：先把种子的哈希记入审计链，再抽取，然后公开种子"),
    description=(
        "按各专业的席位从专家库随机抽取评审专家，"
        "已申报回避的机构的专家不会被抽中："
        "先把随机种子的 SHA-256 记入审计链，抽取后公开种子，"
        "任何人可据此复核。仅评委会办公室可调用。"
    ),
    responses=documented(*SESSION_WRITE, PoolTooSmall),
)
async def draw(write: WriteDep, session_id: uuid.UUID, if_match: IfMatch = None) -> JSONResponse:
    return await _tagged(write, service.draw, session_id=session_id, if_match=if_match)


@router.get(
    S + "/draw",
    response_model=DrawVerification,
    dependencies=OFFICE_OPS,
    summary="用公开的种子重新抽取：得到的名单及是否与记录一致",
    responses=documented(Forbidden, SessionNotFound, SessionStatusWrong),
    description=(
        "用已公开的随机种子和当时的候选名单重新抽取，答复得到的名单、"
        "种子是否与事先记录的哈希一致、名单是否与记录一致。"
        "评委会办公室和运维人员可调用。"
    ),
)
async def verify_draw(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DrawVerification:
    return await service.verify(session, principal, session_id)


@router.get(
    S + "/panel",
    response_model=list[SeatRead],
    dependencies=OFFICE_OPS,
    summary="抽中的评审专家名单（抽取前为空），含已回避的席位",
    responses=documented(Forbidden, SessionNotFound),
    description=(
        "列出抽中的评审专家：席位、专业、轮次、是否出席、"
        "是否回避及理由。评委会办公室和运维人员可调用。"
    ),
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
    summary="回避：被抽中的专家写明理由退出，按同一种子补抽",
    responses=validated(
        Forbidden, SessionNotFound, SessionStatusWrong, NotOnPanel, RecusalAfterVoting
    ),
    description=(
        "被抽中的评审专家写明理由申请回避，"
        "随即按同一随机种子从同专业补抽一人。仅评审专家本人可调用。"
    ),
)
async def recuse(write: WriteDep, session_id: uuid.UUID, body: RecusalCreate) -> JSONResponse:
    return await write.apply(service.recuse, status_code=201, session_id=session_id, body=body)


@router.post(
    S + "/opening",
    response_model=SessionRead,
    dependencies=OFFICE,
    summary="开会：专家可看到评审会的申报书和答辩安排，并可投票",
    responses=documented(*SESSION_WRITE),
    description=(
        "评委会办公室宣布开会：参加的专家此后可查看本会的申报书和答辩"
        "安排，并可投票或评分。仅评委会办公室可调用。"
    ),
)
async def open_session(
    write: WriteDep, session_id: uuid.UUID, if_match: IfMatch = None
) -> JSONResponse:
    return await _tagged(write, service.open_session, session_id=session_id, if_match=if_match)


@router.put(
    S + "/attendance",
    response_model=list[SeatRead],
    dependencies=OFFICE,
    summary="记录出席的评审专家（出席比例按此计算）",
    responses=validated(*SESSION_WRITE, AttendanceInvalid),
    description=(
        "记录抽中的专家中哪些出席；出席人数不足评审专家总数的三分之二"
        "时，会议不能作出评审结论（人社部令第40号《职称评审管理暂行规"
        "定》）。仅评委会办公室可调用。"
    ),
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
    summary=("安排答辩：为一份申报书安排时间和地点；申报人收到一条短信，前一天再提醒一次"),
    responses=validated(*SESSION_WRITE, NotInSession, DefenceSlotInvalid, DefenceAlreadyScheduled),
    description=(
        "为一份申报书安排答辩的开始时间、时长、地点或视频链接；"
        "申报人收到一条写明时间和地点的短信，"
        "答辩前一天再收到一次提醒。仅评委会办公室可调用。"
    ),
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
    summary="评审会的答辩安排（专家：自己参加且尚未闭会的）",
    responses=documented(Forbidden, SessionNotFound),
    description=(
        "列出评审会的答辩安排：申报人、开始时间、时长、"
        "地点或视频链接。评委会办公室、运维人员和参加该会的专家（闭会"
        "前）可调用。"
    ),
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
    summary="不记名投票：每位专家对每份申报书投一票；答复从不透露投了什么",
    responses=validated(
        Forbidden,
        SessionNotFound,
        SessionStatusWrong,
        NotOnPanel,
        NotInSession,
        NotPresent,
        AlreadyVoted,
    ),
    description=(
        "出席的评审专家对一份申报书投票（同意、不同意、弃权），"
        "每人每份一票；答复只说明已计入（不记名投票，"
        "人社部令第40号《职称评审管理暂行规定》）。"
        "仅参加该会的评审专家可调用。"
    ),
)
async def cast(write: WriteDep, session_id: uuid.UUID, body: BallotCreate) -> JSONResponse:
    return await write.apply(ballots.cast, status_code=201, session_id=session_id, body=body)


@router.post(
    S + "/closing",
    response_model=list[TallyRead],
    dependencies=OFFICE,
    summary="闭会：统计投票，记录每份申报书的表决结果，转为已评审",
    responses=documented(*SESSION_WRITE, QuorumNotMet, MarksMissing, GradesMissing),
    description=(
        "评委会办公室闭会：按本会规则统计每份申报书的投票（量化赋分的"
        "按评审模型计分），记录结果，申报书转为已评审。"
        "仅评委会办公室可调用。"
    ),
)
async def close(write: WriteDep, session_id: uuid.UUID, if_match: IfMatch = None) -> JSONResponse:
    return await write.apply(service.close, session_id=session_id, if_match=if_match)


@router.get(
    S + "/tallies",
    response_model=list[TallyRead],
    dependencies=OFFICE_OPS,
    summary="闭会后每份申报书的表决结果（从不含单张选票）",
    responses=documented(Forbidden, SessionNotFound, TalliesSealed),
    description=(
        "列出闭会后每份申报书的表决结果：出席人数、同意、不同意、"
        "弃权票数、通过所需票数、是否达到出席比例、是否通过。"
        "评委会办公室和运维人员可调用。"
    ),
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
    summary=(
        "答辩评分：专家对一份申报书给出答辩材料学术水平和现场答辩两项"
        "分数（各百分制），只能一次；答复从不透露分数"
    ),
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
    description=(
        "量化赋分的评审会中，专家对一份申报书给出答辩材料学术水平评价"
        "（占40%）和现场答辩评价（占60%），各按百分制，每人每份一次；"
        "答复只说明已记录。仅参加该会的评审专家可调用。"
    ),
)
async def mark(write: WriteDep, session_id: uuid.UUID, body: MarkCreate) -> JSONResponse:
    return await write.apply(scored.mark, status_code=201, session_id=session_id, body=body)


@router.put(
    S + "/points-schedule",
    response_model=SessionRead,
    dependencies=OFFICE,
    summary="设定量化赋分各项目的分值及依据",
    description=(
        "通知列出了量化赋分的项目但未给分值，"
        "由评委会设定各项目的分值并写明依据（source），"
        "与本会的评审规则一起保存，使每一份申报书的赋分按同一标准预填"
        "。仅评委会办公室可调用。"
    ),
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
    summary="录入或按答辩成绩排名确定优、中、差等次",
    description=(
        "为评审会的每份申报书录入优、中、差等次，"
        "或按答辩成绩排名确定（二者只能选一）。等次比例须为3：6：1，"
        "不符时拒绝（grade-ratio-broken），"
        "并在 gaps 中说明每一等次多或少几人。仅评委会办公室可调用。"
    ),
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
    summary="评审会的优、中、差等次（从不含分数）",
    responses=documented(Forbidden, SessionNotFound, NotScored),
    description=(
        "列出量化赋分评审会中每份申报书的优、中、"
        "差等次及其来源（办公室录入或按答辩成绩排名）。"
        "评委会办公室和运维人员可调用。"
    ),
)
async def grades(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[GradeRead]:
    return await scored.grades(session, principal, session_id)


@router.get(
    S + "/declarations/{declaration_id}/points",
    response_model=PointsRead,
    dependencies=SESSION_READERS,
    summary=("量化赋分：按申报书预填的每一行及其依据（栏目条目和材料），以及每一次调整及理由"),
    responses=documented(Forbidden, SessionNotFound, NotScored, NotInSession),
    description=(
        "读取一份申报书的量化赋分：按申报书各栏目预填的每一行（项目、"
        "依据的栏目和条目、材料、分值）、预填合计、调整合计、总分，"
        "以及每一次调整和理由。评委会办公室、"
        "运维人员和参加该会的专家可调用。"
    ),
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
    summary=("调整量化赋分：评审专家或评委会办公室调整某一项的分值并写明理由（记录在案）"),
    responses=validated(
        Forbidden,
        SessionNotFound,
        SessionStatusWrong,
        NotScored,
        NotOnPanel,
        NotInSession,
        AdjustmentInvalid,
    ),
    description=(
        "评审专家或评委会办公室调整一份申报书某个赋分项目的分值（加或"
        "减），写明理由，记录在案。评委会办公室和参加该会的评审专家可"
        "调用。"
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
