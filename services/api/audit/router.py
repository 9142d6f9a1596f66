"""HTTP for the audit chain's integrity check (ops)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.api.access import OPS_ONLY
from services.api.audit import checkpoints
from services.api.audit.problems import AuditCheckpointConflict
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented
from services.kit.problems import PROBLEM_MEDIA_TYPE

router = APIRouter(prefix="/v1/audit", tags=["audit"])
# audit-anchor-unavailable, described as the route was published.
ANCHOR_DOWN = {
    503: {
        "description": "The object store holding the checkpoints is unavailable",
        "content": {PROBLEM_MEDIA_TYPE: {}},
    }
}


class CheckpointRead(BaseModel):
    seq: int = Field(description="审计链头的序号（0：空链）")
    hash: str = Field(description="该序号处的审计链哈希")
    at: datetime
    signature: str = Field(description="HMAC-SHA256 签名，密钥不在数据库中")


class CheckpointProblem(BaseModel):
    seq: int
    problem: Literal[
        "signature",
        "hash",
        "missing_in_store",
        "missing_in_table",
        "store_differs",
        "rewritten_in_store",
        "unreadable",
    ]
    detail: str


class Verification(BaseModel):
    rows: int
    intact: bool = Field(description="审计链与全部校验点均无问题")
    first_broken_seq: int | None = Field(description="重算哈希链时第一个不符的序号")
    chain_intact: bool = Field(description="仅重算数据库内的哈希链的结果")
    checkpoints_checked: int = Field(description="核对的校验点个数（数据库与对象存储的并集）")
    checkpoints_intact: bool
    first_bad_checkpoint_seq: int | None
    problems: list[CheckpointProblem]
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
    summary="Recompute the audit chain and check every signed checkpoint (ops)",
    responses={**documented(Forbidden, AuditCheckpointConflict), **ANCHOR_DOWN},
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
