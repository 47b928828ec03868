"""Builds of synthetic catalogs at 10,000 to 1,000,000 films, measured, results in the repo.

Each build is ``python -m recommender build --catalog CSV --out DIR [--skip-maps]
[--dask local] [--config JSON]`` in a fresh subprocess (wall time, CPU time and peak
resident memory of that process alone, see :mod:`benchmarks.measure`); with
``--dask local`` the worker processes' memory is not in that peak. Next to every figure
the record keeps the machine's load average before and after and a speed probe (a
fixed pure-Python loop: about 0.25 s on this machine when quiet), because the 2 cores
are shared and absolute times drift with the load. ``--code DIR`` builds with another
checkout (for example main before this change) for a before/after in the same run.

    python -m benchmarks.scale --catalog /tmp/synthetic_100000.csv --label after --results benchmarks/results/scale.jsonl
    python -m benchmarks.synthetic --movies M --credits C --sizes 1000000 --out-dir /tmp/cat   # the catalogs

Every result is one JSON line appended to ``--results`` (default
``benchmarks/results/scale.jsonl``): the catalog size, the command, the manifest's
step timings, its neighbour search report (method, recall@10) and the machine state.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import append_record, folder_bytes, run_measured

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "scale.jsonl"


def speed_probe() -> float:
    """Seconds for a fixed pure-Python loop (the machine's speed at this moment)."""
    start = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return round(time.perf_counter() - start, 3)


def machine_state() -> dict[str, object]:
    return {"load_average": [round(x, 2) for x in os.getloadavg()], "speed_probe_s": speed_probe(),
            "time_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}


def measure_build(catalog: Path, label: str, code: Path, python: str, extra: list[str], keep: Path | None) -> dict:
    """One measured build of ``catalog`` with the code in ``code``; returns its record."""
    out = keep or Path(tempfile.mkdtemp(prefix="scale_")) / "artifacts"
    command = [python, "-m", "recommender", "build", "--catalog", str(catalog), "--out", str(out), "--quiet", *extra]
    before = machine_state()
    measured = run_measured(command, cwd=code, env={**os.environ, "PYTHONPATH": str(code)})
    after = machine_state()
    record: dict[str, object] = {
        "label": label, "catalog": catalog.name, "command": " ".join(command[1:]), "code": str(code),
        "returncode": measured.returncode, "wall_s": round(measured.wall_s, 2), "cpu_s": round(measured.cpu_s, 2),
        "peak_rss_gb": round(measured.peak_rss_bytes / 1e9, 3), "before": before, "after": after,
    }
    if measured.returncode == 0:
        manifest = json.loads((out / "manifest.json").read_text())
        record.update({
            "movies": manifest["catalog"]["movies"],
            "steps_s": manifest["timings_s"],
            "analysis_s": manifest.get("analysis_timings_s", {}),
            "neighbour_search": manifest.get("neighbour_search"),
            "maps": manifest.get("maps", {}),
            "map_graphs": manifest.get("map_graphs", {}),
            "artifact_bytes": folder_bytes(out),
        })
    else:
        record["stderr_tail"] = measured.stderr.strip().splitlines()[-15:]
    if keep is None:
        shutil.rmtree(out.parent, ignore_errors=True)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", type=Path, required=True, action="append", help="catalog CSV (repeatable)")
    parser.add_argument("--label", required=True, help="what is measured, e.g. 'after' or 'before (main)'")
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose recommender/ is built (default: this one)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--maps", action="store_true", help="full build with maps and clusters (default --skip-maps)")
    parser.add_argument("--dask", default=None, help="pass --dask ADDRESS|local to the build")
    parser.add_argument("--config", type=Path, default=None, help="pass --config JSON to the build")
    parser.add_argument("--keep", type=Path, default=None, help="write the artifacts here and keep them")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    extra = [] if args.maps else ["--skip-maps"]
    if args.dask:
        extra += ["--dask", args.dask]
    if args.config:
        extra += ["--config", str(args.config.resolve())]
    for catalog in args.catalog:
        append_record(args.results, measure_build(catalog.resolve(), args.label, args.code.resolve(), args.python, extra, args.keep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
