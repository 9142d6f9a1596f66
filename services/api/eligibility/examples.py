"""Examples of the request and response bodies, as the OpenAPI document shows them.

The eligibility service's own answers (openapi/rules.json), for a 长治 工程系列 中级 case
(tests/rules/cases/changzhi-engineering-2022.yaml, the first case)."""

from services.kit.eligibility_examples import EVALUATE_REQUEST
from services.kit.eligibility_examples import EVALUATE_RESPONSE as EVALUATE_ANSWER

__all__ = ["COMMITTEES_ANSWER", "EVALUATE_ANSWER", "EVALUATE_REQUEST"]

COMMITTEES_ANSWER = [
    {
        "code": "cz-eng-intermediate-initial",
        "name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
        "office": "长治市工业和信息化局编制人事科（电话：0355-3036240）",
        "levels": ["intermediate"],
        "clause": "长工信〔2022〕139号 一、六",
        "policy": "changzhi-engineering-2022",
    }
]
