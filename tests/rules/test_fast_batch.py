"""The batch's fast path (requests validated into dicts) against the reference path (the
request models), in the same run: the same answers byte for byte, and never a body the
models refuse taken as valid."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError
from pydantic_core import to_json

from scripts.bench_rules import generate_profiles
from services.kit.problems import ProblemError
from services.rules.engine.packs import Registry
from services.rules.main import service
from services.rules.schemas import BatchAdapter, FastBatchValidator
from services.rules.service import EligibilityService, json_chunks
from tests.rules.judge import load_cases
from tests.support import EVALUATE_CASE

CASES = load_cases()


def covered(bodies: list[dict]) -> list[dict]:
    """The bodies some pack answers (a batch with one that none answers is refused whole)."""
    out = []
    for body in bodies:
        try:
            BatchAdapter.validate_json(json.dumps([body]))
            service.evaluate_many(BatchAdapter.validate_json(json.dumps([body])), False)
        except Exception:  # noqa: S112 - the reference refuses it: not a fast-path case
            continue
        out.append(body)
    return out


def reference(raw: bytes, explain: bool) -> bytes:
    return to_json(service.evaluate_many(BatchAdapter.validate_json(raw), explain))


@pytest.mark.parametrize("explain", [True, False])
@pytest.mark.parametrize("which", ["bench profiles", "cases"])
def test_bench_profiles_and_cases_answer_the_same_on_both_paths(which: str, explain: bool) -> None:
    # The cases, or the 10 000 profiles scripts/bench_rules.py times.
    bodies = [c["request"] for c in CASES] if which == "cases" else generate_profiles(10_000)
    raw = json.dumps(covered(bodies), default=str).encode()
    fast = service._evaluate_dicts(FastBatchValidator.validate_json(raw), explain)
    assert fast is not None, "every body goes through the fast path"
    assert len(fast) > 0.9 * len(bodies)
    assert to_json(fast) == reference(raw, explain)
    assert to_json(service.evaluate_json(raw, explain)) == reference(raw, explain)


def _variants() -> list[tuple[str, dict]]:
    """The base body with one field made wrong (or odd but valid) at a time."""
    base = copy.deepcopy(EVALUATE_CASE)
    base["applicant"]["annual_assessments"] = [{"year": 2021, "grade": "qualified"}]
    base["applicant"]["skill_grades"] = [{"grade": "senior_worker", "obtained_on": "2015-01-01"}]
    base["applicant"]["sanctions"] = [{"kind": "demerit", "until": "2020-01-01"}]
    values = [None, "", "x", "2022-2-1", "2022-02-30", "2022-02-28", "2022-02-28T00:00:00",
              -1, 0, 1, 3.5, 81, 1e9, True, [], {}, "450226", "450200", "4502261", "机" * 61,
              "engineering", "bachelor", [{"year": 2021, "grade": "excellent"}]]  # fmt: skip
    out = [("base", base), ("extra key", {**base, "extra": 1})]
    out.append(("extra applicant key", {**base, "applicant": {**base["applicant"], "x": 1}}))
    for key in base:
        if key == "applicant":
            continue
        out += [(f"{key}={v!r}", {**base, key: v}) for v in values]
        out.append((f"no {key}", {k: v for k, v in base.items() if k != key}))
    for key, old in base["applicant"].items():
        for v in values:
            out.append(
                (f"applicant.{key}={v!r}", {**base, "applicant": {**base["applicant"], key: v}})
            )
        if isinstance(old, list) and old and isinstance(old[0], dict):
            for field in old[0]:
                for v in values:
                    item = {**old[0], field: v}
                    changed = {**base["applicant"], key: [item]}
                    out.append((f"applicant.{key}.0.{field}={v!r}", {**base, "applicant": changed}))
                changed = {**base["applicant"], key: [{**old[0], "x": 1}]}
                out.append((f"applicant.{key}.0 extra", {**base, "applicant": changed}))
    twice = [{"year": 2021, "grade": "qualified"}, {"year": 2021, "grade": "basic"}]
    out.append(("a year twice", {**base, "applicant": {**base["applicant"],
                                                       "annual_assessments": twice}}))  # fmt: skip
    for region, level, as_of in (("430100", "intermediate", "2022-07-31"),
                                 ("450200", "intermediate", "2001-01-01"),
                                 ("140400", "senior", "2022-07-31")):  # fmt: skip
        out.append((f"{region} {level} {as_of}", {**base, "region": region, "level": level,
                                                  "as_of": as_of}))  # fmt: skip
    out.append(("out of scope", {**base, "region": "140400", "specialty": "建筑工程"}))
    for county in ("450226", "450126", "450200", "450000", "440226"):
        for region in ("450200", "450000", "450226"):
            out.append(
                (f"county {county} in {region}", {**base, "region": region, "county": county})
            )
    return out


def test_a_body_the_models_refuse_never_passes_the_fast_path() -> None:
    seen = {"refused": 0, "answered": 0, "problem": 0}
    for name, body in _variants():
        raw = json.dumps([body]).encode()
        try:
            expected = reference(raw, True)
        except ValidationError as exc:
            seen["refused"] += 1
            with pytest.raises(ValidationError) as got:
                service.evaluate_json(raw, True)
            assert got.value.errors() == exc.errors(), name
            try:
                items = FastBatchValidator.validate_json(raw)
            except ValidationError:
                continue
            assert service._evaluate_dicts(items, True) is None, name
            continue
        except ProblemError as exc:  # no pack answers it (no policy, level, specialty)
            seen["problem"] += 1
            with pytest.raises(ProblemError) as problem:
                service.evaluate_json(raw, True)
            assert problem.value.body() == exc.body(), name
            continue
        seen["answered"] += 1
        assert to_json(service.evaluate_json(raw, True)) == expected, name
        fast = service._evaluate_dicts(FastBatchValidator.validate_json(raw), True)
        assert fast is not None, name
        assert to_json(fast) == expected, name
    assert seen["refused"] > 300 and seen["answered"] > 25 and seen["problem"] > 3, seen


def test_a_batch_cut_in_chunks_reads_as_the_whole_array() -> None:
    bodies = covered(generate_profiles(200))
    whole = FastBatchValidator.validate_json(json.dumps(bodies))
    for raw in (
        json.dumps(bodies).encode(),
        json.dumps(bodies, separators=(",", ":")).encode(),
        b"\r\n " + json.dumps(bodies, indent=2).encode() + b"\n\t",
    ):
        for size in (1, 5_000, 10**9):
            chunks = list(json_chunks(raw, size))
            # A chunk a body (size 1), a few, or the whole array.
            assert len(chunks) == {1: len(bodies), 10**9: 1}.get(size, len(chunks)) > 0
            items = [x for chunk in chunks for x in FastBatchValidator.validate_json(chunk)]
            assert items == whole
            assert to_json(service._evaluate_chunks(raw, True, size)) == reference(raw, True)
    for raw in (b"", b"{}", b"\x0c[]", b"[] x"):
        assert json_chunks(raw) is None, raw
    # Not an array but cut like one: the chunk is not JSON either.
    assert service._evaluate_chunks(b"[{}] [{}]", True) is None


def test_a_cut_inside_a_string_sends_the_batch_the_models_way() -> None:
    bodies = covered(generate_profiles(20))
    # Braces balance at the string's "}, {": a cut there leaves chunks that are not JSON.
    bodies[3] = {"specialty": 'a}, {"x', **{k: v for k, v in bodies[3].items() if k != "specialty"}}
    raw = json.dumps(bodies).encode()
    assert any(b'"specialty": "a}]' in c for c in json_chunks(raw, 1))
    assert service._evaluate_chunks(raw, True, 1) is None
    assert to_json(service.evaluate_json(raw, True)) == reference(raw, True)


@pytest.mark.parametrize("explain", [True, False])
def test_shared_answer_parts_answer_as_if_built_for_each_applicant(explain: bool) -> None:
    # The evaluator shares the paths' answers and condition lists between applicants: a
    # freshly loaded registry, its memos filled in the opposite order, answers each
    # applicant the same as the service whose memos the other tests filled.
    bodies = covered(generate_profiles(2_000))
    fresh = EligibilityService(Registry.load())
    raws = [json.dumps([body]).encode() for body in bodies]
    cold = [to_json(fresh.evaluate_json(raw, explain)) for raw in reversed(raws)][::-1]
    warm = [to_json(service.evaluate_json(raw, explain)) for raw in raws]
    assert cold == warm
    batch = b"[" + b",".join(raw[1:-1] for raw in raws) + b"]"
    assert to_json(service.evaluate_json(batch, explain)) == (
        b"[" + b",".join(c[1:-1] for c in cold) + b"]"
    )


def _township(answer: bytes) -> list[dict]:
    paths = json.loads(answer)["paths"]
    return [c for p in paths for c in p["conditions"] if c["id"] == "township_years"]


@pytest.mark.parametrize("years", [0, 16])
def test_a_number_of_years_answers_alike_however_it_was_written(years: int) -> None:
    # Years in 乡镇 left out (0), sent as 0 or 0.0, or as 16 or 16.0, are one result and
    # one key of the explanations' memo: the answer shows the number one way, whichever
    # form a freshly loaded service saw first.
    (case,) = [c for c in CASES if c["id"] == "czo-int-township"]
    written = []
    for value in (None, years, float(years)):
        body = copy.deepcopy(case["request"])
        body["applicant"].pop("township_years")
        if value is not None:
            body["applicant"]["township_years"] = value
        elif years:
            continue  # left out is 0
        written.append(body)
    shown = set()
    for order in (written, written[::-1]):
        fresh = EligibilityService(Registry.load())
        batch = json.dumps(order, default=str).encode()
        shown |= {to_json(a) for a in fresh.evaluate_json(batch, True)}
    assert len(shown) == 1, shown
    (answer,) = shown
    township = _township(answer)
    assert township and all(type(c["actual"]) is int for c in township)
    assert all(c["actual"] == years and f"现{years}年" in c["message"] for c in township)
