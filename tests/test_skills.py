"""Tests of the skills stage: taxonomy loading in every accepted format, the extractor's word
boundaries, longest match and precision guards on real sentences, the labelled set, the
SkillSpan recall target and the ExtractSkills composite."""
from __future__ import annotations

import json
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.skills import (
    ExtractSkills, SkillExtractor, TaxonomyError, _fold_alias, get_extractor, load_taxonomy,
    parse_taxonomy, taxonomy_summary,
)

HERE = Path(__file__).resolve().parent
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
ESCO_LABELS = SHARED / "taxonomy-sources" / "esco-v1.1.0-skill-labels-en.txt"
SPOTIFY_PAGE = CORPUS / "pages" / "spotify-machine-learning-engineer-ii.txt"

needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="shared/corpus not beside repo")


@pytest.fixture(scope="module")
def extractor() -> SkillExtractor:
    return get_extractor()


def skill_ids(extractor: SkillExtractor, text: str) -> list[str]:
    return [match.skill_id for match in extractor.extract(text)]


# ---------------------------------------------------------------------------------------
# Bundled taxonomy


def test_bundled_taxonomy_identity():
    taxonomy = load_taxonomy()
    summary = taxonomy_summary(taxonomy)
    assert (summary["name"], summary["version"]) == ("posting-analytics-skills", "1.0.0")
    assert summary["size"] == len(taxonomy.skills)
    spark = taxonomy.skills["apache-spark"]
    assert (spark.name, spark.category, spark.match) == ("Apache Spark", "data_ml", "context")
    assert "PySpark" not in spark.aliases and "Spark" in spark.aliases


def test_industries_are_not_skills():
    forms = {_fold_alias(form) for skill in load_taxonomy().skills.values()
             for form in (skill.name,) + skill.aliases}
    for industry in ("finance", "healthcare", "retail", "defence", "climate science",
                     "banking", "financial services", "interviews"):
        assert industry not in forms, industry
    assert "financial analysis" in forms


# ---------------------------------------------------------------------------------------
# The reference posting (issue 2)

SPOTIFY_REQUIRED = {
    "python", "java", "scala", "tensorflow", "pytorch", "scikit-learn", "apache-beam",
    "apache-spark", "scio", "google-cloud-platform", "amazon-web-services", "machine-learning",
    "large-language-models", "bandit-algorithms", "recommender-systems",
}


@pytest.mark.skipif(not SPOTIFY_PAGE.exists(), reason="shared/corpus not beside repo")
def test_spotify_posting(extractor):
    page = SPOTIFY_PAGE.read_text(encoding="utf-8")
    body = page[page.index("Machine Learning Engineer\n\nThe Personalization"):
                page.index("Subscribe to Future Tech Insights")]
    matches = {match.skill_id: match.surface for match in extractor.extract(body)}
    assert SPOTIFY_REQUIRED <= set(matches)
    assert (matches["google-cloud-platform"], matches["amazon-web-services"],
            matches["large-language-models"], matches["recommender-systems"]) == (
        "GCP", "AWS", "LLMs", "recommendation algorithms")
    # Industries are not skills: the teaser's list of them yields only "AI".
    teaser = page[page.index("From finance and healthcare"):]
    assert skill_ids(extractor, teaser[:teaser.index(" across the UK")]) == [
        "artificial-intelligence"]


# ---------------------------------------------------------------------------------------
# Word boundaries and longest match


@pytest.mark.parametrize("text, expected", [
    ("Strong C++ and C# skills, .NET Core a plus", ["cplusplus", "c-sharp", "asp.net-core"]),
    ("Backend in Node.js; CI/CD with GitHub Actions", ["back-end-development", "node.js",
                                                       "ci-cd", "github-actions"]),
    ("Experience with Spring Boot microservices", ["spring-boot", "microservices"]),
    ("scikit-learn, Scikit Learn or sklearn", ["scikit-learn"]),
    ("HTML/CSS and C#/.NET", ["html", "css", "c-sharp", "dotnet"]),
    ("Unix/Linux, R/Python", ["unix", "linux", "r", "python"]),
    ("JavaScript is not Java", ["javascript", "java"]),
    ("Reactive but not React-ish: ReactJS", ["react"]),
    ("Work with pandas DataFrames in Jupyter notebooks.", ["pandas", "jupyter"]),
])
def test_boundaries_and_longest_match(extractor, text, expected):
    assert skill_ids(extractor, text) == expected


def test_one_match_per_skill_with_offsets(extractor):
    text = "Python developer. Must know Python 3 and AWS (aws)."
    matches = extractor.extract(text)
    assert [(m.skill_id, m.start, m.end, m.surface) for m in matches] == [
        ("python", 0, 6, "Python"), ("amazon-web-services", 41, 44, "AWS")]
    assert extractor.explain(text) == ["python@0-6:Python", "amazon-web-services@41-44:AWS"]


# ---------------------------------------------------------------------------------------
# Precision guards: each ambiguous word on real sentences, both ways


@pytest.mark.parametrize("skill_id, text, expected", [
    ("go", "Experience with Go, Python or Java for backend services", True),
    ("go", "Go beyond the call of duty to support our customers", False),
    ("go", "Lead our go-to-market strategy", False),
    ("r", "Proficiency in R or Python for statistical analysis", True),
    ("r", "Collaborate with the R&D team on new products", False),
    ("r", "R. Smith will supervise the laboratory", False),
    ("c", "good programming skills (e.g. C C++ python)", True),
    ("c", "Report to the C-suite on financial risks", False),
    ("c", "Take Vitamin C supplements", False),
    ("swift", "Good knowledge of Kotlin and/or Swift", True),
    ("swift", "Provide a swift response to customer complaints", False),
    ("rust", "We write our services in Rust and Go", True),
    ("rust", "Inspect pipes for Rust and corrosion damage", False),
    ("apache-spark", "real-time data processing (Storm Spark) or MySQL", True),
    ("apache-spark", "Spark joy in our guests with great hospitality", False),
    ("apache-beam", "Apache Beam or Beam SQL pipelines on Dataflow", True),
    ("apache-beam", "Operate the laser beam cutter safely", False),
    ("microsoft-excel", "Advanced Excel skills including pivot tables", True),
    ("microsoft-excel", "Excel at building relationships with clients", False),
    ("java", "Core Java, Maven and J2EE experience", True),
    ("java", "Tour guide for the island of Java and Bali", False),
    ("scala", "Hands-on experience with Scala and Spark", True),
    ("scala", "Season tickets to La Scala opera house", False),
    ("ruby", "Web development in Ruby and JavaScript", True),
    ("ruby", "Ruby will be your mentor during onboarding", False),
    ("unity-engine", "Build games in Unity and C#", True),
    ("unity-engine", "Unity and teamwork are our core values", False),
    ("shell-scripting", "Automate deployments with Bash and Shell scripts", True),
    ("shell-scripting", "Shell is an equal opportunity employer in energy", False),
    ("gnu-make", "Build tooling: CMake, Make and Bazel", True),
    ("gnu-make", "Make sure every order ships on time", False),
    ("chef-devops", "Configuration management with Chef, Puppet or Ansible", True),
    ("chef-devops", "Head Chef needed for our busy kitchen", False),
    ("puppet-devops", "Infrastructure automation using Puppet manifests and Terraform", True),
    ("puppet-devops", "Puppet shows and face painting for the children's party", False),
    ("microsoft-access", "Maintain Access databases and Excel reports", True),
    ("microsoft-access", "Access to the building requires a badge", False),
    ("microsoft-word", "Proficient in Word, Excel and PowerPoint", True),
    ("microsoft-word", "Word of mouth is our main marketing channel", False),
])
def test_precision_guards(extractor, skill_id, text, expected):
    assert (skill_id in skill_ids(extractor, text)) is expected


def test_sales_is_only_a_skill_in_specific_phrases(extractor):
    assert skill_ids(extractor, "Our Sales team will support you") == []
    assert skill_ids(extractor, "Proven record in B2B sales") == ["b2b-sales"]


def test_acronyms_only_count_in_capitals(extractor):
    assert skill_ids(extractor, "Design REST APIs") == ["restful-apis"]
    assert skill_ids(extractor, "Take a rest and dose 5 ml") == []


# ---------------------------------------------------------------------------------------
# Only the posting's own text


def test_boilerplate_sentences_are_skipped(extractor):
    text = ("Analyst with SQL and Tableau.\n"
            "We are an equal opportunity employer; regardless of race, Python users welcome.\n"
            "Job benefits: Kubernetes-themed swag, gym membership and project management "
            "training.")
    assert skill_ids(extractor, text) == ["sql", "tableau"]


# ---------------------------------------------------------------------------------------
# Loading replacement taxonomies, by content


def test_load_plain_csv(tmp_path):
    path = tmp_path / "my-skills.data"
    path.write_text("id,name,category,aliases\n"
                    "forklift,Forklift operation,logistics,forklift driving|fork-lift\n"
                    "go-lang,Go,programming_language,Golang\n", encoding="utf-8")
    taxonomy = load_taxonomy(str(path))
    assert (taxonomy.name, taxonomy.version, sorted(taxonomy.skills)) == (
        "my-skills.data", "unversioned", ["forklift", "go-lang"])
    assert taxonomy.skills["forklift"].aliases == ("forklift driving", "fork-lift")
    extractor = SkillExtractor(taxonomy)
    assert skill_ids(extractor, "Fork-lift licence holders; Golang devs") == [
        "forklift", "go-lang"]


def test_load_yaml_skill_list(tmp_path):
    path = tmp_path / "skills.yaml"
    path.write_text("name: team-skills\nversion: 2.1.0\nskills:\n"
                    "  - {id: excel, name: Excel, category: software_tool, match: context,"
                    " aliases: [MS Excel]}\n", encoding="utf-8")
    taxonomy = load_taxonomy(str(path))
    assert (taxonomy.name, taxonomy.version, taxonomy.skills["excel"].aliases) == (
        "team-skills", "2.1.0", ("MS Excel",))


def test_load_yaml_manifest_with_csv_beside_it(tmp_path):
    (tmp_path / "a.csv").write_text("id,name,category,aliases,match,esco_uri,onet_code\n"
                                    "welding,Welding,trades_construction,MIG welding,default,,\n",
                                    encoding="utf-8")
    (tmp_path / "index.yaml").write_text("name: t\nversion: 0.1.0\nfiles: ['*.csv']\n",
                                         encoding="utf-8")
    assert list(load_taxonomy(str(tmp_path / "index.yaml")).skills) == ["welding"]


def test_load_esco_export_fixture():
    taxonomy = load_taxonomy(str(HERE / "fixtures" / "esco_skills_sample.csv"))
    assert len(taxonomy.skills) == 5
    python = taxonomy.skills["python-computer-programming"]
    assert (python.category, python.esco_uri, python.aliases) == (
        "knowledge", "https://example.org/esco-fixture/skill/0001",
        ("Python", "Python programming"))
    assert taxonomy.skills["use-spreadsheets-software"].aliases == (
        "use spreadsheets", "work with spreadsheets", "spreadsheet software")
    extractor = SkillExtractor(taxonomy)
    assert skill_ids(extractor, "Forklift driving and Python programming; ML a plus") == [
        "operate-forklift", "python-computer-programming", "machine-learning"]


def test_load_plain_label_list():
    taxonomy = parse_taxonomy("manage musical staff\nPython (computer programming)\n"
                              "manage musical staff\n", source_name="labels.txt")
    assert list(taxonomy.skills) == ["manage-musical-staff", "python-computer-programming"]


@pytest.mark.parametrize("content, message", [
    ("id,name,match\nx,X,sometimes\n", "match 'sometimes'"),
    ("id,name\nx,X\nx,Y\n", "duplicate skill id 'x'"),
    ("id,name\n,X\n", "id and name are required"),
])
def test_invalid_csv_is_rejected(content, message):
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(content)


def test_missing_file_fails_at_construction(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read taxonomy"):
        ExtractSkills(taxonomy_path=str(tmp_path / "absent.csv"))


@pytest.mark.skipif(not ESCO_LABELS.exists(), reason="shared/taxonomy-sources absent")
def test_esco_label_file_loads_and_extracts():
    labels = {line.strip() for line in ESCO_LABELS.read_text(encoding="utf-8").splitlines()}
    labels.discard("")
    taxonomy = load_taxonomy(str(ESCO_LABELS))
    assert len(taxonomy.skills) == len(labels) > 13800  # every label, none merged or lost
    extractor = SkillExtractor(taxonomy)
    text = ("We use Python and SQL daily. You will manage musical staff and "
            "perform dances; Java a plus.")
    assert skill_ids(extractor, text) == [
        "python-computer-programming", "sql", "manage-musical-staff", "perform-dances",
        "java-computer-programming"]


# ---------------------------------------------------------------------------------------
# Quality on real postings


def test_labelled_postings_precision_and_recall(extractor):
    taxonomy = extractor.taxonomy
    rows = [json.loads(line) for line in
            (HERE / "data" / "skills_labelled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 60
    true_positives = false_positives = false_negatives = hard_found = hard_total = 0
    for row in rows:
        predicted = set(skill_ids(extractor, row["text"]))
        gold = set(row["skills"])
        assert gold <= set(taxonomy.skills), row["id"]
        true_positives += len(predicted & gold)
        false_positives += len(predicted - gold)
        false_negatives += len(gold - predicted)
        hard = {skill_id for skill_id in gold if taxonomy.skills[skill_id].category
                != "soft_skill"}
        hard_found += len(hard & predicted)
        hard_total += len(hard)
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / (true_positives + false_negatives)
    hard_recall = hard_found / hard_total
    print(f"labelled set: {len(rows)} postings, precision {precision:.3f}, "
          f"recall {recall:.3f}, hard-skill recall {hard_recall:.3f}")
    assert precision >= 0.90
    assert hard_recall >= 0.85


@needs_corpus
def test_skillspan_dev_knowledge_recall(extractor):
    """A knowledge span counts as found when a form of an extracted skill equals it or is a
    whole-word part of it (micro over distinct spans per posting)."""
    found = total = 0
    for line in (CORPUS / "skillspan" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        posting = json.loads(line)
        forms = {_fold_alias(form) for match in extractor.extract(
            posting["title"] + "\n" + posting["description"])
            for form in (match.name,) + extractor.taxonomy.skills[match.skill_id].aliases}
        for span in set(posting["knowledge_spans"]):
            total += 1
            padded = f" {_fold_alias(span)} "
            found += any(f" {form} " in padded for form in forms if form)
    print(f"skillspan dev: {found}/{total} knowledge spans = {found / total:.3f}")
    assert found / total >= 0.70


# ---------------------------------------------------------------------------------------
# The composite


def test_extract_skills_composite():
    postings = [
        {"posting_id": "a", "title": "Data Engineer", "description": "Airflow, dbt and SQL"},
        {"posting_id": "b", "title": "Head Chef", "description": "Lead our kitchen team."},
    ]
    with TestPipeline() as pipeline:
        enriched = (pipeline | "CreatePostings" >> beam.Create(postings)
                    | "ExtractSkills" >> ExtractSkills(debug=True))
        assert_that(enriched, equal_to([
            {"posting_id": "a", "title": "Data Engineer", "description": "Airflow, dbt and SQL",
             "skills": ["apache-airflow", "dbt", "sql"],
             "skill_names": ["Apache Airflow", "dbt", "SQL"],
             "skill_categories": ["data_ml", "data_ml", "programming_language"],
             "skill_evidence": ["apache-airflow@14-21:Airflow", "dbt@23-26:dbt",
                                "sql@31-34:SQL"]},
            {"posting_id": "b", "title": "Head Chef", "description": "Lead our kitchen team.",
             "skills": [], "skill_names": [], "skill_categories": [], "skill_evidence": []},
        ]))
