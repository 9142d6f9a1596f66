"""字段说明 of the path, query and header parameters every service's routes share, by name
(and, where a name means something else on one route, by that route's path and name).

`describe_parameters` is an OpenAPI hook of every service (services/kit/openapi.py): a
parameter its route already describes keeps its words; any other gets its entry here. A
test (tests/test_openapi_descriptions.py) fails on a parameter with neither, so a new name
is given its description here or on its route.
"""

from __future__ import annotations

from typing import Any

BY_NAME: dict[str, str] = {
    # Ids in the path: the resource the operation is on.
    "account_id": "工作人员账号编号（UUID）",
    "campaign_id": "申报批次编号（UUID）",
    "certificate_id": "职称电子证书编号（UUID，证书二维码中的核验编号）",
    "client_id": "接入客户端（对接平台）的客户端编号",
    "committee_code": "评委会代码（见 GET /v1/committees）",
    "declaration_id": "申报书编号（UUID）",
    "document_id": "材料编号（UUID）",
    "expert_id": "评审专家编号（UUID）",
    "follow_up_id": "单位跟进事项编号（UUID）",
    "judgement_id": "待认定条件编号（UUID）",
    "message_id": "站内消息编号（UUID）",
    "objection_id": "异议编号（UUID）",
    "org_id": "机构编号（UUID）",
    "policy_id": "评审政策包编号，如 guangxi-engineering-2022",
    "posting_id": "评审结果公示编号（UUID）",
    "recheck_id": "复核编号（UUID）",
    "record_id": "诚信档案记录编号（UUID）",
    "return_id": "退回补正通知编号（UUID）",
    "session_id": "评审会编号（UUID）",
    "code": "错误码：问题类型 urn:zhicheng:problem:<code> 中的 <code>",
    "day": "日期（YYYY-MM-DD）",
    # Paging, filters and options of the lists.
    "cursor": "分页游标：取自上一页应答的 next_cursor（或 Next-Cursor 响应头）；不带读第一页",
    "limit": "每页条数",
    "status": "按状态筛选",
    "as_of": "按该日期施行的政策（YYYY-MM-DD），不带则为今天",
    "year": "年度（公历年份）",
    "series": "职称系列，如 engineering（工程系列）",
    "level": "职称级别：junior（初级）、intermediate（中级）、deputy_senior（副高）、senior",
    "region": "地区行政区划代码（6 位），如 450200（柳州市）",
    "county": "县区行政区划代码（6 位）",
    "industry": "行业",
    "specialty": "专业代码（见该系列的职称评审专业目录）",
    "employer_type": "单位类型",
    "include_inactive": "true：也列出已替换和未通过检查的材料",
    "expires_in": "下载链接有效秒数（不超过 900 秒，即 15 分钟）",
    "unread_only": "true：只列出未读消息",
    "q": "检索词（名称或刊号的一部分）",
    "start_on": "起始日期（YYYY-MM-DD，含当天）",
    "end_on": "结束日期（YYYY-MM-DD，含当天）",
    "rule": "工作日计算口径：strict（双休日和法定节假日都不计）或 official（按国务院调休安排）",
    "format": "导出格式：csv 或 xlsx",
    "sheet": "导出的表：recommendation-roster（推荐人员花名册）或 material-summary（材料汇总表）",
    "name": "证书持有人姓名（与证书上一致）",
    "number": "证书上印的证书编号",
    "sig": "证书二维码中的核验签名（扫描二维码得到，与核验编号一同提交）",
    "path": "申报途径：normal（正常）、direct（直接申报）、exceptional（破格）等",
    # Headers.
    "If-None-Match": "上次读取时响应头中的 ETag：内容未变时答复 304，不再传输",
    "If-Match": "上次读取时响应头中的 ETag（强 ETag）",
    "Idempotency-Key": "幂等键：同一操作重试时带同一个键，只办理一次",
}
# A name that means something else on one route: (path, name).
BY_ROUTE: dict[tuple[str, str], str] = {
    ("/v1/declarations/{declaration_id}/unit-materials/{material}", "material"): (
        "单位出具的材料：public_posting（公示情况）或 unit_recommendation（单位推荐意见）"
    ),
    ("/v1/unit-follow-ups/{follow_up_id}/documents/{material}", "material"): (
        "跟进事项要求的材料：explanation（情况说明）或 plan（整改计划）"
    ),
    ("/v1/public/certificates/verification", "certificate_id"): (
        "证书二维码中的核验编号（UUID）；与证书编号 number 二者填其一"
    ),
    ("/v1/journals", "status"): (
        "按期刊状态筛选：legitimate（正规）、suspected_illegal（疑似非法）、ceased（停刊）"
    ),
    ("/v1/experts", "status"): "按专家状态筛选：pending、approved、rejected、suspended、retired",
    ("/v1/declarations", "status"): "按申报状态筛选：draft（草稿）、submitted（已提交）等",
}


def describe_parameters(schema: dict[str, Any]) -> None:
    """Give each parameter without a description its 字段说明 from the tables above."""
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("description"):
                    continue
                name = parameter.get("name", "")
                text = BY_ROUTE.get((path, name)) or BY_NAME.get(name)
                if text:
                    parameter["description"] = text
