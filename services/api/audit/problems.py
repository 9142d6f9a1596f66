"""Problems of the audit trail's signed checkpoints."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class AuditAnchorUnavailable(Problem):
    status = 503
    code = "audit-anchor-unavailable"
    title = "Audit anchor unavailable"
    text = "对象存储暂时不可用，无法写入或核对审计校验点。请稍后再试。"


class AuditCheckpointConflict(Problem):
    # The detail and `seq` name the checkpoint.
    status = 409
    code = "audit-checkpoint-conflict"
    title = "Audit checkpoint conflict"
    text = (
        "对象存储中的审计校验点与数据库中的审计链不符，审计记录可能已被篡改。"
        "请运维人员立即核查（GET /v1/audit/verification）。"
    )
