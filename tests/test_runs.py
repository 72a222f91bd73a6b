"""InRunsFn: a stage's DoFn called on runs of elements, with the same outputs."""
import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import GlobalWindow, GlobalWindows
from apache_beam.utils.timestamp import MIN_TIMESTAMP

from transforms.runs import InRunsFn


class _TitleFn(beam.DoFn):
    """A stage in miniature: a title per posting, rejects tagged, a count at the end."""

    def __init__(self, calls=None):
        self.calls = calls if calls is not None else []

    def setup(self):
        self.calls.append("setup")

    def start_bundle(self):
        self.calls.append("start_bundle")
        self._seen = 0

    def process(self, posting):
        self.calls.append(posting["id"])
        self._seen += 1
        if not posting.get("title"):
            yield beam.pvalue.TaggedOutput("rejects", {"id": posting["id"], "reason": "no_title"})
            return
        yield posting["title"].strip().title()

    def finish_bundle(self):
        self.calls.append("finish_bundle")
        yield GlobalWindows.windowed_value(("seen", self._seen))

    def teardown(self):
        self.calls.append("teardown")


POSTINGS = [
    {"id": "a1", "title": "  data engineer "},
    {"id": "a2", "title": "Software Engineer II"},
    {"id": "a3", "title": ""},
    {"id": "a4", "title": "machine learning engineer"},
    {"id": "a5", "title": "Sjuksköterska"},
]


def test_the_stage_runs_only_when_a_run_is_full_then_on_all_of_it():
    calls = []
    runs = InRunsFn(_TitleFn(calls), run_length=2)
    runs.setup()
    runs.start_bundle()
    outputs = [list(runs.process(posting)) for posting in POSTINGS]
    assert outputs[0] == [] and outputs[2] == [] and outputs[4] == []
    assert outputs[1] == ["Data Engineer", "Software Engineer Ii"]
    assert outputs[3][0].tag == "rejects"
    assert outputs[3][0].value == {"id": "a3", "reason": "no_title"}
    assert outputs[3][1] == "Machine Learning Engineer"
    assert calls == ["setup", "start_bundle", "a1", "a2", "a3", "a4"]

    finished = list(runs.finish_bundle())
    # The last partial run leaves from finish_bundle, in the global window, then the
    # stage's own finish_bundle outputs.
    assert [(o.value, o.windows, o.timestamp) for o in finished] == [
        ("Sjuksköterska", (GlobalWindow(),), MIN_TIMESTAMP),
        (("seen", 5), (GlobalWindow(),), MIN_TIMESTAMP)]
    runs.teardown()
    assert calls[-3:] == ["a5", "finish_bundle", "teardown"]


def test_a_tagged_output_of_the_last_run_keeps_its_tag():
    runs = InRunsFn(_TitleFn(), run_length=10)
    runs.start_bundle()
    for posting in POSTINGS[:3]:
        assert list(runs.process(posting)) == []
    finished = list(runs.finish_bundle())
    assert finished[2].tag == "rejects"
    assert finished[2].value.value == {"id": "a3", "reason": "no_title"}
    assert [o.value for o in finished[:2]] == ["Data Engineer", "Software Engineer Ii"]


def test_in_a_pipeline_the_outputs_are_those_of_the_stage_alone():
    with TestPipeline() as pipeline:
        postings = pipeline | beam.Create(POSTINGS)
        alone = postings | "Alone" >> beam.ParDo(_TitleFn()).with_outputs("rejects", main="titles")
        in_runs = postings | "InRuns" >> beam.ParDo(
            InRunsFn(_TitleFn(), run_length=2)).with_outputs("rejects", main="titles")
        expected_titles = ["Data Engineer", "Software Engineer Ii", "Machine Learning Engineer",
                           "Sjuksköterska"]
        assert_that(alone.titles | "AloneTitles" >> beam.Filter(lambda t: isinstance(t, str)),
                    equal_to(expected_titles), label="CheckAlone")
        assert_that(in_runs.titles | "RunTitles" >> beam.Filter(lambda t: isinstance(t, str)),
                    equal_to(expected_titles), label="CheckRuns")
        assert_that(in_runs.rejects, equal_to([{"id": "a3", "reason": "no_title"}]),
                    label="CheckRejects")


def test_a_run_needs_one_element_at_least():
    with pytest.raises(ValueError, match="run_length must be at least 1, got 0"):
        InRunsFn(_TitleFn(), run_length=0)
