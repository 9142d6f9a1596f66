"""Templates: the notices the issue names exist, render, and are counted as billed."""

from __future__ import annotations

import re

import pytest

from services.notify.sms.templates import (
    TEMPLATES,
    TemplateError,
    get_template,
    parts,
    with_signature,
)

SAMPLE = {
    "name": "欧阳建国",
    "stage": "主管部门",
    "deadline": "2023-10-10 18:00",
    "amount": "230",
    "title": "工艺美术系列中级",
    "time": "2023-11-02 09:00",
    "place": "南宁市青秀区民族大道1号",
    "code": "482913",
    "minutes": "5",
    "number": "桂工信职称〔2023〕123号",
    "day": "2022年9月20日",
    "org": "柳州市某某机械制造有限责任公司第二分公司",
    "count": "12",
    "step": "审议小组审议",
    "date": "2027年3月1日",
    "path": "正常晋升",
    "clause": "柳州工程系列2022申报培训 三（二）工程师表第3行",
    "campaign": "2027年度柳州市工程系列中级职称评审",
    "what": "补正材料",
    "unit": "柳州市某某机械制造有限责任公司第二分公司第三研究所技术质量部",
}


def test_the_notices_the_issue_names_exist() -> None:
    texts = {code: t.text for code, t in TEMPLATES.items()}
    assert "一次性补正" in texts["DECLARATION_RETURNED"]
    assert "{deadline}" in texts["DECLARATION_RETURNED"]
    assert "{amount}" in texts["PAYMENT_DUE"] and "{deadline}" in texts["PAYMENT_DUE"]
    assert "缴费成功" in texts["PAYMENT_RECEIVED"]
    assert "逾期未缴费视为放弃" in texts["WITHDRAWN_UNPAID"]
    assert {"DECLARATION_ACCEPTED", "DEFENCE_SCHEDULED", "LOGIN_CODE"} <= set(texts)
    assert TEMPLATES["LOGIN_CODE"].kind == "code"
    # The deadline planner's reminders: the applicant's last safe day, a unit step's day.
    assert "{day}" in texts["SUBMISSION_REMINDER"] and "尚未提交" in texts["SUBMISSION_REMINDER"]
    assert "逐级上报" in texts["UNIT_STEP_REMINDER"] and "{step}" in texts["UNIT_STEP_REMINDER"]
    # Each submission's receipt: what was filed, who acts next, and (where the route
    # cites one) the clause that sends it there.
    for code in ("DECLARATION_SUBMITTED", "DECLARATION_SUBMITTED_PLAIN"):
        assert "{what}已提交" in texts[code] and "下一步由{unit}{step}" in texts[code]
    assert "{clause}" in texts["DECLARATION_SUBMITTED"]


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_declared_params_are_exactly_the_fields(code: str) -> None:
    t = TEMPLATES[code]
    assert sorted(re.findall(r"\{(\w+)\}", t.text)) == sorted(t.params)
    assert set(t.secret) <= set(t.params)
    assert set(t.secret) == ({"code"} if code == "LOGIN_CODE" else set())
    rendered = t.render(SAMPLE)
    assert "{" not in rendered
    # Each notice fits in at most two billed parts even with long names.
    assert parts(with_signature("职称申报", rendered)) <= 2


def test_length_counted_as_providers_bill() -> None:
    assert parts("【职称申报】" + "字" * 64) == 1  # 70 with the signature
    assert parts("【职称申报】" + "字" * 65) == 2  # 71 → two parts of 67
    assert parts("【职称申报】" + "字" * 128) == 2  # 134 = 2 × 67
    assert parts("【职称申报】" + "字" * 129) == 3
    assert parts("【签名】abc 123，。") == 1


def test_payment_due_reads_as_sent() -> None:
    text = get_template("PAYMENT_DUE").render(SAMPLE)
    assert text == (
        "欧阳建国您好，您的职称申报已审核通过，请于2023-10-10 18:00前缴纳评审费230元，"
        "逾期未缴费视为放弃。"
    )


@pytest.mark.parametrize(
    "value", ["http://x.cn/a", "HTTPS://pay.example.com", "www.baidu.com", "见 gxrs.gov.cn"]
)
def test_urls_are_refused_as_params(value: str) -> None:
    with pytest.raises(TemplateError, match="URL"):
        get_template("DECLARATION_ACCEPTED").render({"name": value, "title": "中级"})


def test_missing_unknown_and_overlong_params_are_refused() -> None:
    with pytest.raises(TemplateError, match="missing params deadline"):
        get_template("CORRECTION_REMINDER").render({"name": "张三"})
    with pytest.raises(TemplateError, match="unknown template"):
        get_template("NO_SUCH")
    with pytest.raises(TemplateError, match="longer than"):
        get_template("PAYMENT_RECEIVED").render({"name": "张" * 36, "amount": "230"})


def test_the_submission_receipt_reads_as_sent() -> None:
    values = {
        "name": "欧阳建国",
        "title": "工程系列中级",
        "what": "申报",
        "unit": "柳州市某某机械制造有限责任公司",
        "step": "审核推荐",
        "clause": "柳州工程系列2022申报培训 三（四）",
    }
    text = get_template("DECLARATION_SUBMITTED").render(values)
    assert text == (
        "欧阳建国您好，您的工程系列中级申报已提交，下一步由柳州市某某机械制造有限责任公司"
        "审核推荐（柳州工程系列2022申报培训 三（四）），结果将以短信和站内消息告知。"
    )
    assert parts(with_signature("职称申报", text)) == 2
    plain = get_template("DECLARATION_SUBMITTED_PLAIN").render({**values, "what": "补正材料"})
    assert plain.startswith("欧阳建国您好，您的工程系列中级补正材料已提交，下一步由")
    with pytest.raises(TemplateError, match="missing params clause"):
        get_template("DECLARATION_SUBMITTED").render({**values, "clause": ""})
