"""Size: images ≤ 512 KB (per kind), PDFs within the kind's own limit."""

from __future__ import annotations

from services.documents.checks import CLAUSE_SCAN, Finding, Inspection, kb
from services.documents.kinds import KindRules


def check(ins: Inspection, kind: KindRules) -> None:
    limit = kind.max_pdf_bytes if ins.mime == "application/pdf" else kind.max_bytes
    if ins.size > limit:
        ins.add(
            Finding(
                "file-too-large",
                "error",
                f"文件大小为 {kb(ins.size)}，超过「{kind.name}」的上限 {kb(limit)}。"
                "请压缩后重新上传，或勾选自动规范化由系统转换。",
                CLAUSE_SCAN,
                {"size": ins.size, "limit": limit},
            )
        )
