"""Request and response bodies of the document service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.documents import examples
from services.documents.kinds import get_kind

DeclarationId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="申报编号（由网关分配）")
]


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


class ChangeRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    code: str
    """改动代码"""
    message: str
    """改动说明（中文）"""


class DocumentRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.DOCUMENT_READ]},
    )

    id: uuid.UUID
    """材料编号"""
    declaration_id: str
    """申报书编号"""
    kind: str
    """材料类别代码"""
    status: Literal["accepted", "rejected", "superseded"]
    """状态：accepted 已通过检查；rejected 未通过检查；superseded 已被替换（旧记录）"""
    uploader_id: str | None
    """上传者账号；未记录为 null"""
    original_name: str | None
    """上传时的文件名；没有则为 null"""
    note: str | None
    """上传时的说明；没有则为 null"""
    received_size: int
    """收到的文件字节数"""
    received_sha256: str
    """收到的文件的 SHA-256"""
    received_mime: str | None
    """收到的文件类型；无法识别为 null"""
    stored_size: int | None
    """保存的文件字节数；未保存为 null"""
    stored_sha256: str | None
    """保存的文件的 SHA-256；未保存为 null"""
    stored_mime: str | None
    """保存的文件类型；未保存为 null"""
    width: int | None
    """图片宽度（像素）；不是图片为 null"""
    height: int | None
    """图片高度（像素）；不是图片为 null"""
    pages: int | None
    """PDF 页数；不是 PDF 为 null"""
    findings: list[FindingRead]
    """检查发现的问题"""
    changes: list[ChangeRead]
    """规范化时所作的改动"""
    upright_method: str | None
    """判断方向所用的方法；未判断为 null"""
    bucket: str | None
    """对象存储桶；未保存为 null"""
    object_key: str | None
    """对象存储中的键；未保存为 null"""
    version_id: str | None
    """对象存储中的版本号；没有则为 null"""
    replaces_id: uuid.UUID | None = Field(
        description="旧记录中被替换的材料编号；现在替换由网关记录，恒为 null"
    )
    superseded_by_id: uuid.UUID | None = Field(
        description="旧记录中替换它的材料编号；现在替换由网关记录，恒为 null"
    )
    created_at: datetime
    """上传时间"""
    updated_at: datetime
    """最后更新时间"""

    @computed_field(description="该类别对应的申报材料编号（kinds.yaml）；没有则为 null")
    @property
    def material(self) -> str | None:
        rules = get_kind(self.kind)
        return rules.material if rules else None


class DownloadLink(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DOWNLOAD_LINK]}
    )
    url: str
    """预签名下载链接（限时有效）"""
    expires_at: datetime
    """链接失效时间"""


class KindRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.KIND_READ]}
    )
    code: str
    """材料类别代码"""
    name: str
    """材料类别名称"""
    material: str | None
    """对应的申报材料编号（政策包中的材料）；没有则为 null"""
    types: list[str]
    """允许的文件类型（MIME）"""
    max_bytes: int
    """图片大小上限（字节）"""
    max_pdf_bytes: int
    """PDF 大小上限（字节）"""
    min_width: int
    """最小宽度（像素）"""
    min_height: int
    """最小高度（像素）"""
    max_pages: int
    """PDF 页数上限（0 表示不接受 PDF）"""
    colour: bool
    """是否须为彩色"""
    aspect_min: float | None
    """宽高比下限；不限为 null"""
    aspect_max: float | None
    """宽高比上限；不限为 null"""
