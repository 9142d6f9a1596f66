"""Electronic title certificates (职称电子证书): the signed record, its PDF, verification.

`004_…` 五（四）"职称电子证书数据归集与核发": every approved declaration gets a certificate
whose data the office signs (`signing.py`), printed as a PDF with the CJK text embedded
as a font subset and a QR code carrying the certificate id and signature (`pdf.py`), and
that anyone can check with the id and the holder's name (`verification.py`). The pure
parts live here; the results stage issues certificates with `service.py`.
"""
