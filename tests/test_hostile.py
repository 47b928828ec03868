"""The hostile-input corpus (tests/hostile/corpus.py): every case gets its answer.

Each case runs the command line on inputs nobody here would write (archives that
inflate to 1 GB, /dev/zero, ids beyond 64 bits, JSON nested 40,000 deep, settings
and manifests of the wrong shape, a full disk...) and asserts one clear line naming
the file, row, column, value or setting, exit code 2, no traceback and nothing
damaged. Quick cases run in this process; the big ones (generated here, never
committed) and those needing a private tmpfs run as a child process and are slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.corpus import CASES, Workspace, build_served, mounts_available, run_case


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_served(tmp_path_factory.mktemp("hostile") / "served")


def _param(case):
    marks = [pytest.mark.slow] if case.slow else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_input_gets_a_clear_answer(case, served, tmp_path):
    if case.mount and not mounts_available():
        pytest.skip("private mounts (unshare -Urm) are not allowed on this machine")
    result = run_case(case, Workspace(tmp_path, served), in_process=not case.slow)
    assert result.problems == [], f"{case.what}: {result.problems}\nstderr: {result.stderr[-800:]}"
    if case.slow and result.peak_mb is not None:
        assert result.peak_mb < 1024, f"{case.what}: peak memory {result.peak_mb} MB"


def test_corpus_covers_the_issue_classes():
    groups = {case.group for case in CASES}
    assert {"output folder", "environment", "decompression", "not a regular file", "ids", "numbers", "JSON",
            "cells", "settings", "manifests", "arguments"} <= groups
    assert len({case.name for case in CASES}) == len(CASES)
