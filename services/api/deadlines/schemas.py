from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.api.deadlines import examples
from services.kit.text import UtcInstant


class PlanStepRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    key: str = Field(
        description=(
            "步骤：submission 申报人提交；defence 答辩；"
            "deliberation 审议；posting_start 公示开始；"
            "posting_end 公示结束；recommendation 推荐等"
        )
    )
    title: str
    """步骤名称"""
    latest_on: date = Field(description="该步骤最迟的日期")
    explanation: str = Field(description="为什么是这一天：所依据的条款、挪动日期的节假日")
    default_days: int | None = Field(
        default=None,
        description=("该日期所依据的默认工作日数（文件未规定时的取值）；没有则为 null"),
    )
    passed: bool = Field(description="今天（北京时间）是否已过最迟日期")


class PlanRead(BaseModel):
    """A unit's latest dates, worked back from the campaign's 逐级上报 deadline over the work
    calendar; computed on every read."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    campaign_id: uuid.UUID
    """申报批次编号"""
    level: str
    """级别代码"""
    deadline_at: UtcInstant = Field(description="本批次逐级上报的截止时间")
    last_day_on: date = Field(description="最后一个仍可办理的日期")
    today_on: date
    """今天（北京时间）"""
    with_supervisor: bool = Field(description="用人单位与截止时间之间是否还有主管部门审核")
    steps: list[PlanStepRead]
    """各步骤的最迟日期"""


class DeclarationPlanRead(PlanRead):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.DECLARATION_PLAN_READ]},
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    status: str
    """申报书状态"""


class WaitingRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    declaration_id: uuid.UUID
    """申报书编号"""
    level: str
    """级别代码"""
    status: str
    """申报书状态"""
    waiting_at: str = Field(description="停在哪一步：submission（草稿未提交）或尚未办理的单位步骤")


class WaitingCount(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    key: str = Field(description="停留的步骤（同 waiting_at）或级别代码")
    count: int
    """仍待处理的申报书数"""


class UnitCalendarRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNIT_CALENDAR_READ]}
    )
    org_id: uuid.UUID
    """用人单位编号"""
    campaign_id: uuid.UUID
    """申报批次编号"""
    plans: list[PlanRead] = Field(description="本批次每个级别一份日程")
    waiting_total: int = Field(description="本单位仍待处理的申报书总数（全部页）")
    waiting_by_step: list[WaitingCount] = Field(
        description=(
            "按停在哪一步统计的仍待处理申报书数（全部页），"
            "按 submission、defence、deliberation、recommendation 的顺序，"
            "只列有申报书的步骤"
        )
    )
    waiting_by_level: list[WaitingCount] = Field(
        description="按级别统计的仍待处理申报书数（全部页），只列有申报书的级别"
    )
    waiting: list[WaitingRead] = Field(
        description="本页仍待处理的申报书，按建立时间先后；用 next_cursor 读下一页"
    )
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class ReminderSweep(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.REMINDER_SWEEP]}
    )
    ran: bool = Field(description="是否执行；另一个副本持有锁时为 false")
    quiet_hours: bool = Field(description="夜间（北京时间21:00至08:00）为 true：08:00前不发送")
    applicants: list[uuid.UUID] = Field(description="已提醒申报人的申报书编号")
    reviewers: list[str] = Field(description="已提醒的单位审核人员账号")
    at: datetime
    """执行时间"""
