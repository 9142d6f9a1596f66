"""Problems of electronic certificates (职称电子证书)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class CertificateRevoked(Problem):
    status = 409
    code = "certificate-already-revoked"
    title = "Certificate already revoked"
    text = "这本职称电子证书已经撤销，不能再次撤销。"


class CertificateKeyInvalid(Problem):
    # Verification names the certificate by one key: the printed 证书编号 or the id in its
    # QR code.
    status = 422
    code = "certificate-key-invalid"
    title = "Name the certificate by its number or its id"
    text = "请填写证书上印的证书编号（或扫描二维码得到的核验编号），二者填写其一。"
