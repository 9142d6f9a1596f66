"""Policy packs: validated at load, a broken pack names its file and key, selection gives
exactly one pack per (region, series, date)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from services.rules.engine.packs import POLICY_DIR, PackError, Registry, load_pack_file

ROOT = Path(__file__).resolve().parents[2]
GX = "guangxi-engineering-2022"


def _copy_packs(tmp_path: Path) -> Path:
    for f in POLICY_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(path: Path, change) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_shipped_packs_load() -> None:
    registry = Registry.load()
    assert {p.id for p in registry.packs} == {
        "guangxi-engineering-2022",
        "changzhi-engineering-2022",
        "guangxi-arts-crafts-2023",
    }


def test_unknown_key_in_a_condition_names_file_and_key(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)

    def change(raw: dict) -> None:
        raw["levels"]["intermediate"]["paths"][0]["rows"][1]["conditions"][1]["yearz"] = 3

    _edit(d / f"{GX}.yaml", change)
    with pytest.raises(PackError) as err:
        Registry.load(d)
    text = str(err.value)
    assert f"{GX}.yaml" in text
    assert "levels.intermediate.paths.0.rows.1.conditions.1.years_since_title.yearz" in text
    assert "Extra inputs are not permitted" in text


def test_unknown_top_level_key_and_unknown_kind(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)

    def change(raw: dict) -> None:
        raw["fee"] = {"intermediate": 100}
        raw["levels"]["senior"]["paths"][0]["conditions"][0]["kind"] = "education_at_least"

    _edit(d / f"{GX}.yaml", change)
    with pytest.raises(PackError) as err:
        Registry.load(d)
    text = str(err.value)
    assert f"{GX}.yaml: fee: Extra inputs are not permitted" in text
    assert "levels.senior.paths.0.conditions.0" in text and "education_at_least" in text


def test_unknown_clause_and_document_are_named(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)

    def change(raw: dict) -> None:
        raw["exclusions"][0]["clause"] = "no-such-clause"
        raw["clauses"]["x-retired"]["document"] = "no-such-document"

    _edit(d / f"{GX}.yaml", change)
    with pytest.raises(PackError) as err:
        Registry.load(d)
    text = str(err.value)
    assert f"{GX}.yaml: exclusions.0.clause: unknown clause 'no-such-clause'" in text
    assert "clauses.x-retired.document: unknown document 'no-such-document'" in text


def test_pack_id_must_match_file_name(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)
    _edit(d / f"{GX}.yaml", lambda raw: raw.update(id="guangxi-engineering-2099"))
    with pytest.raises(PackError, match=rf"{GX}.yaml: id: 'guangxi-engineering-2099'"):
        Registry.load(d)


def test_overlapping_packs_are_refused(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)
    twin = d / "liuzhou-engineering-2022.yaml"
    shutil.copy(d / f"{GX}.yaml", twin)
    _edit(twin, lambda raw: raw.update(id="liuzhou-engineering-2022", regions=["450200"]))
    with pytest.raises(PackError, match=r"liuzhou-engineering-2022\.yaml.*same region"):
        Registry.load(d)


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"broken\.yaml: not valid YAML"):
        load_pack_file(bad)


def test_empty_policy_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no policy packs"):
        Registry.load(tmp_path)


def test_service_refuses_to_start_with_a_broken_pack(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)

    def change(raw: dict) -> None:
        raw["committees"][0]["offfice"] = "x"

    _edit(d / f"{GX}.yaml", change)
    env = {**os.environ, "RULES_POLICY_DIR": str(d), "LOG_LEVEL": "WARNING"}
    proc = subprocess.run(
        [sys.executable, "-c", "import services.rules.main"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "eligibility service cannot start" in proc.stderr
    assert f"{GX}.yaml: committees.0.offfice: Extra inputs are not permitted" in proc.stderr


@pytest.mark.parametrize(
    ("region", "series", "day", "expected"),
    [
        ("450200", "engineering", date(2022, 7, 31), "guangxi-engineering-2022"),
        ("450100", "engineering", date(2022, 1, 1), "guangxi-engineering-2022"),
        ("450226", "engineering", date(2022, 12, 31), "guangxi-engineering-2022"),
        ("450000", "arts_crafts", date(2023, 9, 10), "guangxi-arts-crafts-2023"),
        ("140400", "engineering", date(2022, 8, 25), "changzhi-engineering-2022"),
        ("140400", "engineering", date(2023, 1, 1), "changzhi-engineering-2022"),
        ("140400", "engineering", date(2021, 12, 31), None),
        ("450000", "arts_crafts", date(2023, 7, 19), None),
        ("450200", "engineering", date(2025, 7, 31), "guangxi-engineering-2022"),
        ("140100", "engineering", date(2022, 8, 25), None),
        ("450200", "arts_crafts", date(2022, 7, 31), None),
        ("430100", "engineering", date(2022, 7, 31), None),
    ],
)
def test_selection_by_region_prefix_and_date(region, series, day, expected) -> None:
    pack = Registry.load().select(region, series, day)
    assert (pack.id if pack else None) == expected


def test_a_later_pack_of_the_same_scope_replaces_the_earlier_one(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)
    later = d / "guangxi-engineering-2026.yaml"
    shutil.copy(d / f"{GX}.yaml", later)
    _edit(later, lambda raw: raw.update(id="guangxi-engineering-2026", in_force_from="2026-03-01"))
    registry = Registry.load(d)
    assert registry.by_id[GX].replaced_on == date(2026, 3, 1)
    assert registry.by_id["guangxi-engineering-2026"].replaced_on is None
    assert registry.select("450200", "engineering", date(2026, 2, 28)).id == GX
    assert registry.select("450200", "engineering", date(2026, 3, 1)).id == (
        "guangxi-engineering-2026"
    )
    assert registry.latest("450200", "engineering").id == "guangxi-engineering-2026"


def test_two_packs_of_one_scope_in_force_the_same_day_are_refused(tmp_path: Path) -> None:
    d = _copy_packs(tmp_path)
    twin = d / "guangxi-engineering-2022b.yaml"
    shutil.copy(d / f"{GX}.yaml", twin)
    _edit(twin, lambda raw: raw.update(id="guangxi-engineering-2022b"))
    with pytest.raises(PackError, match=r"in_force_from: both are in force"):
        Registry.load(d)


def _squeezed(text: str) -> str:
    return "".join(text.split())


# The date each pack comes into force and the sentence of its seed it rests on. The seeds
# give no issue date for 柳工职办〔2022〕1号 (nor 桂人社规〔2021〕11号) or 长工信〔2022〕139号,
# only the 年度 they are for; 桂工信职办〔2023〕6号 states its own date.
IN_FORCE = {
    GX: (
        date(2022, 1, 1),
        "000",
        "《关于开展2022年度柳州市工程系列高、中、初级职称评审工作的通知》（柳工职办〔2022〕1号）",
    ),
    "changzhi-engineering-2022": (
        date(2022, 1, 1),
        "003",
        "现就做好 2022 年度全市工程系列（非建筑、建材、环保专业）中、初级专业技术职务任职资格"
        "评审工作安排如下",
    ),
    "guangxi-arts-crafts-2023": (date(2023, 7, 20), "004", "2023年7月20日印发"),
}


@pytest.mark.parametrize("pack_id", sorted(IN_FORCE))
def test_in_force_from_is_the_date_the_seed_states(pack_id: str) -> None:
    day, seed, sentence = IN_FORCE[pack_id]
    pack = Registry.load().by_id[pack_id]
    assert pack.model.in_force_from == day
    clause = pack.model.clauses[pack.model.in_force_clause]
    assert str(day.year) in clause.text
    assert _squeezed(clause.text) in _squeezed(sentence) or (
        _squeezed(sentence) in _squeezed(clause.text)
    )
    # The seeds sit next to the checkout (README: ../shared/seeds/).
    found = [p / "shared" / "seeds" for p in ROOT.parents if (p / "shared" / "seeds").is_dir()]
    if not found:
        pytest.skip("the seed documents are not next to this checkout")
    text = _squeezed(next(found[0].glob(f"{seed}_*.txt")).read_text(encoding="utf-8"))
    assert _squeezed(sentence) in text
    assert _squeezed(clause.text) in text
