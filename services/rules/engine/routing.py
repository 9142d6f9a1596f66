"""Which committee and which chain of offices a declaration takes: the committee the pack
resolves, the series office its duty names, and the routing rules (sentences of the seeds)
that add an office or ask for a material. Each part carries the clause it rests on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from services.rules.engine import models as m
from services.rules.engine.compiled import CompiledPack
from services.rules.engine.facts import effective_county


def _clause(pack: CompiledPack, key: str) -> dict[str, str]:
    return {"key": key, "ref": pack.refs[key], "text": pack.model.clauses[key].text}


def _applies(rule: m.RouteRule, req: Any, county: str | None, committee: str | None) -> bool:
    in_county = county is not None
    return (
        (not rule.levels or req.level in rule.levels)
        and (not rule.paths or req.path in rule.paths)
        and (not rule.counties or county in rule.counties)
        and (rule.unit_in_county is None or rule.unit_in_county == in_county)
        and (not rule.employer_types or req.employer_type in rule.employer_types)
        and (not rule.affiliations or req.affiliation in rule.affiliations)
        and (not rule.committees or committee in rule.committees)
    )


def route(pack: CompiledPack, req: Any) -> dict[str, Any]:
    """The route of one declaration (`req`: region, county, level, industry, specialty,
    path, employer_type, affiliation)."""
    county = effective_county(req.region, req.county)
    facts = SimpleNamespace(
        region=req.region, county=county, industry=req.industry, specialty=req.specialty
    )
    found = pack.committee_rule(req.level, facts)
    committee = None
    series_office = None
    if found is not None:
        spec: m.Committee = found[6]
        committee = {**found[4], "clause": _clause(pack, spec.clause)}
        if spec.office_duty is not None:
            series_office = {
                "duty": spec.office_duty,
                "name": spec.office,
                "action": "审核",
                "rule": None,
                "label": f"按评委会的选择，材料报送{spec.office}",
                "clause": _clause(pack, spec.clause),
            }
    code = committee["code"] if committee else None
    steps = []
    materials = []
    for rule in pack.model.routing:
        if not _applies(rule, req, county, code):
            continue
        if rule.step is not None:
            step = {
                **rule.step.model_dump(),
                "rule": rule.id,
                "label": rule.label,
                "clause": _clause(pack, rule.clause),
            }
            if rule.step.kind == "series_office":
                series_office = {k: v for k, v in step.items() if k != "kind"}
            else:
                steps.append(step)
        if rule.material is not None:
            materials.append(
                {
                    **rule.material.model_dump(),
                    "producer": "applicant",
                    "rule": rule.id,
                    "label": rule.label,
                    "clause": _clause(pack, rule.clause),
                }
            )
    basis = pack.model.routing_basis
    return {
        "policy": {"id": pack.id, "title": pack.model.title},
        "basis": _clause(pack, basis) if basis else None,
        "committee": committee,
        "series_office": series_office,
        "steps": steps,
        "materials": materials,
    }
