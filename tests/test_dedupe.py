"""Duplicate removal: key normalization, MinHash similarity on real postings, block decisions,
and the RemoveDuplicates composite (cross-board repost, same-employer different jobs,
transitive merges, date window). Texts are USAJOBS 2021 announcements (public domain,
shared/corpus/usajobs-2021), the second board's copy edited by hand as boards do."""
from __future__ import annotations

import datetime as dt

import apache_beam as beam
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.dedupe import (
    BAND_BYTES, LSH_BANDS, RULES, DedupeSignature, MemberKey, MinHasher, RemoveDuplicates,
    band_keys, blocking_keys,
    DuplicateDecisions, apply_decisions, candidate_probability, cluster_block,
    decide_duplicates, decisions_by_group, member_group,
    companies_compatible, estimated_jaccard, fold_text, is_near_text_duplicate, leading_words,
    word_hashes,
    make_signature, normalize_company, normalize_title, normalize_url, places_compatible,
    share_earlier_band, shingles,
)

# USAJOBS 621954600 and 621938500: one agency, one hospital, one day, two different jobs
# whose announcements share most of their text (even the "Lead" requirement line).
QUALIFICATIONS = (
    "Who May Apply: US Citizens In order to qualify, you must meet the education and "
    "experience requirements described below. Experience refers to paid and unpaid experience, "
    "including volunteer work done through National Service programs (e.g., Peace Corps, "
    "AmeriCorps) and other organizations (e.g., professional; philanthropic; religious; "
    "spiritual; community; student; social). You will receive credit for all qualifying "
    "experience, including volunteer experience. Your resume must clearly describe your "
    "relevant experience; if qualifying based on education, your transcripts will be required "
    "as part of your application. Additional information about transcripts is in this "
    "document. Basic Requirement for Lead Clinical Laboratory Scientist:\nA. A Bachelor's or "
    "graduate/higher level degree from a regionally accredited college/university including "
    "courses in biological science, chemistry and mathematics, AND successful completion of a "
    "Medical Laboratory Scientist/Clinical Laboratory Scientist program accredited by the "
    "National Accrediting Agency for Clinical Laboratory Sciences (NAACLS)"
)
SCIENTIST_TEXT = (
    "This is a Direct Hire Authority (DHA) solicitation utilizing the DHA for Certain "
    "Personnel of the DoD Workforce to recruit and appoint qualified candidates to positions "
    "in the competitive service. About the Position: This position is located in the Anatomic "
    "Pathology Services section at Madigan Army Medical Center, in Tacoma, WA. " + QUALIFICATIONS
)
# The same announcement as an aggregator shows it: no employer, a sentence dropped, the
# place spelled out, a call to action appended.
SCIENTIST_TEXT_ON_BOARD = (
    "This is a Direct Hire Authority (DHA) solicitation utilizing the DHA for Certain "
    "Personnel of the DoD Workforce to recruit and appoint qualified candidates to positions "
    "in the competitive service. This position is located in the Anatomic Pathology Services "
    "section at Madigan Army Medical Center, in Tacoma, Washington. "
    + QUALIFICATIONS.replace("Additional information about transcripts is in this document. ", "")
    + " Apply today on our site."
)
LEAD_TEXT = (
    "This is a Direct Hire Authority (DHA) solicitation utilizing the DHA for Certain "
    "Personnel of the DoD Workforce to recruit and appoint qualified candidates to positions "
    "in the competitive service. About the Position:\nThis position is located in the Core "
    "Laboratory at Madigan Army Medical Center in Tacoma, WA. - Salary negotiation may be "
    "available for those candidates who are new to Federal service. " + QUALIFICATIONS
)
TACOMA = {"city": "Tacoma", "admin1_code": "US-WA", "admin1_name": "Washington",
          "country_code": "US", "country_name": "United States", "world_region": "North America"}


def posting(posting_id, title, company, description, posted, url=None, place=TACOMA,
            seniority="unknown", source_uri="usajobs.csv", source_record=0):
    return {
        "posting_id": posting_id, "source_uri": source_uri, "source_record": source_record,
        "url": url, "title": title, "company": company, "description": description,
        "posted_date": posted, **place, "locations": [place], "seniority": seniority,
        "skills": [], "skill_names": [],
    }


SCIENTIST = posting("621954600", "Clinical Laboratory Scientist", "U.S. Army Medical Command",
                    SCIENTIST_TEXT, dt.date(2021, 11, 16),
                    url="https://www.usajobs.gov:443/GetJob/ViewDetails/621954600")
SCIENTIST_ON_BOARD = posting("jb-88213", "Clinical Laboratory Scientist", None,
                             SCIENTIST_TEXT_ON_BOARD, dt.date(2021, 11, 17),
                             url="https://jobs.example-board.com/view/88213",
                             source_uri="board.jsonl", source_record=41)
LEAD = posting("621938500", "Lead Clinical Laboratory Scientist", "U.S. Army Medical Command",
               LEAD_TEXT, dt.date(2021, 11, 16), seniority="lead",
               url="https://www.usajobs.gov:443/GetJob/ViewDetails/621938500", source_record=1)


@pytest.mark.parametrize("company, expected", [
    ("U.S. Army Medical Command", "us army medical command"),
    ("US Army Medical Command", "us army medical command"),
    ("Spotify Technology S.A.", "spotify technology"),
    ("Spotify AB", "spotify"),
    ("Acme Co., Ltd.", "acme"),
    ("Ministère de l'Intérieur", "ministere de l interieur"),
    ("Limited", "limited"),  # a lone legal word is the name, not a suffix
    ("", ""),
    (None, ""),
])
def test_normalize_company(company, expected):
    assert normalize_company(company) == expected


@pytest.mark.parametrize("title, expected", [
    ("Sr. Data Engineer (m/w/d) - Remote", "senior data engineer"),
    ("Senior Data Engineer", "senior data engineer"),
    ("ANALYSTE CYBERDEFENSE CONFIRME H/F", "analyste cyberdefense confirme"),
    ("Machine Learning Engineer II", "machine learning engineer ii"),
    ("Lead Clinical Laboratory Scientist", "lead clinical laboratory scientist"),
    ("IT Specialist (DATAMGT/APPSW)", "it specialist datamgt appsw"),
])
def test_normalize_title(title, expected):
    assert normalize_title(title) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://www.usajobs.gov:443/GetJob/ViewDetails/621954600",
     "usajobs.gov/GetJob/ViewDetails/621954600"),
    ("http://usajobs.gov/GetJob/ViewDetails/621954600/", "usajobs.gov/GetJob/ViewDetails/621954600"),
    ("https://www.linkedin.com/jobs/view/3751234567/?refId=abc%3D%3D&trackingId=xyz",
     "linkedin.com/jobs/view/3751234567"),
    ("https://place-emploi-public.gouv.fr/offre-emploi/2020-454766#apply",
     "place-emploi-public.gouv.fr/offre-emploi/2020-454766"),
    ("https://boards.greenhouse.io/acme/jobs/123?gh_src=x&utm_source=y&b=2&a=1",
     "boards.greenhouse.io/acme/jobs/123?a=1&b=2"),
    ("https://careers.example.com/", None),  # a site root is a careers page, not a job
    ("not a url", None),
    ("", None),
    (None, None),
])
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("left, right, expected", [
    (("GB", "GB-ENG", "London"), ("GB", "GB-ENG", "London"), True),
    (("GB", "GB-ENG", "London"), ("GB", None, None), True),
    (("GB", "GB-ENG", "London"), (None, None, None), True),
    (("GB", "GB-ENG", "London"), ("GB", "GB-ENG", "Manchester"), False),
    (("US", "US-WA", "Tacoma"), ("US", "US-TX", None), False),
])
def test_places_compatible(left, right, expected):
    assert places_compatible(left, right) is expected


@pytest.mark.parametrize("left, right, expected", [
    ("spotify", "spotify technology", True),
    ("us army medical command", "", True),
    ("acme", "globex", False),
    ("bank of america", "bank of ireland", False),
])
def test_companies_compatible(left, right, expected):
    assert companies_compatible(left, right) is expected


HASHER = MinHasher()


def signature(row) -> DedupeSignature:
    return make_signature(row, HASHER)


def test_minhash_estimates_on_real_texts():
    assert len(shingles(SCIENTIST_TEXT)) == 193  # distinct word 3-grams
    assert len(shingles("Data Engineer")) == 0
    assert signature(posting("t", "Data Engineer", "Acme", "Python and SQL.", None)).minhash is None
    # Exact 3-gram Jaccard: repost 0.854, the other job of the same employer 0.869. Text
    # alone cannot tell them apart; the title and seniority checks do.
    assert estimated_jaccard(signature(SCIENTIST).minhash,
                             signature(SCIENTIST_ON_BOARD).minhash) == 0.828125
    assert estimated_jaccard(signature(SCIENTIST).minhash, signature(LEAD).minhash) == 0.8125


def polynomial_hash(word: bytes) -> int:
    return sum(byte * pow(0x100000001B3, k, 1 << 64) for k, byte in enumerate(word)) % (1 << 64)


@pytest.mark.parametrize("text", [
    "Le ministère de l'Intérieur recrute un(e) ANALYSTE CYBERDÉFENSE CONFIRMÉ H/F",
    "We’re hiring • Python – SQL • Straße café",
    # Past the power tables: the head holds one word, so the whole text is folded.
    "Apply" + "." * 20_000 + " Python, SQL",
])
def test_word_hashes_are_each_words_polynomial_hash(text):
    expected = [polynomial_hash(word) for word in leading_words(text)]
    assert word_hashes(text).tolist() == expected
    assert word_hashes(text, 2).tolist() == expected[:2]
    assert len(set(expected)) == len(expected)  # distinct words, distinct hashes here


def test_word_hashes_of_a_wordless_text():
    assert word_hashes("").dtype == np.uint64
    assert word_hashes(" -- ").tolist() == []


@pytest.mark.parametrize("left, right, expected", [
    (SCIENTIST, SCIENTIST_ON_BOARD, True),
    (SCIENTIST, LEAD, False),  # different title and seniority
    (SCIENTIST, {**SCIENTIST_ON_BOARD, "posted_date": dt.date(2022, 1, 5)}, False),  # 50 days
    (SCIENTIST, {**SCIENTIST_ON_BOARD, "posted_date": None}, True),  # undated: any date
    (SCIENTIST, {**SCIENTIST_ON_BOARD, "city": "Seattle"}, False),  # another city
    (SCIENTIST, {**SCIENTIST_ON_BOARD, "company": "Globex"}, False),
    (SCIENTIST, {**SCIENTIST_ON_BOARD, "seniority": "senior"}, True),  # unknown vs senior
])
def test_is_near_text_duplicate(left, right, expected):
    assert is_near_text_duplicate(signature(left), signature(right)) is expected


def test_blocking_keys():
    keys = blocking_keys(signature(SCIENTIST))
    assert keys[:3] == [
        ("exact_id", "621954600"),
        ("exact_url", "usajobs.gov/GetJob/ViewDetails/621954600"),
        ("same_job", "us army medical command|clinical laboratory scientist|US|US-WA|Tacoma"),
    ]
    assert [key.split(":")[0] for rule, key in keys[3:]] == [str(b) for b in range(LSH_BANDS)]
    assert {rule for rule, _ in keys[3:]} == {"near_text"}
    # No company: no same_job key (a bare title matches across employers); no URL, no text.
    assert blocking_keys(signature(posting("t", "Data Engineer", None, "Python.", None))) == [
        ("exact_id", "t")]


def member(posting_id, posted, record=0):
    return MemberKey(posted.toordinal() if posted else dt.date.max.toordinal() + 1,
                     posting_id, "a.jsonl", record)


def block_of(*members):
    return [DedupeSignature(m, None, "acme", "data engineer", (None, None, None), "", "unknown",
                            None) for m in members]


NOV_1 = dt.date(2025, 11, 1)


@pytest.mark.parametrize("rule, members, expected", [
    # Reposts chain in date order; a 40-day gap starts a new opening.
    ("same_job",
     [member("c", NOV_1 + dt.timedelta(days=20)), member("a", NOV_1),
      member("d", NOV_1 + dt.timedelta(days=60))],
     [(member("a", NOV_1), member("a", NOV_1)),
      (member("c", NOV_1 + dt.timedelta(days=20)), member("a", NOV_1))]),
    # Undated joins the earliest opening and never bridges two.
    ("same_job",
     [member("u", None), member("b", NOV_1 + dt.timedelta(days=90)), member("a", NOV_1)],
     [(member("a", NOV_1), member("a", NOV_1)), (member("u", None), member("a", NOV_1))]),
    # Exact keys: everything in the block is one job; the earliest posted is kept, then the
    # lowest posting_id.
    ("exact_url", [member("z", NOV_1), member("b", NOV_1), member("y", None)],
     [(member("b", NOV_1), member("b", NOV_1)), (member("z", NOV_1), member("b", NOV_1)),
      (member("y", None), member("b", NOV_1))]),
    # The same record twice is one member: no cluster.
    ("exact_id", [member("a", NOV_1), member("a", NOV_1)], []),
    ("same_job", [member("a", NOV_1)], []),
])
def test_cluster_block(rule, members, expected):
    assert cluster_block(rule, block_of(*members)) == sorted(expected)


def kept(row, *collapsed_ids):
    return {**row, "duplicate_count": 1 + len(collapsed_ids), "duplicate_ids": list(collapsed_ids)}


def test_cross_board_repost_collapses_and_other_job_stays():
    with TestPipeline() as pipeline:
        result = (pipeline | "CreatePostings" >> beam.Create([SCIENTIST_ON_BOARD, LEAD, SCIENTIST])
                  | RemoveDuplicates())
        assert_that(result["postings"], equal_to([kept(SCIENTIST, "jb-88213"), kept(LEAD)]),
                    label="CheckPostings")
        assert_that(result["duplicates"], equal_to([
            {"posting_id": "jb-88213", "kept_id": "621954600", "rule": "near_text"}]),
            label="CheckDuplicates")


def test_transitive_merge_resolves_to_one_cluster():
    # X and its copy W share an id, X and Y a URL (tracking parameter aside), Y and Z only
    # their text; Z, posted first, is kept for all four.
    z = {**SCIENTIST_ON_BOARD, "posting_id": "z", "posted_date": dt.date(2021, 11, 10)}
    x = posting("x", "Clinical Laboratory Scientist", "U.S. Army Medical Command",
                "Clinical Laboratory Scientist, Madigan Army Medical Center.",
                dt.date(2021, 11, 12), url="https://www.usajobs.gov/job/77?utm_source=mail")
    w = {**x, "source_uri": "again.csv"}
    y = {**SCIENTIST, "posting_id": "y", "url": "https://usajobs.gov/job/77",
         "posted_date": dt.date(2021, 11, 14)}
    with TestPipeline() as pipeline:
        result = pipeline | "CreatePostings" >> beam.Create([y, x, w, z]) | RemoveDuplicates()
        assert_that(result["postings"], equal_to([kept(z, "x", "x", "y")]),
                    label="CheckPostings")
        assert_that(result["duplicates"], equal_to([
            {"posting_id": "x", "kept_id": "z", "rule": "exact_id"},
            {"posting_id": "x", "kept_id": "z", "rule": "exact_id"},
            {"posting_id": "y", "kept_id": "z", "rule": "exact_url"},
        ]), label="CheckDuplicates")


def test_same_job_within_window_and_the_same_record_read_twice():
    # Short texts (no MinHash): only company + title + place + date decide.
    first = posting("gh-1", "Data Engineer", "Acme Inc.", "Python, SQL.", dt.date(2025, 11, 1),
                    source_uri="greenhouse.json")
    repost = posting("lv-9", "Data Engineer - Remote", "ACME", "Python and SQL.",
                     dt.date(2025, 11, 20), source_uri="lever.json")
    later = posting("gh-2", "Data Engineer", "Acme Inc.", "Python, SQL.", dt.date(2026, 2, 1),
                    source_uri="greenhouse.json", source_record=1)
    with TestPipeline() as pipeline:
        result = (pipeline | "CreatePostings" >> beam.Create([first, repost, later, later])
                  | RemoveDuplicates())
        assert_that(result["postings"], equal_to([kept(first, "lv-9"), kept(later, "gh-2")]),
                    label="CheckPostings")
        assert_that(result["duplicates"], equal_to([
            {"posting_id": "lv-9", "kept_id": "gh-1", "rule": "same_job"},
            {"posting_id": "gh-2", "kept_id": "gh-2", "rule": "exact_id"},
        ]), label="CheckDuplicates")


def test_no_duplicates_at_all_keeps_every_posting():
    # No block links two records, so no decisions are made (the combine has no default):
    # the rows still come out, each kept once.
    with TestPipeline() as pipeline:
        result = pipeline | "CreatePostings" >> beam.Create([LEAD, SCIENTIST]) | RemoveDuplicates()
        assert_that(result["postings"], equal_to([kept(LEAD), kept(SCIENTIST)]),
                    label="CheckPostings")
        assert_that(result["duplicates"], equal_to([]), label="CheckDuplicates")


def test_no_postings_no_outputs():
    with TestPipeline() as pipeline:
        result = pipeline | "CreatePostings" >> beam.Create([]) | RemoveDuplicates()
        assert_that(result["postings"], equal_to([]), label="CheckPostings")
        assert_that(result["duplicates"], equal_to([]), label="CheckDuplicates")


def test_constructor_validates():
    with pytest.raises(ValueError, match="date_window_days"):
        RemoveDuplicates(date_window_days=-1)
    with pytest.raises(ValueError, match="near_text_threshold"):
        RemoveDuplicates(near_text_threshold=0)


@pytest.mark.parametrize("text, limit, expected", [
    ("Who May Apply: US Citizens In order to qualify, you must meet the education", 6,
     [b"who", b"may", b"apply", b"us", b"citizens", b"in"]),
    # Place de l'emploi public: accents folded, apostrophes and brackets split words.
    ("Le ministère de l'Intérieur recrute un(e) ANALYSTE CYBERDÉFENSE CONFIRMÉ H/F", 20,
     [b"le", b"ministere", b"de", b"l", b"interieur", b"recrute", b"un", b"e", b"analyste",
      b"cyberdefense", b"confirme", b"h", b"f"]),
    ("We’re hiring • Python – SQL • Straße café", 20,
     [b"we", b"re", b"hiring", b"python", b"sql", b"strasse", b"cafe"]),
    ("", 5, []),
])
def test_leading_words(text, limit, expected):
    assert leading_words(text, limit) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=60))
def test_leading_words_are_the_first_folded_words(text, limit):
    # The bytes fast path and the head cut give fold_text's words, whatever the text.
    expected = [word.encode("utf-8", "surrogatepass") for word in fold_text(text).split()]
    assert leading_words(text, limit) == expected[:limit]


@pytest.mark.parametrize("jaccard, probability", [
    # Pairs at the near_text threshold are nearly always compared; pairs at 0.5 seldom.
    (0.9, 0.99998), (0.85, 0.99912), (0.8, 0.99147), (0.5, 0.31681), (0.3, 0.02877),
])
def test_candidate_probability_of_the_lsh_bands(jaccard, probability):
    assert candidate_probability(jaccard) == pytest.approx(probability, abs=5e-6)


def test_a_removed_record_read_twice_is_removed_twice():
    # Every record read is a posting, a duplicate or a reject: both copies of the repost are
    # duplicates of gh-1, which counts them both.
    first = posting("gh-1", "Data Engineer", "Acme Inc.", "Python, SQL.", dt.date(2025, 11, 1),
                    source_uri="greenhouse.json")
    repost = posting("lv-9", "Data Engineer - Remote", "ACME", "Python and SQL.",
                     dt.date(2025, 11, 20), source_uri="lever.json")
    with TestPipeline() as pipeline:
        result = (pipeline | "CreatePostings" >> beam.Create([repost, first, repost])
                  | RemoveDuplicates())
        assert_that(result["postings"], equal_to([kept(first, "lv-9", "lv-9")]),
                    label="CheckPostings")
        assert_that(result["duplicates"], equal_to([
            {"posting_id": "lv-9", "kept_id": "gh-1", "rule": "same_job"},
            {"posting_id": "lv-9", "kept_id": "gh-1", "rule": "same_job"},
        ]), label="CheckDuplicates")


def test_a_chain_across_three_blocks_keeps_one_record():
    # D~C by text (block 1), C~B by URL (block 2), B~A by id (block 3): the links of the three
    # blocks arrive in any order and D, whose own cluster root C is removed too, still goes
    # to A (at 100k postings such a collapsed root once orphaned its members).
    a, b, c, d = (1, "a", "x", 0), (2, "a", "y", 0), (3, "c", "z", 0), (4, "d", "z", 1)
    near_text, exact_url, exact_id = (RULES.index(rule) for rule in
                                      ("near_text", "exact_url", "exact_id"))
    links = [(d, c, near_text), (c, c, near_text), (c, b, exact_url), (b, b, exact_url),
             (b, a, exact_id), (a, a, exact_id)]
    for ordering in (links, links[::-1], links[2:] + links[:2]):
        decisions = decide_duplicates(ordering, repeated={})
        assert decisions.removed == {b: (a, "exact_id"), c: (a, "exact_url"),
                                     d: (a, "near_text")}
        assert decisions.collapsed == {a: ["a", "c", "d"]}


def test_decide_duplicates_counts_every_copy_of_a_removed_record():
    a, b = (1, "a", "x", 0), (2, "b", "y", 0)
    decisions = decide_duplicates([(b, a, 2), (a, a, 2)], repeated={b: 3})
    assert decisions.removed == {b: (a, "same_job")}
    assert decisions.collapsed == {a: ["b", "b", "b"]}
    assert decisions.repeated == {b: 3}


def test_merged_decisions_equal_one_groups_and_leave_the_later_accumulators_alone():
    from transforms.dedupe import _DecideDuplicatesFn
    a, b, c, d = (1, "a", "x", 0), (2, "b", "x", 1), (3, "c", "y", 0), (4, "d", "z", 0)
    combine = _DecideDuplicatesFn()
    first, second = combine.create_accumulator(), combine.create_accumulator()
    combine.add_input(first, ([(b, a, 0), (a, a, 0)], []))
    combine.add_input(second, ([(d, c, 3), (c, c, 3), (c, b, 1)], [(d, 2)]))
    second_roots = {member: second[0].find(member) for member in second[0].members()}
    merged = combine.extract_output(combine.merge_accumulators([first, second]))
    assert merged == tuple(decide_duplicates(
        [(b, a, 0), (a, a, 0), (d, c, 3), (c, c, 3), (c, b, 1)], repeated={d: 2}))
    assert merged[0] == {b: (a, "exact_id"), c: (a, "exact_url"), d: (a, "near_text")}
    assert {member: second[0].find(member) for member in second[0].members()} == second_roots
    assert second_roots == {b: b, c: b, d: b}  # the second one's own clusters, untouched


def test_decisions_applied_per_group_keep_one_of_each_and_count_every_copy():
    def row(posting_id, day, uri="feed/a.jsonl", record=0):
        return {"posting_id": posting_id, "posted_date": dt.date(2025, 11, day),
                "source_uri": uri, "source_record": record, "title": "Data Engineer"}
    kept, reposted = row("gh-1", 3, record=1), row("lever-9", 5, "feed/b.json", 4)
    read_twice, alone = row("gh-2", 7, record=2), row("gh-3", 8, record=3)
    kept_key, reposted_key, twice_key = (
        tuple(MemberKey(r["posted_date"].toordinal(), r["posting_id"], r["source_uri"],
                        r["source_record"])) for r in (kept, reposted, read_twice))
    decisions = DuplicateDecisions({reposted_key: (kept_key, "near_text")},
                                   {kept_key: ["lever-9"]}, {twice_key: 2})
    groups = decisions_by_group(decisions, 4)
    assert set(groups) == {member_group(kept_key, 4), member_group(reposted_key, 4),
                           member_group(twice_key, 4)}
    assert groups[member_group(reposted_key, 4)].removed == {
        reposted_key: (kept_key, "near_text")}
    kept_rows, duplicates = apply_decisions(
        [reposted, kept, read_twice, alone, read_twice], decisions)
    assert [(r["posting_id"], r["duplicate_count"], r["duplicate_ids"]) for r in kept_rows] == [
        ("gh-1", 2, ["lever-9"]), ("gh-3", 1, []), ("gh-2", 2, ["gh-2"])]
    assert duplicates == [
        {"posting_id": "lever-9", "kept_id": "gh-1", "rule": "near_text"},
        {"posting_id": "gh-2", "kept_id": "gh-2", "rule": "exact_id"}]


def without(row, *keys):
    return {k: v for k, v in row.items() if k not in keys}


def test_keys_no_later_stage_reads_are_dropped_before_rows_wait():
    with TestPipeline() as pipeline:
        result = (pipeline | "CreatePostings" >> beam.Create([SCIENTIST_ON_BOARD, LEAD, SCIENTIST])
                  | RemoveDuplicates(drop_keys=("description",)))
        assert_that(result["postings"], equal_to([
            without(kept(SCIENTIST, "jb-88213"), "description"),
            without(kept(LEAD), "description")]), label="CheckPostings")
        assert_that(result["duplicates"], equal_to([
            {"posting_id": "jb-88213", "kept_id": "621954600", "rule": "near_text"}]),
            label="CheckDuplicates")


def test_share_earlier_band():
    width = BAND_BYTES
    left = bytes(range(LSH_BANDS * width))
    differs_in_band_0 = b"\xff" + left[1:]
    assert share_earlier_band(left, left, 0) is False  # nothing comes before band 0
    assert share_earlier_band(left, left, 1) is True
    assert share_earlier_band(left, differs_in_band_0, 1) is False
    assert share_earlier_band(left, differs_in_band_0, 2) is True


def test_a_near_text_pair_is_compared_in_its_first_shared_band_only():
    # The scientist posting and its repost agree on bands 1, 2, 4, 7, 8 and 11: band 1's
    # block links them, the later bands' blocks skip the pair.
    first, repost = signature(SCIENTIST), signature(SCIENTIST_ON_BOARD)
    width = BAND_BYTES
    assert [band for band in range(LSH_BANDS) if first.minhash[band * width:(band + 1) * width]
            == repost.minhash[band * width:(band + 1) * width]] == [1, 2, 4, 7, 8, 11]
    root = min(first.member, repost.member)
    assert cluster_block("near_text", [first, repost], band=1) == sorted(
        [(first.member, root), (repost.member, root)])
    assert cluster_block("near_text", [first, repost], band=2) == []


def test_all_share_earlier_band():
    from transforms.dedupe import all_share_earlier_band
    copy = signature(SCIENTIST).minhash
    repost = signature(SCIENTIST_ON_BOARD).minhash  # first shares band 1 with the original
    assert all_share_earlier_band([copy, copy, copy], 1) is True
    assert all_share_earlier_band([copy, copy, copy], 0) is False
    assert all_share_earlier_band([copy, repost], 1) is False
    assert all_share_earlier_band([copy, repost], 2) is True


def test_band_keys_are_the_band_number_and_its_slots():
    minhash = signature(SCIENTIST).minhash
    keys = band_keys(minhash)
    assert [key[0] for key in keys] == list(range(LSH_BANDS))
    assert keys[3] == b"\x03" + minhash[3 * BAND_BYTES:4 * BAND_BYTES]
    assert [key for rule, key in blocking_keys(signature(SCIENTIST)) if rule == "near_text"] == [
        f"{band}:{key[1:].hex()}" for band, key in enumerate(keys)]


def test_block_entries_carry_what_each_block_reads():
    from transforms.batching import unpack
    from transforms.dedupe import _EmitBlockEntriesFn, _from_block_entry
    emit = _EmitBlockEntriesFn(block_shards=1)
    emit.setup()
    emit.start_bundle()
    assert list(emit.process(SCIENTIST)) == []  # batches leave full or at the bundle's end
    [flushed] = list(emit.finish_bundle())
    shard, packed = flushed.value
    exact, near_text_keys, payloads, minhashes = unpack(packed)
    expected = signature(SCIENTIST)
    assert shard == 0
    assert [entry[:2] for entry in exact] == [
        (0, "621954600"), (1, "usajobs.gov/GetJob/ViewDetails/621954600"),
        (2, "us army medical command|clinical laboratory scientist|US|US-WA|Tacoma")]
    assert near_text_keys == b"".join(band_keys(expected.minhash))  # columns: one per field
    assert minhashes == expected.minhash * LSH_BANDS and len(payloads) == LSH_BANDS
    assert _from_block_entry(exact[0]) == DedupeSignature(
        expected.member, None, "", "", (None, None, None), "", "unknown", None)
    assert _from_block_entry((3, None, payloads[5], expected.minhash)) == expected._replace(
        url_key=None, place_key="")


def test_band_blocks_to_compare_leaves_out_singletons_and_settled_blocks():
    from transforms.dedupe import band_blocks_to_compare
    text = np.arange(64, dtype=np.uint16)
    only_band_3 = text + 1000  # another text that shares band 3 (slots 15-19) with it
    only_band_3[15:20] = text[15:20]
    # Entries in emission order: the text (0-11), an unrelated one (12-23), the other text
    # (24-35), a copy of the text (36-47), each with its twelve band keys.
    signatures = [text, text + 2000, only_band_3, text.copy()]
    keys = np.frombuffer(b"".join(key for minhash in signatures
                                  for key in band_keys(minhash.tobytes())), np.uint8)
    minhashes = np.repeat(np.stack(signatures), LSH_BANDS, axis=0)
    blocks, oversized = band_blocks_to_compare(keys.reshape(-1, 11), minhashes)
    # Band 0: the text and its copy. Band 3: those two and the other text, which shares no
    # earlier band with them. The copies' blocks of bands 1-11 repeat band 0's: left out.
    assert [block.tolist() for block in blocks] == [[0, 36], [3, 27, 39]]
    assert oversized == 0


@pytest.mark.parametrize("left, right", [
    ("spotify", "spotify technology"), ("us army medical command", ""), ("acme", "globex"),
    ("bank of america", "bank of ireland"), ("ministere de l interieur", "ministere"),
])
def test_companies_table_agrees_with_companies_compatible(left, right):
    from transforms.dedupe import _companies_table
    companies = [left, right, "us army medical command", "army"]
    table = _companies_table(companies)
    assert table.tolist() == [[companies_compatible(a, b) for b in companies] for a in companies]
    assert table[0, 1] == companies_compatible(left, right)


def scientist_copy(posting_id, **changes):
    return {**SCIENTIST, "posting_id": posting_id, "url": None, **changes}


# One announcement reposted nine ways: 36 candidate pairs, so the block is decided with
# array operations. The copies for another employer, another city or 50 days later are
# other jobs; a senior and a lead copy each agree with the unknown-level original; the
# retitled copy shares 4 of 5 title words and its text is identical (Jaccard 1.0 >= 0.9).
REPOSTED_BLOCK = [
    SCIENTIST, LEAD,
    scientist_copy("globex", company="Globex Corporation"),
    scientist_copy("globex-repost", company="Globex", posted_date=dt.date(2021, 11, 20)),
    scientist_copy("seattle", city="Seattle"),
    scientist_copy("january", posted_date=dt.date(2022, 1, 5)),
    scientist_copy("senior", seniority="senior"),
    scientist_copy("lead", seniority="lead"),
    scientist_copy("retitled", title="Clinical Laboratory Scientist II"),
]


@pytest.mark.parametrize("few_pairs", [24, 1000])  # as arrays, and pair by pair
def test_a_big_near_text_block_links_the_same_reposts_either_way(monkeypatch, few_pairs):
    import transforms.dedupe
    monkeypatch.setattr(transforms.dedupe, "FEW_PAIRS", few_pairs)
    members = {row["posting_id"]: signature(row).member for row in REPOSTED_BLOCK}
    original, globex = members["621954600"], members["globex"]
    assert cluster_block("near_text", [signature(row) for row in REPOSTED_BLOCK]) == sorted([
        (original, original), (members["lead"], original), (members["retitled"], original),
        (members["senior"], original), (globex, globex), (members["globex-repost"], globex)])


def test_pair_checks_as_arrays_agree_with_texts_agree():
    # The board's copy (no employer) bridges the original and the Globex copies.
    from transforms.dedupe import _text_candidates, _texts_agree_pairwise, texts_agree
    ordered = sorted((signature(row) for row in [*REPOSTED_BLOCK, SCIENTIST_ON_BOARD]),
                     key=lambda s: s.member)
    left, right, jaccard = _text_candidates([s.minhash for s in ordered], 0.8, None)
    assert len(left) == 44  # of 45: LEAD's text is under 0.8 from the board's
    agree = _texts_agree_pairwise(ordered, left, right, jaccard, 0.8, 30)
    assert agree.tolist() == [
        texts_agree(ordered[i], ordered[j], pair_jaccard, 0.8, 30)
        for i, j, pair_jaccard in zip(left.tolist(), right.tolist(), jaccard.tolist())]
    posting_ids = [s.member.posting_id for s in ordered]
    assert [(posting_ids[i], posting_ids[j]) for i, j in zip(left[agree], right[agree])] == [
        ("621954600", "lead"), ("621954600", "retitled"), ("621954600", "senior"),
        ("621954600", "jb-88213"), ("globex", "jb-88213"), ("globex", "globex-repost"),
        ("lead", "retitled"), ("lead", "jb-88213"), ("retitled", "senior"),
        ("senior", "jb-88213"), ("jb-88213", "globex-repost")]


def test_smallest_connected_follows_chains_in_any_order():
    from transforms.dedupe import _neighbor_pairs, _smallest_connected
    left, right = np.array([3, 2, 0, 1, 6]), np.array([4, 3, 1, 2, 5])
    assert _smallest_connected(8, left, right).tolist() == [0, 0, 0, 0, 0, 5, 5, 7]
    left, right = _neighbor_pairs(250)  # a block too big for all pairs
    assert len(left) == 250 * 20 - sum(range(1, 21))
    assert set((right - left).tolist()) == set(range(1, 21))


def test_band_blocks_to_compare_keeps_what_cluster_blocks_check_would_keep():
    """The array filter and the per-block rule (all_share_earlier_band, which cluster_block
    applies) must agree on every band block: 48 signatures, variants of three texts that
    keep some of their text's bands, so blocks of copies, partial matches and singletons
    occur in every band."""
    from collections import defaultdict

    from transforms.dedupe import all_share_earlier_band, band_blocks_to_compare
    rng = np.random.default_rng(7)
    texts = [rng.integers(0, 2**16, 64, dtype=np.uint16) for _ in range(3)]
    signatures = []
    for index in range(48):
        variant = rng.integers(0, 2**16, 64, dtype=np.uint16)
        kept_bands = rng.random(LSH_BANDS) < (1.0 if index % 4 == 0 else 0.4)
        for band in np.flatnonzero(kept_bands):
            slots = slice(band * 5, band * 5 + 5)
            variant[slots] = texts[index % 3][slots]
        signatures.append(variant.tobytes())
    keys = [key for minhash in signatures for key in band_keys(minhash)]
    by_key = defaultdict(list)
    for index, key in enumerate(keys):
        by_key[key].append(index)
    expected = [indexes for key, indexes in sorted(by_key.items()) if len(indexes) >= 2
                and not all_share_earlier_band([signatures[i // LSH_BANDS] for i in indexes],
                                               key[0])]
    blocks, oversized = band_blocks_to_compare(
        np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 11),
        np.frombuffer(b"".join(signatures), np.uint16).reshape(-1, 64).repeat(LSH_BANDS, 0))
    assert [sorted(block.tolist()) for block in blocks] == expected
    assert len(expected) >= 12 and oversized == 0
    # Both kinds of block occur: ones of copies left out, and ones still to compare.
    left_out = [indexes for indexes in by_key.values() if len(indexes) >= 2
                and indexes not in expected]
    assert left_out and any(keys[block[0]][0] > 0 for block in expected)
