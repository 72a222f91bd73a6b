"""Tests of transforms.formats.html_page: JSON-LD, job-card listings and main-content pages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.posting import RAW_FIELD_KEYS, RawRecord
from schemas.rejects import Reject
from transforms.formats.html_page import find_job_postings, job_posting_fields, parse_html_page

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _parse(name: str) -> list:
    return list(parse_html_page(name, (HTML / name).read_text(encoding="utf-8")))


def test_json_ld_graph_posting():
    [record] = _parse("jsonld-graph-usajobs.html")
    assert (record.source_record, record.source_format) == (0, "html")
    assert record.excerpt.startswith('{\n  "@context": "https://schema.org",\n  "@graph": [')
    assert record.fields == {
        "title": "Data Scientist",
        "description": (
            "JOB DESCRIPTION: Data Scientists develop and apply methods to identify, collect, "
            "process, and analyze large volumes of data to build and enhance products, processes, "
            "and systems.\n\nSPECIAL INFO:\n\n- U.S. Citizenship Required\n- Polygraph Test Required"
        ),
        "id": "622074300",
        "url": "https://www.usajobs.gov:443/GetJob/ViewDetails/622074300",
        "date_posted": "2021-11-15T06:40:28.9570",
        "valid_through": "2021-11-27T23:59:59.9970",
        "company": "National Geospatial-Intelligence Agency",
        "employment_type": "FULL_TIME|TEMPORARY",
        "salary_min": 89834,
        "salary_max": 138868,
        "salary_currency": "USD",
        "salary_period": "YEAR",
        "location": "St. Louis, MO, US; Springfield, VA, US",
        "locations": ["St. Louis, MO, US", "Springfield, VA, US"],
        "experience_months": 12,
        "tags": ["Python", "R", "SQL", "Java"],
    }
    assert set(record.fields) <= set(RAW_FIELD_KEYS)


def test_two_json_ld_blocks_and_a_broken_one():
    records = _parse("jsonld-two-postings.html")
    assert [(record.source_record, type(record).__name__) for record in records] == [
        (0, "RawRecord"), (1, "RawRecord")]
    assert records[0].fields == {
        "title": "Java-utvecklare",
        "description": (
            "Är du en Java-utvecklare som brinner för webbutveckling? Bra, då vill vi träffa dig!"
            "\n\nVi letar efter dig som har minst 2 års erfarenhet av systemutveckling inom Java."
        ),
        "id": "23115679",
        "date_posted": "2019-02-14T00:00:00",
        "valid_through": "2019-03-03T23:59:59",
        "company": "Chas Visual Management AB",
        "employment_type": "FULL_TIME",
        "location": "Nacka, Stockholms län, Sverige",
        "location_city": "Nacka",
        "location_region": "Stockholms län",
        "location_postal_code": "13141",
        "location_country": "Sverige",
        "seniority": "Mid-Senior level",
        "tags": ["svenska", "webbutveckling"],
    }
    assert records[1].fields == {
        "title": "Gestionnaire d'Infrastructures F/H",
        "description": (
            "Mission : Au sein d’une équipe de 6 personnes en charge des infrastructures, il/elle "
            "est chargé-e de la mise en place et de l’administration des systèmes de gestion de "
            "bases de données (SQL et NoSQL) du centre."
        ),
        "id": "2020-458922",
        "url": "https://place-emploi-public.gouv.fr/offre-emploi/2020-458922",
        "date_posted": "2021-04-16",
        "company": "Inria",
        "workplace_type": "TELECOMMUTE",
        "remote_scope": "France; Belgique",
        "salary_min": "2300",
        "salary_max": "2300",
        "salary_currency": "EUR",
        "salary_period": "MONTH",
    }


def test_careers_page_without_json_ld_keeps_only_the_posting():
    [record] = _parse("careers-page-no-jsonld.html")
    assert record.fields == {
        "title": "Advanced Procurement Engineer",
        "company": "Wind Power Careers",
        "location": "<LOCATION>",
        "url": "https://careers.example.com/jobs/88904-advanced-procurement-engineer",
        "description": (
            "<LOCATION> · Full-time\n\n"
            "challenging position with great career opportunities\n\n"
            "<ORGANIZATION> is a leading supplier of wind power solutions for onshore offshore and "
            "coastal sites.\n\nWork Assignments\n\nAs an Advanced Procurement Engineer you will be "
            "the technical interface between Service Strategic Procurement and the Engineering "
            "Quality and Service departments as well as the Global Service Supply Chain.\n\n"
            "More specifically your responsibilities will cover:\n\n- Acting as a single point of "
            "contact for the Engineering Quality Service Technology and Service Quality departments "
            "towards Strategic Procurement\n- Taking the lead in identifying and introducing new "
            "technology/ supplier solutions on the current fleet\n\nYour Profile\n\nYou have a "
            "technical background within Technology Management and Marine Engineering or as an "
            "aircraft mechanic combined with 3+ years of procurement experience preferably within "
            "maintenance or service.\nYou possess excellent communication and English skills both "
            "orally and in writing."
        ),
    }
    assert record.excerpt.startswith("<!DOCTYPE html>")


def test_listing_page_gives_one_record_per_card():
    records = _parse("listing-cards.html")
    assert [record.fields for record in records[:2]] == [
        {"id": "622074300", "title": "Data Scientist",
         "company": "National Geospatial-Intelligence Agency", "location": "St. Louis, MO",
         "date_posted": "2021-11-15",
         "url": "https://www.linkedin.com/jobs/view/data-scientist-at-nga-622074300"
                "?position=1&pageNum=0"},
        {"id": "622074400", "title": "Supervisory Data Scientist",
         "company": "National Geospatial-Intelligence Agency", "location": "Springfield, VA",
         "date_posted": "2021-11-17",
         "url": "https://www.linkedin.com/jobs/view/supervisory-data-scientist-at-nga-622074400"
                "?position=2&pageNum=0"},
    ]
    assert [record.source_record for record in records] == [0, 1, 2]
    assert isinstance(records[2], Reject)
    assert (records[2].reason, records[2].stage) == ("no_title_and_no_text", "parse")
    assert records[2].excerpt.startswith('<div class="base-card base-search-card job-search-card"')


def _job_posting_page(*postings: dict, body: str = "") -> str:
    blocks = "".join(
        f'<script type="application/ld+json">{json.dumps(posting)}</script>' for posting in postings)
    return f"<html><head>{blocks}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "posting, expected",
    [
        # Address country as text, employment type as a string, a bare numeric identifier.
        (
            {"@type": "JobPosting", "title": "Data Analyst", "identifier": 42,
             "employmentType": "PART_TIME",
             "jobLocation": {"@type": "Place", "address": {
                 "@type": "PostalAddress", "addressLocality": "Malmö", "addressCountry": "SE"}}},
            {"title": "Data Analyst", "id": "42", "employment_type": "PART_TIME",
             "location": "Malmö, SE", "location_city": "Malmö", "location_country": "SE"},
        ),
        # Salary as a bare number in MonetaryAmount; experience as free text (not a level).
        (
            {"@type": "http://schema.org/JobPosting", "name": "Nurse",
             "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": 31000},
             "experienceRequirements": "3+ years in acute care"},
            {"title": "Nurse", "salary_min": 31000, "salary_max": 31000, "salary_currency": "GBP"},
        ),
        # Address as plain text; hiring organization as a list; skills as defined terms.
        (
            {"@type": ["JobPosting"], "title": "Welder &amp; Fabricator",
             "hiringOrganization": [{"@type": "Organization", "name": "Acme"}],
             "jobLocation": {"@type": "Place", "address": "Gdańsk, Poland"},
             "skills": [{"@type": "DefinedTerm", "name": "TIG welding"}, "MIG welding"]},
            {"title": "Welder & Fabricator", "company": "Acme", "location": "Gdańsk, Poland",
             "tags": ["TIG welding", "MIG welding"]},
        ),
        # Values of the wrong shape are ignored, not fatal.
        (
            {"@type": "JobPosting", "title": ["Data Engineer"], "datePosted": {"bad": 1},
             "baseSalary": [True], "jobLocation": [None, 7], "skills": None},
            {"title": "Data Engineer"},
        ),
    ],
)
def test_job_posting_fields(posting, expected):
    assert job_posting_fields(posting) == expected


def test_find_job_postings_walks_graphs_lists_and_nesting():
    document = [
        {"@graph": [{"@type": "WebPage", "mainEntity": {"@type": "JobPosting", "title": "A"}}]},
        {"@type": "schema:JobPosting", "title": "B"},
        {"@type": "Organization", "name": "C"},
    ]
    assert [posting["title"] for posting in find_job_postings(document)] == ["A", "B"]


def test_json_ld_without_description_takes_it_from_the_page():
    page = _job_posting_page(
        {"@type": "JobPosting", "title": "Data Scientist", "datePosted": "2021-11-15"},
        body='<div id="jobDescriptionText"><p>Analyze large volumes of data.</p></div>')
    [record] = parse_html_page("page.html", page)
    assert record.fields == {"title": "Data Scientist", "date_posted": "2021-11-15",
                             "description": "Analyze large volumes of data."}


def test_json_ld_posting_without_title_or_text_is_rejected_alone():
    page = _job_posting_page({"@type": "JobPosting", "title": "Nurse"},
                             {"@type": "JobPosting", "datePosted": "2024-01-01"})
    records = list(parse_html_page("page.html", page))
    assert [type(record).__name__ for record in records] == ["RawRecord", "Reject"]
    assert (records[1].source_record, records[1].reason) == (1, "no_title_and_no_text")


@pytest.mark.parametrize(
    "page, reason",
    [
        ("<html><body>" + "<div>" * 200_000 + "Nurse" + "</div>" * 200_000 + "</body></html>",
         "html_too_deep"),
        ("<b>" * 200_000 + "Nurse", "html_too_deep"),
        ("", "no_title_and_no_text"),
        ("<html><head><script>var jobs = [];</script></head><body></body></html>",
         "no_title_and_no_text"),
    ],
)
def test_page_rejects(page, reason):
    [reject] = parse_html_page("bad.html", page)
    assert isinstance(reject, Reject)
    assert (reject.source_record, reject.stage, reject.reason) == (0, "parse", reason)


def test_hostile_json_ld_description_rejects_that_posting():
    page = _job_posting_page({"@type": "JobPosting", "title": "Nurse",
                              "description": "<div>" * 5000 + "care" + "</div>" * 5000})
    [reject] = parse_html_page("page.html", page)
    assert (reject.source_record, reject.reason) == (0, "html_too_deep")


def test_json_ld_nested_beyond_the_json_parser_falls_back_to_the_page():
    page = ('<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000
            + "</script><h1>Nurse</h1><p>Care for patients.</p>")
    [record] = parse_html_page("page.html", page)
    assert record.fields == {"title": "Nurse", "description": "Care for patients."}


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_gives_records_or_rejects(text):
    results = list(parse_html_page("any.html", text))
    assert len(results) == 1
    assert isinstance(results[0], (RawRecord, Reject))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(
    ["<div>", "</div>", "<p>", "<li>", "<h1>", "</h1>", "Nurse", "&amp;", "<script>",
     '<script type="application/ld+json">', "</script>", '{"@type": "JobPosting"', "}", "[",
     '"title": "x"', ",", "<table>", "<td>", "<!--", "-->", "<![CDATA[", "<svg>", "Ã©"]),
    max_size=60))
def test_markup_soup_gives_records_or_rejects(parts):
    results = list(parse_html_page("soup.html", "".join(parts)))
    assert results and all(isinstance(result, (RawRecord, Reject)) for result in results)


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="shared corpus not present beside the repo")
def test_real_saved_pages_from_the_corpus():
    pages = SHARED_CORPUS / "pages"
    cards = list(parse_html_page("linkedin.html", (pages / "linkedin-search-results.html").read_text()))
    assert [sorted(card.fields) for card in cards] == [
        ["company", "date_posted", "id", "location", "title", "url"]] * 10
    [job] = parse_html_page("indeed.html", (pages / "indeed-viewjob.html").read_text())
    assert sorted(job.fields) == ["company", "description", "location", "title"]
    assert "css-" not in job.fields["description"]  # inline <style> blocks never leak into text
