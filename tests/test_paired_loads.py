"""The paired page-load comparison (``scripts/paired_loads.py``): its arithmetic and its
refusals (the browser part is the benchmark's own, tested in ``tests/test_browser_benchmark.py``)."""

from __future__ import annotations

import pytest

from scripts import paired_loads


def test_the_figure_is_the_median_of_the_pairs_differences():
    # One noisy pair (a slow moment of the machine for both) moves the medians of each side,
    # not the median difference.
    first = [1.10, 1.20, 2.00, 1.00, 1.15]
    second = [1.00, 1.12, 1.95, 0.91, 1.05]
    summary = paired_loads.paired_summary(first, second)
    assert summary["first"] == 1.15 and summary["second"] == 1.05
    assert summary["difference"] == pytest.approx(0.09)  # of 0.10, 0.08, 0.05, 0.09, 0.10
    assert summary["mean_difference"] == pytest.approx((0.10 + 0.08 + 0.05 + 0.09 + 0.10) / 5)
    with pytest.raises(ValueError, match="same, non-zero number"):
        paired_loads.paired_summary([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="same, non-zero number"):
        paired_loads.paired_summary([], [])


@pytest.mark.parametrize(
    ("apps", "loads", "message"),
    [("{repo}", "3", "two checkouts"), ("{repo},{tmp}", "3", "two checkouts"), ("{repo},{repo}", "0", "at least 1")],
)
def test_bad_arguments_are_refused_before_anything_starts(tmp_path, capsys, apps, loads, message):
    root = str(paired_loads.bench.REPO)  # a checkout with streamlit_app.py
    with pytest.raises(SystemExit) as exit_info:
        paired_loads.main(["--artifacts", str(tmp_path), "--apps", apps.format(repo=root, tmp=tmp_path), "--loads", loads])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
