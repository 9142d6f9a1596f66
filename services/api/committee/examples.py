"""Examples of the request and response bodies, as the OpenAPI document shows them."""

ADJUSTMENT_CREATE = {"item": "papers", "points": "2.5", "reason": "补充认定一篇核心期刊论文。"}

ADJUSTMENT_READ = {
    "id": "a3b4c5d6-e7f8-4a9b-9c0d-1e2f30415263",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "item": "papers",
    "item_name": "论文论著",
    "points": "2.5",
    "reason": "补充认定一篇核心期刊论文。",
    "by_role": "expert",
    "created_at": "2022-10-26T03:00:00Z",
}
