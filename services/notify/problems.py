"""Problems of the delivery-receipt webhooks (the worker's own listener)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class ReceiptsNotConfigured(Problem):
    status = 503
    code = "receipts-not-configured"
    title = "Receipts not configured"
    text = "未配置该短信服务商的回执密钥，回执不予受理。"


class ReceiptSignatureInvalid(Problem):
    status = 401
    code = "receipt-signature-invalid"
    title = "Receipt signature invalid"
    text = "回执签名校验失败，回执不予受理。"


class ReceiptMalformed(Problem):
    status = 422
    code = "receipt-malformed"
    title = "Receipt malformed"
    text = "回执内容不是约定的JSON格式。"


MISSING_FIELD = "回执缺少必需字段。"
