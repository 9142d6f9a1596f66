"""Problems of the applicant's own record (the real name and ID number)."""

from __future__ import annotations

from services.api.problems import Forbidden
from services.kit.problem_kinds import Problem


class InvalidIdNumber(Problem):
    # The detail says what is wrong with the number.
    status = 422
    code = "invalid-id-number"
    title = "Invalid ID number"
    text = "身份证号格式或校验位不正确，请核对。"


class IdNumberTaken(Problem):
    status = 409
    code = "id-number-taken"
    title = "ID number already bound"
    text = "该身份证号已绑定其他账号。如确属本人，请联系职称主管部门核实后处理。"


class IdentityConflict(Problem):
    status = 409
    code = "identity-conflict"
    title = "Conflict"
    text = "实名信息正被同时修改，请稍后重试。"


class IdentityNotFound(Problem):
    status = 404
    code = "identity-not-found"
    title = "identity not found"
    text = "尚未填写实名信息（姓名和身份证号）。"


# What recording the real name and ID number can refuse (PUT /v1/me/identity, the
# applicant's own).
RECORD_PROBLEMS = (Forbidden, IdNumberTaken, IdentityConflict, InvalidIdNumber)
