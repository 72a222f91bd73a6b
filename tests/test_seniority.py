"""Seniority stage: title markers, structured fields, years of experience, text cues, the
model for title-silent postings, the ClassifySeniority composite, and agreement with
employers' own LinkedIn levels."""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.posting import SENIORITY_LEVELS
from transforms import seniority
from transforms.seniority import (
    MODEL_FEATURES, ClassifySeniority, classify_seniority, description_seniority, hint_level,
    model_seniority, seniority_features, title_seniority, years_level, years_required,
)
from transforms.seniority_model import LevelModel, predict_level, seniority_model

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LABELLED_TITLES = REPO / "tests" / "data" / "seniority_titles_labelled.csv"


# --- Title markers -------------------------------------------------------------------

TITLES = [
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
    ("Product Manager, Data and Analytics", None),
    ("Responsable d'opération H/F", None),
    ("ASSISTANT DE DIRECTION H/F", None),
    ("Responsable du secrétariat de la direction des services consultatifs (DSC)",
     ("manager", "title: Responsable")),
]


@pytest.mark.parametrize("title, expected", TITLES)
def test_title_seniority(title, expected):
    assert title_seniority(title) == expected
    assert title_seniority(title) == expected  # the second reading comes from the cache


def test_every_look_alike_holds_a_word_that_gates_it():
    # Titles without any of these words skip the look-alike substitution: a look-alike
    # added to the pattern needs its word added to the gate.
    titles = [title for title, _ in TITLES] + [row["title"] for row in _labelled_titles()]
    look_alikes = [match.group(0) for title in titles
                   for match in seniority._NOT_MARKERS.finditer(seniority._fold(title))]
    assert len(look_alikes) >= 15
    assert [phrase for phrase in look_alikes
            if not any(word in phrase for word in seniority._NOT_MARKER_WORDS)] == []


def test_every_level_modifier_holds_a_word_that_gates_it():
    # A title without any of a modifier pattern's words skips that pattern.
    gated = [(pattern, seniority._MODIFIER_WORDS[level])
             for level, pattern in seniority._MODIFIER_MARKERS]
    gated += [(pattern, words) for pattern, _, words in seniority._NUMBERED
              if isinstance(words, tuple)]
    gated.append((seniority._GRADE, seniority._GRADE_WORDS))
    titles = [title for title, _ in TITLES] + [row["title"] for row in _labelled_titles()]
    scanned = [seniority._blank(seniority._fold(title)) for title in titles]
    modifiers = [(match.group(0), words) for pattern, words in gated
                 for text in scanned for match in pattern.finditer(text)]
    assert len(modifiers) >= 100
    assert [phrase for phrase, words in modifiers
            if not any(word in phrase for word in words)] == []
    # The Roman numerals are gated by a short pattern instead: a space before "i" or "v".
    spaced = ["analyst \tiii", "engineer\u2003ii (remote)", "scientist, iv - data"]
    numerals = [(match.group(0), gate) for pattern, _, gate in seniority._NUMBERED
                if isinstance(gate, re.Pattern) for text in scanned + spaced
                for match in pattern.finditer(text)]
    assert len(numerals) >= 6
    assert [phrase for phrase, gate in numerals if not gate.search(phrase)] == []


def test_every_role_marker_holds_a_word_that_gates_it():
    # A title without any of a role pattern's words skips that pattern.
    titles = [title for title, _ in TITLES] + [row["title"] for row in _labelled_titles()]
    scanned = [seniority._blank(seniority._fold(title)) for title in titles]
    roles = [(match.group(0), seniority._ROLE_WORDS[level])
             for level, pattern in seniority._ROLE_MARKERS
             for text in scanned for match in pattern.finditer(text)]
    assert len(roles) >= 100
    assert [phrase for phrase, words in roles
            if not any(word in phrase for word in words)] == []


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
    # months, a board's "Experience (Years)" field, Swedish "år" (jobtech-se)
    ("Prior billing experience a plus\n6 months of clerical or data entry experience",
     "6 months"),
    ("Duration: 12 months +Must have Coding experience with SQL and SAS", "12 months"),
    ("Experience (Years)5", "5"),
    ("At least eighteen + months of relevant experience in retail.", "eighteen months"),
    ("6months experience with Excel and Word", "6 months"),
    ("Duration 12\n\n  months, experience with SQL", "12 months"),
    ("Monthly bonus. Six  +  months of hands-on experience in a lab.", "six months"),
    ("One month of training, then 3 months of supervised experience", "3 months"),
    ("Contract length: 12 months. Experience with SQL is a plus.", None),
    ("Requires 123 months of experience", None),
    ("Vi letar efter dig som har minst 2 års erfarenhet av systemutveckling inom Java.",
     "minst 2"),
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


@pytest.mark.parametrize("text", [
    "At least eighteen + months of relevant experience in retail.",
    "Duration 12\n\n  months, experience with SQL",
    "Requires 123 months of experience",
    "Monthly bonus. Six  +  months of hands-on experience in a lab.",
    "One month of training, then 3 months of supervised experience",
    "12 months contract; 6 + + months of experience",
])
def test_months_are_sought_only_before_the_word_month(text):
    # The shortcut finds what a search of the whole text from the first "month" finds.
    reading = seniority._read(seniority._fold_fast(text))
    months = reading.landmarks[seniority._MONTH_LANDMARK]
    whole = seniority._MONTHS.search(reading.text, max(0, months[0] - seniority._MONTHS_LEAD))
    found = seniority._months_figure(reading.text, months)
    assert (found and (found.span(), found.groups())) == (whole and (whole.span(), whole.groups()))


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
    ("Our team of 12 engineers is hiring a junior developer.",
     ("junior", "text: hiring a junior")),
    ("You will supervise a team of five nurses and report to the director.",
     ("manager", "text: supervise a team of")),
    # the opening is the first 1,500 characters: its verb must end inside them
    ("x" * 1460 + " looking for a senior engineer to lead our platform",
     ("senior", "text: looking for a senior")),
    ("x" * 1490 + " looking for a senior engineer to lead our platform", None),
])
def test_text_cues_when_no_years(text, expected):
    assert description_seniority(text) == expected


@pytest.mark.parametrize("text, english", [
    ("You will work with the team and the the data of our clients.", True),
    ("Vous travaillerez avec la équipe de la direction et les données de la région.", False),
    ("Du kommer att arbeta i ett team som och att", False),
    (" the the the the and", True),
    ("de de de the the and of to", True),
    ("the\tand of\nto for", False),
])
def test_language_words_are_counted_as_str_count_counts_them(text, english):
    # " the the " holds one " the " for str.count: the words' spaces do not overlap.
    opening = text[:seniority._LANGUAGE_CHARS]
    counted = sum(map(opening.count, seniority._ENGLISH_WORDS))
    assert (counted > 0 and counted >= sum(map(opening.count, seniority._OTHER_WORDS))) == english
    assert seniority._reads_english(text) == english


def test_title_beats_text_and_a_figure_beats_wording():
    text = "We are looking for a Junior analyst. At least 5 years of experience with SQL."
    assert classify_seniority("Senior Data Analyst", text) == ("senior", "title: Senior")
    # "looking for a Junior" would decide on its own; with a figure the model reads both.
    assert classify_seniority("Data Analyst", text) == (
        "senior", "model: years 5-6, mentions juniors, experience wording")
    assert classify_seniority("Data Analyst", "We are looking for a Junior analyst.") == (
        "junior", "text: looking for a junior")
    assert classify_seniority("Data Analyst", None) == ("unknown", None)
    assert classify_seniority(None, None) == ("unknown", None)


# --- The model, for title-silent postings --------------------------------------------
# Excerpts of real postings: SkillSpan (MIT), USAJOBS 2021 (public domain), Place de
# l'emploi public (Etalab).
JAVA_ENGINEER = ("Collaborate with other team members and stakeholders. Coach and mentor less "
                 "experienced peers. Experience of Cloud Technologies. NoSQL Database "
                 "experience.")
TYPESCRIPT_ENGINEER = (
    "You have at least 2-3 years of experience in challenging environments; Our mentor "
    "developer will be there to provide you with a quality on-boarding and support you "
    "through Pair-Programming to bring your Typescript skills to the next level.")
DEVOPS = "Your profile: You have at least 3 years of DevOps experience at a high-level."
CHAUFFEUR = ("REQUIREMENTS/ QUALIFICATIONS High school graduate or equivalent One (1) Three (3) "
             "years of experience working as a Driver or in the field of Vehicle Operations.")
SUPPLY_ANALYST = (
    "Experience using computer and automation systems. SPECIALIZED EXPERIENCE: Must have at "
    "least 24 months experience, education, or training dealing with cost estimates, budgets "
    "or funding management. Experience conducting extensive searches for required "
    "information; reconstruct records for complex supply transactions; and/or provide supply "
    "operations support.")
SCIENCE_ANALYST = (
    "Candidates must have a Ph.D. in Mathematical or Physical Sciences, Engineering, or "
    "related research oriented field; OR a Master's degree in Mathematical or Physical "
    "Sciences, Engineering, or research oriented field plus after award of the degree, two or "
    "more years of successful research, research administration, and/or managerial "
    "experience pertinent to the position.")
PROGRAM_ANALYST = (
    "This position requires applicants to have at least one year (52 weeks) of specialized "
    "experience at the next lower band, equivalent to the PE-IIA, PT-II, or GS-13 level in "
    "the federal service.")


@pytest.mark.parametrize("title, text, expected", [
    ("Software Engineer - Java", JAVA_ENGINEER,
     ["no years figure", "mentoring", "stakeholders", "title: engineer"]),
    ("Software Engineer", TYPESCRIPT_ENGINEER,
     ["years 2", "experience wording", "mentoring", "supports", "title: engineer"]),
    (None, CHAUFFEUR, ["years 3-4", "experience wording"]),
    ("SUPPLY SYSTEMS ANALYST", SUPPLY_ANALYST,
     ["years 2", "experience wording", "supports", "title: analyst"]),
    ("Science Analyst (Facilities)", SCIENCE_ANALYST,
     ["no years figure", "master's degree", "phd", "research or machine learning",
      "degree without years", "title: analyst", "title: scientist"]),
    ("Data Analyst", None, ["title: analyst"]),
])
def test_seniority_features(title, text, expected):
    assert seniority_features(title, text) == expected


@pytest.mark.parametrize("title, text, expected", [
    # the model picks an employer's bucket and names its strongest reasons
    ("Software Engineer - Java", JAVA_ENGINEER,
     ("junior", "model: title: engineer, stakeholders, no years figure")),
    ("SUPPLY SYSTEMS ANALYST", SUPPLY_ANALYST,
     ("mid", "model: title: analyst, supports, years 2")),
    ("Science Analyst (Facilities)", SCIENCE_ANALYST,
     ("junior", "model: title: scientist, research or machine learning, title: analyst")),
    # the years table places the posting inside the bucket (Mid-Senior level, 3 years: mid)
    (None, DEVOPS, ("mid", "model: years 3-4; years: at least 3")),
    (None, CHAUFFEUR, ("mid", "model: years 3-4, experience wording; years: three")),
    ("Program Analyst", PROGRAM_ANALYST,
     ("junior", "model: title: analyst, years <2; years: at least one")),
    # ... but never out of it: these employers call analysts Associate whatever the years
    ("Data Analyst", "Requirements5+ years of experience building analytical tools",
     ("mid", "model: title: analyst")),
])
def test_model_reads_title_silent_english_postings(title, text, expected):
    assert classify_seniority(title, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("- 3 à 5 ans d’expérience similaire ;", ("mid", "years: 3-5")),
    ("Vous justifiez d'une expérience de 3 à 5 ans dans le domaine des données et vous avez "
     "le sens du travail en équipe.", ("mid", "years: 3-5")),
])
def test_other_languages_keep_the_rules(text, expected):
    assert model_seniority("Chargé de mission", text) is None
    assert classify_seniority("Chargé de mission", text) == expected


def test_model_needs_words_about_the_job_not_only_a_missing_figure():
    assert model_seniority("Data Analyst", "Join our friendly team in Oakland.") is None
    assert classify_seniority("Data Analyst", "Join our friendly team in Oakland.") == (
        "unknown", None)


TOY_MODEL = LevelModel.from_json({
    "classes": ["Entry level", "Associate", "Mid-Senior level"],
    "bias": [0.0, 0.5, 0.0],
    "weights": {"years <2": [1.0, 0.0, -1.0], "years 5-6": [-1.0, 0.0, 1.5],
                "phd": [0.0, -0.3, 0.3], "supports": [0.2, 0.2, -0.4]},
})


@pytest.mark.parametrize("features, label, reasons", [
    ([], "Associate", ()),
    (["years <2"], "Entry level", ("years <2",)),
    (["years 5-6", "phd", "supports"], "Mid-Senior level", ("years 5-6", "phd")),
    (["supports", "not a feature"], "Associate", ("supports",)),
])
def test_level_model_predicts_with_reasons(features, label, reasons):
    prediction = TOY_MODEL.predict(features)
    assert (prediction.label, prediction.reasons) == (label, reasons)
    assert sum(TOY_MODEL.probabilities(features)) == pytest.approx(1.0)


def test_predictions_are_remembered_for_the_model_loaded(monkeypatch):
    features = ("years 5-6", "phd", "supports")
    assert predict_level(features) == seniority_model().predict(features)
    assert predict_level(features) is predict_level(features)
    # A retrained model (seniority_model.cache_clear()) is not answered from memory.
    monkeypatch.setattr("transforms.seniority_model.seniority_model", lambda: TOY_MODEL)
    assert predict_level(features) == TOY_MODEL.predict(features)


def test_level_model_rejects_ragged_weights():
    with pytest.raises(ValueError):
        LevelModel.from_json({"classes": ["Associate", "Director"], "bias": [0.0, 0.0],
                              "weights": {"phd": [0.1]}})


def test_bundled_model_weighs_every_feature_and_maps_to_the_ladder():
    model = seniority_model()
    assert list(model.weights) == MODEL_FEATURES
    assert [hint_level(label).level for label in model.classes] == [
        "junior", "mid", "senior", "director", "executive"]
    assert LevelModel.from_json(model.to_json()) == model


def test_spotify_page_is_mid_from_its_title():
    page = CORPUS / "pages" / "spotify-machine-learning-engineer-ii.txt"
    if not page.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    text = page.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    assert classify_seniority(title, text) == ("mid", "title: II")


# --- Agreement with employers' own levels (local corpus, not copied) -----------------

def _linkedin_halves() -> tuple:
    if not (CORPUS / "linkedin-ca-2018" / "postings.csv").exists():
        pytest.skip(f"linkedin-ca-2018 not found under {CORPUS}")
    sys.path.insert(0, str(REPO / "bench"))
    from measure_seniority import (  # noqa: E402
        HELD_OUT, employer_half, labelled_postings, measure,
    )
    postings = labelled_postings(CORPUS)
    held_out = [posting for posting in postings if employer_half(posting["company"]) == HELD_OUT]
    return postings, held_out, measure


def test_linkedin_agreement_on_the_held_out_employers():
    """The model never saw these employers (bench/train_seniority_model.py)."""
    postings, held_out, measure = _linkedin_halves()
    result = measure(held_out)
    silent = measure([posting for posting in held_out if title_seniority(posting["title"]) is None])
    print(f"\nlinkedin-ca-2018 held-out agreement: {result['agreed']}/{result['postings']} = "
          f"{result['agreement']:.1%} (title-silent {silent['agreed']}/{silent['postings']} = "
          f"{silent['agreement']:.1%}); unknown {result['unknown_rate']:.1%}")
    assert (len(postings), result["postings"], silent["postings"]) == (641, 345, 189)
    assert result["unknown_rate"] <= 0.15
    # Guards a few points under the measured 63.2% and 74.1%, not the 80% goal:
    # titles cap it at 77% (seniority.md, "Measured").
    assert result["agreement"] >= 0.60
    assert silent["agreement"] >= 0.70


def test_linkedin_agreement_on_the_whole_file():
    postings, _, measure = _linkedin_halves()
    result = measure(postings)
    assert result["unknown_rate"] <= 0.15
    assert result["agreement"] >= 0.60  # measured 63.7%, training half included


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
                      ("c", "mid", "model: title: analyst"), ("d", "unknown", None)]))


def test_composite_does_not_mutate_its_input():
    posting = dict(POSTINGS[0])
    with TestPipeline() as pipeline:
        _ = pipeline | beam.Create([posting]) | ClassifySeniority()
    assert "seniority" not in posting
