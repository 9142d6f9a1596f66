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
        ("140400", "engineering", date(2023, 1, 1), None),
        ("140100", "engineering", date(2022, 8, 25), None),
        ("450200", "arts_crafts", date(2022, 7, 31), None),
        ("430100", "engineering", date(2022, 7, 31), None),
    ],
)
def test_selection_by_region_prefix_and_date(region, series, day, expected) -> None:
    pack = Registry.load().select(region, series, day)
    assert (pack.id if pack else None) == expected
