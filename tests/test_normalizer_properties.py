"""Property-based tests: the normalizers take any string a feed can hold and answer with a
value of their vocabulary, never an exception (issue: hostile input never breaks the job)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.posting import PLACE_KEYS, SENIORITY_LEVELS, WORK_ARRANGEMENTS, WORLD_REGIONS
from transforms.location import normalize_location
from transforms.seniority import classify_seniority
from transforms.skills import get_extractor

PROFILE = settings(max_examples=150, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])
# Location-like text: letters, digits, separators and marks that real strings mix.
location_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list(",;|/()-·–")),
    max_size=120)
hints = st.dictionaries(
    st.sampled_from(["city", "region", "country", "postal_code", "workplace_type",
                     "remote_scope"]),
    st.text(max_size=30)) | st.fixed_dictionaries(
    {"is_remote": st.booleans(), "locations": st.lists(st.text(max_size=40), max_size=4)})


@PROFILE
@given(location_text, hints, st.text(max_size=400))
def test_normalize_location_always_answers_in_its_vocabulary(location_raw, location_hints, text):
    result = normalize_location(location_raw, location_hints, text)
    assert result["work_arrangement"] in WORK_ARRANGEMENTS
    assert result["world_region"] in WORLD_REGIONS + (None,)
    for place in result["locations"]:
        assert set(place) == set(PLACE_KEYS)
    if result["country_code"] is not None:
        assert len(result["country_code"]) == 2 and result["country_code"].isupper()


@PROFILE
@given(st.text(max_size=200), st.text(max_size=2000), st.none() | st.text(max_size=40),
       st.none() | st.integers(min_value=0, max_value=720))
def test_classify_seniority_always_answers_on_the_ladder(title, description, hint, months):
    level, evidence = classify_seniority(title, description, hint, months)
    assert level in SENIORITY_LEVELS
    assert evidence is None or isinstance(evidence, str)


@PROFILE
@given(st.text(max_size=3000))
def test_extract_skills_yields_each_known_skill_once(text):
    extractor = get_extractor()
    matches = extractor.extract(text)
    ids = [m.skill_id for m in matches]
    assert len(ids) == len(set(ids))
    assert all(skill_id in extractor.taxonomy.skills for skill_id in ids)
    assert all(0 <= m.start < m.end <= len(text) for m in matches)
