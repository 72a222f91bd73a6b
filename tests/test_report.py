"""report.html: the all-period sums, chart choices and location-quotient leaders, the inline SVG
charts' values and escaping, the page's self-containment, and a headless Chromium render
asserting from the DOM that every chart drew."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from transforms.report import (
    chart_regions, location_quotient_leaders, render_report, summarize_demand, top_skills,
)

NAMES = {"python": "Python", "sql": "SQL", "excel": "Microsoft Excel", "git": "Git"}
REGIONS = {
    "world": ("world", "World"), "Europe": ("world_region", "Europe"),
    "North America": ("world_region", "North America"), "GB": ("country", "United Kingdom"),
    "DE": ("country", "Germany"), "US": ("country", "United States"),
}
# Two months of a run by month: code -> (region_postings, {skill: postings}) per month.
# World = Europe + North America and Europe = GB + DE, as the aggregation produces them.
MONTHS = {
    "2025-10": {
        "world": (40, {"python": 20, "sql": 12, "excel": 4, "git": 2}),
        "Europe": (25, {"python": 15, "sql": 5, "excel": 2}),
        "North America": (15, {"python": 5, "sql": 7, "excel": 2, "git": 2}),
        "GB": (20, {"python": 12, "sql": 4, "excel": 2}),
        "DE": (5, {"python": 3, "sql": 1}),
        "US": (15, {"python": 5, "sql": 7, "excel": 2, "git": 2}),
    },
    "2025-11": {
        "world": (60, {"python": 30, "sql": 18, "excel": 11}),
        "Europe": (35, {"python": 15, "sql": 10, "excel": 6}),
        "North America": (25, {"python": 15, "sql": 8, "excel": 5}),
        "GB": (30, {"python": 12, "sql": 9, "excel": 6}),
        "DE": (5, {"python": 3, "sql": 1}),
        "US": (25, {"python": 15, "sql": 8, "excel": 5}),
    },
}


def demand_row(period, code, seniority, skill_id, postings, region_postings):
    level, name = REGIONS[code]
    return {"period": period, "region_level": level, "region_code": code, "region_name": name,
            "seniority": seniority, "skill_id": skill_id, "skill_name": NAMES[skill_id],
            "skill_category": None, "postings": postings, "region_postings": region_postings,
            "share": postings / region_postings, "rank": 0, "location_quotient": 0.0}


DEMAND = [
    demand_row(period, code, seniority, skill_id, postings, region_postings)
    for period, regions in MONTHS.items()
    for code, (region_postings, skills) in regions.items()
    for skill_id, postings in skills.items()
    for seniority in ("all", "senior")  # senior rows must not be added in
] + [demand_row("2025-11", "GB", "all", "python", 1, 1) | {
    "region_level": "city", "region_code": "GB-ENG:London", "region_name": "London"}]
SENIORITY_MIX = {"senior": 45, "mid": 30, "junior": 15, "unknown": 10, "intern": 0}
SUMMARY = {
    "records_read": 1250, "postings_parsed": 1200, "rejected": 50, "unique_postings": 100,
    "duplicates_removed": 1100, "rejected_by_reason": {"invalid_json": 30,
                                                       "no_title_and_no_text": 20},
    "locations_unresolved": 7, "seniority_unknown": 10,
    "taxonomy": {"name": "tech-skills", "version": "2025.11", "size": 812},
    "as_of": "2025-11-25", "inputs": ["gs://bucket/a/*.jsonl", "b.csv"],
}
CHART_IDS = [
    "chart-top-skills-world", "chart-top-skills-world-region-europe",
    "chart-top-skills-world-region-north-america", "chart-top-skills-country-gb",
    "chart-top-skills-country-us", "chart-top-skills-country-de", "chart-heatmap",
    "chart-seniority-mix", "chart-location-quotient",
]


def test_summarize_demand_sums_months_of_seniority_all():
    regions, skill_names = summarize_demand(DEMAND)
    assert sorted(regions) == [("country", "DE"), ("country", "GB"), ("country", "US"),
                               ("world", "world"), ("world_region", "Europe"),
                               ("world_region", "North America")]
    world = regions[("world", "world")]
    assert (world.name, world.postings, world.skill_postings) == (
        "World", 100, {"python": 50, "sql": 30, "excel": 15, "git": 2})
    assert regions[("country", "GB")].postings == 50
    assert skill_names == NAMES
    assert top_skills(world, 3) == [("python", 50), ("sql", 30), ("excel", 15)]


def test_summarize_demand_prefers_period_all_rows():
    all_rows = [demand_row("all", "world", "all", "sql", 3, 4)]
    regions, _ = summarize_demand(DEMAND + all_rows)
    assert regions[("world", "world")].skill_postings == {"sql": 3}
    assert regions[("world", "world")].postings == 4


def test_chart_regions_order():
    regions, _ = summarize_demand(DEMAND)
    assert [r.code for r in chart_regions(regions)] == [
        "world", "Europe", "North America", "GB", "US", "DE"]


def test_location_quotient_leaders_need_support():
    # DE (10 postings) is below the region minimum, git (2 postings) below the skill minimum.
    regions, _ = summarize_demand(DEMAND)
    leaders = [(region.code, skill_id, postings, quotient)
               for region, skill_id, postings, quotient in location_quotient_leaders(regions)]
    assert leaders == [
        ("Europe", "python", 30, pytest.approx(1.0)),
        ("Europe", "excel", 8, pytest.approx((8 / 60) / 0.15)),
        ("Europe", "sql", 15, pytest.approx(0.25 / 0.3)),
        ("GB", "excel", 8, pytest.approx(0.16 / 0.15)),
        ("GB", "python", 24, pytest.approx(0.96)),
        ("GB", "sql", 13, pytest.approx(0.26 / 0.3)),
        ("North America", "sql", 15, pytest.approx(0.375 / 0.3)),
        ("North America", "excel", 7, pytest.approx(0.175 / 0.15)),
        ("North America", "python", 20, pytest.approx(1.0)),
        ("US", "sql", 15, pytest.approx(0.375 / 0.3)),
        ("US", "excel", 7, pytest.approx(0.175 / 0.15)),
        ("US", "python", 20, pytest.approx(1.0)),
    ]


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(SUMMARY, DEMAND, SENIORITY_MIX)


def test_page_has_every_section_and_chart(page):
    tree = HTMLParser(page)
    assert [node.attributes["id"] for node in tree.css("figure.chart")] == CHART_IDS
    for figure in tree.css("figure.chart"):
        (chart,) = figure.css("svg.chart-image")
        chart_id = figure.attributes["id"]
        assert chart.attributes["role"] == "img"
        assert chart.attributes["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc"
        assert chart.css_first("title").attributes["id"] == f"{chart_id}-title"
    assert tree.css("img") == []
    assert [node.attributes["id"] for node in tree.css("section")] == [
        "run-counts", "top-skills", "heatmap", "seniority", "location-quotients"]
    counts = {row.css_first("th").text(): row.css_first("td").text()
              for row in tree.css("#summary-counts tr")}
    assert counts == {
        "Records read": "1,250", "Postings parsed": "1,200", "Rejected records": "50",
        "Duplicates removed": "1,100", "Unique postings": "100", "Locations unresolved": "7",
        "Seniority unknown": "10", "As of": "2025-11-25",
        "Inputs": "gs://bucket/a/*.jsonl, b.csv",
    }
    assert [row.text(separator="|") for row in tree.css("#summary-rejected-by-reason tr")] == [
        "invalid_json|30", "no_title_and_no_text|20"]
    assert [row.text(separator="|") for row in tree.css("#summary-taxonomy tr")] == [
        "name|tech-skills", "size|812", "version|2025.11"]
    assert [row.text(separator="|") for row in tree.css("#seniority-counts tr")] == [
        "junior|15", "mid|30", "senior|45", "unknown|10"]


def test_page_is_self_contained_and_deterministic(page):
    tree = HTMLParser(page)
    for node in tree.css("[src], [href]"):
        for attribute in ("src", "href"):
            assert not (node.attributes.get(attribute) or "data:").startswith(("http", "//"))
    assert "<link" not in page
    assert render_report(SUMMARY, list(reversed(DEMAND)), SENIORITY_MIX) == page


def test_top_skills_bars_carry_share_and_count(page):
    chart = HTMLParser(page).css_first("#chart-top-skills-world svg")
    assert chart.css_first("title").text() == "World (100 postings)"
    assert [bar.attributes["width"] for bar in chart.css("g.bars rect")] == [
        "320", "192", "96", "12.8"]  # 50%, 30%, 15%, 2%: the largest spans the bar area
    assert [text.text() for text in chart.css("text")] == [
        "World (100 postings)", "Python", "50.0% (50)", "SQL", "30.0% (30)",
        "Microsoft Excel", "15.0% (15)", "Git", "2.0% (2)", "% of postings"]


def test_seniority_and_location_quotient_charts(page):
    tree = HTMLParser(page)
    seniority = tree.css_first("#chart-seniority-mix svg")
    assert [text.text() for text in seniority.css("g.bars ~ g text")][::2] == [
        "senior", "mid", "junior", "unknown"]
    assert [text.text() for text in seniority.css("g.bars ~ g text")][1::2] == [
        "45 (45.0%)", "30 (30.0%)", "15 (15.0%)", "10 (10.0%)"]
    quotients = tree.css_first("#chart-location-quotient svg")
    assert len(quotients.css("g.bars rect")) == 12
    assert [text.text() for text in quotients.css("g.bars ~ g text")][:4] == [
        "Europe: Python", "1.00", "Europe: Microsoft Excel", "0.89"]
    assert quotients.css("line")[1].attributes["stroke-dasharray"] == "4 3"


def test_heatmap_has_one_cell_per_region_and_skill(page):
    chart = HTMLParser(page).css_first("#chart-heatmap svg")
    cells = chart.css("g.cells rect")
    assert len(cells) == 5 * 4  # continents and countries x World's skills
    assert cells[0].css_first("title").text() == "Europe, Python: 50.0%"
    assert chart.css_first("g.legend text").text() == "0"


# Real taxonomy and gazetteer names that need escaping in text and in attributes.
ESCAPED_DEMAND = [
    {"period": "all", "region_level": level, "region_code": code, "region_name": name,
     "seniority": "all", "skill_id": skill_id, "skill_name": skill_name,
     "skill_category": None, "postings": postings, "region_postings": 40,
     "share": postings / 40, "rank": 0, "location_quotient": 0.0}
    for level, code, name in (("world", "world", "World"), ("country", "CI", "Côte d'Ivoire"))
    for skill_id, skill_name, postings in (("cplusplus", "C++", 20),
                                           ("p-and-l-management", "P&L management", 10))
]


def test_labels_are_escaped():
    page = render_report({"records_read": 40}, ESCAPED_DEMAND, {"mid": 40})
    assert "<text" in page and ">P&amp;L management</text>" in page
    assert ">Côte d&#x27;Ivoire, P&amp;L management: 25.0%</title>" in page
    assert "P&L" not in page and "d'Ivoire" not in page
    tree = HTMLParser(page)
    assert [text.text() for text in tree.css("#chart-top-skills-world svg g.bars ~ g text")] == [
        "C++", "50.0% (20)", "P&L management", "25.0% (10)"]
    assert tree.css_first("#chart-top-skills-country-ci svg title").text() == (
        "Côte d'Ivoire (40 postings)")


def test_empty_run_renders_without_charts():
    tree = HTMLParser(render_report({"records_read": 0}, [], {}))
    assert tree.css("figure.chart") == []
    assert tree.css_first("#top-skills p").text() == "No skill demand in this run."


def _chromium() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(_chromium() is None,
                    reason="headless Chromium not found; install Debian's chromium: "
                           "apt-get install -y chromium")
def test_every_chart_draws_in_headless_chromium(page, tmp_path):
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    rendered = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=10000", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)
    dom = HTMLParser(rendered.stdout)
    assert dom.css_first("body").attributes.get("data-charts-checked") == "true"
    drawn = {chart.parent.attributes["id"]: chart.attributes.get("data-drawn")
             for chart in dom.css("svg.chart-image")}
    assert drawn == {chart_id: "true" for chart_id in CHART_IDS}
