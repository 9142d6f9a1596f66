"""Problems of electronic certificates (职称电子证书)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class CertificateNotFound(Problem):
    status = 404
    code = "certificate-not-found"
    title = "Certificate not found"
    text = "没有这本职称电子证书。"


class CertificateRevoked(Problem):
    status = 409
    code = "certificate-already-revoked"
    title = "Certificate already revoked"
    text = "这本职称电子证书已经撤销，不能再次撤销。"


class CertificateMismatch(Problem):
    status = 409
    code = "certificate-mismatch"
    title = "Certificate already issued with other data"
    text = "这条申报已经核发了职称电子证书，证书内容与本次不一致；如需更正，请先撤销原证书。"
