"""PDFs where a kind allows them: not encrypted, no active content, bounded pages."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from services.documents.checks import CLAUSE_SCAN, CheckConfig, Finding, Inspection, pdf_pages
from services.documents.kinds import KindRules

# Names whose presence means the file can run code, open other programs or carry files.
_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/EmbeddedFiles": "嵌入文件",
    "/EmbeddedFile": "嵌入文件",
    "/Launch": "启动外部程序",
}
_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "启动外部程序",
    "/ImportData": "导入数据",
    "/SubmitForm": "提交表单",
}
# Bound on objects visited: a hostile file cannot make the walk run forever.
MAX_OBJECTS = 50_000


def active_content(reader: PdfReader) -> set[str]:
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer["/Root"]]
    visited = 0
    while stack and visited < MAX_OBJECTS:
        obj = stack.pop()
        visited += 1
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in _ACTIVE_KEYS:
                    found.add(_ACTIVE_KEYS[key])
                if key == "/S" and isinstance(value, NameObject) and value in _ACTIVE_ACTIONS:
                    found.add(_ACTIVE_ACTIONS[value])
                if key not in ("/Parent", "/P"):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def check(ins: Inspection, data: bytes, kind: KindRules, cfg: CheckConfig) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            ins.add(
                Finding(
                    "pdf-encrypted",
                    "error",
                    "PDF 文件设置了密码或加密，审核人员无法打开。请去掉密码保护后重新导出上传。",
                    CLAUSE_SCAN,
                )
            )
            return
        page_objects = list(reader.pages)
        pages = len(page_objects)
        active = active_content(reader)
    except Exception:
        ins.add(
            Finding(
                "pdf-corrupt",
                "error",
                "PDF 文件无法完整读取（可能不完整或已损坏）。请重新导出后上传。",
                CLAUSE_SCAN,
            )
        )
        return
    ins.pages = pages
    if active:
        what = "、".join(sorted(active))
        ins.add(
            Finding(
                "pdf-active-content",
                "error",
                f"PDF 文件含有{what}等可执行内容，出于安全原因不能接收。"
                "请用“打印为 PDF”或重新扫描生成不含脚本和附件的文件后上传。",
                CLAUSE_SCAN,
                {"found": sorted(active)},
            )
        )
    if pages == 0 or pages > kind.max_pages:
        ins.add(
            Finding(
                "pdf-page-count",
                "error",
                f"PDF 共 {pages} 页，「{kind.name}」须为 1–{kind.max_pages} 页。"
                "请拆分或删去无关页面后上传。",
                CLAUSE_SCAN,
                {"pages": pages, "max_pages": kind.max_pages},
            )
        )
    if 0 < pages <= kind.max_pages:
        pdf_pages.check(ins, page_objects, kind, cfg)
