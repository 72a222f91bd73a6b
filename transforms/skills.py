"""Skill taxonomy loading and skill extraction: the skills stage of the flow
(read -> parse -> location -> seniority -> skills -> dedupe -> aggregate).

One Aho-Corasick automaton per worker finds every alias in a posting in one pass; the few
aliases that are ordinary words ("Go", "Spark", "Excel") must also pass a case/context guard.
"""
from __future__ import annotations

import csv
import fnmatch
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Iterable, Mapping, NamedTuple, Optional

import ahocorasick
import apache_beam as beam
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


class SkillMatch(NamedTuple):
    skill_id: str
    name: str
    category: str
    start: int  # character offsets into the text given to extract()
    end: int
    surface: str


# ---------------------------------------------------------------------------------------
# Loading


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


# ---------------------------------------------------------------------------------------
# Extraction

# Text is matched folded: lowercase ASCII with punctuation turned into spaces, one character
# for one so offsets stay valid. "+", "#" and "." stay because they are part of names (C++,
# C#, .NET, Node.js); "-" and "/" fold, so "scikit-learn" = "scikit learn", "CI/CD" = "CI CD".
# Aliases are folded the same way, so both sides agree whatever the spelling.
_KEPT_PUNCTUATION = "+#."
_ASCII_FOLD = "".join(
    char.lower() if char.isalnum() or char in _KEPT_PUNCTUATION else " "
    for char in map(chr, range(128)))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LOOSE_DOT = re.compile(r"\.(?![a-z0-9])")


@functools.lru_cache(maxsize=None)
def _fold_character(char: str) -> str:
    """One ASCII character for a non-ASCII one: é -> e, ß -> s, curly quote -> space."""
    if unicodedata.category(char)[0] in "PZSC" or char in "\u200b\ufeff":
        return " "
    base = unicodedata.normalize("NFKD", char)[0]
    if base.isascii():
        return base if base.isalnum() else " "
    return "x" if char.isalnum() else " "  # a letter of another script stays a letter


def _fold_match(found: re.Match) -> str:
    return _fold_character(found.group())


def fold_text(text: str) -> str:
    """Lowercase ASCII with punctuation folded to spaces; same length, so same offsets.
    A "." stays only inside a token (Node.js, .NET), not at a sentence's end."""
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_match, text)
    folded = text.translate(_ASCII_FOLD)
    return _LOOSE_DOT.sub(" ", folded) if "." in folded else folded


def _fold_alias(alias: str) -> str:
    return " ".join(fold_text(alias).split())


# Sentences that are boilerplate, not the job: equal-opportunity statements and benefits.
BOILERPLATE_CUES = (
    "equal opportunity", "equal employment opportunity", "affirmative action",
    "without regard to race", "regardless of race", "without regard to their race",
    "sexual orientation", "gender identity", "protected veteran", "veteran status",
    "reasonable accommodation", "e verify", "drug free workplace", "we offer you",
    "what we offer", "our benefits", "benefits package", "benefits include",
    "401 k", "401k", "paid time off", "medical dental", "dental and vision", "dental vision",
    "parental leave", "tuition reimbursement", "employee assistance program",
    "gym membership", "wellness program", "pension scheme", "stock options", "life insurance",
    "competitive salary", "competitive compensation", "privacy policy", "terms of service",
)
# Headings that open a boilerplate section: masked from the heading on, never before it.
SECTION_CUES = (
    "job benefits", "company description", "we offer", "our offer", "perks include",
    "about the company", "about us", "what we offer", "benefits include",
)


class _Form(NamedTuple):
    skill: Skill
    guard: str  # default | case | context, after deciding which forms are ambiguous
    exact: frozenset  # the written forms that count when case matters


_BOILERPLATE = "boilerplate"
_SECTION = "section"
_CONTEXT_WINDOW = 80
_BOILERPLATE_REACH = 160
_CUE_WINDOW = 60
_CONTEXT_CUES = {
    "programming_language": r"program\w*|languages?|cod(?:e|ing)|scripts?|scripting|"
                            r"developers?|development|software|engineer\w*|stack|backend|"
                            r"back-end|frontend|front-end|libraries|frameworks?|apis?",
    "framework_library": r"frameworks?|librar\w+|developers?|development|engine|software|"
                         r"engineer\w*|stack|sdk|apis?|apps?|applications?|games?",
    "data_ml": r"data|pipelines?|streaming|clusters?|distributed|processing|batch|"
               r"big data|etl|jobs?|sql",
    "cloud_devops": r"configuration management|devops|infrastructure|automation|"
                    r"deployments?|provisioning|cookbooks?|manifests?|servers?|ci|cd",
    "database": r"databases?|queries|query|sql|schemas?|tables?|data",
    "software_tool": r"microsoft|ms office|office|spreadsheets?|pivot|vlookup|macros?|"
                     r"formulas?|documents?|databases?|software|tools?|applications?|"
                     r"powerpoint|outlook|proficien\w+",
    "software_engineering": r"software|build|compil\w+|makefiles?|tooling|scripts?|unix|linux",
    "spoken_language": r"fluen\w*|speak\w*|spoken|written|writing|verbal|oral|languages?|"
                       r"proficien\w*|native|bilingual|mother tongue|skills?|knowledge|"
                       r"level|communicat\w*|read\w*|english|german|french|spanish",
}
_GENERIC_CUES = r"programming|software|developers?|coding|scripting|frameworks?|sdk"
_CUE_PATTERNS = {category: re.compile(rf"\b(?:{cues}|{_GENERIC_CUES})\b", re.IGNORECASE)
                 for category, cues in _CONTEXT_CUES.items()}
_GENERIC_CUE_PATTERN = re.compile(rf"\b(?:{_GENERIC_CUES})\b", re.IGNORECASE)
# Idioms in which an ambiguous word is not the skill, whatever the context says.
_NOT_SKILL_AFTER = {
    "excel": re.compile(r"\s+(?:at|in|as|when|and thrive)\b"),
    "make": re.compile(r"\s+(?:sure|a|an|the|it|decisions?|recommendations?|us|your|our)\b"),
    "go": re.compile(r"\s+(?:to|beyond|above|further|live|ahead|the extra)\b"),
    "access": re.compile(r"\s+(?:to|the|our|your|control)\b"),
    "word": re.compile(r"\s+(?:of mouth|for word)\b"),
    "java": re.compile(r"\s+(?:sea|island|coffee)\b|,\s+indonesia", re.IGNORECASE),
    "shell": re.compile(r"\s+(?:oil|plc|energy|gas|company|station)\b", re.IGNORECASE),
}
_NOT_SKILL_BEFORE = {
    "java": re.compile(r"\b(?:island of|central|east|west)\s+$", re.IGNORECASE),
    "c": re.compile(r"\b(?:vitamin|grade|class|level|category|plan|section|part|type|"
                    r"schedule|annex|appendix|tier|hepatitis)\s+$", re.IGNORECASE),
    "r": re.compile(r"\b(?:grade|class|section|part|type|schedule|annex|appendix|"
                    r"mr|dr)\.?\s+$", re.IGNORECASE),
    "shell": re.compile(r"\b(?:royal dutch)\s+$", re.IGNORECASE),
}


def form_guard(match: str, form: str) -> str:
    """How one written form of a skill must be matched: default, case or context.

    Guards apply to single words ("Spark", "Go"), never to phrases ("Apache Spark"); a single
    letter always needs context; an acronym written in capitals ("REST", "ML", "CAD") only
    counts in capitals, so the words "rest", "ml" (millilitres) and "cad" do not.
    """
    if len(form) == 1:
        return "context"
    if match != "default" and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", form):
        return match
    if re.fullmatch(r"[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*", form):
        return "case"
    return "default"


class SkillExtractor:
    """Finds taxonomy skills in posting text; build once per worker (see get_extractor)."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._automaton = ahocorasick.Automaton()
        claimed: dict[str, list] = {}
        for skill in taxonomy.skills.values():
            for key, form in self._skill_forms(skill).items():
                # Several skills may share a surface ("Poetry" the Python tool, "poetry" the
                # craft): guarded forms are tried first, then the first unguarded one wins.
                claimants = claimed.setdefault(" " + key, [])
                if form.guard != "default" or not any(
                        other.guard == "default" for other in claimants):
                    claimants.append(form)
        for key, claimants in claimed.items():
            claimants.sort(key=lambda form: form.guard == "default")
            self._automaton.add_word(key + " ", (len(key) + 1, tuple(claimants)))
        for cue in BOILERPLATE_CUES:
            key = " " + _fold_alias(cue) + " "
            self._automaton.add_word(key, (len(key), _BOILERPLATE))
        for cue in SECTION_CUES:
            key = " " + _fold_alias(cue) + " "
            self._automaton.add_word(key, (len(key), _SECTION))
        self._automaton.make_automaton()

    @staticmethod
    def _skill_forms(skill: Skill) -> dict[str, _Form]:
        """The skill's surface forms by folded key. A key is guarded only when every form
        behind it is: "Jira" keeps "JIRA" unguarded, while "REST" alone stays exact-case."""
        by_key: dict[str, list] = {}
        for form in (skill.name,) + skill.aliases:
            folded = _fold_alias(form)
            if folded.strip(_KEPT_PUNCTUATION + " "):
                by_key.setdefault(folded, []).append((form, form_guard(skill.match, form)))
        forms = {}
        for key, written in by_key.items():
            guards = {guard for _, guard in written}
            if "default" in guards:
                forms[key] = _Form(skill, "default", frozenset())
            else:
                guard = "context" if "context" in guards else "case"
                forms[key] = _Form(skill, guard, frozenset(form for form, _ in written))
        return forms

    def extract(self, text: str) -> list[SkillMatch]:
        """Skills asked for in `text`, one match per skill in order of first occurrence."""
        chosen = self._leftmost_longest(text)
        matches: list[SkillMatch] = []
        seen: set = set()
        anchors = None
        for start, end, claimants in chosen:
            form = claimants[0]
            if form.guard != "default":
                if anchors is None:  # built only for the few postings with a guarded word
                    anchors = _anchors(text, chosen)
                surface = text[start:end]
                for form in claimants:
                    if form.guard == "default" or self._guard_passes(
                            text, start, end, surface, form, anchors):
                        break
                else:
                    continue
            skill = form.skill
            if skill.id not in seen:
                seen.add(skill.id)
                matches.append(SkillMatch(skill.id, skill.name, skill.category, start, end,
                                          text[start:end]))
        return matches

    def explain(self, text: str) -> list[str]:
        """Evidence strings "skill_id@start-end:surface" for the debug output."""
        return [f"{match.skill_id}@{match.start}-{match.end}:{match.surface}"
                for match in self.extract(text)]

    def _leftmost_longest(self, text: str) -> list[tuple]:
        """Whole-word hits as (start, end, claimants), longest first where they overlap,
        outside boilerplate sentences."""
        hits = []
        boilerplate = []
        # Keys carry a space on both sides, so every automaton hit is a whole-word match;
        # the leading space's index in the padded text is the word's offset in `text`.
        for end, (length, claimants) in self._automaton.iter(" " + fold_text(text) + " "):
            if claimants is _BOILERPLATE:
                boilerplate.append(_sentence_bounds(text, end - length + 1, end - 1))
            elif claimants is _SECTION:
                left, right = _sentence_bounds(text, end - length + 1, end - 1)
                boilerplate.append((end - length + 1, right))
            else:
                hits.append((end - length + 1, 1 - end, claimants))
        hits.sort(key=_by_start_then_longest)
        chosen = []
        last_end = -1
        for start, negative_end, claimants in hits:
            if start >= last_end:
                last_end = -negative_end
                if not boilerplate or not any(
                        left <= start < right for left, right in boilerplate):
                    chosen.append((start, last_end, claimants))
        return chosen

    @staticmethod
    def _guard_passes(text: str, start: int, end: int, surface: str, form: _Form,
                      anchors: list) -> bool:
        if surface not in form.exact:
            return False
        if end < len(text) - 1 and text[end] in "-&'." and text[end + 1].isalnum():
            return False  # "Go-to-market", "C-suite", "R&D", "R's", "C.V."
        if len(surface) == 1 and start > 0 and text[start - 1] in ".-&'":
            return False  # "Vitamin-C", "A.C.", "Q&A"
        lowered = surface.lower()
        after = _NOT_SKILL_AFTER.get(lowered)
        if after is not None and after.match(text, end):
            return False
        before = _NOT_SKILL_BEFORE.get(lowered)
        if before is not None and before.search(text, max(0, start - 30), start):
            return False
        if form.guard == "case":
            return True
        # Technology vouches for technology and a category for itself, but office software
        # only for office software: "lab testing ... Excel" is not software QA.
        category = form.skill.category
        for anchor_start, anchor_end, anchor_category in anchors:
            if anchor_start == start:
                continue
            if anchor_category != category and (
                    anchor_category not in TECH_CATEGORIES or category not in TECH_CATEGORIES
                    or anchor_category == "software_tool"):
                continue
            if anchor_end >= start - _CONTEXT_WINDOW and anchor_start <= end + _CONTEXT_WINDOW:
                if "\n" not in text[min(anchor_end, start):max(anchor_start, end)]:
                    return True
        cues = _CUE_PATTERNS.get(form.skill.category, _GENERIC_CUE_PATTERN)
        window_start = max(0, start - _CUE_WINDOW)
        window = text[window_start:start] + " " + text[end:end + _CUE_WINDOW]
        return cues.search(window) is not None


def _anchors(text: str, chosen: list) -> list[tuple[int, int, str]]:
    """Skill spans that may give a guarded word its context, including guarded ones written
    exactly ("Java, Scala or Go" and "English and German" vouch for each other)."""
    anchors = []
    for start, end, claimants in chosen:
        for form in claimants:
            if form.guard == "default" or text[start:end] in form.exact:
                anchors.append((start, end, form.skill.category))
                break
    return anchors


def _by_start_then_longest(hit: tuple) -> tuple:
    return hit[0], hit[1]


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence or line around a boilerplate cue, to be left out of extraction; at most
    a few hundred characters either side, since scraped text often lacks full stops."""
    floor = max(0, start - _BOILERPLATE_REACH)
    left = max(text.rfind("\n", floor, start), text.rfind(". ", floor, start), floor - 1) + 1
    ceiling = min(len(text), end + _BOILERPLATE_REACH)
    right_candidates = [position for position in (text.find("\n", end, ceiling),
                                                   text.find(". ", end, ceiling))
                        if position != -1]
    return left, (min(right_candidates) + 1) if right_candidates else ceiling


@functools.lru_cache(maxsize=4)
def get_extractor(path: Optional[str] = None) -> SkillExtractor:
    """The extractor for a taxonomy, built once per process (that is, per Beam worker)."""
    return SkillExtractor(load_taxonomy(path))


# ---------------------------------------------------------------------------------------
# Beam composite


class _ExtractSkillsFn(beam.DoFn):
    def __init__(self, taxonomy_path: Optional[str], debug: bool):
        self._taxonomy_path = taxonomy_path
        self._debug = debug
        self._extractor: Optional[SkillExtractor] = None
        self._without_skills = beam.metrics.Metrics.counter("skills", "postings_without_skills")

    def setup(self):
        self._extractor = get_extractor(self._taxonomy_path)

    def process(self, posting: dict):
        text = (posting.get("title") or "") + "\n" + (posting.get("description") or "")
        matches = self._extractor.extract(text)
        if not matches:
            self._without_skills.inc()
        enriched = dict(posting)
        enriched["skills"] = [match.skill_id for match in matches]
        enriched["skill_names"] = [match.name for match in matches]
        enriched["skill_categories"] = [match.category for match in matches]
        if self._debug:
            enriched["skill_evidence"] = [
                f"{match.skill_id}@{match.start}-{match.end}:{match.surface}"
                for match in matches]
        yield enriched


class ExtractSkills(beam.PTransform):
    """Adds skills, skill_names and skill_categories (and skill_evidence in debug mode)."""

    def __init__(self, taxonomy_path: Optional[str] = None, debug: bool = False):
        super().__init__()
        # Fail at construction, before the graph runs, when the taxonomy is unusable.
        load_taxonomy(taxonomy_path)
        self._taxonomy_path = taxonomy_path
        self._debug = debug

    def expand(self, postings):
        return postings | "ExtractSkillMentions" >> beam.ParDo(
            _ExtractSkillsFn(self._taxonomy_path, self._debug))
