"""What the gateway answers about documents (the document service's records, passed on)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from services.api.documents import examples


class FindingRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    code: str
    """问题代码"""
    severity: Literal["error", "warning"]
    """严重程度：error 不通过；warning 提示"""
    message: str
    """问题说明（中文）"""
    clause: str | None = None
    """所依据的条款；没有则为 null"""
    details: dict[str, Any] = {}
    """问题的详细数据"""


class DocumentRead(BaseModel):
    """The document service's record (`openapi/documents.json`), with the gateway's word on
    what is in force: `status` accepted or superseded, `replaces_id`, `superseded_by_id`."""

    model_config = ConfigDict(
        extra="allow",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.DOCUMENT_READ]},
    )

    id: uuid.UUID
    """材料编号"""
    declaration_id: str
    """申报书编号"""
    kind: str
    """材料类别，如 education_proof 学历证书或学历认证材料、paper_full_text 论文全文、
    authorization_letter 授权或委托函
    """
    material: str | None = None
    """该类别对应的申报材料编号（政策包中的材料）；没有则为 null"""
    status: Literal["accepted", "rejected", "superseded"]
    """状态：accepted 已通过检查且有效；rejected 未通过检查；superseded 已被替换"""
    uploader_id: str | None = None
    """上传者；未记录为 null"""
    original_name: str | None = None
    """上传时的文件名；没有则为 null"""
    note: str | None = None
    """上传时的说明；没有则为 null"""
    received_size: int
    """收到的文件字节数"""
    received_sha256: str
    """收到的文件的 SHA-256"""
    stored_size: int | None = None
    """保存的文件字节数（转换后）；未保存为 null"""
    stored_sha256: str | None = None
    """保存的文件的 SHA-256；未保存为 null"""
    stored_mime: str | None = None
    """保存的文件类型；未保存为 null"""
    width: int | None = None
    """图片宽度（像素）；不是图片为 null"""
    height: int | None = None
    """图片高度（像素）；不是图片为 null"""
    findings: list[FindingRead] = []
    """检查发现的问题"""
    changes: list[dict[str, Any]] = []
    """转换时所作的改动（如转为 JPG、旋转、缩小）"""
    replaces_id: uuid.UUID | None = None
    """本材料替换的旧材料编号；没有则为 null"""
    superseded_by_id: uuid.UUID | None = None
    """替换本材料的新材料编号；没有则为 null"""
    created_at: datetime
    """上传时间"""


class DownloadLink(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DOWNLOAD_LINK]}
    )
    url: str
    """下载链接（限时有效）"""
    expires_at: datetime
    """链接失效时间"""


class KindRead(BaseModel):
    """A material kind the document service takes, with the limits an upload must meet
    (the same answer as its `GET /v1/kinds`): a front end reads these, hard-codes none."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.KIND_READ]}
    )
    code: str
    """材料类别代码：上传时的 kind"""
    name: str
    """材料类别名称"""
    material: str | None
    """对应的政策材料代码（没有对应时为空）"""
    types: list[str]
    """接受的文件类型，如 image/jpeg、application/pdf"""
    max_bytes: int
    """保存的图片最大字节数"""
    max_pdf_bytes: int
    """PDF 文件最大字节数"""
    min_width: int
    """图片最小宽度（像素）"""
    min_height: int
    """图片最小高度（像素）"""
    max_pages: int
    """PDF 最多页数（0：不收 PDF）"""
    colour: bool
    """是否须为彩色扫描件"""
    aspect_min: float | None
    """最小长宽比（不限时为空）"""
    aspect_max: float | None
    """最大长宽比（不限时为空）"""
