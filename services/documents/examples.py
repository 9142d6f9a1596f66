"""Examples of the request and response bodies, as the OpenAPI document shows them."""

KIND_READ = {
    "code": "education_proof",
    "name": "学历证书或学历认证材料",
    "material": "education_proof",
    "types": ["image/jpeg"],
    "max_bytes": 524288,
    "min_width": 800,
    "min_height": 800,
    "aspect_min": None,
    "aspect_max": None,
    "colour": False,
    "max_pages": 0,
    "max_pdf_bytes": 0,
}

DOCUMENT_READ = {
    "id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "kind": "education_proof",
    "material": "education_proof",
    "status": "accepted",
    "uploader_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "original_name": "毕业证书.heic",
    "note": None,
    "received_mime": "image/heic",
    "received_size": 2451234,
    "received_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
    "stored_mime": "image/jpeg",
    "stored_size": 498211,
    "stored_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    "bucket": "documents",
    "object_key": "declarations/7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c/c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f.jpg",
    "version_id": None,
    "width": 1654,
    "height": 2339,
    "pages": None,
    "upright_method": "tesseract-osd",
    "findings": [],
    "changes": [{"code": "converted", "message": "已将HEIC 照片（苹果手机格式）转换为 JPG 格式。"}],
    "replaces_id": None,
    "superseded_by_id": None,
    "created_at": "2022-07-26T02:00:00Z",
    "updated_at": "2022-07-26T02:00:00Z",
}

DOWNLOAD_LINK = {
    "url": "https://s3.example.cn/documents/declarations/7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c/c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f.jpg?X-Amz-Expires=300&X-Amz-Signature=0f1e2d",
    "expires_at": "2022-07-26T02:05:00Z",
}
