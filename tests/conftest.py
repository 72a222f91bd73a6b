"""Shared test fixtures: paths to the repository's fixtures and the shared corpus, and a GCS
emulator (gcp-storage-emulator) started on 127.0.0.1 for the tests that need gs://."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
EMULATOR_START_TIMEOUT_S = 30
# Set before any Google library is imported: google-auth reads it at import time.
os.environ["NO_GCE_CHECK"] = "true"

# TestPipeline's default DirectRunner would first try to download the Prism runner from
# GitHub; tests never reach the internet, so they run on the FnApiRunner directly, as the job does.
from apache_beam.testing.test_pipeline import TestPipeline  # noqa: E402

TestPipeline.pytest_test_pipeline_options = (
    "--runner=apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + EMULATOR_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"GCS emulator exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("GCS emulator did not start listening in time")


@pytest.fixture(scope="session", autouse=True)
def no_cloud_credentials():
    """No test talks to Google: the GCE metadata server is never probed, and Beam goes straight
    to an anonymous client instead of retrying the credential lookup with back-off."""
    from apache_beam.internal.gcp import auth
    auth._Credentials._credentials_init = True
    auth._Credentials._credentials = None
    yield


@pytest.fixture(scope="session")
def gcs_emulator():
    """A running GCS emulator; yields its endpoint with STORAGE_EMULATOR_HOST set."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gcp_storage_emulator", "start", "--host=127.0.0.1",
         f"--port={port}", "--in-memory"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    saved = {name: os.environ.get(name) for name in ("STORAGE_EMULATOR_HOST",)}
    os.environ["STORAGE_EMULATOR_HOST"] = endpoint
    try:
        _wait_for_port(port, process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def gcs_bucket(gcs_emulator):
    """A fresh bucket in the emulator; yields (client, bucket_name)."""
    from google.cloud import storage

    client = storage.Client.create_anonymous_client()
    client.project = "test-project"
    name = f"bucket-{time.monotonic_ns()}"
    client.create_bucket(name)
    return client, name
