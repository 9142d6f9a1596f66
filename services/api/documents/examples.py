"""Examples of the request and response bodies, as the OpenAPI document shows them."""

DOCUMENT_READ = {
    "id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "kind": "education_proof",
    "material": "education_proof",
    "status": "accepted",
    "uploader_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "original_name": "毕业证书.jpg",
    "note": None,
    "received_size": 2451234,
    "received_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
    "stored_size": 498211,
    "stored_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    "stored_mime": "image/jpeg",
    "width": 1654,
    "height": 2339,
    "findings": [],
    "changes": [{"code": "resized", "message": "图片已缩小到 512 KB 以内"}],
    "replaces_id": None,
    "superseded_by_id": None,
    "created_at": "2022-07-26T02:00:00Z",
}

DOWNLOAD_LINK = {
    "url": "https://s3.example.cn/documents/c3d4e5f6?X-Amz-Expires=300&X-Amz-Signature=0f1e2d",
    "expires_at": "2022-07-26T02:05:00Z",
}

# One row of GET /v1/kinds, as the document service's catalogue holds it.
KIND_READ = {
    "code": "education_proof",
    "name": "学历证书或学历认证材料",
    "material": "education_proof",
    "types": ["image/jpeg"],
    "max_bytes": 524288,
    "max_pdf_bytes": 524288,
    "min_width": 800,
    "min_height": 800,
    "max_pages": 0,
    "colour": False,
    "aspect_min": None,
    "aspect_max": None,
}
