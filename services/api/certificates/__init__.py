"""Electronic title certificates (职称电子证书): the signed record, its PDF, verification.

`004_…` 五（四）"职称电子证书数据归集与核发": every approved declaration gets a certificate
whose data the office signs (`signing.py`), printed as a PDF with the CJK text embedded
as a font subset and a QR code carrying the certificate id and signature (`pdf.py`), and
that anyone can check with the id and the holder's name (`verification.py`). The pure
parts live here; the results stage issues certificates with `service.py`:

- `signing.keyring(settings)` once (it refuses SM2, a key of another algorithm, and the
  development key in production);
- on 批复 of an approved declaration, under its lock: `service.issue(session, principal=…,
  keyring=…, declaration_id=…, holder_name=…, holder_id_number=…, series=…, level=…,
  specialty=…, committee_code=…, committee_name=…, approval_number=…, approved_on=…,
  dual_directed_county=…)` (the same facts again return the same certificate);
- `service.revoke(session, principal=…, certificate_id=…, reason=…, document_number=…)`;
- `service.check(session, keyring=…, certificate_id=…, holder_name=…,
  presented_signature=…)` behind the public verification endpoint, which answers only
  `verdict.status`;
- `service.certificate_pdf(session, settings=…, certificate_id=…)` for the download.
"""
