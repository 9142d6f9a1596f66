"""Problems of a declaration's route (its committee and chain of offices)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class RouteCommitteeMismatch(Problem):
    # The detail names the committee the declaration goes to, with its clause.
    status = 409
    code = "route-committee-mismatch"
    title = "Declaration belongs to another committee"
    text = (
        "按评委会的选择规则，该申报应由其他评委会受理，不属于本批次的评委会，"
        "请选择相应评委会的批次。"
    )


class RouteOfficeMissing(Problem):
    # The detail names the office the route needs and the sentence that says so.
    status = 409
    code = "route-office-missing"
    title = "An office the route needs is not registered"
    text = "该申报的上报链路须经的职改办或部门尚未在系统中登记，请联系职改办核实机构设置。"
