"""report.html: one self-contained page (no network) built once from the run's summary, the
skill_demand rows and the seniority mix, after aggregation. Charts are inline SVG written by
transforms/svg_charts.py; a few lines of inline script mark each chart drawn once the browser
laid it out.

What the page shows (all from seniority "all" rows, levels world, world_region and country):
- Period "all" rows when the run has them; otherwise every period summed (each posting has one
  period, so postings and region_postings add up exactly). Rows dropped by --min_postings in
  some periods are missing from those sums, and postings without skills are invisible here.
- Top skills per region: World, every continent, then the countries with most postings, at
  most MAX_TOP_SKILL_CHARTS charts of TOP_SKILLS bars each.
- Heat map: shares of World's top HEATMAP_SKILLS skills in the HEATMAP_REGIONS largest
  continents and countries.
- Location quotients: per region, the LQ_PER_REGION skills with the highest quotient among
  skills with at least LQ_MIN_SKILL_POSTINGS postings in a region of at least
  LQ_MIN_REGION_POSTINGS, so one posting in a small region cannot top the list.
"""
from __future__ import annotations

import collections
import html
import re
from typing import Iterable, NamedTuple

from transforms.svg_charts import Bar, bar_chart, heat_map

TOP_SKILLS = 10
MAX_TOP_SKILL_CHARTS = 15
MAX_COUNTRY_CHARTS = 8
HEATMAP_REGIONS = 15
HEATMAP_SKILLS = 20
LQ_MIN_SKILL_POSTINGS = 5
LQ_MIN_REGION_POSTINGS = 30
LQ_PER_REGION = 3
LQ_MAX_REGIONS = 12
REPORT_LEVELS = ("world", "world_region", "country")

# Summary keys shown first, in reading order; any other key follows as it comes.
SUMMARY_LABELS = {
    "records_read": "Records read",
    "postings_parsed": "Postings parsed",
    "rejected": "Rejected records",
    "duplicates_removed": "Duplicates removed",
    "unique_postings": "Unique postings",
    "locations_unresolved": "Locations unresolved",
    "seniority_unknown": "Seniority unknown",
    "postings_without_skills": "Postings without skills",
}

_MARK_DRAWN_SCRIPT = """
window.addEventListener('load', function () {
  document.querySelectorAll('svg.chart-image').forEach(function (chart) {
    var drawn = chart.getBBox();
    chart.dataset.drawn = drawn.width > 0 && drawn.height > 0 ? 'true' : 'false';
  });
  document.body.dataset.chartsChecked = 'true';
});
"""
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1, h2 { font-weight: 600; } table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
td, th { border-bottom: 1px solid #ddd; padding: 0.25rem 0.75rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; }
svg.chart-image { max-width: 100%; height: auto; }
"""


class RegionDemand(NamedTuple):
    """All-period demand of one region, summed from skill_demand rows."""

    level: str
    code: str
    name: str
    postings: int  # unique postings in the region
    skill_postings: dict  # skill_id -> postings

    def share(self, skill_id: str) -> float:
        return self.skill_postings.get(skill_id, 0) / self.postings if self.postings else 0.0


def summarize_demand(demand_rows: Iterable[dict]) -> tuple[dict, dict]:
    """-> ({(level, code): RegionDemand}, {skill_id: skill_name}) over the whole run."""
    by_period: dict = {True: {}, False: {}}  # keyed by "row is period all"
    skill_names: dict = {}
    for row in demand_rows:
        if row["seniority"] != "all" or row["region_level"] not in REPORT_LEVELS:
            continue
        is_all = row["period"] == "all"
        key = (row["region_level"], row["region_code"])
        region = by_period[is_all].setdefault(
            key, (row["region_name"], {}, collections.Counter()))
        region[1][row["period"]] = row["region_postings"]
        region[2][row["skill_id"]] += row["postings"]
        skill_names.setdefault(row["skill_id"], row["skill_name"] or row["skill_id"])
    chosen = by_period[True] or by_period[False]
    regions = {
        key: RegionDemand(key[0], key[1], name, sum(period_postings.values()), dict(skills))
        for key, (name, period_postings, skills) in chosen.items()
    }
    return regions, skill_names


def top_skills(region: RegionDemand, limit: int) -> list[tuple[str, int]]:
    """Most demanded first; ties to the smaller skill_id (the skill_demand rank order)."""
    ranked = sorted(region.skill_postings.items(), key=lambda skill: (-skill[1], skill[0]))
    return ranked[:limit]


def _by_size(regions: Iterable[RegionDemand]) -> list[RegionDemand]:
    return sorted(regions, key=lambda region: (-region.postings, region.code))


def chart_regions(regions: dict) -> list[RegionDemand]:
    """World, then continents, then the largest countries, capped."""
    world = [r for r in regions.values() if r.level == "world"]
    continents = _by_size(r for r in regions.values() if r.level == "world_region")
    countries = _by_size(r for r in regions.values() if r.level == "country")
    return (world + continents + countries[:MAX_COUNTRY_CHARTS])[:MAX_TOP_SKILL_CHARTS]


def location_quotient_leaders(regions: dict) -> list[tuple[RegionDemand, str, int, float]]:
    """(region, skill_id, postings, LQ vs World) of the best-supported high-LQ skills."""
    world = next((r for r in regions.values() if r.level == "world"), None)
    if world is None:
        return []
    candidates = _by_size(r for r in regions.values()
                          if r.level != "world" and r.postings >= LQ_MIN_REGION_POSTINGS)
    leaders = []
    for region in candidates[:LQ_MAX_REGIONS]:
        scored = sorted(
            ((skill_id, postings, region.share(skill_id) / world.share(skill_id))
             for skill_id, postings in region.skill_postings.items()
             if postings >= LQ_MIN_SKILL_POSTINGS and world.share(skill_id) > 0),
            key=lambda skill: (-skill[2], skill[0]))
        leaders.extend((region, *skill) for skill in scored[:LQ_PER_REGION])
    return leaders


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "region"


# ---------------------------------------------------------------- charts


def _figure_html(chart_id: str, kind: str, caption: str, chart_svg: str) -> str:
    return (f'<figure class="chart chart-{kind}" id="{html.escape(chart_id)}">{chart_svg}'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def top_skills_chart(region: RegionDemand, skill_names: dict) -> str:
    skills = top_skills(region, TOP_SKILLS)
    bars = [Bar(skill_names[skill_id], _percent(postings, region.postings),
                f"{_percent(postings, region.postings):.1f}% ({postings:,})")
            for skill_id, postings in skills]
    chart_id = "chart-top-skills-" + ("world" if region.level == "world"
                                      else f"{region.level.replace('_', '-')}-{slug(region.code)}")
    description = (f"Share of the {region.postings:,} postings in {region.name} asking for each "
                   f"of its top {len(bars)} skills: "
                   + "; ".join(f"{bar.label} {bar.value_text}" for bar in bars) + ".")
    chart = bar_chart(chart_id, f"{region.name} ({region.postings:,} postings)", bars,
                      "% of postings", description)
    return _figure_html(chart_id, "top-skills", f"Top skills: {region.name}", chart)


def heatmap_chart(regions: dict, skill_names: dict) -> str:
    world = next(r for r in regions.values() if r.level == "world")
    skills = [skill_id for skill_id, _ in top_skills(world, HEATMAP_SKILLS)]
    rows = _by_size(r for r in regions.values() if r.level != "world")[:HEATMAP_REGIONS]
    shares = [[100 * region.share(skill_id) for skill_id in skills] for region in rows]
    description = (f"Share of postings asking for each of World's top {len(skills)} skills in "
                   f"the {len(rows)} regions with most postings; each cell gives the percentage "
                   "of the region's postings, lighter cells higher shares.")
    chart = heat_map("chart-heatmap", "Share of postings asking for each skill",
                     [region.name for region in rows], [skill_names[s] for s in skills], shares,
                     "% of the region's postings", description, unit="%")
    return _figure_html("chart-heatmap", "heatmap", "Region x skill shares", chart)


def seniority_chart(seniority_mix: dict[str, int]) -> str:
    levels = sorted(seniority_mix, key=lambda level: (-seniority_mix[level], level))
    total = sum(seniority_mix.values())
    bars = [Bar(level, seniority_mix[level],
                f"{seniority_mix[level]:,} ({_percent(seniority_mix[level], total):.1f}%)")
            for level in levels]
    description = (f"Unique postings per seniority level, {total:,} in all: "
                   + "; ".join(f"{bar.label} {bar.value_text}" for bar in bars) + ".")
    chart = bar_chart("chart-seniority-mix", "Seniority mix", bars, "unique postings",
                      description)
    return _figure_html("chart-seniority-mix", "seniority", "Seniority mix", chart)


def location_quotient_chart(leaders: list, skill_names: dict) -> str:
    bars = [Bar(f"{region.name}: {skill_names[skill_id]}", quotient, f"{quotient:.2f}")
            for region, skill_id, _, quotient in leaders]
    description = ("Location quotient (share in the region / share in World; the dashed line "
                   "marks 1) of the skills most over-represented per region: "
                   + "; ".join(f"{bar.label} {bar.value_text}" for bar in bars) + ".")
    chart = bar_chart("chart-location-quotient", "Skills most over-represented per region", bars,
                      "location quotient (1 = as in World)", description, reference=1.0)
    return _figure_html("chart-location-quotient", "location-quotient",
                        "Highest location quotients", chart)


# ---------------------------------------------------------------- page


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _table(rows: list[tuple[str, object]], table_id: str) -> str:
    cells = "".join(
        f'<tr><th scope="row">{html.escape(str(label))}</th>'
        f'<td class="number">{html.escape(_number(value))}</td></tr>'
        for label, value in rows)
    return f'<table id="{table_id}">{cells}</table>'


def summary_section(summary: dict) -> str:
    scalars = [(label, summary[key]) for key, label in SUMMARY_LABELS.items() if key in summary]
    nested = []
    for key, value in summary.items():
        if key in SUMMARY_LABELS:
            continue
        if isinstance(value, dict):
            nested.append((key, value))
        elif isinstance(value, (list, tuple)):
            scalars.append((key.replace("_", " ").capitalize(), ", ".join(map(str, value))))
        else:
            scalars.append((key.replace("_", " ").capitalize(), value))
    parts = ['<section id="run-counts"><h2>Run counts</h2>', _table(scalars, "summary-counts")]
    for key, value in nested:
        title = key.replace("_", " ").capitalize()
        parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(_table(sorted(value.items(), key=lambda kv: str(kv[0])), f"summary-{slug(key)}"))
    parts.append("</section>")
    return "".join(parts)


def render_report(summary: dict, demand_rows: Iterable[dict],
                  seniority_mix: dict[str, int]) -> str:
    """The whole page as one string (UTF-8 HTML, nothing fetched when it opens)."""
    regions, skill_names = summarize_demand(demand_rows)
    sections = [summary_section(summary)]

    charts = [top_skills_chart(region, skill_names) for region in chart_regions(regions)
              if region.skill_postings]
    sections.append('<section id="top-skills"><h2>Top skills per region</h2>'
                    + ('<div class="charts">' + "".join(charts) + "</div>" if charts
                       else "<p>No skill demand in this run.</p>") + "</section>")

    has_heatmap = any(r.level == "world" and r.skill_postings for r in regions.values()) and any(
        r.level != "world" for r in regions.values())
    sections.append('<section id="heatmap"><h2>Region x skill heat map</h2>'
                    + (heatmap_chart(regions, skill_names) if has_heatmap
                       else "<p>Not enough regions for a heat map.</p>") + "</section>")

    mix = {level: count for level, count in seniority_mix.items() if count}
    sections.append('<section id="seniority"><h2>Seniority mix</h2>'
                    + (seniority_chart(mix) + _table(sorted(mix.items()), "seniority-counts")
                       if mix else "<p>No postings.</p>") + "</section>")

    leaders = location_quotient_leaders(regions)
    lq_rows = [(f"{region.name}: {skill_names[skill_id]} ({postings:,} postings)",
                f"{quotient:.2f}") for region, skill_id, postings, quotient in leaders]
    sections.append(
        '<section id="location-quotients"><h2>Highest location quotients</h2>'
        f"<p>Skills with at least {LQ_MIN_SKILL_POSTINGS} postings in regions with at least "
        f"{LQ_MIN_REGION_POSTINGS} postings; quotient = share in the region / share in World."
        "</p>"
        + (location_quotient_chart(leaders, skill_names) + _table(lq_rows, "location-quotients")
           if leaders else "<p>No region has enough postings yet.</p>") + "</section>")

    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Skill demand report</title>"
            f"<style>{_STYLE}</style><script>{_MARK_DRAWN_SCRIPT}</script></head>"
            "<body><h1>Skill demand report</h1>" + "".join(sections) + "</body></html>\n")
