"""The skill taxonomy: its record types and loading it from the bundled package data or a
replacement file in any accepted format. Read by the skills stage (transforms/skills.py),
once per worker, before extraction starts.
"""
from __future__ import annotations

import csv
import fnmatch
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Iterable, Mapping, Optional

import yaml

BUNDLED_PACKAGE = "transforms.taxonomy"
BUNDLED_MANIFEST = "taxonomy.yaml"
CSV_HEADER = ("id", "name", "category", "aliases", "match", "esco_uri", "onet_code")
MATCH_MODES = ("default", "case", "context")
CATEGORIES = (
    "programming_language", "framework_library", "data_ml", "cloud_devops", "database",
    "software_tool", "software_engineering", "security", "networking_hardware",
    "business_management", "finance_accounting", "sales_marketing", "customer_service",
    "human_resources", "legal_compliance", "healthcare_clinical", "engineering",
    "trades_construction", "manufacturing", "logistics_supply_chain", "education_training",
    "science_research", "design_creative", "hospitality_food", "public_sector_social",
    "spoken_language", "certification", "soft_skill",
)
TECH_CATEGORIES = frozenset(CATEGORIES[:9])
SKILL_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9+#.-]*$")

# Ordinary English words that are also skill names. Imported taxonomies (ESCO, plain label
# lists) carry no match column, so their single-word forms in this set get the context guard.
AMBIGUOUS_WORDS = frozenset((
    "go", "r", "c", "d", "swift", "rust", "spark", "beam", "excel", "java", "scala", "ruby",
    "unity", "shell", "make", "chef", "puppet", "access", "word", "sales", "salt", "dart",
    "julia", "elm", "crystal", "pig", "hive", "flask", "bottle", "express", "ember", "meteor",
    "backbone", "spring", "rails", "storm", "flink", "airflow", "prefect", "luigi", "jest",
    "mocha", "jasmine", "cypress", "karma", "gradle", "maven", "ant", "vault", "consul",
    "nomad", "packer", "helm", "istio", "envoy", "kafka", "redis", "mongo", "oracle", "teams",
    "outlook", "project", "visio", "publisher", "keynote", "pages", "numbers", "slack",
    "zoom", "box", "jira", "asana", "monday", "notion", "figma", "sketch", "canva", "perl",
    "lisp", "logo", "basic", "pascal", "ada", "ml", "processing", "scratch", "prolog", "smalltalk",
))


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be read as any supported format."""


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    match: str  # default | case | context (see transforms/taxonomy/README.md)
    esco_uri: Optional[str]
    onet_code: Optional[str]


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: str
    skills: Mapping[str, Skill]  # by id


def load_taxonomy(path: Optional[str] = None) -> Taxonomy:
    """The bundled taxonomy (path None) or a replacement, recognised by content: a taxonomy
    manifest or skill list in YAML, a CSV in the bundled format, an ESCO skills CSV export
    (conceptUri, preferredLabel, altLabels, skillType), or one skill label per line."""
    if path is None:
        folder = resources.files(BUNDLED_PACKAGE)
        return _load_manifest(folder.joinpath(BUNDLED_MANIFEST).read_text("utf-8"),
                              lambda name: folder.joinpath(name).read_text("utf-8"),
                              [entry.name for entry in folder.iterdir()])
    text = _read_text(path)
    parent = str(PurePosixPath(path).parent) if "://" not in path else path.rsplit("/", 1)[0]
    return parse_taxonomy(text, source_name=path, sibling_reader=lambda name: _read_text(
        f"{parent}/{name}"), sibling_lister=lambda: _list_siblings(parent))


def parse_taxonomy(text: str, source_name: str = "taxonomy", sibling_reader=None,
                   sibling_lister=None) -> Taxonomy:
    """A taxonomy from the text of one file; the format is decided by content, not name."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    header = {cell.strip().lower() for cell in first_line.split(",")}
    label = _base_name(source_name)
    if {"conceptUri".lower(), "preferredLabel".lower()} <= header:
        return Taxonomy(label, "esco", _skills_by_id(_esco_rows(text), renumber=True))
    if {"id", "name"} <= header:
        return Taxonomy(label, "unversioned", _skills_by_id(_csv_rows(text, source_name)))
    document = _yaml_document(text)
    if isinstance(document, dict) and "files" in document:
        if sibling_reader is None:
            raise TaxonomyError(f"{source_name}: a manifest needs its CSV files beside it")
        return _load_manifest(text, sibling_reader, sibling_lister() if sibling_lister else [])
    if isinstance(document, dict) and "skills" in document:
        return Taxonomy(str(document.get("name", label)), str(document.get("version", "unversioned")),
                        _skills_by_id(_yaml_rows(document["skills"], source_name)))
    if isinstance(document, list) and document and all(isinstance(entry, dict) for entry in document):
        return Taxonomy(label, "unversioned", _skills_by_id(_yaml_rows(document, source_name)))
    return Taxonomy(label, "unversioned", _skills_by_id(_label_rows(text), renumber=True))


def taxonomy_summary(taxonomy: Taxonomy) -> dict:
    """The taxonomy's identity for summary.json."""
    return {"name": taxonomy.name, "version": taxonomy.version, "size": len(taxonomy.skills)}


def skill_slug(label: str) -> str:
    """A stable id from a label: "Python (computer programming)" -> python-computer-programming."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9+#.]+", "-", ascii_label).strip("-.")
    return slug or "skill"


def _read_text(path: str) -> str:
    from apache_beam.io.filesystems import FileSystems  # gs:// and local alike

    try:
        with FileSystems.open(path) as handle:
            return handle.read().decode("utf-8-sig")
    except (OSError, IOError) as error:
        raise TaxonomyError(f"cannot read taxonomy {path}: {error}") from error
    except Exception as error:  # FileSystems wraps missing files in BeamIOError
        if type(error).__name__ == "BeamIOError":
            raise TaxonomyError(f"cannot read taxonomy {path}: {error}") from error
        raise


def _list_siblings(folder: str) -> list[str]:
    from apache_beam.io.filesystems import FileSystems

    matched = FileSystems.match([f"{folder}/*"])[0].metadata_list
    return [metadata.path.rsplit("/", 1)[-1] for metadata in matched]


def _base_name(source_name: str) -> str:
    return source_name.rstrip("/").rsplit("/", 1)[-1]


def _yaml_document(text: str):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None  # not YAML: one label per line


def _load_manifest(text: str, read_sibling, sibling_names: Iterable[str]) -> Taxonomy:
    manifest = yaml.safe_load(text)
    rows: list[Skill] = []
    for entry in manifest["files"]:
        # An entry may be a glob so files added by another maintainer are picked up.
        names = sorted(fnmatch.filter(sibling_names, entry)) if any(
            char in entry for char in "*?[") else [entry]
        for name in names:
            rows.extend(_csv_rows(read_sibling(name), name))
    return Taxonomy(str(manifest["name"]), str(manifest["version"]), _skills_by_id(rows))


def _split_aliases(value) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value if isinstance(value, list) else re.split(r"[|\n]", str(value))
    return tuple(dict.fromkeys(part.strip() for part in parts if str(part).strip()))


def _make_skill(source_name: str, line: int, row: Mapping) -> Skill:
    skill_id = (row.get("id") or "").strip()
    name = (row.get("name") or "").strip()
    match = (row.get("match") or "default").strip() or "default"
    if not skill_id or not name:
        raise TaxonomyError(f"{source_name}:{line}: id and name are required")
    if match not in MATCH_MODES:
        raise TaxonomyError(f"{source_name}:{line}: match {match!r} not one of {MATCH_MODES}")
    return Skill(
        id=skill_id, name=name, category=(row.get("category") or "uncategorized").strip(),
        aliases=tuple(alias for alias in _split_aliases(row.get("aliases")) if alias != name),
        match=match, esco_uri=(row.get("esco_uri") or "").strip() or None,
        onet_code=(str(row.get("onet_code") or "")).strip() or None)


def _csv_rows(text: str, source_name: str) -> list[Skill]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [_make_skill(source_name, line, row) for line, row in enumerate(reader, start=2)]


def _yaml_rows(entries: list, source_name: str) -> list[Skill]:
    return [_make_skill(source_name, index, entry) for index, entry in enumerate(entries)]


def _esco_rows(text: str) -> list[Skill]:
    rows = []
    for record in csv.DictReader(io.StringIO(text)):
        label = (record.get("preferredLabel") or "").strip()
        if not label:
            continue
        aliases = tuple(dict.fromkeys(
            _split_aliases(record.get("altLabels")) + _qualifier_free(label)))
        skill_type = (record.get("skillType") or "").strip().replace("/", "_") or "esco"
        rows.append(_imported_skill(label, aliases, skill_type,
                                    (record.get("conceptUri") or "").strip() or None))
    return rows


def _label_rows(text: str) -> list[Skill]:
    labels = dict.fromkeys(line.strip() for line in text.splitlines() if line.strip())
    return [_imported_skill(label, _qualifier_free(label), "uncategorized", None)
            for label in labels]


def _qualifier_free(label: str) -> tuple[str, ...]:
    # ESCO disambiguates with a qualifier: "Java (computer programming)" is written "Java".
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip()
    return (bare,) if bare and bare != label else ()


def _imported_skill(label: str, aliases: tuple[str, ...], category: str,
                    esco_uri: Optional[str]) -> Skill:
    forms = (label,) + aliases
    guarded = any(form.lower() in AMBIGUOUS_WORDS or len(form) <= 2 for form in forms)
    return Skill(id=skill_slug(label), name=label, category=category,
                 aliases=tuple(alias for alias in aliases if alias != label),
                 match="context" if guarded else "default", esco_uri=esco_uri, onet_code=None)


def _skills_by_id(rows: Iterable[Skill], renumber: bool = False) -> dict[str, Skill]:
    """Skills keyed by id. Imported labels whose slugs collide get -2, -3... in file order
    (renumber); in a curated file a repeated id is an error."""
    skills: dict[str, Skill] = {}
    for skill in rows:
        if skill.id in skills:
            if not renumber:
                raise TaxonomyError(f"duplicate skill id {skill.id!r}")
            suffix = 2
            while f"{skill.id}-{suffix}" in skills:
                suffix += 1
            skill = Skill(f"{skill.id}-{suffix}", skill.name, skill.category, skill.aliases,
                          skill.match, skill.esco_uri, skill.onet_code)
        skills[skill.id] = skill
    return skills
