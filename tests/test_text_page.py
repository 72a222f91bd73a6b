"""Tests of transforms.formats.text_page: scraped plain-text job pages to RawRecords."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.posting import RAW_FIELD_KEYS, RawRecord
from schemas.rejects import Reject
from transforms.formats.text_page import parse_text_page

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def _spotify_posting() -> str:
    page = _page("spotify-machine-learning-engineer-ii.txt")
    body = page[page.index("The Personalization team"):]
    posting = body[: body.index("GMT/CET time zone for collaboration.") + 36]
    return posting.replace("\u00a0", " ")


def test_spotify_page_is_one_record_without_furniture():
    page = _page("spotify-machine-learning-engineer-ii.txt")
    assert list(parse_text_page("pages/spotify.txt", page)) == [
        RawRecord(
            source_uri="pages/spotify.txt",
            source_record=0,
            source_format="text",
            fields={
                "title": "Machine Learning Engineer, II",
                "company": "Spotify",
                "location": "London",
                "date_posted": "1 year ago",
                "status": "closed",
                "description": _spotify_posting(),
            },
            excerpt=page[:500],
        )
    ]


@pytest.mark.parametrize(
    "name, expected_fields",
    [
        (
            "usajobs-data-scientist-board.txt",
            {
                "title": "Data Scientist",
                "company": "National Geospatial-Intelligence Agency",
                "location": "St. Louis, MO",
                "employment_type": "Full-time",
                "date_posted": "3 days ago",
                "description": (
                    "JOB DESCRIPTION: Data Scientists develop and apply methods to identify, "
                    "collect, process, and analyze large volumes of data to build and enhance "
                    "products, processes, and systems. They conduct data mining and retrieval, and "
                    "apply statistical and mathematical analyses to identify trends, solve "
                    "analytical problems, optimize performance, and gather intelligence.\n\n"
                    "Requirements\n\n- U.S. Citizenship Required\n"
                    "- Security Clearance (Top Secret/Sensitive Compartmented Information)\n"
                    "- Polygraph Test Required\n\n1. Demonstrated proficiency in applied "
                    "programming or manipulation of data with a programing language such as "
                    "Python, R, SQL or Java."
                ),
            },
        ),
        (
            "jobtech-java-mojibake.txt",
            {
                "title": "Java-utvecklare",
                "company": "Chas Visual Management AB",
                "location": "Nacka",
                "date_posted": "2019-02-14",
                "description": "Är du en Java-utvecklare som brinner för webbutveckling? "
                               "Bra, då vill vi träffa dig!",
            },
        ),
    ],
)
def test_fixture_pages(name, expected_fields):
    records = list(parse_text_page(name, _page(name)))
    assert [record.fields for record in records] == [expected_fields]
    assert set(expected_fields) <= set(RAW_FIELD_KEYS)


@pytest.mark.parametrize(
    "text, expected_fields",
    [
        # Header parts joined with " · " on one line, a salary and a workplace.
        (
            "Senior Data Engineer\nAcme Analytics · Stockholm · Hybrid\n£60,000 - £70,000 a year\n"
            "Posted on May 3, 2024\n\nYou will build our data platform in Python.",
            {"title": "Senior Data Engineer", "company": "Acme Analytics", "location": "Stockholm",
             "workplace_type": "Hybrid", "salary_text": "£60,000 - £70,000 a year",
             "date_posted": "May 3, 2024",
             "description": "You will build our data platform in Python."},
        ),
        # No header: a long first line is body text, not a title.
        (
            "We are looking for a Machine Learning Engineer II to join our product area of "
            "hardworking engineers that are passionate about connecting creators with users.",
            {"description": "We are looking for a Machine Learning Engineer II to join our "
                            "product area of hardworking engineers that are passionate about "
                            "connecting creators with users."},
        ),
        # A title and nothing else.
        ("  Data Scientist  \n\n", {"title": "Data Scientist"}),
        # Bullets right after the title are the body.
        ("Data Analyst\n- SQL\n- Tableau", {"title": "Data Analyst", "description": "- SQL\n- Tableau"}),
        # The status line can say the job is still open.
        ("Nurse\nActively hiring\nCare for patients.", {"title": "Nurse", "status": "open",
                                                         "description": "Care for patients."}),
    ],
)
def test_header_lines(text, expected_fields):
    assert [record.fields for record in parse_text_page("page.txt", text)] == [expected_fields]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "no_title_and_no_text"),
        (" \n\t\n ", "no_title_and_no_text"),
        ("Apply now\nSave job\n© 2024 Jobs Ltd", "no_title_and_no_text"),
        ("\x00\x01\x02\x03PK\x03\x04" * 50, "binary_content"),
    ],
)
def test_rejects(text, reason):
    [reject] = parse_text_page("bad.txt", text)
    assert isinstance(reject, Reject)
    assert (reject.source_uri, reject.source_record, reject.stage, reject.reason) == (
        "bad.txt", 0, "parse", reason)
    assert reject.excerpt == text[:500].replace("\x00", "\\x00")[:500]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gives_one_record_or_reject(text):
    [result] = parse_text_page("any.txt", text)
    assert isinstance(result, (RawRecord, Reject))
    assert result.source_record == 0


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_any_decoded_bytes_give_one_record_or_reject(raw):
    [result] = parse_text_page("any.txt", raw.decode("utf-8", errors="replace"))
    assert isinstance(result, (RawRecord, Reject))
