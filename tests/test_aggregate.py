"""Skill-demand aggregation: region placement, period keys, ranks and quotients, and the
hand-computed fixture (12 postings, 3 countries, 2 quarters, 2 levels) asserted row by row."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.outputs import SKILL_DEMAND_SCHEMA
from transforms.aggregate import (
    AggregateSkillDemand, demand_count_keys, location_quotient, period_of,
    rank_skills, regions_of, scope_regions,
)

LONDON = {"city": "London", "admin1_code": "GB-ENG", "admin1_name": "England",
          "country_code": "GB", "country_name": "United Kingdom", "world_region": "Europe"}
BERLIN = {"city": "Berlin", "admin1_code": "DE-BE", "admin1_name": "Berlin",
          "country_code": "DE", "country_name": "Germany", "world_region": "Europe"}
UK = {"city": None, "admin1_code": None, "admin1_name": None, "country_code": "GB",
      "country_name": "United Kingdom", "world_region": "Europe"}
GERMANY = {**UK, "country_code": "DE", "country_name": "Germany"}
USA = {**UK, "country_code": "US", "country_name": "United States",
       "world_region": "North America"}
NOWHERE = {key: None for key in LONDON}

SKILLS = {"python": ("Python", "programming_language"), "sql": ("SQL", "database"),
          "excel": ("Microsoft Excel", "office_software")}


def posting(posting_id, posted, place, seniority, skills, locations=None, remote_scope=None):
    return {
        "posting_id": posting_id, "title": "Data Analyst", "posted_date": posted, **place,
        "locations": [place] if locations is None and place["country_code"] else (locations or []),
        "work_arrangement": "remote" if remote_scope else "onsite", "remote_scope": remote_scope,
        "seniority": seniority, "skills": list(skills),
        "skill_names": [SKILLS[s][0] for s in skills],
        "skill_categories": [SKILLS[s][1] for s in skills],
    }


@pytest.mark.parametrize("posted, period, expected", [
    (dt.date(2025, 11, 3), "month", "2025-11"),
    (dt.date(2025, 1, 31), "month", "2025-01"),
    (dt.date(2025, 10, 1), "quarter", "2025-Q4"),
    (dt.date(2025, 9, 30), "quarter", "2025-Q3"),
    (dt.date(2025, 3, 31), "quarter", "2025-Q1"),
    (dt.date(2024, 12, 31), "year", "2024"),
    (dt.date(2024, 12, 31), "all", "all"),
    (None, "month", "undated"),
    (None, "year", "undated"),
    (None, "all", "all"),
])
def test_period_of(posted, period, expected):
    assert period_of(posted, period) == expected


EUROPE = ("world_region", "Europe", "Europe")
WORLD = ("world", "world", "World")


@pytest.mark.parametrize("row, expected", [
    # London, England: every level down to the city.
    ({**LONDON, "locations": [LONDON]},
     [WORLD, EUROPE, ("country", "GB", "United Kingdom"), ("admin1", "GB-ENG", "England"),
      ("city", "GB-ENG:London", "London")]),
    # Multi-location inside one country: England and Europe once, two cities.
    ({**LONDON, "locations": [LONDON, {**LONDON, "city": "Manchester"}]},
     [WORLD, EUROPE, ("country", "GB", "United Kingdom"), ("admin1", "GB-ENG", "England"),
      ("city", "GB-ENG:London", "London"), ("city", "GB-ENG:Manchester", "Manchester")]),
    # `locations` empty but the primary fields set: the primary place counts.
    ({**USA, "locations": []},
     [WORLD, ("world_region", "North America", "North America"),
      ("country", "US", "United States")]),
    # A gazetteer admin1 without an ISO code, and a city without admin1.
    ({**NOWHERE, "locations": [{**NOWHERE, "country_code": "IE", "country_name": "Ireland",
                                "admin1_name": "Leinster", "world_region": "Europe"},
                               {**NOWHERE, "country_code": "SG", "country_name": "Singapore",
                                "city": "Singapore", "world_region": "Asia"}]},
     [WORLD, EUROPE, ("country", "IE", "Ireland"), ("admin1", "IE:Leinster", "Leinster"),
      ("world_region", "Asia", "Asia"), ("country", "SG", "Singapore"),
      ("city", "SG:Singapore", "Singapore")]),
    # "Remote - US": no place, scope US.
    ({**NOWHERE, "locations": [], "remote_scope": "US"},
     [WORLD, ("world_region", "North America", "North America"),
      ("country", "US", "United States")]),
    # Berlin office or remote anywhere in Europe: Europe counted once.
    ({**BERLIN, "locations": [BERLIN], "remote_scope": "Europe"},
     [WORLD, EUROPE, ("country", "DE", "Germany"), ("admin1", "DE-BE", "Berlin"),
      ("city", "DE-BE:Berlin", "Berlin")]),
    ({**NOWHERE, "locations": [], "remote_scope": "Worldwide"}, [WORLD]),
    ({**NOWHERE, "locations": [], "remote_scope": "EMEA"}, [WORLD]),
    ({**NOWHERE, "locations": []}, [WORLD]),
])
def test_regions_of(row, expected):
    assert regions_of(row) == expected


@pytest.mark.parametrize("scope, expected", [
    ("Americas", [("world_region", "North America", "North America"),
                  ("world_region", "South America", "South America")]),
    ("APAC", [("world_region", "Asia", "Asia"), ("world_region", "Oceania", "Oceania")]),
    ("de", [EUROPE, ("country", "DE", "Germany")]),
    ("europe", [EUROPE]),
    ("", []),
    (None, []),
])
def test_scope_regions(scope, expected):
    assert scope_regions(scope) == expected


def test_demand_count_keys_counts_a_repeated_skill_once():
    row = posting("x", dt.date(2025, 11, 5), USA, "senior", ["sql", "python"])
    row = {**row, "skills": ["sql", "python", "sql"], "skill_names": ["SQL", "Python", "SQL"],
           "skill_categories": ["database", "programming_language", "database"]}
    keys = list(demand_count_keys(row, "month"))
    assert keys[:6] == [
        ("2025-11", "world", "world", "all", ""), ("2025-11", "world", "world", "all", "sql"),
        ("2025-11", "world", "world", "all", "python"),
        ("2025-11", "world", "world", "senior", ""),
        ("2025-11", "world", "world", "senior", "sql"),
        ("2025-11", "world", "world", "senior", "python"),
    ]
    assert len(keys) == 3 * 2 * 3  # World, North America, US x all, senior x total + 2 skills


def test_rank_skills_breaks_ties_by_skill_id():
    assert rank_skills([("sql", 2), ("excel", 2), ("python", 3), ("git", 1)]) == [
        ("python", 3, 1), ("excel", 2, 2), ("sql", 2, 3), ("git", 1, 4)]


def test_location_quotient_rounds_once():
    assert location_quotient(3, 5, 4, 6) == 0.9  # (3/5) / (4/6)
    assert location_quotient(2, 3, 2, 6) == 2.0


def test_constructor_validates():
    with pytest.raises(ValueError, match="period 'week'"):
        AggregateSkillDemand(period="week")
    with pytest.raises(ValueError, match="min_postings"):
        AggregateSkillDemand(period="month", min_postings=0)


# The hand-computed fixture. Skills: python, sql, excel. With min_postings=3, slices of one
# or two postings disappear (World junior Q4, every Germany slice, US in Q4, ...).
FIXTURE = [
    posting("p01", dt.date(2025, 7, 15), LONDON, "senior", ["python", "sql"]),
    posting("p02", dt.date(2025, 8, 3), UK, "junior", ["sql"]),
    posting("p03", dt.date(2025, 9, 10), GERMANY, "senior", ["python"]),
    posting("p04", dt.date(2025, 7, 1), USA, "junior", ["excel", "sql"]),
    posting("p05", dt.date(2025, 8, 20), USA, "senior", ["python", "sql"]),
    posting("p06", dt.date(2025, 9, 30), USA, "junior", ["excel"]),
    posting("p07", dt.date(2025, 10, 1), LONDON, "senior", ["python"]),
    posting("p08", dt.date(2025, 11, 11), LONDON, "junior", ["python", "sql"]),
    posting("p09", dt.date(2025, 12, 31), LONDON, "senior", ["sql", "excel"]),
    posting("p10", dt.date(2025, 10, 20), GERMANY, "junior", ["excel"]),
    posting("p11", dt.date(2025, 11, 5), GERMANY, "senior", ["python", "sql"]),
    posting("p12", dt.date(2025, 12, 1), USA, "senior", ["python"]),
]

# (period, level, code, name, seniority, skill, postings, region_postings, share, rank, LQ)
# LQ = share / World share of the same period and seniority, worked out by hand:
# Q3 World all: python 3/6, sql 4/6, excel 2/6; junior: sql 2/3, excel 2/3; senior: python
# 3/3, sql 2/3. Q4 World all: python 4/6, sql 3/6, excel 2/6; senior: python 3/4, sql 2/4,
# excel 1/4.
NA = ("world_region", "North America", "North America")
EXPECTED_QUARTERS = [
    ("2025-Q3", *WORLD, "all", "sql", 4, 6, F(4, 6), 1, F(1)),
    ("2025-Q3", *WORLD, "all", "python", 3, 6, F(3, 6), 2, F(1)),
    ("2025-Q3", *WORLD, "all", "excel", 2, 6, F(2, 6), 3, F(1)),
    ("2025-Q3", *WORLD, "junior", "excel", 2, 3, F(2, 3), 1, F(1)),
    ("2025-Q3", *WORLD, "junior", "sql", 2, 3, F(2, 3), 2, F(1)),
    ("2025-Q3", *WORLD, "senior", "python", 3, 3, F(1), 1, F(1)),
    ("2025-Q3", *WORLD, "senior", "sql", 2, 3, F(2, 3), 2, F(1)),
    ("2025-Q3", *EUROPE, "all", "python", 2, 3, F(2, 3), 1, F(4, 3)),
    ("2025-Q3", *EUROPE, "all", "sql", 2, 3, F(2, 3), 2, F(1)),
    ("2025-Q3", *NA, "all", "excel", 2, 3, F(2, 3), 1, F(2)),
    ("2025-Q3", *NA, "all", "sql", 2, 3, F(2, 3), 2, F(1)),
    ("2025-Q3", *NA, "all", "python", 1, 3, F(1, 3), 3, F(2, 3)),
    ("2025-Q3", "country", "US", "United States", "all", "excel", 2, 3, F(2, 3), 1, F(2)),
    ("2025-Q3", "country", "US", "United States", "all", "sql", 2, 3, F(2, 3), 2, F(1)),
    ("2025-Q3", "country", "US", "United States", "all", "python", 1, 3, F(1, 3), 3, F(2, 3)),
    ("2025-Q4", *WORLD, "all", "python", 4, 6, F(4, 6), 1, F(1)),
    ("2025-Q4", *WORLD, "all", "sql", 3, 6, F(3, 6), 2, F(1)),
    ("2025-Q4", *WORLD, "all", "excel", 2, 6, F(2, 6), 3, F(1)),
    ("2025-Q4", *WORLD, "senior", "python", 3, 4, F(3, 4), 1, F(1)),
    ("2025-Q4", *WORLD, "senior", "sql", 2, 4, F(2, 4), 2, F(1)),
    ("2025-Q4", *WORLD, "senior", "excel", 1, 4, F(1, 4), 3, F(1)),
    ("2025-Q4", *EUROPE, "all", "python", 3, 5, F(3, 5), 1, F(9, 10)),
    ("2025-Q4", *EUROPE, "all", "sql", 3, 5, F(3, 5), 2, F(6, 5)),
    ("2025-Q4", *EUROPE, "all", "excel", 2, 5, F(2, 5), 3, F(6, 5)),
    ("2025-Q4", *EUROPE, "senior", "python", 2, 3, F(2, 3), 1, F(8, 9)),
    ("2025-Q4", *EUROPE, "senior", "sql", 2, 3, F(2, 3), 2, F(4, 3)),
    ("2025-Q4", *EUROPE, "senior", "excel", 1, 3, F(1, 3), 3, F(4, 3)),
    ("2025-Q4", "country", "GB", "United Kingdom", "all", "python", 2, 3, F(2, 3), 1, F(1)),
    ("2025-Q4", "country", "GB", "United Kingdom", "all", "sql", 2, 3, F(2, 3), 2, F(4, 3)),
    ("2025-Q4", "country", "GB", "United Kingdom", "all", "excel", 1, 3, F(1, 3), 3, F(1)),
    ("2025-Q4", "admin1", "GB-ENG", "England", "all", "python", 2, 3, F(2, 3), 1, F(1)),
    ("2025-Q4", "admin1", "GB-ENG", "England", "all", "sql", 2, 3, F(2, 3), 2, F(4, 3)),
    ("2025-Q4", "admin1", "GB-ENG", "England", "all", "excel", 1, 3, F(1, 3), 3, F(1)),
    ("2025-Q4", "city", "GB-ENG:London", "London", "all", "python", 2, 3, F(2, 3), 1, F(1)),
    ("2025-Q4", "city", "GB-ENG:London", "London", "all", "sql", 2, 3, F(2, 3), 2, F(4, 3)),
    ("2025-Q4", "city", "GB-ENG:London", "London", "all", "excel", 1, 3, F(1, 3), 3, F(1)),
]


def demand_rows(table):
    """Fractions become the floats the pipeline must produce exactly (one rounding each)."""
    rows = []
    for (period, level, code, name, seniority, skill, postings, region_postings, share, rank,
         quotient) in table:
        rows.append({
            "period": period, "region_level": level, "region_code": code, "region_name": name,
            "seniority": seniority, "skill_id": skill, "skill_name": SKILLS[skill][0],
            "skill_category": SKILLS[skill][1], "postings": postings,
            "region_postings": region_postings, "share": float(share), "rank": rank,
            "location_quotient": float(quotient),
        })
    return rows


def test_hand_computed_fixture_by_quarter():
    assert list(demand_rows(EXPECTED_QUARTERS)[0]) == SKILL_DEMAND_SCHEMA.names
    with TestPipeline() as pipeline:
        rows = (pipeline | "CreatePostings" >> beam.Create(FIXTURE)
                | AggregateSkillDemand(period="quarter", min_postings=3))
        assert_that(rows, equal_to(demand_rows(EXPECTED_QUARTERS)))


# Placement: remote "US" scope, a multi-location posting without a date, and a posting with
# no location, by year with no suppression.
PLACEMENT = [
    posting("r1", dt.date(2024, 5, 1), NOWHERE, "mid", ["python"], locations=[],
            remote_scope="US"),
    posting("r2", None, LONDON, "mid", ["python"], locations=[LONDON, BERLIN]),
    posting("r3", dt.date(2024, 6, 1), NOWHERE, "mid", ["sql"], locations=[]),
]
UNDATED_REGIONS = [
    WORLD, EUROPE, ("country", "GB", "United Kingdom"), ("admin1", "GB-ENG", "England"),
    ("city", "GB-ENG:London", "London"), ("country", "DE", "Germany"),
    ("admin1", "DE-BE", "Berlin"), ("city", "DE-BE:Berlin", "Berlin"),
]
EXPECTED_PLACEMENT = [
    row for seniority in ("all", "mid") for row in [
        ("2024", *WORLD, seniority, "python", 1, 2, F(1, 2), 1, F(1)),
        ("2024", *WORLD, seniority, "sql", 1, 2, F(1, 2), 2, F(1)),
        ("2024", *NA, seniority, "python", 1, 1, F(1), 1, F(2)),
        ("2024", "country", "US", "United States", seniority, "python", 1, 1, F(1), 1, F(2)),
        *[("undated", *region, seniority, "python", 1, 1, F(1), 1, F(1))
          for region in UNDATED_REGIONS],
    ]
]


def test_remote_multi_location_and_undated_placement():
    with TestPipeline() as pipeline:
        rows = (pipeline | "CreatePostings" >> beam.Create(PLACEMENT)
                | AggregateSkillDemand(period="year", min_postings=1))
        assert_that(rows, equal_to(demand_rows(EXPECTED_PLACEMENT)))


def test_rank_cell_and_its_rows():
    from transforms.aggregate import cell_rows, rank_cell
    region_postings, ranked = rank_cell({"": 4, "sql": 3, "python": 3, "excel": 1})
    assert (region_postings, ranked) == (4, [("python", 3, 1), ("sql", 3, 2), ("excel", 1, 3)])
    rows = list(cell_rows(("2025-Q4", "city", "GB-ENG:London", "all"), region_postings, ranked,
                          (10, {"python": 5, "sql": 3, "excel": 1}), "London",
                          {"python": ("Python", "programming_language")}))
    assert [(r["skill_id"], r["skill_name"], r["share"], r["location_quotient"]) for r in rows] == [
        ("python", "Python", 0.75, 1.5), ("sql", None, 0.75, 2.5), ("excel", None, 0.25, 2.5)]
