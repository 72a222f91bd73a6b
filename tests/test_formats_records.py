"""Structured formats (transforms.formats): detection, JSON/CSV/Greenhouse/Lever/JobSpy records,
generic key aliases, employment types, and a precise reject for every broken record."""
import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.posting import MAX_RECORD_BYTES, RawRecord
from schemas.rejects import Reject
from transforms.formats import detect_format, parse_file
from transforms.formats import csv_records
from transforms.formats.csv_records import parse_csv, parse_csv_pieces, split_lines
from transforms.formats.employment import map_employment_type
from transforms.formats.fields import fields_for_header, generic_fields
from transforms.formats.greenhouse import parse_greenhouse, unescape_content
from transforms.formats.json_records import parse_json, parse_jsonl, parse_jsonl_pieces
from transforms.formats.lever import parse_lever
from transforms.formats.pieces import pieces_of

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "records"


def _parse_fixture(name: str) -> list:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return list(parse_file(name, text, detect_format(name, text[:65536])))


def _reasons(items: list) -> list:
    return [(item.source_record, item.reason) if isinstance(item, Reject)
            else (item.source_record, "record") for item in items]


def _pick(record: RawRecord, *keys: str) -> dict:
    return {key: record.fields.get(key) for key in keys}


# ---------------------------------------------------------------------------------------------
# detection

@pytest.mark.parametrize(
    "source_uri, head, expected",
    [
        ("gs://b/jobs.jsonl", '{"id": 1}\n{"id": 2}\n', "jsonl"),
        ("jobs.jsonl.gz", '{"id": 1}\n', "jsonl"),
        ("export.json", '{"id": 1, "title": "A"}\n{"id": 2, "title": "B"}\n', "jsonl"),
        ("remoteok-api.json", '[{"last_updated": 1773720015, "legal": "API Terms"}, {"id": "1"}]',
         "json"),
        ("board.json", '{"jobs": [{"absolute_url": "https://boards.greenhouse.io/a/jobs/1"', "greenhouse"),
        ("other.json", '{"jobs": [{"title": "A", "link": "x"}]}', "json"),
        ("postings.json", '[{"id": "5ac2", "text": "Engineer", "categories": {"location": "SF"}, '
                          '"hostedUrl": "https://jobs.lever.co/x/5ac2"}]', "lever"),
        ("jobs.json", '[{"id": "in-1", "site": "indeed", "job_url": "https://x"}]', "jobspy"),
        ("platsannons-results.json", '{"took": 3, "hits": {"hits": []}}', "json"),
        ("offres.csv", "Par_URL_offre|Code_OGR|Description\n", "csv"),
        ("jobs.csv", "id,site,job_url,job_url_direct,title,min_amount,max_amount\n", "jobspy"),
        ("page.html", "<html><body>Engineer</body></html>", "html"),
        ("page.htm.gz", "<div>Engineer</div>", "html"),
        ("spotify.txt", "Machine Learning Engineer II\nSpotify\n", "text"),
        ("s3-dump", '[{"title": "A"}]', "json"),
        ("s3-dump", "<!DOCTYPE html><html></html>", "html"),
        ("s3-dump", "title,company\nAnalyst,Acme\n", "csv"),
        ("s3-dump", "Machine Learning Engineer II\nSpotify\nStockholm\n", "text"),
    ],
)
def test_detect_format(source_uri, head, expected):
    assert detect_format(source_uri, head) == expected


# ---------------------------------------------------------------------------------------------
# real files (copyable excerpts) and vendor shapes wrapped around real text

def test_usajobs_csv_rows_and_the_empty_row():
    items = _parse_fixture("usajobs_postings.csv")
    assert _reasons(items) == [(0, "record"), (1, "empty_record"), (2, "record")]
    first, last = items[0], items[2]
    assert _pick(first, "id", "title", "company", "location", "date_posted", "valid_through",
                 "seniority", "workplace_type", "url") == {
        "id": "622988700",
        "title": "Data Analyst",
        "company": "Development Finance Corporation (formerly Overseas Private Investment "
                   "Corporation)",
        "location": "Washington, District of Columbia",
        "date_posted": "2021-11-18T15:50:34.4930",
        "valid_through": "2021-12-09T23:59:59.9970",
        "seniority": "GS-12",
        "workplace_type": "hybrid",
        "url": "https://www.usajobs.gov:443/GetJob/ViewDetails/622988700",
    }
    # JobSummary then QualificationSummary (MajorDuties is empty in this export)
    assert len(first.fields["description"]) == 2
    assert first.fields["description"][0].startswith(
        "This position is part of the U.S. International Development Finance Corporation")
    assert first.fields["description"][1].startswith(
        "Applicants must meet all eligibility and qualification requirements")
    assert _pick(last, "id", "title", "seniority") == {
        "id": "622083200", "title": "Budget Analyst", "seniority": "GS-7/12"}


def test_usajobs_scraper_array_splits_locations():
    first, second = _parse_fixture("usajobs_recent_jobs.json")
    assert (first.source_record, first.source_format) == (0, "json")
    assert _pick(first, "id", "title", "company", "salary_min", "salary_max", "salary_currency",
                 "seniority", "date_posted", "valid_through", "workplace_type") == {
        "id": "K-26-DHA-12804858-AKK", "title": "DATA SCIENTIST",
        "company": "Air Force Civilian Career Training", "salary_min": "49960",
        "salary_max": "99314", "salary_currency": "USD", "seniority": "GS-7/9",
        "date_posted": "2025-09-29T00:00:00.0000", "valid_through": "2026-09-28T23:59:59.9970",
        "workplace_type": None,  # telework: false
    }
    assert len(first.fields["locations"]) == 48
    assert first.fields["locations"][:2] == ["Gunter AFB, Alabama, Alabama",
                                            "Maxwell AFB, Alabama, Alabama"]
    assert _pick(second, "id", "seniority", "workplace_type") == {
        "id": "SSA-12907750-26-DHA-RQ", "seniority": "GS-14", "workplace_type": "hybrid"}


def test_place_emploi_pipe_separated_with_literal_newlines():
    items = _parse_fixture("place_emploi_offres.csv")
    assert _reasons(items) == [(0, "record"), (1, "record"), (2, "record")]
    second = items[1]
    assert _pick(second, "id", "title", "location", "location_region", "location_country",
                 "date_posted", "employment_type", "seniority", "url", "company") == {
        "id": "2020-458922",
        "title": "Gestionnaire d'Infrastructures F/H (réf.2623)",
        "location": "Paris",
        "location_region": "Paris",
        "location_country": "FR",
        "date_posted": "16/04/2021",
        "employment_type": "CDD",
        "seniority": "Debutant",
        "url": "https://place-emploi-public.gouv.fr/offre-emploi/2020-458922",
        "company": None,
    }
    assert second.fields["description"].startswith(
        "Fonctions : Gestionnaire d'Infrastructures F/H \nCatégorie : A\xa0 \nCorps :")
    assert "\\n" not in second.fields["description"]


def test_jobtech_elasticsearch_hits_with_swedish_keys():
    first, second = _parse_fixture("jobtech_platsannons.json")
    assert _pick(first, "id", "title", "company", "location", "location_city", "location_region",
                 "location_country", "location_postal_code", "date_posted", "valid_through",
                 "employment_type") == {
        "id": 23115679, "title": "Java-utvecklare", "company": "Chas Visual Management AB",
        "location": "Stockholm, Stockholms län", "location_city": "Stockholm",
        "location_region": "Stockholms län", "location_country": "SE",
        "location_postal_code": "13141", "date_posted": "2019-02-14T00:00:00",
        "valid_through": "2019-03-03T23:59:59",
        "employment_type": ["Vanlig anställning", "Heltid"],
    }
    assert second.fields["location"] == "Stockholm, Stockholms län, Sverige"
    assert second.fields["description"] == [
        second.fields["description"][0], "Behovstext", "Kravtext"]


def test_skillspan_lines():
    items = _parse_fixture("skillspan.jsonl")
    assert [(item.source_record, item.fields["id"]) for item in items] == [
        (0, "skillspan-train-house-81"), (1, "skillspan-train-house-82"),
        (2, "skillspan-dev-house-30")]
    assert items[0].fields["title"].startswith("We\x92re changing the way people enjoy wine")


def test_greenhouse_board_unescapes_content_and_converts_cents():
    first, second = _parse_fixture("greenhouse_board.json")
    assert (first.source_format, first.source_record) == ("greenhouse", 0)
    assert _pick(first, "id", "title", "company", "location", "date_posted", "url", "salary_min",
                 "salary_max", "salary_currency", "salary_period", "locations") == {
        "id": 862110400, "title": "Data Scientist (Data Management)",
        "company": "Immigration and Customs Enforcement", "location": "Fairfax, Virginia",
        "date_posted": "2026-03-23T09:46:16-04:00",
        "url": "https://boards.greenhouse.io/example/jobs/862110400",
        "salary_min": 121785.0, "salary_max": 158322.0, "salary_currency": "USD",
        "salary_period": "Annual salary GS-13 pay range", "locations": None,
    }
    assert first.fields["description_html"].startswith(
        "<p>As a Data Scientist (Data Management), you will perform")
    # escaped twice by the exporter, unescaped twice here
    assert second.fields["description_html"].startswith("<p>We are hiring Java 8 developers!</p>")
    assert _pick(second, "employment_type", "locations") == {
        "employment_type": ["Full-time"],
        "locations": ["Göteborg, Sweden", "Stockholm, Sweden"]}


@pytest.mark.parametrize(
    "content, expected",
    [("&lt;p&gt;Data &amp;amp; AI&lt;/p&gt;", "<p>Data &amp; AI</p>"),
     ("&amp;lt;p&amp;gt;Java&amp;lt;/p&amp;gt;", "<p>Java</p>"),
     ("<p>Already HTML &amp; fine</p>", "<p>Already HTML &amp; fine</p>"),
     ("Plain text", "Plain text")],
)
def test_greenhouse_unescape_content(content, expected):
    assert unescape_content(content) == expected


def test_lever_postings():
    first, second = _parse_fixture("lever_postings.json")
    assert _pick(first, "id", "title", "location", "locations", "employment_type",
                 "location_country", "workplace_type", "salary_min", "salary_max",
                 "salary_currency", "salary_period", "date_posted", "url") == {
        "id": "8161797a-0000-4000-8000-000000000001", "title": "Java Developer",
        "location": "Solna", "locations": ["Solna", "Stockholm"], "employment_type": "Permanent",
        "location_country": "SE", "workplace_type": "hybrid", "salary_min": 45000,
        "salary_max": 55000, "salary_currency": "SEK", "salary_period": "per-month-salary",
        "date_posted": 1550677810000,
        "url": "https://jobs.lever.co/example/8161797a-0000-4000-8000-000000000001",
    }
    opening, section, closing = first.fields["description"]
    assert opening.startswith("As a developer you'll embark on a digitalization journey")
    assert section == ("<h3>What you&#x27;ll do</h3><ul><li>Pair-programming and "
                       "mob-programming</li><li>Code reviews to create code of the highest "
                       "quality</li></ul>")
    assert closing == "Telenor is rapidly heading towards the digital future."
    assert _pick(second, "workplace_type", "location_country", "locations") == {
        "workplace_type": "on-site", "location_country": "US", "locations": None}


def test_jobspy_csv():
    first, second = _parse_fixture("jobspy_jobs.csv")
    assert (first.source_format, second.source_format) == ("jobspy", "jobspy")
    assert _pick(first, "id", "title", "company", "location", "date_posted", "employment_type",
                 "salary_min", "salary_max", "salary_currency", "salary_period", "is_remote",
                 "url") == {
        "id": "in-862122500", "title": "DATA SCIENTIST", "company": "U.S. Northern Command",
        "location": "Peterson AFB, CO, US", "date_posted": "2026-03-23",
        "employment_type": "fulltime", "salary_min": "129096.0", "salary_max": "167830.0",
        "salary_currency": "USD", "salary_period": "yearly", "is_remote": "False",
        "url": "https://www.indeed.com/viewjob?jk=862122500",
    }
    assert _pick(second, "seniority", "is_remote") == {
        "seniority": "mid-senior level", "is_remote": "True"}


# ---------------------------------------------------------------------------------------------
# generic keys and known shapes

@pytest.mark.parametrize(
    "record, expected",
    [
        ({"Job_ID": "42", "Job Title": "Data Engineer", "Company_Name": "Acme",
          "formattedLocation": "Austin, TX", "job_description": "Build pipelines",
          "created_at": "2025-11-03", "JOB_URL": "https://x/42"},
         {"id": "42", "title": "Data Engineer", "company": "Acme", "location": "Austin, TX",
          "description": "Build pipelines", "date_posted": "2025-11-03", "url": "https://x/42"}),
        ({"position": "Nurse", "employer": "Clinic", "city": "Lyon", "text": "Soins", "date": "3 days ago"},
         {"title": "Nurse", "company": "Clinic", "location_city": "Lyon", "description": "Soins",
          "date_posted": "3 days ago"}),
        ({"title": "A", "company": {"name": "Acme"}, "location": {"name": "London"}},
         {"title": "A", "company": {"name": "Acme"}, "location": {"name": "London"}}),
        ({"jobPostingId": 3712, "title": "Analyst", "companyName": "Beta", "listedAt": 1730592000000,
          "formattedExperienceLevel": "Mid-Senior level", "workRemoteAllowed": True},
         {"id": 3712, "title": "Analyst", "company": "Beta", "date_posted": 1730592000000,
          "seniority": "Mid-Senior level", "is_remote": True}),
        ({"title": "", "company": "  ", "id": None}, {}),
    ],
)
def test_generic_fields_aliases(record, expected):
    assert generic_fields(record) == expected


def test_remote_ok_legal_notice_is_not_a_posting():
    notice = {"last_updated": 1773720015, "legal": "API Terms of Service: Please link back"}
    assert generic_fields(notice) is None
    text = json.dumps([notice, {"id": "1130780", "position": "VP Marketing", "slug": "vp-1130780",
                                "epoch": 1773504004, "company": "Blackpoint Cyber",
                                "salary_min": 180000, "salary_max": 210000, "location": ""}])
    (record,) = list(parse_json("remoteok-api.json", text))
    # the notice is element 0 and yields nothing: element indexes stay those of the file
    assert record.source_record == 1
    assert record.fields == {"id": "1130780", "title": "VP Marketing", "company": "Blackpoint Cyber",
                             "date_posted": 1773504004, "salary_min": 180000,
                             "salary_max": 210000, "is_remote": True,
                             "workplace_type": "remote", "salary_currency": "USD"}


def test_schema_org_json_line():
    line = json.dumps({
        "id": "b8b7", "title": "Media Consultant", "datePosted": "2016-03-17",
        "hiringOrganization": {"organizationName": "1105 Media, Inc."},
        "jobDescription": "Drive advertising revenue with aggressive sales efforts.",
        "responsibilities": ["Drive advertising revenue with aggressive sales efforts",
                             "Weekly forecasting and reporting"],
        "experienceRequirements": "Mid level",
        "baseSalary": {"salary": 0.0, "maxSalary": 0.0, "minSalary": 0.0, "medianSalary": 90000.0},
        "jobLocation": {"address": {"fullText": "VA-Vienna", "locality": "Vienna",
                                    "regionCode": "VA", "countryCode": "US", "postalCode": ""}},
    })
    (record,) = list(parse_jsonl("postings.jsonl", line))
    assert record.fields == {
        "id": "b8b7", "title": "Media Consultant", "date_posted": "2016-03-17",
        "company": "1105 Media, Inc.",
        "description": ["Drive advertising revenue with aggressive sales efforts.",
                        "Weekly forecasting and reporting"],
        "location": "VA-Vienna", "location_city": "Vienna", "location_region": "VA",
        "location_country": "US", "seniority": "Mid level", "salary_min": 0.0, "salary_max": 0.0,
    }


@pytest.mark.parametrize(
    "raw, expected",
    [("Full-time", "FULL_TIME"), ("full_time", "FULL_TIME"), ("Permanent", "FULL_TIME"),
     ("CDI", "FULL_TIME"), ("CDD", "TEMPORARY"), ("Fixed-term", "TEMPORARY"),
     ("Contract", "CONTRACTOR"), ("Freelance", "CONTRACTOR"), ("Internship", "INTERN"),
     ("Stage", "INTERN"), ("Part-time", "PART_TIME"), ("parttime", "PART_TIME"),
     ("Temporary", "TEMPORARY"), ("Volunteer", "OTHER"), ("Part-time, Contract", "CONTRACTOR"),
     (["Vanlig anställning", "Heltid"], "FULL_TIME"), (["Vanlig anställning", "Deltid"], "PART_TIME"),
     (["FULL_TIME", "PART_TIME"], "PART_TIME"), ("Temps plein", "FULL_TIME"),
     ("Not Applicable", None), ("Mid-Senior level", None), ("", None), (None, None)],
)
def test_map_employment_type(raw, expected):
    assert map_employment_type(raw) == expected


# ---------------------------------------------------------------------------------------------
# broken input: a precise reject, never a crash, never a silent drop

def _run(parser, text: str) -> list:
    return _reasons(list(parser("bad.input", text)))


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"title": "A"}\n{"title": nope}\n{"title": "C"}\n',
         [(0, "record"), (1, "invalid_json"), (2, "record")]),
        ('{"title": "A"}\n{"title": \n', [(0, "record"), (1, "truncated_json")]),
        ('{"title": "A"}\n\n[1, 2]\n"text"\n', [(0, "record"), (2, "not_an_object"),
                                                (3, "not_an_object")]),
        ('{"title": "A\u0000B"}\n'.replace("\\u0000", "\x00"), [(0, "nul_bytes")]),
        ("[" * 100_000 + "]" * 100_000 + "\n", [(0, "json_too_deep")]),
        ('{"title": "cut', [(0, "truncated_json")]),
        ("", []),
        ("\n\n", []),
    ],
)
def test_jsonl_rejects(text, expected):
    assert _run(parse_jsonl, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[{"title": "A"}, {"title": "B"}, {"title": "C"', [(0, "record"), (1, "record"),
                                                           (2, "truncated_json")]),
        ('[{"title": "A"}, {"title": "B"},', [(0, "record"), (1, "record"), (2, "truncated_json")]),
        ('[{"title": "A"} {"title": "B"}]', [(0, "record"), (1, "invalid_json")]),
        ('[{"title": "A"}, nope]', [(0, "record"), (1, "invalid_json")]),
        ('[{"title": "A"}, 7, null]', [(0, "record"), (1, "not_an_object"), (2, "not_an_object")]),
        ('[{"title": "A"}] trailing', [(0, "record"), (1, "invalid_json")]),
        ("[" + "[" * 100_000 + "]" * 100_000 + "]", [(0, "json_too_deep")]),
        ('{"jobs": [{"title": "A"}, {"title": "B"}]}', [(0, "record"), (1, "record")]),
        ('{"title": "A", "company": "B"}', [(0, "record")]),
        ('{"title": "A"', [(0, "truncated_json")]),
        ("{" * 100_000, [(0, "invalid_json")]),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, [(0, "json_too_deep")]),
        ('{"title": "A"}\n{"title": "B"}\n', [(0, "record"), (1, "record")]),  # JSON lines in .json
        ("[]", []),
        ("", []),
        ("   \n", []),
    ],
)
def test_json_rejects(text, expected):
    assert _run(parse_json, text) == expected


def test_json_record_over_the_size_limit():
    big = "x" * (MAX_RECORD_BYTES + 1)
    text = json.dumps([{"title": "A"}, {"title": "B", "description": big}, {"title": "C"}])
    assert _run(parse_json, text) == [(0, "record"), (1, "record_too_large"), (2, "record")]
    assert _run(parse_jsonl, text[1:-1].replace("}, {", "}\n{")) == [
        (0, "record"), (1, "record_too_large"), (2, "record")]


@pytest.mark.parametrize(
    "text, expected",
    [
        # quoted newlines, BOM, ';' separator
        ('\ufefftitle;description\n"Analyst";"line one\nline two"\n',
         [(0, "record")]),
        # an unclosed quote costs its own row only: the reader restarts on the next line
        ('title,company\nA,"Acme\nB,Beta\nC,Gamma\n',
         [(0, "csv_unclosed_quote"), (1, "record"), (2, "record")]),
        ('title,company\nA,"Ac"me\nB,Beta\n', [(0, "csv_invalid_quoting"), (1, "record")]),
        ("title,company\nA\nB,Beta,extra\nC,Gamma\n",
         [(0, "csv_wrong_column_count"), (1, "csv_wrong_column_count"), (2, "record")]),
        ("title,company\nA,Ac\x00me\n", [(0, "nul_bytes")]),
        ("title,company\n,\n\nB,Beta\n", [(0, "empty_record"), (1, "record")]),
        ("title,company\n", []),
        ("", []),
    ],
)
def test_csv_rejects(text, expected):
    assert _run(parse_csv, text) == expected


def test_csv_quoted_newline_and_bom_values():
    (record,) = list(parse_csv("x.csv", '\ufeffTitle;Description\n"Analyst";"line one\nline two"\n'))
    assert record.fields == {"title": "Analyst", "description": "line one\nline two"}
    assert record.excerpt == '"Analyst";"line one\nline two"\n'


def test_csv_row_over_the_size_limit():
    text = "title,description\nA,short\nB," + "x" * (MAX_RECORD_BYTES + 1) + "\nC,short\n"
    assert _run(parse_csv, text) == [(0, "record"), (1, "record_too_large"), (2, "record")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\nb", ["a\n", "b"]),
        ("a\r\nb\rc\n", ["a\r\n", "b\r", "c\n"]),
        ("\r\r\n\n", ["\r", "\r\n", "\n"]),
        ("x\u2028y\x85z\n", ["x\u2028y\x85z\n"]),  # only \n and \r end CSV lines
        ("", []),
    ],
)
def test_split_lines_like_stringio(text, expected):
    assert list(split_lines(text)) == expected


def test_csv_error_detail_counts_lines_before_the_header():
    items = list(parse_csv("x.csv", '\n\ntitle,company\nA,"Ac"me\nB,Beta\n'))
    assert [(item.source_record, item.reason, item.detail, item.excerpt)
            if isinstance(item, Reject) else (item.source_record, item.fields)
            for item in items] == [
        (0, "csv_invalid_quoting", "CSV row 0 (line 4): ',' expected after '\"'",
         'A,"Ac"me\nB,Beta\n'),
        (1, {"title": "B", "company": "Beta"}),
    ]


def test_csv_unclosed_quote_with_crlf_restarts_on_the_next_line():
    items = list(parse_csv("x.csv", 'title,company\r\nA,"Acme\r\nB,Beta\r\nC,Gamma\r\n'))
    assert [(item.source_record, item.detail, item.excerpt) if isinstance(item, Reject)
            else (item.source_record, item.excerpt) for item in items] == [
        (0, "CSV row 0 (line 2): unexpected end of data", 'A,"Acme\r\nB,Beta\r\nC,Gamma\r\n'),
        (1, "B,Beta\r\n"),
        (2, "C,Gamma\r\n"),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Plain rows are split with str.find; each must come out as csv.reader splits it.
        ('title,description\r\n"Nurse, RN","Say ""hi""\r\nto patients"\r\n',
         [["Nurse, RN", 'Say "hi"\r\nto patients']]),
        ('title;company\nAna"lyst;"Acme"\n', [['Ana"lyst', "Acme"]]),
        ('title,company\n"Welder",\n,"Steel Co"', [["Welder", ""], ["", "Steel Co"]]),
        ('title\tcompany\n"Cook\n\nChef"\t Diner \n\nBaker\t""\n',
         [["Cook\n\nChef", " Diner "], ["Baker", ""]]),
        ('title,company\n "Driver",CDL\n', [[' "Driver"', "CDL"]]),
    ],
)
def test_csv_plain_rows(text, expected):
    assert [[record.fields.get(key, "") for key in ("title", "company", "description")
             if key in text.split("\n", 1)[0]] for record in parse_csv("x.csv", text)] == expected


CSV_PIECES = st.lists(st.sampled_from(
    [",", ",", '"', '"', '""', "\n", "\r\n", "\r", "Nurse", "Acme, Inc", " ", ";", "\t", "\x00",
     "Göteborg", "\u2028"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(header=st.sampled_from(["title,company,location\n", "title;company\n",
                               "title\tcompany\r\n"]), pieces=CSV_PIECES)
def test_plain_row_split_is_the_csv_modules(header, pieces):
    text = header + "".join(pieces)
    plain = list(parse_csv("x.csv", text))
    saved = csv_records._split_plain_row
    csv_records._split_plain_row = lambda *args: None  # every row to csv.reader
    try:
        assert plain == list(parse_csv("x.csv", text))
    finally:
        csv_records._split_plain_row = saved


@settings(max_examples=300, deadline=None)
@given(header=st.sampled_from(["title,company,location\n", "title;company\n",
                               "\ufefftitle\tcompany\r\n", "\n\ntitle,company\n"]),
       pieces=CSV_PIECES, size=st.integers(min_value=1, max_value=12))
def test_csv_in_pieces_of_any_size_is_the_whole_text(header, pieces, size):
    # A row, a quoted field or a "\r\n" may run over any number of pieces.
    text = header + "".join(pieces)
    assert list(parse_csv_pieces("x.csv", pieces_of(text, size=size))) == \
        list(parse_csv("x.csv", text))


@pytest.mark.parametrize("size", [7, 100, 1_000_000])
def test_csv_error_detail_counts_every_kind_of_line_end(size):
    # Lines end with "\n", "\r\n" or a lone "\r", as io.StringIO(newline="") ends them; more
    # than a thousand of each, also where a quoted field holds them.
    text = ("title,company\n" + "A,B\n" * 1200 + "C,D\r" * 5 + 'E,"F\r\nG"\r\n' * 1100
            + 'H,"I"x\nJ,K\n')
    items = list(parse_csv_pieces("x.csv", pieces_of(text, size=size)))
    assert len(items) == 2307
    broken = items[2305]
    assert (broken.source_record, broken.reason, broken.detail, broken.excerpt) == (
        2305, "csv_invalid_quoting", "CSV row 2305 (line 3407): ',' expected after '\"'",
        'H,"I"x\nJ,K\n')
    assert (items[2306].source_record, items[2306].fields) == (
        2306, {"title": "J", "company": "K"})


def test_csv_rows_across_pieces_are_the_whole_texts():
    text = ("id,title,description\n1,Nurse,\"Patient care\nNight shifts\"\n"
            "2,\"Welder\",MIG\r\n3,Cook,\"Line \"\"A\"\"\"\n")
    whole = list(parse_csv("x.csv", text))
    assert list(parse_csv_pieces("x.csv", pieces_of(text, size=5))) == whole
    assert [(record.source_record, record.fields["title"], record.excerpt) for record in whole] == [
        (0, "Nurse", '1,Nurse,"Patient care\nNight shifts"\n'), (1, "Welder", '2,"Welder",MIG\r\n'),
        (2, "Cook", '3,Cook,"Line ""A"""\n')]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\nbb\nccc\n", ["a\nbb\n", "ccc\n"]),
        ("abcdef\ng", ["abcdef\n", "g"]),
        ("abc", ["abc"]),
        ("", []),
    ],
)
def test_pieces_are_cut_after_a_line_end(text, expected):
    assert list(pieces_of(text, size=3)) == expected


def test_jsonl_truncation_is_told_by_the_lines_after_it_in_later_pieces():
    pieces = ['{"id": "1", "title": "Nurse"}\n', '{"id": "2", "title": "Wel', "\n", "  \n", "\n"]
    assert _reasons(list(parse_jsonl_pieces("x.jsonl", pieces))) == [
        (0, "record"), (1, "truncated_json")]
    pieces[-1] = '{"id": "3", "title": "Cook"}\n'
    assert _reasons(list(parse_jsonl_pieces("x.jsonl", pieces))) == [
        (0, "record"), (1, "invalid_json"), (4, "record")]


def test_fields_for_header_matches_generic_fields_on_usajobs_rows():
    rows = list(csv.reader(io.StringIO(
        (FIXTURES / "usajobs_postings.csv").read_text(encoding="utf-8"), newline="")))
    header, rows = [name.strip() for name in rows[0]], rows[1:]
    fields_of_row = fields_for_header(header)
    assert [fields_of_row(row) for row in rows] == [
        generic_fields({name: value for name, value in zip(header, row) if name})
        for row in rows]
    assert fields_of_row(rows[0])["title"] == "Data Analyst"


@pytest.mark.parametrize(
    "header, row, expected",
    [
        # Two spellings of one key: the filled one wins, else the last.
        (["Job Title", "job_title", "Company"], ["", "Analyst", "Acme"],
         {"title": "Analyst", "company": "Acme"}),
        (["Job Title", "job_title"], [" ", ""], {}),
        # A repeated name keeps its last value; unnamed columns are ignored.
        (["title", "", "title"], ["First", "x", "Second"], {"title": "Second"}),
        (["id", "position", "slug", "epoch", "legal"], ["7", "Nurse", "nurse-7", "1", ""],
         {"id": "7", "title": "Nurse", "is_remote": True, "workplace_type": "remote",
          "date_posted": "1"}),
    ],
)
def test_fields_for_header_repeated_and_unnamed_columns(header, row, expected):
    assert fields_for_header(header)(row) == expected
    assert generic_fields({name: value for name, value in zip(header, row) if name}) == expected


def test_unknown_format_is_a_reject():
    (reject,) = list(parse_file("x.bin", "whatever", "xml"))
    assert (reject.stage, reject.reason, reject.detail) == (
        "read", "unknown_format", "no parser for format 'xml'")


# ---------------------------------------------------------------------------------------------
# properties: arbitrary input gives only RawRecords and Rejects, never an exception

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "title", "Title", "description", "location",
                                       "company", "salary_min", "date", "jobs", "hits",
                                       "_source", "categories", "text", "lists", "content",
                                       "pay_input_ranges", "offices", "x"]),
                      children, max_size=5),
    max_leaves=20,
)


def _parse_jobspy(source_uri: str, text: str):
    return parse_file(source_uri, text, "jobspy")


PARSERS = [parse_jsonl, parse_json, parse_csv, parse_greenhouse, parse_lever, _parse_jobspy]


def _only_records_and_rejects(parser, text: str) -> None:
    for item in parser("prop.input", text):
        assert isinstance(item, (RawRecord, Reject))


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_raises(text):
    for parser in PARSERS:
        _only_records_and_rejects(parser, text)


@settings(max_examples=60, deadline=None)
@given(value=JSON_VALUES)
def test_arbitrary_json_never_raises(value):
    document = json.dumps(value)
    for parser in PARSERS:
        _only_records_and_rejects(parser, document)
    _only_records_and_rejects(parse_jsonl, json.dumps(value) + "\n" + json.dumps([value]))
