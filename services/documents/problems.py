"""Problems of the document service that carry a name (the others are raised in place)."""

from __future__ import annotations

from services.kit.openapi import NOTE_MAX_CHARS
from services.kit.problem_kinds import Problem


class NoteTooLong(Problem):
    # Refused whole, never stored cut short; `limit` and `length` say by how much.
    status = 422
    code = "note-too-long"
    title = "Note too long"
    text = f"备注最多 {NOTE_MAX_CHARS} 个字，未予接收；请删减后重新上传。"


class MultipartRequired(Problem):
    status = 415
    code = "multipart-required"
    title = "Multipart form required"
    text = "请以 multipart/form-data 表单上传文件（字段 file）。"


class MultipartInvalid(Problem):
    status = 400
    code = "multipart-invalid"
    title = "Malformed multipart body"
    text = "上传表单格式不正确，请检查后重试。"


class FileMissing(Problem):
    status = 422
    code = "file-missing"
    title = "File part missing"
    text = "表单中缺少文件（字段 file）。"


class KindUnknown(Problem):
    status = 422
    code = "kind-unknown"
    title = "Unknown material kind"
    text = "材料类别不存在，请从 GET /v1/kinds 列出的类别中选择。"


class DocumentRejected(Problem):
    # `findings` lists every problem, `document` is the rejected record (kept).
    status = 422
    code = "document-rejected"
    title = "Document rejected"
    text = "材料未通过检查：findings 列出全部问题，请逐项处理后重新上传。"


class NormaliseRefused(Problem):
    status = 422
    code = "normalise-refused"
    title = "Cannot normalise"
    text = "无法规范化：findings 列出原因（只有图片可以规范化为 JPG）。"


class Duplicate(Problem):
    status = 409
    code = "duplicate"
    title = "Duplicate document"
    text = "同一文件已作为本申报的材料上传过，无须重复上传。"


class DocumentNotFound(Problem):
    status = 404
    code = "document-not-found"
    title = "Document not found"
    text = "找不到该材料，可能已被删除。"


class DocumentNotStored(Problem):
    status = 409
    code = "document-not-stored"
    title = "Nothing stored"
    text = "该材料未通过检查，没有保存文件，无法下载。"
