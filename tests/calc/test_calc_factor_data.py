"""Shipped factor datasets, the validating loader and the FACTOR_DIR extension point."""

import shutil
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

import calc
from calc.errors import FactorFileError

SHIPPED = sorted(
    (Path(str(entry)) for entry in resources.files("calc.factors").iterdir() if entry.name.endswith(".toml")),
    key=lambda path: path.name,
)


def dataset_toml(name, version, factors, published="2026-11-26"):
    """A minimal valid dataset file; factors are dicts of TOML-ready values (strings already quoted)."""
    lines = [
        "[dataset]",
        f'name = "{name}"',
        f"version = {version}",
        f"published = {published}",
        "",
        "[dataset.source]",
        'title = "Test sheet"',
        'publisher = "Test publisher"',
    ]
    for factor in factors:
        lines += ["", "[[factor]]"] + [f"{key} = {value}" for key, value in factor.items()]
    return "\n".join(lines) + "\n"


def test_every_shipped_dataset_loads():
    table = calc.load_factors()
    assert sorted(d.ref for d in table.datasets) == [
        "epa-food-waste@1",
        "epa-warm-v16@1",
        "ruamjai-assumptions@1",
        "tgo-cfo-2022@1",
        "tgo-grid-2026@1",
        "tgo-trees-2016@1",
        "uk-desnz-2025@1",
    ]
    assert [path.name for path in SHIPPED] == sorted(f"{d.name}.toml" for d in table.datasets)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_shipped_file_has_no_problems(path):
    assert calc.check_factor_file(path) == []


def test_nothing_shipped_is_presented_as_official():
    # GHG.md has no factor from an official page: TGO values come from secondary copies ("2nd"), and
    # US EPA / UK DESNZ values and the working assumptions stand in for missing Thai values (proxies).
    expected = {
        "tgo-cfo-2022": "secondary",
        "tgo-grid-2026": "secondary",
        "tgo-trees-2016": "secondary",
        "epa-warm-v16": "proxy",
        "epa-food-waste": "proxy",
        "uk-desnz-2025": "proxy",
        "ruamjai-assumptions": "proxy",
    }
    for dataset in calc.load_factors().datasets:
        assert {f.confidence for f in dataset.factors} == {expected[dataset.name]}, dataset.ref
        assert dataset.source.title and dataset.source.publisher


@pytest.mark.parametrize(
    ("key", "on", "value", "unit", "ref"),
    [
        ("electricity.grid_th", date(2025, 12, 31), "0.4999", "kgCO2e/kWh", "tgo-cfo-2022@1"),
        ("electricity.grid_th", date(2026, 1, 1), "0.4750", "kgCO2e/kWh", "tgo-grid-2026@1"),
        ("fuel.diesel_mobile", date(2024, 6, 1), "2.7406", "kgCO2e/L", "tgo-cfo-2022@1"),
        ("fuel.diesel_stationary", date(2024, 6, 1), "2.7078", "kgCO2e/L", "tgo-cfo-2022@1"),
        ("fuel.gasoline_mobile", date(2024, 6, 1), "2.2394", "kgCO2e/L", "tgo-cfo-2022@1"),
        ("fuel.lpg_mobile_per_l", date(2024, 6, 1), "1.7306", "kgCO2e/L", "tgo-cfo-2022@1"),
        ("fuel.lpg_mobile_per_kg", date(2024, 6, 1), "3.2049", "kgCO2e/kg", "tgo-cfo-2022@1"),
        ("fuel.cng_mobile", date(2024, 6, 1), "2.2609", "kgCO2e/kg", "tgo-cfo-2022@1"),
        ("tree.teak.moderate", date(2024, 6, 1), "1.72", "tCO2e/rai/year", "tgo-trees-2016@1"),
        ("tree.leucaena.low", date(2024, 6, 1), "0.77", "tCO2e/rai/year", "tgo-trees-2016@1"),
        ("recycling.aluminium_cans", date(2024, 6, 1), "10.06", "kgCO2e/kg", "epa-warm-v16@1"),
        ("recycling.pp", date(2024, 6, 1), "0.87", "kgCO2e/kg", "epa-warm-v16@1"),
        ("waste.food_landfill", date(2024, 6, 1), "0.64", "kgCO2e/kg", "epa-food-waste@1"),
        ("waste.residual_landfill", date(2024, 6, 1), "0.497", "kgCO2e/kg", "uk-desnz-2025@1"),
        ("travel.flight_international_rf", date(2024, 6, 1), "0.1425", "kgCO2e/pkm", "uk-desnz-2025@1"),
        ("accommodation.hotel_th", date(2024, 6, 1), "43.4", "kgCO2e/room_night", "uk-desnz-2025@1"),
        ("tree_density.eucalyptus", date(2024, 6, 1), "267", "trees/rai", "ruamjai-assumptions@1"),
    ],
)
def test_shipped_values_are_those_of_ghg_md(key, on, value, unit, ref):
    factor = calc.load_factors().select(key, on, on).factor
    assert (factor.value, factor.unit, factor.ref) == (Decimal(value), unit, ref)


def test_no_factor_is_shipped_for_what_ghg_md_could_not_find():
    keys = calc.load_factors().keys()
    assert not [k for k in keys if k.startswith(("forest.", "fuel.gasohol"))]
    assert "tree_density.teak" not in keys


def _line(lines, prefix, start=0):
    return next(i for i in range(start, len(lines)) if lines[i].strip().startswith(prefix))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_corrupted_copy_reports_every_problem_with_its_line(path, tmp_path):
    lines = path.read_text(encoding="utf-8").splitlines()
    first = _line(lines, "[[factor]]")
    second = _line(lines, "[[factor]]", first + 1)
    # Each corruption replaces a line (never deletes one) so the line numbers below stay valid.
    lines[_line(lines, "unit =", first)] = "# unit line lost"
    lines[_line(lines, "key =", second)] = lines[_line(lines, "key =", first)]
    lines[_line(lines, "confidence =", second)] = 'confidence = "certain"'
    lines[_line(lines, "unit =", second)] = 'unit = "kgCO2e/widget"'
    lines[_line(lines, "publisher =")] = "# publisher line lost"
    copy = tmp_path / path.name
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    problems = calc.check_factor_file(copy)

    expected = [
        ("missing_field", _line(lines, "[dataset.source]") + 1),  # publisher
        ("changed_published_version", _line(lines, "version =") + 1),
        ("missing_field", first + 1),  # unit of the first factor
        ("duplicate_key", _line(lines, "key =", second) + 1),
        ("unknown_unit", _line(lines, "unit =", second) + 1),
        ("invalid_confidence", _line(lines, "confidence =", second) + 1),
    ]
    assert sorted((p.code, p.line) for p in problems) == sorted(expected)
    assert {p.file for p in problems} == {str(copy)}
    # The same problems stop the app from starting when the copy sits in FACTOR_DIR.
    with pytest.raises(FactorFileError) as caught:
        calc.load_factors(extra_dir=tmp_path)
    assert sorted((p.code, p.line) for p in caught.value.problems) == sorted(expected)


def test_syntax_error_reports_its_line(tmp_path):
    text = dataset_toml("broken", 1, [{"key": '"a.b"', "value": "1", "unit": '"kgCO2e/kg"'}])
    text = text.replace("value = 1", "value = = 1")
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    [problem] = calc.check_factor_file(tmp_path / "broken.toml")
    assert problem.code == "syntax"
    assert problem.line == text.splitlines().index("value = = 1") + 1


def test_header_and_field_problems_are_all_reported(tmp_path):
    text = "\n".join(
        [
            "[dataset]",  # 1
            'name = "Bad Name"',  # 2
            "version = 0",  # 3
            "",  # 4 (published missing)
            "[dataset.source]",  # 5
            'title = "T"',  # 6
            'publisher = "P"',  # 7
            "",  # 8
            "[[factor]]",  # 9
            'key = "a.b"',  # 10
            "vaule = 1.5",  # 11 (typo: value is missing)
            'unit = "kgCO2e/kg"',  # 12
            'confidence = "proxy"',  # 13
            "valid_from = 2026-01-01",  # 14
            "valid_to = 2025-01-01",  # 15
        ]
    )
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    problems = {(p.code, p.line) for p in calc.check_factor_file(tmp_path / "bad.toml")}
    assert problems == {
        ("invalid_value", 2),
        ("invalid_value", 3),
        ("missing_field", 1),
        ("unknown_key", 11),
        ("missing_field", 9),
        ("invalid_value", 15),
    }


def test_same_key_for_separate_periods_is_not_a_duplicate(tmp_path):
    factors = [
        {
            "key": '"a.b"',
            "value": "1",
            "unit": '"kgCO2e/kg"',
            "confidence": '"official"',
            "valid_to": "2025-12-31",
        },
        {
            "key": '"a.b"',
            "value": "2",
            "unit": '"kgCO2e/kg"',
            "confidence": '"official"',
            "valid_from": "2026-01-01",
        },
    ]
    (tmp_path / "ok.toml").write_text(dataset_toml("periods", 1, factors), encoding="utf-8")
    assert calc.check_factor_file(tmp_path / "ok.toml") == []


def test_extra_dir_adds_datasets_without_code_changes(tmp_path):
    factors = [
        {
            "key": '"forest.restoration.mangrove"',
            "value": "1.5",
            "unit": '"tCO2e/rai/year"',
            "confidence": '"official"',
            "note": '"test value"',
        }
    ]
    (tmp_path / "forest.toml").write_text(dataset_toml("forest-sheet", 1, factors), encoding="utf-8")
    table = calc.load_factors(extra_dir=tmp_path)
    assert "forest-sheet@1" in [d.ref for d in table.datasets]
    assert table.select(
        "forest.restoration.mangrove", date(2024, 6, 1), date(2024, 6, 30)
    ).factor.value == Decimal("1.5")


def test_identical_copy_in_extra_dir_is_loaded_once(tmp_path):
    shutil.copy(SHIPPED[0], tmp_path / "copy.toml")
    table = calc.load_factors(extra_dir=tmp_path)
    assert len(table.datasets) == len(SHIPPED)


def test_two_files_claiming_one_version_with_different_content_are_refused(tmp_path):
    factor = {"key": '"a.b"', "value": "1", "unit": '"kgCO2e/kg"', "confidence": '"official"'}
    (tmp_path / "a.toml").write_text(dataset_toml("sheet", 1, [factor]), encoding="utf-8")
    (tmp_path / "b.toml").write_text(dataset_toml("sheet", 1, [{**factor, "value": "2"}]), encoding="utf-8")
    with pytest.raises(FactorFileError) as caught:
        calc.load_factors(extra_dir=tmp_path)
    [problem] = caught.value.problems
    assert (problem.code, problem.file, problem.line) == ("conflicting_version", str(tmp_path / "b.toml"), 3)
    assert "a.toml" in problem.message


def test_missing_extra_dir_is_an_error(tmp_path):
    with pytest.raises(FactorFileError) as caught:
        calc.load_factors(extra_dir=tmp_path / "nowhere")
    assert [p.code for p in caught.value.problems] == ["missing_directory"]


def test_official_dataset_is_preferred_over_secondary(tmp_path):
    factors = [
        {
            "key": '"electricity.grid_th"',
            "value": "0.5",
            "unit": '"kgCO2e/kWh"',
            "confidence": '"official"',
            "valid_from": "2024-01-01",
            "valid_to": "2024-12-31",
        }
    ]
    (tmp_path / "less.toml").write_text(
        dataset_toml("tgo-less-2024", 1, factors, published="2024-01-15"), encoding="utf-8"
    )
    table = calc.load_factors(extra_dir=tmp_path)
    in_2024 = table.select("electricity.grid_th", date(2024, 6, 1), date(2024, 6, 30)).factor
    in_2025 = table.select("electricity.grid_th", date(2025, 6, 1), date(2025, 6, 30)).factor
    assert (in_2024.ref, in_2024.value) == ("tgo-less-2024@1", Decimal("0.5"))
    assert (in_2025.ref, in_2025.value) == ("tgo-cfo-2022@1", Decimal("0.4999"))
