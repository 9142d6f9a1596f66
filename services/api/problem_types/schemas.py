"""One row of the 错误码表."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE = {
    "code": "account-disabled",
    "type": "urn:zhicheng:problem:account-disabled",
    "statuses": [403],
    "title": "Account disabled",
    "meaning": "该账号已停用。申请人请联系职称主管部门，工作人员请联系运维。",
    "other_wordings": 0,
    "services": ["网关"],
    "sources": ["api/auth/problems.py"],
    "endpoints": ["api: POST /v1/auth/sms-logins", "api: POST /v1/auth/staff-logins"],
    "everywhere": None,
}


class ProblemTypeRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    code: str = Field(description="错误码：`type` 为 urn:zhicheng:problem:<code>")
    type: str = Field(description="问题类型 URN，即 problem+json 的 `type`")
    statuses: list[int] = Field(description="应答的 HTTP 状态码（多数只有一个）")
    title: str | None = Field(default=None, description="简短英文标题（有名称的问题类型）")
    meaning: str = Field(description="中文含义：应答 `detail` 的说法（因情形填入的部分记作 …）")
    other_wordings: int = Field(description="同一错误码另有几种具体说法")
    services: list[str] = Field(description="会应答它的服务：网关、资格评估、材料、短信、全部")
    sources: list[str] = Field(description="出处：定义或抛出它的源文件（services/ 下）")
    endpoints: list[str] = Field(
        description="在 OpenAPI 中列出它的接口（`服务: 方法 路径`）；对每个接口都可能应答的"
        "类型（validation-error、unauthenticated）另见 `everywhere`"
    )
    everywhere: str | None = Field(default=None, description="对一类接口都会应答时的说明")
