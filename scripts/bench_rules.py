"""Benchmark of the eligibility service (prints figures; not a test).

    .venv/bin/python -m scripts.bench_rules [--n 10000] [--runs 5]

1. In-process, one core: evaluations per second over a mixed set of generated profiles,
   with full explanations (the evaluator alone, and with request validation included: as
   the batch endpoint validates, into dicts, and through the request models as before).
2. Over HTTP: uvicorn serving services.rules.main:app on a free 127.0.0.1 port; one POST of
   the whole set to /v1/evaluate/batch without `explain`; best of a few runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from scripts.benchsummary import record

ROOT = Path(__file__).resolve().parent.parent

_EDU = ["doctorate", "master", "second_bachelor", "bachelor", "bachelor", "bachelor",
        "junior_college", "junior_college", "technical_secondary", "high_school",
        "tech_college_preparatory", "tech_college_senior_worker"]  # fmt: skip
_LEVELS = ["technician", "assistant", "intermediate", "deputy_senior", "senior"]
_EMPLOYERS = ["state_owned", "state_owned", "private", "public_institution", "social_org",
              "freelancer", "civil_service"]  # fmt: skip
_GRADES = ["excellent", "qualified", "qualified", "qualified", "basic", "none"]
_COUNTIES = ["450226", "450225", "450223", "450206", None, None, None]


def _day(rng: random.Random, start: date, end: date) -> str:
    if end <= start:
        return end.isoformat()
    return (start + timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def generate_profiles(n: int, seed: int = 20220731) -> list[dict]:
    """A reproducible mix across the three packs, every level, most paths and blockers."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    out = []
    for _ in range(n):
        pick = rng.random()
        if pick < 0.45:
            region, series, year = rng.choice(["450200", "450200", "450100"]), "engineering", 2022
            levels = _LEVELS
        elif pick < 0.75:
            region, series, year = "140400", "engineering", 2022
            levels = _LEVELS[:3]
        else:
            region, series, year = rng.choice(["450100", "450200"]), "arts_crafts", 2023
            levels = _LEVELS
        level = rng.choice(levels)
        # The 2023 arts pack is in force from 20 July 2023 (its notice's date).
        first_month = 8 if series == "arts_crafts" else 5
        as_of = date(year, rng.randint(first_month, 9), rng.randint(1, 28))
        grad = date(rng.randint(1990, year - 1), 6, 30)
        work = grad + timedelta(days=rng.randint(1, 400))
        index = _LEVELS.index(level)
        titles = []
        obtained = work + timedelta(days=rng.randint(300, 900))
        for lower in _LEVELS[max(0, index - rng.randint(1, 2)) : index]:
            if obtained >= as_of:
                break
            titles.append({"series": series, "level": lower, "obtained_on": obtained.isoformat()})
            obtained += timedelta(days=rng.randint(700, 2400))
        if rng.random() < 0.05:
            titles.append(
                {"series": "economics", "level": level, "obtained_on": _day(rng, work, as_of)}
            )
        applicant: dict = {
            "employer_type": rng.choice(_EMPLOYERS),
            "education": [
                {
                    "level": rng.choice(_EDU),
                    "related_major": rng.random() < 0.9,
                    "engineering_master_degree": rng.random() < 0.1,
                    "graduated_on": grad.isoformat(),
                }
            ],
            "titles": titles,
            "professional_work_since": work.isoformat(),
            "papers": rng.randint(0, 4),
            "achievements": rng.randint(0, 3),
            "annual_assessments": [
                {"year": y, "grade": rng.choice(_GRADES)}
                for y in range(year - rng.randint(0, 6), year + 1)
            ],
        }
        if applicant["employer_type"] == "public_institution":
            applicant["in_professional_post"] = rng.random() < 0.9
        if applicant["employer_type"] in ("private", "social_org") and rng.random() < 0.8:
            applicant["social_insurance_months"] = rng.randint(0, 60)
        if rng.random() < 0.15:
            applicant["skill_grades"] = [
                {
                    "grade": rng.choice(
                        ["senior_worker", "technician_worker", "senior_technician_worker"]
                    ),
                    "obtained_on": _day(rng, work, as_of),
                }
            ]
        if rng.random() < 0.3:
            applicant["internship_passed_on"] = (work + timedelta(days=370)).isoformat()
        if rng.random() < 0.05:
            applicant["former_civil_servant_left_on"] = _day(rng, work, as_of)
        if rng.random() < 0.1:
            applicant["dual_directed"] = True
            applicant["poverty_county_years"] = rng.randint(0, 15)
        if rng.random() < 0.05:
            applicant["township_years"] = rng.randint(10, 25)
            applicant["currently_in_township"] = rng.random() < 0.7
        if rng.random() < 0.05:
            applicant["sanctions"] = [
                {
                    "kind": rng.choice(
                        ["demerit", "party_discipline", "investigation", "integrity_record"]
                    ),
                    "until": _day(rng, as_of - timedelta(days=200), as_of + timedelta(days=400)),
                }
            ]
        if rng.random() < 0.03:
            applicant["retired"] = True
        if rng.random() < 0.03:
            applicant["same_level_applications_this_year"] = 1
        if rng.random() < 0.05:
            applicant["exceptional"] = True
        body = {
            "region": region,
            "series": series,
            "level": level,
            "as_of": as_of.isoformat(),
            "applicant": applicant,
        }
        if region == "450200" and rng.random() < 0.3:
            body["county"] = rng.choice([c for c in _COUNTIES if c])
        if rng.random() < 0.2:
            body["industry"] = rng.choice(["housing_construction", "automotive", "transport"])
            body["specialty"] = rng.choice(["机械工程", "土木工程", "车辆工程"])
        out.append(body)
    return out


def _pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def bench_in_process(profiles: list[dict], runs: int) -> list[dict]:
    """Prints the in-process figures; returns the profiles some pack covers."""
    from services.rules.engine.evaluator import evaluate
    from services.rules.engine.facts import facts_from_request
    from services.rules.main import service
    from services.rules.schemas import BatchAdapter
    from services.rules.service import gc_paused

    pairs, covered = [], []
    for body, req in zip(profiles, BatchAdapter.validate_json(json.dumps(profiles)), strict=True):
        pack = service.registry.select(req.region, req.series, req.as_of)
        if pack is None or req.level not in pack.levels:
            continue
        if pack.out_of_scope and pack.out_of_scope_for(req.specialty):
            continue
        pairs.append((pack, req))
        covered.append(body)
    # Only profiles some pack covers: a batch with one that none covers is refused whole.
    raw = json.dumps(covered).encode()
    models = BatchAdapter.validate_json(raw)
    n = len(pairs)
    facts = [(pack, facts_from_request(req, req.as_of)) for pack, req in pairs]

    def best(fn) -> float:
        # CPU time of this process (pinned to one core): other load on a shared machine
        # does not count against the figures.
        times = []
        for _ in range(runs):
            t0 = time.process_time()
            fn()
            times.append(time.process_time() - t0)
        return min(times)

    def evaluator_alone() -> None:
        with gc_paused():
            [evaluate(p, f, True) for p, f in facts]

    def engine_alone() -> None:
        with gc_paused():
            [evaluate(p, f, False) for p, f in facts]

    t_engine = best(engine_alone)
    t_eval = best(evaluator_alone)
    t_full = best(lambda: service.evaluate_many(models, True))

    def with_models() -> None:
        with gc_paused():
            service.evaluate_many(BatchAdapter.validate_json(raw), True)

    t_models = best(with_models)
    # What the batch endpoint runs: validated into dicts, the models only as a fallback.
    t_valid = best(lambda: service.evaluate_json(raw, True))
    t_noexp = best(lambda: service.evaluate_many(models, False))
    print(f"in-process, one core, CPU time ({n} profiles, best of {runs}; x = / engine alone):")
    for label, t in (
        ("engine alone, no explanations", t_engine),
        ("evaluator with full explanations", t_eval),
        ("+ pack selection and facts from request", t_full),
        ("+ JSON parsing and request validation", t_valid),
        ("  the same through the request models", t_models),
        ("without explanations (as batch default)", t_noexp),
    ):
        print(f"  {label:<40} {n / t:>10,.0f} evaluations/s  x{t_engine / t:.2f}")
    record("rules", "engine alone, no explanations, 1 core", n / t_engine, "eval/s")
    record("rules", "evaluator, full explanations, 1 core", n / t_eval, "eval/s", ">= 50000")
    record("rules", "+ request to facts, pack selection", n / t_full, "eval/s")
    record("rules", "+ JSON parsing and validation", n / t_valid, "eval/s", ">= 30000")
    record("rules", "  the same through the request models", n / t_models, "eval/s")
    return covered


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(profiles: list[dict], runs: int) -> None:
    import httpx

    port = _free_port()
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "uvicorn", "services.rules.main:app", "--host", "127.0.0.1",
           "--port", str(port), "--no-access-log", "--no-proxy-headers",
           "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        from services.kit.service_tokens import RULES_AUDIENCE, ServiceAuth
        from services.kit.settings import ServiceTokenSigner

        # Called as the gateway calls it: every request with a service token.
        auth = ServiceAuth(ServiceTokenSigner().service_token_key(), RULES_AUDIENCE)
        with httpx.Client(base_url=base, timeout=60, auth=auth) as client:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            else:
                raise SystemExit("uvicorn did not start")
            body = json.dumps(profiles).encode()
            headers = {"content-type": "application/json"}
            for label, params in (
                ("without explain", {}),
                ("with explain=true", {"explain": "true"}),
            ):
                times = []
                size = 0
                for _ in range(runs):
                    t0 = time.perf_counter()
                    r = client.post("/v1/evaluate/batch", content=body, headers=headers,
                                    params=params)  # fmt: skip
                    r.raise_for_status()
                    size = len(r.content)
                    times.append(time.perf_counter() - t0)
                    assert r.content.startswith(b"[{") and r.content.count(b'"policy"') == len(
                        profiles
                    )
                t = min(times)
                record(
                    "rules",
                    f"HTTP batch of {len(profiles)} {label}",
                    t,
                    "s",
                    "< 1 s" if not params else "",
                )
                print(
                    f"HTTP batch of {len(profiles)} {label}: {t:.3f} s "
                    f"({len(profiles) / t:,.0f} profiles/s; request {len(body) / 1e6:.1f} MB, "
                    f"response {size / 1e6:.1f} MB; best of {runs})"
                )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    profiles = generate_profiles(args.n)
    print(f"{len(profiles)} generated profiles; {_pin_one_core()}")
    covered = bench_in_process(profiles, args.runs)
    if not args.skip_http:
        bench_http(covered, args.runs)


if __name__ == "__main__":
    main()
