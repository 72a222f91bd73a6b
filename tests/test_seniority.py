"""Seniority stage: title markers, structured fields, years of experience, text cues, the
ClassifySeniority composite, and agreement with employers' own LinkedIn levels."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.posting import SENIORITY_LEVELS
from transforms.seniority import (
    ClassifySeniority, classify_seniority, description_seniority, hint_level, title_seniority,
    years_level, years_required,
)

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LABELLED_TITLES = REPO / "tests" / "data" / "seniority_titles_labelled.csv"


# --- Title markers -------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    # the conflicts
    ("Senior Manager", ("manager", "title: Manager")),
    ("Associate Director, Local Government", ("director", "title: Director")),
    ("Lead Engineer", ("lead", "title: Lead")),
    ("Engineering Manager II", ("manager", "title: Manager")),
    ("Senior Director", ("director", "title: Director")),
    ("Machine Learning Engineer, II", ("mid", "title: II")),
    # real titles (skillspan, usajobs-2021, place-emploi-public-fr)
    ("Sr Manager Endpoint Security Engineer", ("manager", "title: Manager")),
    ("Senior. NET SW Engineer", ("senior", "title: Senior")),
    ("(Sen.) Backend Engineer", ("senior", "title: Sen.")),
    ("React/HTML5 Tech lead", ("lead", "title: Tech lead")),
    ("Principal Cloud Architect", ("lead", "title: Principal")),
    ("Data Ops Engineer (Mid/Senior)", ("mid", "title: Mid")),
    ("Artificial Intelligence / Machine Learning Senior Associate - Corporate & Investment...",
     ("mid", "title: Senior Associate")),
    ("Head of IT (m/f/d)", ("director", "title: Head of")),
    ("Development Team Delivery Manager (Project and Quality)", None),
    ("Student Trainee (Computer Scientist) (PATHWAYS)", ("intern", "title: Student Trainee")),
    ("Supervisory Physical Scientist (Deputy Center Director)", ("director", "title: Director")),
    ("Supervisory Program Analyst (Data Scientist)", ("manager", "title: Supervisory")),
    ("Lead Program Analyst (Project Automation Analyst)", ("lead", "title: Lead")),
    ("Interdisciplinary Chief Scientist (Open to both U.S. Citizens and Federal Employees)",
     ("lead", "title: Chief Scientist")),
    ("Executive Director Clinical Informatics and Data Management",
     ("executive", "title: Executive Director")),
    ("General Engineer/Scientist, GG-7/9; FPL 13", ("junior", "title: GG-7")),
    ("Interdisciplinary Social Scientist/Natural Resource Manager (Recreation)/Landscape Architect",
     None),
    ("Program Analyst", None),
    ("Data Analyst Senior H/F", ("senior", "title: Senior")),
    ("ANALYSTE CYBERDEFENSE CONFIRME H/F", ("mid", "title: CONFIRME")),
    ("Chargé.e de mission junior Présidence Française de l'Union européenne",
     ("junior", "title: junior")),
    ("Chef.fe du bureau du droit du numérique et des données", ("manager", "title: Chef.fe")),
    ("Adjoint(e) au directeur chargé des relations extérieures et de la solidarité H/F",
     ("director", "title: directeur")),
    ("Sous-directeur (administration centrale)", ("director", "title: Sous-directeur")),
    ("Directeur.trice général.e des services adjoint.e",
     ("executive", "title: Directeur.trice général")),
    ("Chef du département RH du secrétaire général (H/F)", ("manager", "title: Chef")),
    ("ATTDM - Chargé de mission auprès du sous-directeur des affaires juridiques - Paris 75 H/F",
     None),
    ("Chef de projet technique en SI H/F", None),
    ("un-e responsable de département et Référent-e alternance pour l'IAE Nantes",
     ("manager", "title: responsable")),
    ("Java-utvecklare", None),
    # marker words in other European languages named by the issue
    ("Werkstudent Data Engineering (m/w/d)", ("intern", "title: Werkstudent")),
    ("Praktikant Software-Entwicklung", ("intern", "title: Praktikant")),
    ("Stagiaire développeur Python", ("intern", "title: Stagiaire")),
    ("Graduate Software Engineer", ("junior", "title: Graduate")),
    ("Entry Level Data Analyst", ("junior", "title: Entry Level")),
    ("Jr. Data Analyst/Hadoop/Tableau", ("junior", "title: Jr.")),
    ("Sr. Data Analyst", ("senior", "title: Sr.")),
    ("Software Engineer (L5)", ("senior", "title: L5")),
    ("L2 Support Engineer", None),
    ("Sr. Staff Software Engineer, Core Platform - Big Data", ("lead", "title: Staff")),
    ("Staff Accountant", None),
    ("VP of Data Science, AdTech", ("executive", "title: VP")),
    ("Chief Data Scientist", ("lead", "title: Chief Data Scientist")),
    ("Chief Data Officer", ("executive", "title: Chief Data Officer")),
    ("HR Business Partner", None),
    ("Product Manager", None),
    ("Senior Product Manager", ("senior", "title: Senior")),
    ("Lead Generation Specialist", None),
])
def test_title_seniority(title, expected):
    assert title_seniority(title) == expected


def _labelled_titles() -> list[dict]:
    with open(LABELLED_TITLES, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_labelled_titles_are_a_real_sample():
    rows = _labelled_titles()
    assert len(rows) >= 300
    assert {row["level"] for row in rows} <= set(SENIORITY_LEVELS)
    assert {row["source"] for row in rows} == {
        "usajobs-2021", "place-emploi-public-fr", "jobtech-se", "skillspan", "spotify-page"}


def test_labelled_titles_accuracy_at_least_97_percent():
    rows = _labelled_titles()
    wrong = [(row["title"], row["level"], classify_seniority(row["title"]))
             for row in rows if classify_seniority(row["title"])[0] != row["level"]]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"\nseniority title accuracy: {len(rows) - len(wrong)}/{len(rows)} = {accuracy:.1%}")
    assert accuracy >= 0.97, wrong


# --- Structured fields ---------------------------------------------------------------

@pytest.mark.parametrize("hint, title, expected", [
    ("Mid-Senior level", "Payments Data Analyst", ("senior", "field: Mid-Senior level")),
    ("Mid-Senior level", "Data Science Manager", (
        "manager", "field: Mid-Senior level; title: Manager")),
    ("Mid-Senior level", "Jr Business Analyst", ("senior", "field: Mid-Senior level")),
    ("Entry level", "Senior Data Scientist", ("junior", "field: Entry level")),
    ("Associate", "Data Analyst II", ("mid", "field: Associate")),
    ("Associate", "Data Analyst I- Temp", ("junior", "field: Associate; title: I")),
    ("Internship", "Business Intelligence Data Analyst", ("intern", "field: Internship")),
    ("Director", "VP of Data Science, AdTech", ("executive", "field: Director; title: VP")),
    ("EXECUTIVE", None, ("executive", "field: EXECUTIVE")),
    ("mid_senior_level", None, ("senior", "field: mid_senior_level")),
    ("internship", None, ("intern", "field: internship")),
    ("GS-13", "Program Analyst", ("senior", "field: GS-13")),
    ("GS-13", "Supervisory Program Analyst", ("manager", "field: GS-13; title: Supervisory")),
    ("GS-07/09/11", "Budget Analyst", ("junior", "field: GS-07/09/11")),
    ("GS-14", "Lead Management Analyst", ("lead", "field: GS-14")),
    ("GS-15", "Supervisory Physical Scientist (Center Director)", (
        "director", "field: GS-15; title: Director")),
    ("Not Applicable", "Senior Data Analyst", ("senior", "title: Senior")),
    ("", "Data Analyst", ("unknown", None)),
])
def test_structured_hint_first_title_refines_within_it(hint, title, expected):
    assert classify_seniority(title, None, hint) == expected


@pytest.mark.parametrize("grade, level", [
    ("GS-5", "junior"), ("GS-7", "junior"), ("GS-9", "mid"), ("GS-11", "mid"),
    ("GS-12", "senior"), ("GS-13", "senior"), ("GS-14", "lead"), ("GS-15", "lead"),
    ("SES", "executive"), ("GS-1550-12", "senior"),
])
def test_federal_grades(grade, level):
    assert hint_level(grade).level == level


def test_experience_months_counts_only_when_the_title_is_silent():
    assert classify_seniority("Data Analyst", "", None, 60) == (
        "senior", "field: 60 months of experience")
    assert classify_seniority("Data Analyst", "", None, 12) == (
        "junior", "field: 12 months of experience")
    assert classify_seniority("Lead Data Analyst", "", None, 12) == ("lead", "title: Lead")


# --- Requirements text ---------------------------------------------------------------

@pytest.mark.parametrize("years, level", [
    (0, "junior"), (1, "junior"), (1.5, "junior"), (2, "mid"), (4, "mid"), (5, "senior"),
    (9, "senior"), (10, "lead"), (15, "lead"),
])
def test_years_table(years, level):
    assert years_level(years) == level


@pytest.mark.parametrize("text, shown", [
    # skillspan (MIT) and place-emploi-public-fr postings
    ("REQUIREMENTS & QUALIFICATIONS 3+ years relevant work experience BA/BS degree", "3+"),
    ("OUR IDEAL CANDIDATE has a minimum of 2 years experience as a Content Manager",
     "a minimum of 2"),
    ("A minimum of five years of experience from previous jobs", "a minimum of five"),
    ("You are a skilled Java developer with at least 5 years of experience", "at least 5"),
    ("At least 2-3 years practical experience in C#/.NET", "2-3"),
    ("You'll need around 3 - 4 years of industry experience", "3-4"),
    ("have +10 years of relevant working experience.", "10+"),
    ("strong proven design experience (+10years) within the design of concrete bridges",
     "10+"),
    ("One (1) Three (3) years of experience working as a Driver", "three"),
    ("2 + years professional experience working in a performance-driven environment", "2+"),
    ("- 3 à 5 ans d’expérience similaire ;", "3-5"),
    ("Expérience d'au moins 3 à 5 ans en logistique", "3-5"),
    # list items glued together by scrapers
    ("Requirements5+ years of experience building analytical tools", "5+"),
    # the largest bar wins; sub-skill figures do not
    ("4+ years of professional experience * +1 years of Kubernetes", "4+"),
    # figures that are not requirements
    ("we've been remote-first for 5 years and so we have very well established processes",
     None),
    ("since more than 20 years we make technology think!", None),
    ("a fixed term position of 4 to 6 years with research and teaching obligations", None),
    ("Celonis has grown 5,000% in 4 years and 300% in the past year", None),
    ("High school graduate or equivalent. Four year college degree in Business", None),
])
def test_years_required(text, shown):
    found = years_required(text)
    assert (found.text if found else None) == shown


@pytest.mark.parametrize("text, expected", [
    ("We are looking for a Senior Data Scientist to join our team.",
     ("senior", "text: looking for a senior")),
    ("This is an entry-level position in our analytics team.", ("junior", "text: entry-level")),
    ("Ideal for recent graduates with a passion for data.", ("junior", "text: recent graduates")),
    ("Our summer internship program runs twelve weeks.", ("intern", "text: summer internship")),
    ("You will manage a team of 6 analysts.", ("manager", "text: manage a team of")),
    ("Proven experience with SQL and Tableau.", ("mid", "text: proven experience")),
    ("Bachelor's degree in Statistics or Economics.", ("junior", "text: bachelor's degree")),
    ("Join our friendly team in Oakland.", None),
])
def test_text_cues_when_no_years(text, expected):
    assert description_seniority(text) == expected


def test_title_beats_years_and_years_beat_cues():
    text = "We are looking for a Junior analyst. At least 5 years of experience with SQL."
    assert classify_seniority("Senior Data Analyst", text) == ("senior", "title: Senior")
    assert classify_seniority("Data Analyst", text) == ("senior", "years: at least 5")
    assert classify_seniority("Data Analyst", None) == ("unknown", None)
    assert classify_seniority(None, None) == ("unknown", None)


def test_spotify_page_is_mid_from_its_title():
    page = CORPUS / "pages" / "spotify-machine-learning-engineer-ii.txt"
    if not page.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    text = page.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    assert classify_seniority(title, text) == ("mid", "title: II")


# --- Agreement with employers' own levels (local corpus, not copied) -----------------

def test_linkedin_agreement_is_measured():
    if not (CORPUS / "linkedin-ca-2018" / "postings.csv").exists():
        pytest.skip(f"linkedin-ca-2018 not found under {CORPUS}")
    sys.path.insert(0, str(REPO / "bench"))
    from measure_seniority import labelled_postings, measure  # noqa: E402
    result = measure(labelled_postings(CORPUS))
    print(f"\nlinkedin-ca-2018 agreement: {result['agreed']}/{result['postings']} = "
          f"{result['agreement']:.1%}; unknown {result['unknown_rate']:.1%}")
    assert result["postings"] == 641
    assert result["unknown_rate"] <= 0.15
    # A regression floor, not the 80% goal: see seniority.md for why titles cap it.
    assert result["agreement"] >= 0.55


# --- Composite -----------------------------------------------------------------------

POSTINGS = [
    {"posting_id": "a", "title": "Machine Learning Engineer, II", "description": "",
     "seniority_hint": None, "experience_months": None},
    {"posting_id": "b", "title": "Program Analyst", "description": "",
     "seniority_hint": "GS-12", "experience_months": None},
    {"posting_id": "c", "title": "Data Analyst",
     "description": "Requirements5+ years of experience building analytical tools",
     "seniority_hint": None, "experience_months": None},
    {"posting_id": "d", "title": "Java-utvecklare", "description": "Välkommen!",
     "seniority_hint": None, "experience_months": None},
]


def test_classify_seniority_composite():
    with TestPipeline() as pipeline:
        rows = pipeline | "Postings" >> beam.Create(POSTINGS) | ClassifySeniority()
        assert_that(
            rows | "Levels" >> beam.Map(
                lambda row: (row["posting_id"], row["seniority"], row["seniority_evidence"])),
            equal_to([("a", "mid", "title: II"), ("b", "senior", "field: GS-12"),
                      ("c", "senior", "years: 5+"), ("d", "unknown", None)]))


def test_composite_does_not_mutate_its_input():
    posting = dict(POSTINGS[0])
    with TestPipeline() as pipeline:
        _ = pipeline | beam.Create([posting]) | ClassifySeniority()
    assert "seniority" not in posting
