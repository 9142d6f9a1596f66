"""HTTP for the audit chain's integrity check (ops)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from services.api.access import OPS_ONLY
from services.api.audit import checkpoints, examples
from services.api.audit.problems import AuditAnchorUnavailable, AuditCheckpointConflict
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(prefix="/v1/audit", tags=["audit"])
# The 503's description, as the route was published.
ANCHOR_DOWN = {503: "The object store holding the checkpoints is unavailable"}


class CheckpointRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    seq: int = Field(description="审计链头的序号（0：空链）")
    hash: str = Field(description="该序号处的审计链哈希")
    at: datetime
    """校验点签发时间"""
    signature: str = Field(description="HMAC-SHA256 签名，密钥不在数据库中")


class CheckpointProblem(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    seq: int
    """出问题的校验点所在的审计链序号"""
    problem: Literal[
        "signature",
        "hash",
        "missing_in_store",
        "missing_in_table",
        "store_differs",
        "rewritten_in_store",
        "unreadable",
    ]
    """问题类别：signature 签名不符；hash 哈希与链上不符；
    missing_in_store 对象存储中缺失；missing_in_table 数据库中缺失；
    store_differs 两处内容不一致；rewritten_in_store 对象存储中被改写；
    unreadable 无法读取
    """
    detail: str
    """问题的中文说明"""


class Verification(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.VERIFICATION]}
    )
    rows: int
    """审计记录条数"""
    intact: bool = Field(description="审计链与全部校验点均无问题")
    first_broken_seq: int | None = Field(description="重算哈希链时第一个不符的序号")
    chain_intact: bool = Field(description="仅重算数据库内的哈希链的结果")
    checkpoints_checked: int = Field(description="核对的校验点个数（数据库与对象存储的并集）")
    checkpoints_intact: bool
    """全部校验点均核对无误"""
    first_bad_checkpoint_seq: int | None
    """第一个有问题的校验点序号；没有则为 null"""
    problems: list[CheckpointProblem]
    """发现的每一处问题；无问题时为空列表"""
    checkpoint: CheckpointRead | None = Field(
        description="本次核对无误后签发（或沿用）的链头校验点；有问题时不签发"
    )


def read(checkpoint: checkpoints.Checkpoint) -> CheckpointRead:
    return CheckpointRead(
        seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at, signature=checkpoint.signature
    )


@router.get(
    "/verification",
    dependencies=OPS_ONLY,
    response_model=Verification,
    summary="核验审计链及其签名校验点（运维）",
    responses=documented(
        Forbidden, AuditCheckpointConflict, AuditAnchorUnavailable, keep=ANCHOR_DOWN
    ),
    description=(
        "重新计算数据库中审计记录的哈希链，"
        "并逐一核对数据库与对象存储中已签名的校验点；"
        "全部无误时签发（或沿用）当前链头的校验点，"
        "有问题时列出每一处问题，不签发。仅运维人员可调用。"
        "存放校验点的对象存储不可用时答复 503。"
    ),
)
async def verify(request: Request, session: SessionDep) -> Verification:
    state = request.app.state
    report, made = await checkpoints.verify_and_sign(
        session,
        maker=state.sessionmaker,
        anchor=state.audit_anchor,
        key=state.settings.audit_checkpoint_key,
    )
    return Verification(
        rows=report.rows,
        intact=made is not None,
        first_broken_seq=report.first_broken_seq,
        chain_intact=report.chain_intact,
        checkpoints_checked=report.checkpoints_checked,
        checkpoints_intact=report.checkpoints_intact,
        first_bad_checkpoint_seq=report.first_bad_checkpoint_seq,
        problems=[
            CheckpointProblem(seq=seq, problem=code, detail=checkpoints.PROBLEMS_ZH[code])
            for seq, code in report.problems
        ],
        checkpoint=read(made) if made else None,
    )
