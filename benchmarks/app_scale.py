"""Is the app responsive on a large build? Load time, query latency and page runs, measured.

On one build folder (for example 100,000 synthetic films built by ``benchmarks.scale
--keep``), each in a fresh subprocess:

1. the model load and the recommender query of :mod:`benchmarks.ours` (``load_model``,
   then ``rank`` + display titles for ``--queries`` seeded random films; p50/p95);
2. the recommender page in Streamlit's ``AppTest`` (server side: the script runs a
   browser would wait for): the first run (the model loaded into the cache), a rerun
   choosing another film in the search box, and a rerun changing k; plus the size of
   the search box's options, which the browser receives and filters on every visit.

Give the demo build first (``--artifacts`` repeats) for a baseline in the same run. Results are
one JSON line per build appended to ``--results`` (default
``benchmarks/results/app_scale.jsonl``), with the load average and a speed probe.

    python -m benchmarks.app_scale --artifacts artifacts --artifacts /tmp/art100k
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import append_record, run_measured
from benchmarks.scale import machine_state

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "app_scale.jsonl"


def page_runs(artifacts: Path) -> dict[str, object]:
    """Time the recommender page's script runs in AppTest (this process)."""
    from streamlit.testing.v1 import AppTest

    from recommender.loading import load_model

    os.environ["MOVIE_ARTIFACTS"] = str(artifacts)
    model = load_model(artifacts, verify=False)
    other = int(model.ids[len(model.ids) // 2])
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=600)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    at.run()
    timings["first run (overview page, model load)"] = time.perf_counter() - start
    start = time.perf_counter()
    at.switch_page("pages/recommender.py").run()
    timings["open the recommender page"] = time.perf_counter() - start
    search = at.selectbox(key="rec_movie")
    options = len(search.options)
    option_bytes = sum(len(o.encode()) for o in search.options)
    start = time.perf_counter()
    search.set_value(other).run()
    timings["choose another film in the search box"] = time.perf_counter() - start
    start = time.perf_counter()
    at.slider(key="rec_k").set_value(20).run()
    timings["change k to 20"] = time.perf_counter() - start
    errors = [str(e.value) for e in at.exception]
    return {"runs_s": {k: round(v, 3) for k, v in timings.items()}, "search_options": options,
            "search_option_bytes": option_bytes, "exceptions": errors}


def measure(artifacts: Path, queries: int, python: str) -> dict[str, object]:
    manifest = json.loads((artifacts / "manifest.json").read_text())
    n = manifest["catalog"]["movies"]
    import random

    ids_rows = random.Random(7).sample(range(n), min(queries, n))
    with tempfile.TemporaryDirectory() as scratch:
        ids_path = Path(scratch) / "ids.json"
        # Ids by row: the catalog's ids column, read through the model in the child.
        code = ("import json,sys; from recommender.loading import load_model; m = load_model(sys.argv[1], verify=False); "
                "rows = json.load(open(sys.argv[2])); print(json.dumps([int(m.ids[r]) for r in rows]))")
        (Path(scratch) / "rows.json").write_text(json.dumps(ids_rows))
        ids = run_measured([python, "-c", code, str(artifacts), str(Path(scratch) / "rows.json")], cwd=REPO).check()
        ids_path.write_text(ids.stdout)
        before = machine_state()
        served = run_measured([python, "-m", "benchmarks.ours", "serve", "--dir", str(artifacts),
                               "--ids-json", str(ids_path)], cwd=REPO).check()
        paged = run_measured([python, "-m", "benchmarks.app_scale", "--page-only", "--artifacts", str(artifacts)],
                             cwd=REPO).check()
        after = machine_state()
    serve = json.loads(served.stdout)
    latencies = sorted(serve["latencies_ns"])
    return {
        "movies": n, "artifacts": str(artifacts), "load_s": round(serve["load_s"], 3),
        "load_unverified_s": round(serve["load_unverified_s"], 3),
        "query_ms_p50": round(latencies[len(latencies) // 2] / 1e6, 3),
        "query_ms_p95": round(latencies[int(len(latencies) * 0.95)] / 1e6, 3),
        "queries": len(latencies), "serve_peak_rss_gb": round(served.peak_rss_bytes / 1e9, 3),
        "page": json.loads(paged.stdout.strip().splitlines()[-1]), "page_peak_rss_gb": round(paged.peak_rss_bytes / 1e9, 3),
        "before": before, "after": after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--artifacts", type=Path, required=True, action="append", help="a build folder (repeatable)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--page-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.page_only:
        print(json.dumps(page_runs(args.artifacts[0])))
        return 0
    for folder in args.artifacts:
        append_record(args.results, measure(folder.resolve(), args.queries, sys.executable))
    return 0


if __name__ == "__main__":
    sys.exit(main())
