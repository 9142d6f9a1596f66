"""Problems of the organisation tree."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class OrgNotFound(Problem):
    status = 404
    code = "org-not-found"
    title = "org not found"
    text = "机构不存在。"


class OrgExists(Problem):
    status = 409
    code = "org-exists"
    title = "org exists"
    text = "该统一社会信用代码已登记。"


class ChainIncomplete(Problem):
    # The detail names the unit; `chain` lists the orgs found.
    status = 409
    code = "chain-incomplete"
    title = "chain incomplete"
    text = "上报链路不完整：须经系列职改办并到达评委会所在职改办，请联系职改办核实机构设置。"
