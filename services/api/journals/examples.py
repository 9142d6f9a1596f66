"""Examples of the request and response bodies, as the OpenAPI document shows them."""

JOURNAL_READ = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "issn": "1000-0054",
    "cn": "11-2223/N",
    "name": "清华大学学报（自然科学版）",
    "status": "legitimate",
    "source": "国家新闻出版署期刊查询",
    "listed_on": "2025-01-01",
}

JOURNAL_IMPORT_READ = {"created": 120, "updated": 3, "unchanged": 877}
