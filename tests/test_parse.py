"""Record -> validated posting (transforms.parse): to_posting on real records and the
ParsePostings composite with its rejects output."""
import datetime as dt
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.posting import MAX_TITLE_CHARS, RAW_FIELD_KEYS, RawRecord
from schemas.rejects import REJECTS_TAG, Reject
from transforms.formats import detect_format, parse_file
from transforms import parse
from transforms.formats.clean import repaired_text
from transforms.parse import ParsePostings, RecordRejected, content_hash, country_code, to_posting

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "records"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
AS_OF = dt.date(2026, 4, 1)


def _fixture_rows(name: str) -> list:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [to_posting(item, AS_OF) for item in parse_file(name, text, detect_format(name, text))
            if isinstance(item, RawRecord)]


def _pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


def _record(fields: dict, index: int = 0) -> RawRecord:
    return RawRecord("gs://bucket/jobs.jsonl", index, "jsonl", fields, "{...}")


HTML_RECORD = {
    "title": "Senior Data Engineer &amp; Analyst", "company": "Acme Ltd", "location": "London, UK",
    "description_html": "<p>Build <b>Beam</b> pipelines.</p><ul><li>Python</li><li>SQL</li></ul>"
                        "<p>£60k-£70k per year</p>",
    "date_posted": "2 days ago", "employment_type": "Permanent", "seniority": "Senior",
    "is_remote": "no", "workplace_type": "Hybrid",
}


def test_to_posting_whole_row():
    assert to_posting(_record(HTML_RECORD, 4), dt.date(2025, 11, 20)) == {
        "posting_id": "h:dd3d1dd095db88be",
        "source_uri": "gs://bucket/jobs.jsonl",
        "source_record": 4,
        "source_format": "jsonl",
        "url": None,
        "title": "Senior Data Engineer & Analyst",
        "company": "Acme Ltd",
        "description": "Build Beam pipelines.\n\n- Python\n- SQL\n\n£60k-£70k per year",
        "posted_date": dt.date(2025, 11, 18),
        "status": "unknown",
        "employment_type": "FULL_TIME",
        "location_raw": "London, UK",
        "location_hints": {"is_remote": False, "workplace_type": "hybrid"},
        "seniority_hint": "Senior",
        "experience_months": None,
        "salary_min": 60000.0,
        "salary_max": 70000.0,
        "salary_currency": "GBP",
        "salary_period": "year",
    }


def test_usajobs_rows():
    first, last = _fixture_rows("usajobs_postings.csv")
    assert _pick(first, "posting_id", "title", "posted_date", "status", "location_raw",
                 "location_hints", "seniority_hint", "employment_type") == {
        "posting_id": "622988700", "title": "Data Analyst", "posted_date": dt.date(2021, 11, 18),
        "status": "closed",  # ApplicationCloseDate 2021-12-09 is before as_of
        "location_raw": "Washington, District of Columbia",
        "location_hints": {"country": "US", "workplace_type": "hybrid"}, "seniority_hint": "GS-12",
        "employment_type": None,
    }
    # JobSummary + QualificationSummary, entities unescaped
    assert first["description"].startswith(
        "This position is part of the U.S. International Development Finance Corporation (DFC)")
    assert "\n\nApplicants must meet all eligibility and qualification requirements" in \
        first["description"]
    assert last["seniority_hint"] == "GS-7/12"


def test_usajobs_scraper_rows():
    first, second = _fixture_rows("usajobs_recent_jobs.json")
    assert _pick(first, "posting_id", "status", "salary_min", "salary_max", "salary_currency",
                 "salary_period", "posted_date") == {
        "posting_id": "K-26-DHA-12804858-AKK", "status": "open", "salary_min": 49960.0,
        "salary_max": 99314.0, "salary_currency": "USD", "salary_period": "year",
        "posted_date": dt.date(2025, 9, 29),
    }
    assert first["location_raw"].startswith("Gunter AFB, Alabama, Alabama; Maxwell AFB")
    assert len(first["location_hints"]["locations"]) == 48
    assert second["location_hints"]["locations"][-1] == "Dallas, Texas, Texas"


def test_place_emploi_rows_are_french_day_first():
    rows = _fixture_rows("place_emploi_offres.csv")
    assert [_pick(row, "posting_id", "posted_date", "employment_type", "location_raw",
                  "location_hints", "company", "seniority_hint") for row in rows] == [
        {"posting_id": "2020-454766", "posted_date": dt.date(2021, 4, 16),
         "employment_type": "TEMPORARY", "location_raw": "Var",
         "location_hints": {"region": "Var", "country": "FR"}, "company": None,
         "seniority_hint": "Debutant"},
        {"posting_id": "2020-458922", "posted_date": dt.date(2021, 4, 16),
         "employment_type": "TEMPORARY", "location_raw": "Paris",
         "location_hints": {"region": "Paris", "country": "FR"}, "company": None,
         "seniority_hint": "Debutant"},
        {"posting_id": "2020-480898", "posted_date": dt.date(2021, 4, 16),
         "employment_type": "TEMPORARY", "location_raw": "Paris",
         "location_hints": {"region": "Paris", "country": "FR"}, "company": None,
         "seniority_hint": "Debutant"},
    ]
    assert rows[1]["description"].startswith(
        "Fonctions : Gestionnaire d'Infrastructures F/H\nCatégorie : A\nCorps :")


def test_jobtech_rows():
    first, _ = _fixture_rows("jobtech_platsannons.json")
    assert _pick(first, "posting_id", "title", "company", "posted_date", "status",
                 "employment_type", "location_raw", "location_hints", "url") == {
        "posting_id": "23115679", "title": "Java-utvecklare",
        "company": "Chas Visual Management AB", "posted_date": dt.date(2019, 2, 14),
        "status": "closed", "employment_type": "FULL_TIME",
        "location_raw": "Stockholm, Stockholms län",
        "location_hints": {"city": "Stockholm", "region": "Stockholms län",
                           "postal_code": "13141", "country": "SE"},
        "url": "http://chas.se/ansok",
    }
    assert first["description"].startswith(
        "Är du en Java-utvecklare som brinner för webbutveckling?")


def test_greenhouse_lever_jobspy_rows():
    greenhouse = _fixture_rows("greenhouse_board.json")
    lever = _fixture_rows("lever_postings.json")
    jobspy = _fixture_rows("jobspy_jobs.csv")
    assert [_pick(row, "posting_id", "source_format", "posted_date", "employment_type",
                  "salary_min", "salary_max", "salary_currency", "salary_period")
            for row in greenhouse + lever + jobspy] == [
        {"posting_id": "862110400", "source_format": "greenhouse",
         "posted_date": dt.date(2026, 3, 23), "employment_type": None, "salary_min": 121785.0,
         "salary_max": 158322.0, "salary_currency": "USD", "salary_period": "year"},
        {"posting_id": "8158011", "source_format": "greenhouse",
         "posted_date": dt.date(2019, 2, 18), "employment_type": "FULL_TIME",
         "salary_min": None, "salary_max": None, "salary_currency": None, "salary_period": None},
        {"posting_id": "8161797a-0000-4000-8000-000000000001", "source_format": "lever",
         "posted_date": dt.date(2019, 2, 20), "employment_type": "FULL_TIME",
         "salary_min": 45000.0, "salary_max": 55000.0, "salary_currency": "SEK",
         "salary_period": "month"},
        {"posting_id": "861898300-0000-4000-8000-000000000002", "source_format": "lever",
         "posted_date": dt.date(2026, 3, 20), "employment_type": "FULL_TIME",
         "salary_min": 100602.0, "salary_max": 130786.0, "salary_currency": "USD",
         "salary_period": "year"},
        {"posting_id": "in-862122500", "source_format": "jobspy",
         "posted_date": dt.date(2026, 3, 23), "employment_type": "FULL_TIME",
         "salary_min": 129096.0, "salary_max": 167830.0, "salary_currency": "USD",
         "salary_period": "year"},
        {"posting_id": "li-862434600", "source_format": "jobspy",
         "posted_date": dt.date(2026, 3, 27), "employment_type": "FULL_TIME",
         "salary_min": None, "salary_max": None, "salary_currency": None, "salary_period": None},
    ]
    assert greenhouse[1]["description"] == (
        "We are hiring Java 8 developers!\n\nYou will work in a strong and innovative team and "
        "together you will make things happen!\n\nYour qualifications:\n\n- Experience in JAVA 8 "
        "programming\n- AWS/Azure experience or interest is beneficial\n- Fluent english, both "
        "speaking and writing")
    assert lever[0]["description"] == (
        "As a developer you'll embark on a digitalization journey as one of the key players in "
        "one of our fast-moving squads within the FMC Tribe. You'll be creating the API:s and "
        "microservices that will be at the heart of things in the digitalization of our customer "
        "journey.\n\nWhat you'll do\n\n- Pair-programming and mob-programming\n- Code reviews to "
        "create code of the highest quality\n\nTelenor is rapidly heading towards the digital "
        "future.")
    assert _pick(lever[0], "location_raw", "location_hints") == {
        "location_raw": "Solna",
        "location_hints": {"country": "SE", "workplace_type": "hybrid",
                           "locations": ["Solna", "Stockholm"]}}
    assert jobspy[1]["seniority_hint"] == "mid-senior level"


def test_skillspan_placeholders_stay_words():
    rows = _fixture_rows("skillspan.jsonl")
    assert [row["posting_id"] for row in rows] == [
        "skillspan-train-house-81", "skillspan-train-house-82", "skillspan-dev-house-30"]
    # "<ORGANIZATION>" is de-identified text, not markup
    assert rows[1]["description"].startswith("<ORGANIZATION> <ORGANIZATION> <ORGANIZATION>")


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"company": "Acme", "location": "Paris"}, "no_title_and_no_text"),
        ({"title": "  ", "description": "<p> </p>"}, "no_title_and_no_text"),
        ({"title": ["Data", "Engineer"], "description": "Build pipelines"}, "invalid_field"),
        ({"title": {"nested": True}, "description": "Build pipelines"}, "invalid_field"),
        ({"id": "x" * 513, "title": "Analyst"}, "invalid_field"),
        ({"title": "Analyst", "salary_min": -5, "salary_max": 10, "salary_currency": "USD"},
         "invalid_field"),
        ({"title": "Analyst", "description_html": "<div>" * 5000 + "deep"}, "html_too_deep"),
        ({"title": "<b>" + "<div>" * 5000 + "Analyst"}, "html_too_deep"),
    ],
)
def test_records_that_cannot_be_postings(fields, reason):
    with pytest.raises(RecordRejected) as rejected:
        to_posting(_record(fields), AS_OF)
    assert rejected.value.reason == reason


def test_title_from_text_and_overlong_titles():
    derived = to_posting(_record({"description": "Data Engineer\nWe build pipelines."}), AS_OF)
    assert (derived["title"], derived["description"]) == (
        "Data Engineer", "Data Engineer\nWe build pipelines.")
    long_title = "We are changing the way people enjoy wine " * 20  # SkillSpan first lines
    row = to_posting(_record({"title": long_title, "description": "Join us."}), AS_OF)
    assert len(row["title"]) <= MAX_TITLE_CHARS
    assert row["title"].endswith("the way people enjoy")
    assert row["description"] == long_title.strip() + "\n\nJoin us."


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Data Analyst", "Data Analyst"),  # already one clean line: returned as it is
        ("<b>Data Analyst</b>", "Data Analyst"),
        ("Data  Analyst ", "Data Analyst"),
        ("R&amp;D Engineer", "R&D Engineer"),
        ("Data\tAnalyst\nGS-12", "Data Analyst GS-12"),
        ("Ingénieur\u00a0données", "Ingénieur données"),
        ("Dâ€™Artagnan", "D’Artagnan"),
    ],
)
def test_titles_are_one_clean_line(title, expected):
    assert to_posting(_record({"title": title}), AS_OF)["title"] == expected


def test_id_is_kept_unchanged_else_content_hash():
    assert to_posting(_record({"id": 23115679, "title": "A"}), AS_OF)["posting_id"] == "23115679"
    assert to_posting(_record({"id": " K-26 ", "title": "A"}), AS_OF)["posting_id"] == "K-26"
    assert content_hash("Data Engineer", "Acme", "London", "Build  pipelines") == \
        content_hash(" data engineer", "ACME", "london", "build pipelines\n")
    assert content_hash("A", "B", "C", "D") == "h:6f92a18824fc3f03"
    assert content_hash("A", None, None, "D") != content_hash("A", "B", None, "D")


# The hash is sha1 over " ".join(part.lower().split()) of each part; it is computed on UTF-8
# bytes when that gives the same words. Non-ASCII case, no-break spaces, U+2028, dotted
# capital I and the ASCII unit separator are where bytes and str differ.
@pytest.mark.parametrize(
    "parts, expected",
    [
        (("Ingénieur Données", "Société Générale", "Paris",
          "Développer des pipelines\n\nPython et SQL"), "h:ac996fc3991e958d"),
        (("INGÉNIEUR DONNÉES", "SOCIÉTÉ GÉNÉRALE", "paris",
          " développer  des pipelines python\tet sql "), "h:ac996fc3991e958d"),
        (("ΣΟΦΙΑ ΑΝΑΛΥΤΗΣ", None, "Αθήνα", "ΔΕΔΟΜΕΝΑ"), "h:8e2d64113bcad410"),
        (("Data\u00a0Engineer", "Acme", "İstanbul", "Build\u2028pipelines"), "h:12624a7fd30c3386"),
        (("Data Engineer", "Acme", "Istanbul", "Build pipelines"), "h:84e12375b3c513a1"),
        (("Nurse", "Mercy\x1fHospital", None, "Care ’24/7’"), "h:d59acfc9a0d89ee9"),
    ],
)
def test_content_hash_of_text_that_is_not_ascii(parts, expected):
    assert content_hash(*parts) == expected


@pytest.mark.parametrize(
    "description, expected",
    [
        # linkedin-ca-2018: lines and a no-break space; the repair's UTF-8 is hashed as it is.
        ("Payments Data Analyst\u00a0is responsible for developing\n\nand maintaining a "
         "Payments dashboard.\nSQL", "h:2e15dd89b84a6372"),
        ("Développer des pipelines\n\nPython et SQL", "h:ac996fc3991e958d"),
        ("ΔΕΔΟΜΕΝΑ", "h:8e2d64113bcad410"),  # capitals that lowering changes: the str path
    ],
)
def test_content_hash_from_a_repaired_text(description, expected):
    repaired = repaired_text(description)
    parts = {"h:ac996fc3991e958d": ("Ingénieur Données", "Société Générale", "Paris"),
             "h:8e2d64113bcad410": ("ΣΟΦΙΑ ΑΝΑΛΥΤΗΣ", None, "Αθήνα")}.get(
        expected, ("Payments Data Analyst", "Logix Federal Credit Union", "Burbank, California"))
    assert content_hash(*parts, repaired.text, repaired) == \
        content_hash(*parts, repaired.text) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("SE", "SE"), ("se", "SE"), ("Sverige", "SE"), ("France", "FR"), ("United States", "US"),
     ("USA", "US"), ("XX", None), ("Atlantis", None), ("", None), (None, None)],
)
def test_country_code(raw, expected):
    assert country_code(raw) == expected


def test_parse_postings_composite():
    good = _record({"id": "7", "title": "Analyst", "description": "SQL and Excel.",
                    "date_posted": "2026-03-30", "employment_type": "Part-time"}, 0)
    empty = _record({"company": "Acme"}, 1)
    with TestPipeline() as pipeline:
        outputs = (pipeline | "Records" >> beam.Create([good, empty])
                   | "Parse" >> ParsePostings(AS_OF))
        assert_that(outputs["postings"] | "Ids" >> beam.Map(
            lambda row: (row["posting_id"], row["title"], row["posted_date"],
                         row["employment_type"])),
            equal_to([("7", "Analyst", dt.date(2026, 3, 30), "PART_TIME")]),
            label="CheckPostings")
        assert_that(outputs[REJECTS_TAG], equal_to([Reject(
            "gs://bucket/jobs.jsonl", 1, "parse", "no_title_and_no_text",
            "the record has neither a title nor any text", "{...}")]), label="CheckRejects")


def test_parse_postings_needs_a_date():
    with pytest.raises(ValueError):
        ParsePostings("2026-04-01")


# Every real file of the corpus parses; only records that are not postings are rejected.
EXPECTED_CORPUS_REJECTS = {
    "remoteok/remoteok-api.json": (97, {}),
    "jobtech-se/platsannons-results.json": (10, {}),
    "usajobs-2021/postings.csv": (760, {"empty_record": 1}),
    "usajobs-2021/recent-jobs.json": (16, {}),
    "place-emploi-public-fr/offres.csv": (606, {}),
    "linkedin-ca-2018/postings.csv": (824, {"empty_record": 1}),
    "indeed-ca-2018/postings.csv": (323, {}),
    "schemaorg-virginia/postings.jsonl": (50, {}),
    "skillspan/train.jsonl": (140, {}),
    "skillspan/dev.jsonl": (58, {}),
}


@pytest.mark.skipif(not CORPUS.exists(), reason="shared/corpus is not beside the repository")
@pytest.mark.parametrize("name", sorted(EXPECTED_CORPUS_REJECTS))
def test_real_corpus_files_parse(name):
    text = (CORPUS / name).read_text(encoding="utf-8")
    parsed, rejects = 0, {}
    for item in parse_file(name, text, detect_format(name, text[:65536])):
        if isinstance(item, Reject):
            rejects[item.reason] = rejects.get(item.reason, 0) + 1
            continue
        try:
            to_posting(item, AS_OF)
            parsed += 1
        except RecordRejected as rejected:
            rejects[rejected.reason] = rejects.get(rejected.reason, 0) + 1
    assert (parsed, rejects) == EXPECTED_CORPUS_REJECTS[name]


FIELD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
    st.lists(st.text(max_size=20), max_size=3),
    st.dictionaries(st.sampled_from(["name", "label", "x"]), st.text(max_size=10), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(RAW_FIELD_KEYS), FIELD_VALUES, max_size=8))
def test_arbitrary_fields_give_a_posting_or_a_reason(fields):
    try:
        row = to_posting(_record(fields), AS_OF)
    except RecordRejected as rejected:
        assert rejected.reason in ("no_title_and_no_text", "invalid_field", "html_too_deep")
    else:
        assert row["title"] and row["posting_id"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Senior  Data\tEngineer ", "Senior Data Engineer"),
        ("GdaÅ„sk &amp; Warszawa", "Gdańsk & Warszawa"),
        ("<b>Data</b> Analyst", "Data Analyst"),
        ("   ", None),
        # Past the cached length the same cleaning runs uncached.
        ("Data  Engineer " + "x" * 300, "Data Engineer " + "x" * 300),
    ],
)
def test_one_line_values_are_cleaned_the_same_cached_or_not(raw, expected):
    for _ in range(2):  # the second call of a short value is answered by the cache
        assert parse._one_line(raw) == expected
    assert parse._clean_one_line(raw) == expected
