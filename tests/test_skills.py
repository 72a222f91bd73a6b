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

from transforms.automata import build_literal_matcher
from transforms.skills import (
    _CUE_PATTERNS, ExtractSkills, SkillExtractor, _fold_alias, _squeeze, get_extractor,
)
from transforms.taxonomy_loader import (
    TaxonomyError, load_taxonomy, parse_taxonomy, taxonomy_summary,
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
    assert (summary["name"], summary["version"]) == ("posting-analytics-skills", "1.1.2")
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


def test_french_mise_en_place_is_setting_up_not_table_setting(extractor):
    """Place de l'emploi public, offer 2021-595498: the everyday French for "setting up"."""
    text = ("Contribuer à l’accompagnement de la mise en place des procédures\n"
            "Travailler en collaboration avec les services")
    assert [m.skill_id for m in extractor.extract(text)] == []
    assert [m.skill_id for m in extractor.extract("Table setting and table laying")] == [
        "table-setting"]


@pytest.mark.parametrize("text, expected", [
    # Place de l'emploi public offers (Licence Ouverte / Etalab; DGAFP, Place de l'emploi
    # public): French postings name their skills in French (taxonomy 1.1.2).
    ("- Revue de littérature, collecte de données, analyse de données, rédaction d'articles",
     ["data-analysis"]),
    ("Concevoir et promouvoir les dispositifs de contrôle interne financier",
     ["internal-controls"]),
    ("Assurer le contrôle de gestion et l’analyse financière",
     ["management-accounting", "financial-analysis"]),
    ("Bonnes connaissances des ERP et des suites bureautiques.",
     ["enterprise-resource-planning", "microsoft-office"]),
    ("Assurer l’accueil physique et téléphonique, en relais avec", ["front-desk-operations"]),
    ("Réglementation sécurité incendie · Marchés publics · Techniques de négociation",
     ["public-procurement", "negotiation"]),
    ("Contribuer à l'animation du dialogue social et à la communication interne",
     ["employee-relations", "employee-communications"]),
    ("Etablir et mettre à jour un tableau de bord de suivi de ces activités",
     ["data-visualisation"]),
    ("Maîtrise de l'anglais et du français courant exigée",
     ["english-language", "french-language"]),
    # French words the fold made English skills: none of these ask for one.
    ("à la bonne application des processus du point de vue réglementaire", []),
    ("les data scientists travaillant sur les prises de vue aériennes", []),
    ("il/elle dispose d’une délégation de signature pour tous les actes", []),
    ("Localisation du poste : Département des Vosges", []),
    ("Gérer les inscriptions au registre français ; - Gérer les inscriptions", []),
    # ...while the English readings stay.
    ("Experience with Tableau and Power BI", ["tableau", "power-bi"]),
    ("Tools - Tableau: advanced dashboards", ["tableau", "data-visualisation"]),
    ("Frontend in React, Vue and Angular", ["front-end-development", "react", "vue.js",
                                            "angular"]),
    ("Delegation, coaching and mentoring of junior staff",
     ["delegation", "coaching", "mentoring"]),
    ("Fluent in English and Français", ["english-language", "french-language"]),
])
def test_french_postings(extractor, text, expected):
    assert skill_ids(extractor, text) == expected


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


# SkillSpan (MIT, (c) Zhang et al.) and USAJOBS (public domain) sentences, plus a few written
# for the test where the brief names the trap ("French fries", "a Swedish company").
@pytest.mark.parametrize("skill_id, text, expected", [
    ("english-language", "Fluent in Spanish and English", True),
    ("french-language", "English, Spanish and French", True),
    ("english-language", "You have good communication skills and are fluent in both Danish "
                         "and English orally and in writing.", True),
    ("english-language", "An excellent command of PowerPoint Excel and English is a must and "
                         "FMCG experience is a plus.", True),
    ("german-language", "Fluent English both written and spoken is a must while German "
                        "Italian and French are considered as an advantage", True),
    ("english-language", "Speak and write English effortlessly Danish is an advantage", True),
    ("english-language", "You have the excellent communication touch\nverbal and written "
                         "english skills", True),
    ("french-language", "French fries and English muffins", False),
    ("english-language", "French fries and English muffins", False),
    ("swedish-language", "We are a Swedish company with offices in Stockholm", False),
    ("danish-language", "You have an education in economics business or finance at master "
                        "level corresponding to the Danish educations cand.oecon.", False),
    ("danish-language", "Qualified applicants must have a valid Danish Class B Driver's "
                        "License.", False),
    ("danish-language", "Memorandum on Job Structure for Academic Staff at Danish "
                        "Universities", False),
])
def test_spoken_languages_need_a_language_reading(extractor, skill_id, text, expected):
    assert (skill_id in skill_ids(extractor, text)) is expected


@pytest.mark.parametrize("skill_id, text, expected", [
    ("bill-of-materials-management", "Maintain the BOM in SAP for new product introductions",
     True),
    ("bill-of-materials-management", "JavaScript TypeScript; understanding of transpilation "
                                     "BOM DOM and Virtual DOM", False),
    ("long-term-care", "Two years of nursing experience in an LTC facility", True),
    ("long-term-care", "The selecting supervisor for this vacancy is LTC Gordon Pedersen .",
     False),
    ("goods-receiving", "the leading service and e-commerce site for second hand goods in "
                        "<LOCATION>", False),
    ("goods-receiving", "Goods inwards: check deliveries against purchase orders", True),
    ("mergers-and-acquisitions", "M&A due diligence and post-merger integration", True),
    ("mergers-and-acquisitions", "I'm a team player who loves data", False),
    ("learning-and-development", "Partner with L&D on onboarding programmes", True),
    ("learning-and-development", "Pay is competitive for l d roles", False),
    ("audit-software", "Audit analytics in TeamMate and CaseWare", True),
    ("audit-software", "You could be our next teammate if you have 3+ years of people "
                       "management experience", False),
    ("android-room", "Persistence with Room and Retrofit in Kotlin apps", True),
    ("android-room", "Personal development? Check.\nRoom for error? Check.", False),
    ("lifeguarding", "Teckro is currently used around the world on trials for lifesaving "
                     "medicines", False),
    ("computer-networking", "Knowledge of Computer Architecture OS internals and Networking is "
                            "essential.", True),
    ("computer-networking", "Strong networking skills and a wide professional network", False),
    ("computer-networking", "Live the startup adventure thanks to events and networking "
                            "opportunities", False),
    ("waterfall-methodology", "Project methodologies include both Waterfall and Agile.", True),
    ("waterfall-methodology", "A team hike to the waterfall every summer", False),
    ("singer-etl", "Work with the Modern Data Stack using ELT tools like Singer (orchestrated "
                   "by Pipelinewise/Meltano) dbt and Snowflake", True),
    ("singer-etl", "Singer and songwriter wanted for our wedding band", False),
])
def test_ambiguous_aliases_on_real_sentences(extractor, skill_id, text, expected):
    assert (skill_id in skill_ids(extractor, text)) is expected


@pytest.mark.parametrize("text, expected", [
    # SkillSpan dev knowledge spans the 1.1.0 disciplines and tools were added for.
    ("Strong engineering background preferably in fields such as Computer Science "
     "Mathematics Software Engineering Physics.",
     ["computer-science", "mathematics", "software-development", "physics"]),
    ("Candidates are required to have a master\u00b4s degree in biochemistry or human biology.",
     ["biochemistry", "biology"]),
    ("Knowledge in ubiquitin signaling networks or similar cellular pathways and cell biology "
     "cell signaling and cancer biology would be considered a distinct advantage.",
     ["cell-biology", "biology"]),
    ("a relevant social science discipline (for example economics agricultural economics "
     "development studies)", ["economics", "development-studies"]),
    ("university degree in computer science physics electrical engineering or a comparable "
     "field of study", ["computer-science", "physics", "electrical-engineering"]),
    ("Plastic and Polymer materials Functional Materials Biobased polymers for circular use "
     "Heterogeneous catalysis", ["catalysis"]),
    ("Experience with physiological measurements and/or neuroscience is a definite advantage.",
     ["neuroscience"]),
    ("Understanding embedded systems practical knowledge of Internet protocols for example "
     "(TCP/IP operation) Ethernet", ["embedded-systems", "tcp-ip", "ethernet"]),
    ("SE attack vectors (phishing vishing SMShing etc.)", ["social-engineering"]),
    ("Styling with Bulma\nCreating projects and components with the Vue framework",
     ["bulma", "vue.js"]),
    ("SENIOR BPMN CAMUNDA JAVA SOFTWARE DEVELOPER", ["business-process-modelling", "camunda"]),
    ("Experience in communications middleware messaging and database technologies",
     ["middleware", "databases"]),
])
def test_disciplines_and_tools_added_in_1_1(extractor, text, expected):
    assert skill_ids(extractor, text) == expected


def test_sales_is_only_a_skill_in_specific_phrases(extractor):
    assert skill_ids(extractor, "Our Sales team will support you") == []
    assert skill_ids(extractor, "Proven record in B2B sales") == ["b2b-sales"]


def test_acronyms_only_count_in_capitals(extractor):
    assert skill_ids(extractor, "Design REST APIs") == ["restful-apis"]
    assert skill_ids(extractor, "Take a rest and dose 5 ml") == []


# ---------------------------------------------------------------------------------------
# Only the posting's own text


def test_runs_of_whitespace_join_words_with_offsets_in_the_original(extractor):
    text = "Machine  learning, deep\r\nlearning and\tpandas  \n  DataFrames"
    assert [(m.skill_id, m.start, m.end, m.surface) for m in extractor.extract(text)] == [
        ("machine-learning", 0, 17, "Machine  learning"),
        ("deep-learning", 19, 33, "deep\r\nlearning"),
        ("pandas", 38, 44, "pandas")]
    text = "Caf\u00e9 owner \u2013 knows machine\u00a0 learning\u2019s basics and Node.js."
    assert [(m.skill_id, m.start, m.end, m.surface) for m in extractor.extract(text)] == [
        ("machine-learning", 19, 36, "machine\u00a0 learning"), ("node.js", 50, 57, "Node.js")]
    # A paragraph break or a wide gap from flattened HTML is a layout break, not a space.
    assert skill_ids(extractor, "machine\n\nlearning") == []
    assert skill_ids(extractor, "used in production    Design retry strategies") == []


def test_web_addresses_and_organisation_names_ask_for_nothing(extractor):
    usajobs = ("For the 1310 series: https://www.opm.gov/policy-data-oversight/classification-"
               "qualifications/general-schedule-qualification-standards/1300/physics-series-"
               "1310/ Experience refers to paid and unpaid experience")
    assert skill_ids(extractor, usajobs) == []
    assert skill_ids(extractor, "Secure APIs over HTTPS") == ["api-development",
                                                              "network-protocols"]
    skillspan = ("A PhD scholarship in simulations of ion transport is available at the "
                 "Department of Physics Chemistry and Pharmacy")
    assert skill_ids(extractor, skillspan) == []
    assert skill_ids(extractor, "Public Buildings Service (PBS), National Capital Region "
                                "(NCR), Office of Facilities Management (OFM)") == []
    assert skill_ids(extractor, "A degree in physics or chemistry") == ["physics", "chemistry"]


def test_benefit_sections_are_skipped_to_the_next_heading(extractor):
    skillspan = ("You are open-minded and have a good sense for tech trends.\nWE OFFER\n"
                 "Autonomous but goal-oriented working style\nIn non-Covid times: weekly "
                 "fitness training\nAPPLY NOW\nSend your application in Python")
    assert skill_ids(extractor, skillspan) == ["open-mindedness", "python"]
    inline = ("Job benefits: Steep learning curve & growth trajectory for fast career "
              "development International open-minded fun & creative teams")
    assert skill_ids(extractor, inline) == []
    # "Benefits" is a cue only as a heading of its own.
    heading = ("troubleshoot debug and upgrade existing systems\nBenefits\nYou get:\nto work "
               "in cross-functional teams with a lot of heart and brains\nPaid Time Off\n"
               "Skills & requirements\nYou need:\nExperience with remote data via REST")
    assert skill_ids(extractor, heading) == ["debugging", "restful-apis"]
    assert skill_ids(extractor, "Explain the benefits of cross-functional teams") == [
        "cross-functional-collaboration"]


def test_boilerplate_sentences_are_skipped(extractor):
    text = ("Analyst with SQL and Tableau.\n"
            "We are an equal opportunity employer; regardless of race, Python users welcome.\n"
            "Job benefits: Kubernetes-themed swag, gym membership and project management "
            "training.")
    assert skill_ids(extractor, text) == ["sql", "tableau"]


# ---------------------------------------------------------------------------------------
# The text the automaton reads, and what it reports


def test_squeezed_fold_is_one_byte_per_character():
    squeezed = _squeeze("Data Engineer\nPython, Node.js & C++ — café’s ETL. "
                        "Apache\u00a0Spark\r\nMachine  learning.")
    assert squeezed.text == ("Data Engineer\nPython, Node.js & C++ — café’s ETL. "
                             "Apache\u00a0Spark\nMachine learning.")
    assert squeezed.padded == (b" data engineer python  node.js   c++   cafe s etl  apache"
                               b" spark machine learning  ")
    assert (squeezed.run_ends, squeezed.removed) == ([63, 71], [1, 2])


def test_literal_matcher_reports_neighbours_sharing_a_space_and_overlaps():
    matcher = build_literal_matcher({" sql ": "sql", " python ": "python",
                                     " machine learning ": "ml", " learning ": "learning"})
    hits = matcher.automaton.find_matches_as_indexes(b" sql python machine learning ",
                                                     overlapping=True)
    assert [(matcher.values[index], start, end) for index, start, end in hits] == [
        ("sql", 0, 5), ("python", 4, 12), ("ml", 11, 29), ("learning", 19, 29)]


@pytest.mark.parametrize("text, expected", [
    ("PROFICIENT IN Excel and Word.", ["microsoft-excel", "microsoft-word"]),
    ("Excel is required.", []),
    ("Maîtrise d’Excel et des MACROS.", ["microsoft-excel"]),  # not ASCII: case folded
    ("Maîtrise d’Excel.", []),
])
def test_context_cues_in_capitals_count(extractor, text, expected):
    assert skill_ids(extractor, text) == expected


def test_lowercase_cue_patterns_find_what_case_folding_finds():
    windows = ["Strong PROGRAMMING and Scripting skills", "Fluent in spoken English",
               "BIG DATA pipelines on Hadoop", "front-end Frameworks", "Life Cycle",
               "Office Pivot tables", "the ROUTERS and Switches"]
    for category, cues in _CUE_PATTERNS.items():
        assert cues.lowercase.pattern == cues.lowercase.pattern.lower(), category
        for window in windows:
            assert (cues.lowercase.search(window.lower()) is None) == (
                cues.any_case.search(window) is None), (category, window)


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
