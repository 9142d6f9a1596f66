"""Problems of the eligibility radar (资格提醒) and the unit's roster."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class SubscriptionNotFound(Problem):
    status = 404
    code = "radar-subscription-not-found"
    title = "No eligibility subscription"
    text = "您还没有订阅资格提醒。"


class RadarUnitInvalid(Problem):
    status = 422
    code = "radar-unit-invalid"
    title = "Not a declaring unit"
    text = "unit_id 须为已登记的用人单位（申报单位），上级部门或职改办不能作为所在单位。"
