"""Background builds: one per session, a bounded number at once, outcomes kept,
uploaded files removed whatever happens."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.jobs import BuildJobs, BuildRefused
from recommender.errors import CatalogError


def wait(job, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while job.running and time.time() < deadline:
        time.sleep(0.01)
    assert not job.running


def test_a_build_runs_in_the_background_and_reports_progress(tmp_path):
    jobs = BuildJobs(max_running=2)
    gate = threading.Event()
    upload = tmp_path / "upload"
    upload.mkdir()

    def run(progress):
        progress(0.5, "vectorize")
        gate.wait(5)

    job = jobs.start("s1", "films.csv", tmp_path / "out", run, cleanup=upload)
    deadline = time.time() + 5
    while job.message != "vectorize" and time.time() < deadline:
        time.sleep(0.01)
    assert job.running and job.fraction == 0.5 and jobs.busy_folders() == {tmp_path / "out"}
    gate.set()
    wait(job)
    assert job.state == "done" and job.fraction == 1.0 and not upload.exists()
    assert jobs.job("s1") is job
    jobs.forget("s1")
    assert jobs.job("s1") is None


def test_one_build_per_session_and_a_bounded_number_at_once(tmp_path):
    jobs = BuildJobs(max_running=2)
    gate = threading.Event()
    first = jobs.start("s1", "a.csv", tmp_path / "a", lambda progress: gate.wait(5))
    with pytest.raises(BuildRefused, match="a build of a.csv is already running for you"):
        jobs.start("s1", "b.csv", tmp_path / "b", lambda progress: None)
    second = jobs.start("s2", "c.csv", tmp_path / "c", lambda progress: gate.wait(5))
    upload = tmp_path / "upload"
    upload.mkdir()
    with pytest.raises(BuildRefused, match="2 build\\(s\\) are running on this server"):
        jobs.start("s3", "d.csv", tmp_path / "d", lambda progress: None, cleanup=upload)
    assert not upload.exists()  # a refused build leaves no uploaded files behind
    gate.set()
    wait(first)
    wait(second)
    assert jobs.start("s3", "d.csv", tmp_path / "d", lambda progress: None) is not None


def test_failures_are_kept_as_messages(tmp_path):
    jobs = BuildJobs()

    def bad_catalog(progress):
        raise CatalogError("/tmp/movie-upload-x/catalog/films.csv: data row 2, column 'id': 'x' is not an integer")

    job = jobs.start("s1", "films.csv", tmp_path / "out", bad_catalog, reword=lambda m: m.replace("/tmp/movie-upload-x/catalog/", ""))
    wait(job)
    assert job.state == "failed" and job.error == "films.csv: data row 2, column 'id': 'x' is not an integer"

    def full_disk(progress):
        raise OSError(28, "No space left on device", str(tmp_path / "out"))

    jobs.forget("s1")
    job = jobs.start("s1", "films.csv", tmp_path / "out", full_disk)
    wait(job)
    assert job.error.endswith("cannot write the build (No space left on device)")

    def bug(progress):
        raise IndexError("list index out of range")

    jobs.forget("s1")
    job = jobs.start("s1", "films.csv", tmp_path / "out", bug)
    wait(job)
    assert job.error == "the build failed unexpectedly (IndexError: list index out of range)"
