"""Validity of the bundled taxonomy files (transforms/taxonomy/*.csv): header, ids, categories,
match modes, aliases, the manifest, and the size promised by the issue (>= 2,500 skills once
both the technology and non-technology parts are present)."""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from transforms.skills import _fold_alias
from transforms.taxonomy_loader import CATEGORIES, CSV_HEADER, MATCH_MODES, load_taxonomy

TAXONOMY_DIR = Path(__file__).resolve().parents[1] / "transforms" / "taxonomy"
CSV_FILES = sorted(TAXONOMY_DIR.glob("*.csv"))
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9+#.-]*$")
ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|occupation)/[0-9a-f-]{36}$")


def rows_of(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda path: path.name)
def test_every_row_is_valid(path):
    with open(path, encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == CSV_HEADER
    for line, row in enumerate(rows_of(path), start=2):
        where = f"{path.name}:{line}"
        assert ID_PATTERN.match(row["id"]), where
        assert row["name"].strip() == row["name"] and row["name"], where
        assert row["category"] in CATEGORIES, where
        assert row["match"] in MATCH_MODES, where
        aliases = row["aliases"].split("|") if row["aliases"] else []
        assert all(alias.strip() == alias and alias for alias in aliases), where
        assert row["name"] not in aliases, where
        assert not row["esco_uri"] or ESCO_URI.match(row["esco_uri"]), where
        if row["id"].startswith("cert-"):
            assert row["category"] == "certification", where


def test_technology_files_keep_to_technology_categories():
    technology = set(CATEGORIES[:9])
    for path in TAXONOMY_DIR.glob("tech_*.csv"):
        assert {row["category"] for row in rows_of(path)} <= technology, path.name
    assert sum(len(rows_of(path)) for path in TAXONOMY_DIR.glob("tech_*.csv")) >= 1300


def test_ids_unique_across_all_files():
    counts = Counter(row["id"] for path in CSV_FILES for row in rows_of(path))
    assert [skill_id for skill_id, count in counts.items() if count > 1] == []


def test_every_surface_form_belongs_to_one_skill():
    """Forms are compared folded, as the extractor matches them ("ISO 13485" = "ISO-13485"):
    a form claimed by two skills would count for whichever file is read first."""
    owners: dict[str, set] = {}
    for skill in load_taxonomy().skills.values():
        for form in (skill.name,) + skill.aliases:
            owners.setdefault(_fold_alias(form), set()).add(skill.id)
    assert {form: skills for form, skills in owners.items() if len(skills) > 1} == {}


def test_manifest_lists_every_file():
    manifest = yaml.safe_load((TAXONOMY_DIR / "taxonomy.yaml").read_text(encoding="utf-8"))
    assert manifest["name"] == "posting-analytics-skills"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["changelog"][0]["version"] == manifest["version"]
    listed = set()
    for entry in manifest["files"]:
        matched = sorted(TAXONOMY_DIR.glob(entry))
        assert matched, entry
        listed.update(matched)
    assert listed == set(CSV_FILES)


def test_whole_market_size():
    taxonomy = load_taxonomy()
    categories = Counter(skill.category for skill in taxonomy.skills.values())
    print(f"taxonomy size {len(taxonomy.skills)}: {dict(sorted(categories.items()))}")
    assert len(taxonomy.skills) >= 2500
    assert set(categories) == set(CATEGORIES)
