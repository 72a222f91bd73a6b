"""The Dataflow submission path, checked without a cloud: option validation fails fast, and a
dry run builds the job (staging this package from setup.py) without submitting it."""
import tarfile

import pytest

from beam_jobs.skill_demand import InvalidJobOptions, job_options, run, validate_options
from apache_beam.options.pipeline_options import PipelineOptions, TypeOptions
from tests.conftest import REPO

DATAFLOW = ["--runner=DataflowRunner", "--project=analytics-prod", "--region=europe-west1",
            "--temp_location=gs://analytics-tmp/beam", f"--setup_file={REPO / 'setup.py'}"]


@pytest.mark.parametrize("extra, message", [
    (["--input=./feed/*.jsonl", "--output=gs://b/out"],
     "DataflowRunner workers cannot read or write local paths; use gs:// for --input, "
     "--output and --taxonomy (local: ./feed/*.jsonl)"),
    (["--input=gs://b/in/*", "--output=out"], "(local: out)"),
    (["--input=gs://b/in/*", "--output=gs://b/out", "--taxonomy=my_taxonomy.csv"],
     "(local: my_taxonomy.csv)"),
])
def test_dataflow_with_local_paths_fails_fast(extra, message):
    with pytest.raises(InvalidJobOptions) as err:
        validate_options(PipelineOptions(DATAFLOW + extra))
    assert message in str(err.value)


def test_dataflow_without_project_or_temp_location_fails_fast():
    args = ["--runner=DataflowRunner", "--region=europe-west1", "--input=gs://b/in/*",
            "--output=gs://b/out", f"--setup_file={REPO / 'setup.py'}"]
    with pytest.raises(InvalidJobOptions, match="DataflowRunner needs --project, --temp_location"):
        validate_options(PipelineOptions(args))


def test_local_input_that_matches_nothing_fails_fast(tmp_path):
    with pytest.raises(InvalidJobOptions, match="matches no file"):
        validate_options(PipelineOptions([f"--input={tmp_path}/none/*.jsonl"]))


def test_bad_as_of_fails_fast():
    with pytest.raises(InvalidJobOptions, match="--as_of must be YYYY-MM-DD, got '25/11/2025'"):
        validate_options(PipelineOptions(["--as_of=25/11/2025"]))


def test_job_options_skip_the_construction_time_type_check():
    assert PipelineOptions([]).view_as(TypeOptions).pipeline_type_check is True
    options = job_options(["--as_of=2025-11-30", "--runtime_type_check"])
    assert options.view_as(TypeOptions).pipeline_type_check is False
    assert options.view_as(TypeOptions).runtime_type_check is True


def staged_files(pipeline_proto) -> dict:
    """staged name -> local path of every artifact the job would upload."""
    from apache_beam.portability.api import beam_runner_api_pb2 as api
    staged = {}
    for environment in pipeline_proto.components.environments.values():
        for artifact in environment.dependencies:
            path = api.ArtifactFilePayload.FromString(artifact.type_payload).path
            role = api.ArtifactStagingToRolePayload.FromString(artifact.role_payload)
            staged[role.staged_name] = path
    return staged


def test_dry_run_builds_the_dataflow_job():
    result = run(DATAFLOW + ["--dry_run=True", "--input=gs://feeds/postings/*.jsonl.gz",
                             "--output=gs://analytics-out/skill-demand/2025-11",
                             "--job_name=skill-demand-dry-run"])
    assert result.job.proto.name == "skill-demand-dry-run"
    assert result.job.proto.type.name == "JOB_TYPE_BATCH"
    pipeline = result.job.proto_pipeline
    stages = {t.unique_name for t in pipeline.components.transforms.values()
              if "/" not in t.unique_name and not t.unique_name.startswith("ref_")}
    assert stages == {"ReadPostings", "ParsePostings", "NormalizeLocations", "ClassifySeniority",
                      "ExtractSkills", "RemoveDuplicates", "AggregateSkillDemand",
                      "CollectRejects", "WritePostings", "WriteSkillDemand", "WriteRejects",
                      "WriteSummaryAndReport"}
    # The workers install this package from the staged sdist: its data must be inside.
    with tarfile.open(staged_files(pipeline)["workflow.tar.gz"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"transforms/taxonomy/taxonomy.yaml", "transforms/taxonomy/tech_languages.csv",
            "transforms/taxonomy/nontech_certification.csv", "transforms/geo/data/gazetteer.sqlite",
            "beam_jobs/sample/postings/spotify-machine-learning-engineer-ii.txt",
            "setup.py"} <= names
