"""Smoke test of the benchmark (scripts/benchmark.py --quick): it runs end to end and
its report has the expected sections and rows. No timing is asserted: the numbers of
a quick run on a shared machine mean nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.full_data
@pytest.mark.timeout(1800)
def test_quick_benchmark_writes_the_expected_report(tmp_path: Path, tmdb_dir: Path) -> None:
    pytest.importorskip("matplotlib")
    report, plot = tmp_path / "BENCHMARKS.md", tmp_path / "benchmark_scale.png"
    result = subprocess.run(
        [
            sys.executable, str(REPO / "scripts" / "benchmark.py"), "--quick",
            "--movies", str(tmdb_dir / "tmdb_5000_movies.csv.gz"),
            "--credits", str(tmdb_dir / "tmdb_5000_credits_partial.csv.gz"),
            "--output", str(report), "--plot", str(plot), "--workdir", str(tmp_path / "work"),
        ],
        cwd=REPO, capture_output=True, text=True, timeout=1700,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = report.read_text(encoding="utf-8")

    assert "Quick smoke run" in text
    for section in ("## Machine", "## 1. The classic recipe against the recommender", "### Targets",
                    "### Profile of our build", "## 2. Scale: synthetic catalogs", "## 3. The next order of magnitude"):
        assert section in text, section
    for row in ("| CPU |", "| Memory |", "| Python |", "| Packages |", "| Date |",
                "| Movies (N) |", "| Build wall time (median of 1) |", "| Build peak memory (RSS) |",
                "| Serving artifacts on disk |", "| Load time |", "| Latency p50 (id-join sample) |",
                "| Latency p99 (id-join sample) |", "| Latency p50 (title-join sample) |"):
        assert row in text, row
    for target in ("| Core build wall time |", "| Core build peak memory |", "| Serving artifacts on disk |",
                   "| Query latency p50 |"):
        line = next(line for line in text.splitlines() if line.startswith(target) and "<=" in line)
        assert line.count("PASS") + line.count("FAIL") == 2, line
    scale_rows = [line for line in text.splitlines() if line.startswith("| 2,000 |")]
    assert len(scale_rows) == 1
    assert plot.exists() and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The report points at the plot it was given, relative to itself.
    assert "](benchmark_scale.png)" in text
    # Nothing of the run is left behind in the temporary work folder.
    assert not any((tmp_path / "work").iterdir())


def test_benchmark_options_are_parsed(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import benchmark  # scripts/benchmark.py
    finally:
        sys.path.pop(0)
    data = []
    for name in ("movies.csv.gz", "credits.csv.gz"):
        (tmp_path / name).write_bytes(b"")
        data += [f"--{name.split('.')[0]}", str(tmp_path / name)]
    quick = benchmark.parse(["--quick", "--only", "scale", *data])
    assert quick.quick and quick.parts == ("scale",) and quick.sizes == (2000,) and quick.repeats == 1
    full = benchmark.parse(["--only", "classic,scale", "--sizes", "50000,10000", *data])
    assert full.parts == ("classic", "scale") and full.sizes == (10000, 50000) and full.repeats == 3
    for bad in (["--only", "everything"], ["--sizes", "ten"], ["--movies", str(tmp_path / "absent.csv")]):
        with pytest.raises(SystemExit):
            benchmark.parse([*data, *bad])
