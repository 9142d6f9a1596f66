"""SMS templates: Chinese text with named parameters, as filed with the providers.

Shared (kit) because two services read them: the notify worker sends by them, and the
gateway writes each notice's text into the recipient's message centre (站内消息) in the
transaction of the notice (services/api/notices.py).

The worker renders the text itself and stores it for audit; the provider receives the
template code and the parameters (Aliyun as a JSON object by name, Tencent as a list in
the order of `params`), so each template here mirrors one approved at each provider.

A template names its secret params (`secret`, e.g. a login code): the provider gets them,
but nothing stored keeps them past their use. The stored text is rendered with them
masked, and once the notice is sent or final (or moot) the worker overwrites them in the
row's params (services/notify/scrub.py).

A template marked `quiet_hours` is a reminder: it goes out only in the daytime, 08:00 to
21:00 Beijing time. The gateway schedules reminders into the day (services/api/notices.py
`by_day`), and the notify worker defers one that falls due at night (a retry, a held-back
notice) to 08:00 the next morning; a login code or any other notice goes out at any hour.

Length is counted as the providers bill it: every character counts one (Chinese,
Latin, digit, punctuation, space), the signature 【…】 included; up to 70 characters is
one message, longer text is split into parts of 67.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from services.kit.outbox import param_has_url

SINGLE_PART = 70
MULTI_PART = 67
# Providers cap one template variable (Aliyun: 35 characters for notices).
MAX_PARAM_CHARS = 35

Kind = Literal["code", "notice"]
# What a secret param reads as in storage once it is no longer needed.
MASK = "******"

# Issue #24: reminders are sent "never at night (08:00–21:00 Asia/Shanghai)". One
# definition for the gateway (which schedules them) and the worker (which sends them).
BEIJING = ZoneInfo("Asia/Shanghai")
DAY_STARTS = time(8)
DAY_ENDS = time(21)


def daytime(at: datetime) -> bool:
    """Whether a reminder may go out at this instant (08:00–21:00 Beijing time)."""
    return DAY_STARTS <= at.astimezone(BEIJING).time() < DAY_ENDS


def by_day(at: datetime) -> datetime:
    """The instant itself in the daytime; at night, 08:00 the next morning (or the same
    morning, before 08:00)."""
    local = at.astimezone(BEIJING)
    if daytime(local):
        return at
    morning = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return datetime.combine(morning, DAY_STARTS, tzinfo=BEIJING)


class TemplateError(ValueError):
    """The notification cannot be rendered: a fault of the producer, never retried."""


@dataclass(frozen=True)
class Template:
    code: str
    kind: Kind
    text: str
    params: tuple[str, ...]
    # Params never kept in storage after use (see the module docstring).
    secret: tuple[str, ...] = ()
    # A reminder: sent only in the daytime (see the module docstring).
    quiet_hours: bool = False

    def render(self, values: dict[str, Any]) -> str:
        return render_text(self, values)

    def masked(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values with every secret param present replaced by MASK."""
        return {k: MASK if k in self.secret else v for k, v in values.items()}


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "DECLARATION_RETURNED",
            "notice",
            "{name}您好，您的职称申报材料已被{stage}退回，请登录系统查看一次性补正告知，"
            "并于{deadline}前一次性补正后重新提交。",
            ("name", "stage", "deadline"),
        ),
        Template(
            "CORRECTION_REMINDER",
            "notice",
            "{name}您好，您的职称申报材料补正期限为{deadline}，目前尚未重新提交，"
            "请按一次性补正告知及时补正。",
            ("name", "deadline"),
            quiet_hours=True,
        ),
        # The receipt of each submission (services/api/chain/receipts.py): what was filed,
        # who acts next and by which clause; the plain one where the route cites none.
        Template(
            "DECLARATION_SUBMITTED",
            "notice",
            "{name}您好，您的{title}{what}已提交，下一步由{unit}{step}（{clause}），"
            "结果将以短信和站内消息告知。",
            ("name", "title", "what", "unit", "step", "clause"),
        ),
        Template(
            "DECLARATION_SUBMITTED_PLAIN",
            "notice",
            "{name}您好，您的{title}{what}已提交，下一步由{unit}{step}，结果将以短信和站内消息告知。",
            ("name", "title", "what", "unit", "step"),
        ),
        Template(
            "DECLARATION_ACCEPTED",
            "notice",
            "{name}您好，您申报的{title}已审核通过并受理。",
            ("name", "title"),
        ),
        Template(
            "PAYMENT_DUE",
            "notice",
            "{name}您好，您的职称申报已审核通过，请于{deadline}前缴纳评审费{amount}元，"
            "逾期未缴费视为放弃。",
            ("name", "deadline", "amount"),
        ),
        Template(
            "PAYMENT_REMINDER",
            "notice",
            "{name}您好，您的评审费{amount}元尚未缴纳，截止时间为{deadline}，逾期未缴费视为放弃。",
            ("name", "amount", "deadline"),
            quiet_hours=True,
        ),
        Template(
            "PAYMENT_RECEIVED",
            "notice",
            "{name}您好，您已缴纳评审费{amount}元，缴费成功。",
            ("name", "amount"),
        ),
        Template(
            "WITHDRAWN_UNPAID",
            "notice",
            "{name}您好，您未在{deadline}前缴纳评审费，按规定逾期未缴费视为放弃，本次申报已终止。",
            ("name", "deadline"),
        ),
        Template(
            "RETURN_LAPSED",
            "notice",
            "{name}您好，您未在{deadline}前提交补正材料，按规定逾期未补充的视为放弃申报，"
            "本次申报已终止。",
            ("name", "deadline"),
        ),
        Template(
            "DECLARATION_WITHDRAWN",
            "notice",
            "{name}您好，您申报的{title}已撤回。如非本人操作，请及时联系所在单位。",
            ("name", "title"),
        ),
        Template(
            "DEFENCE_SCHEDULED",
            "notice",
            "{name}您好，您的职称评审答辩定于{time}在{place}进行，请携带身份证件提前到场。",
            ("name", "time", "place"),
        ),
        # The day-before reminder of a defence (services/api/committee/defence.py).
        Template(
            "DEFENCE_REMINDER",
            "notice",
            "{name}您好，提醒您：您的职称评审答辩定于{time}在{place}进行，请携带身份证件提前到场。",
            ("name", "time", "place"),
            quiet_hours=True,
        ),
        Template(
            "RESULT_APPROVED",
            "notice",
            "{name}您好，您申报的{title}评审通过，已批复（{number}），可登录下载电子证书和评审表。",
            ("name", "title", "number"),
        ),
        Template(
            "RESULT_REJECTED",
            "notice",
            "{name}您好，您申报的{title}评审未通过，评审结果已批复（{number}）。",
            ("name", "title", "number"),
        ),
        Template(
            "SUBMISSION_REMINDER",
            "notice",
            "{name}您好，您的{title}申报尚未提交，为留出单位审核、答辩、审议、公示、推荐的时间，"
            "请最迟于{day}提交。",
            ("name", "title", "day"),
            quiet_hours=True,
        ),
        Template(
            "UNIT_STEP_REMINDER",
            "notice",
            "{org}：贵单位有{count}份职称申报待{step}，按逐级上报截止时间倒排最迟须于{day}完成。",
            ("org", "count", "step", "day"),
            quiet_hours=True,
        ),
        Template(
            "ELIGIBILITY_REACHED",
            "notice",
            "{name}您好，按您订阅的条件，{date}起可按{path}途径申报{title}（{clause}），"
            "详见站内消息。",
            ("name", "date", "path", "title", "clause"),
            quiet_hours=True,
        ),
        Template(
            "CAMPAIGN_OPEN_ELIGIBLE",
            "notice",
            "{name}您好，{campaign}已开放申报，按您订阅的条件可按{path}途径申报{title}"
            "（{clause}），详见站内消息。",
            ("name", "campaign", "path", "title", "clause"),
            quiet_hours=True,
        ),
        Template(
            "LOGIN_CODE",
            "code",
            "您的登录验证码为{code}，{minutes}分钟内有效，请勿告诉他人。",
            ("code", "minutes"),
            secret=("code",),
        ),
    )
}

# The reminders: sent only in the daytime.
QUIET_HOURS = frozenset(code for code, t in TEMPLATES.items() if t.quiet_hours)

_FIELD = re.compile(r"\{(\w+)\}")


def get_template(code: str) -> Template:
    try:
        return TEMPLATES[code]
    except KeyError:
        raise TemplateError(f"unknown template {code!r}") from None


def render_text(template: Template, values: dict[str, Any]) -> str:
    missing = [name for name in template.params if values.get(name) in (None, "")]
    if missing:
        raise TemplateError(f"{template.code}: missing params {', '.join(missing)}")
    for name in template.params:
        value = str(values[name])
        if param_has_url(value):
            raise TemplateError(f"{template.code}: param {name} carries a URL")
        if len(value) > MAX_PARAM_CHARS:
            raise TemplateError(f"{template.code}: param {name} longer than {MAX_PARAM_CHARS}")
    return _FIELD.sub(lambda m: str(values[m.group(1)]), template.text)


def provider_params(template: Template, values: dict[str, Any]) -> dict[str, str]:
    """The declared params only, as strings, in the template's order."""
    return {name: str(values[name]) for name in template.params}


def with_signature(sign_name: str, text: str) -> str:
    return f"【{sign_name}】{text}"


def char_count(text: str) -> int:
    # One per code point: how Chinese providers bill (a full-width 【 counts one, too).
    return len(text)


def parts(signed_text: str) -> int:
    """Billed messages for a text that already carries its signature."""
    n = char_count(signed_text)
    return 1 if n <= SINGLE_PART else math.ceil(n / MULTI_PART)
