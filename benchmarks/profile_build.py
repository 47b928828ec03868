"""Where a core build spends its time and memory, step by step.

Runs :func:`recommender.build.build` (``skip_maps=True``, as ``--skip-maps``) in this
process and reads the process's resident size (``VmRSS``) and high-water mark
(``VmHWM``) from ``/proc/self/status`` at every progress report and, in a background
thread, every ``--interval`` seconds (a step that reports no progress, such as
writing the artifacts, is sampled too), so the peak can be pinned on a step
(``peak_step``: the step in which the high-water mark last rose); optionally under
cProfile, to name the functions. Run as ``python -m benchmarks.profile_build --out DIR
(--catalog CSV | --movies M [--credits C]) [--config JSON] [--cprofile]``; prints one
JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import threading
import time
from pathlib import Path

IMPORT_START = time.perf_counter()

from recommender.build import CatalogSource, build  # noqa: E402
from recommender.config import RecommenderConfig  # noqa: E402

IMPORT_S = time.perf_counter() - IMPORT_START


def _status() -> dict[str, int]:
    values = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return values


def profile(
    source: CatalogSource,
    out: Path,
    use_cprofile: bool,
    top: int = 18,
    config: RecommenderConfig | None = None,
    interval: float = 0.2,
) -> dict:
    """Per-step seconds and memory (bytes) of a ``--skip-maps`` build; top functions under cProfile."""
    samples: list[dict] = []
    start = time.perf_counter()
    baseline = _status()
    current = {"message": "start"}
    finished = threading.Event()

    def progress(fraction: float, message: str) -> None:
        current["message"] = message
        samples.append({"t": time.perf_counter() - start, "message": message, **_status()})

    def sample() -> None:
        while not finished.wait(interval):
            samples.append({"t": time.perf_counter() - start, "message": current["message"], "sampled": True, **_status()})

    sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    sampler.start()
    profiler = cProfile.Profile() if use_cprofile else None
    if profiler:
        profiler.enable()
    try:
        manifest = build(source, out, config, skip_maps=True, progress=progress)
    finally:
        finished.set()
        sampler.join()
    if profiler:
        profiler.disable()
    samples.sort(key=lambda sample: sample["t"])
    names = list(manifest["timings_s"])
    by_step: dict[str, list[dict]] = {name: [] for name in names}
    step = None
    peak_step, peak = None, 0
    for sample in samples:
        if sample["message"] in by_step:
            step = sample["message"]
        if step is not None:
            by_step[step].append(sample)
            if sample.get("VmHWM", 0) > peak:
                peak_step, peak = step, sample["VmHWM"]
    steps = []
    for name in names:
        inside = by_step[name]
        steps.append({
            "step": name,
            "seconds": manifest["timings_s"][name],
            "rss_start": inside[0]["VmRSS"] if inside else None,
            "rss_end": inside[-1]["VmRSS"] if inside else None,
            "rss_max_sampled": max((s["VmRSS"] for s in inside), default=None),
            "hwm_end": inside[-1]["VmHWM"] if inside else None,
        })
    result = {
        "import_s": IMPORT_S,
        "baseline_rss": baseline.get("VmRSS"),
        "steps": steps,
        "peak_rss": _status().get("VmHWM"),
        "peak_step": peak_step,
        "sample_interval_s": interval,
        # About 200 points of (seconds, MB resident, step) to see the shape.
        "timeline": [
            [round(sample["t"], 1), round(sample.get("VmRSS", 0) / 1e6), sample["message"]]
            for sample in samples[:: max(1, len(samples) // 200)]
        ],
        "movies": manifest["catalog"]["movies"],
        "vectorizers": manifest["vectorizers"],
        "cprofile": None,
    }
    if profiler:
        result["cprofile"] = {"cumulative": _top(profiler, "cumulative", top), "tottime": _top(profiler, "tottime", top)}
    return result


def _top(profiler: cProfile.Profile, key: str, top: int) -> list[dict]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    stats.sort_stats(key)
    rows = []
    for func in stats.fcn_list[: top * 3]:  # type: ignore[attr-defined]
        cc, nc, tottime, cumtime, _ = stats.stats[func]  # type: ignore[attr-defined]
        filename, line, name = func
        where = _short(filename, line, name)
        if key == "cumulative" and ("benchmarks" in filename or name in ("<module>", "build") and "profile" in where):
            continue
        rows.append({"function": where, "calls": nc, "tottime_s": round(tottime, 3), "cumtime_s": round(cumtime, 3)})
        if len(rows) == top:
            break
    return rows


def _short(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("recommender", "sklearn", "scipy", "numpy", "pandas", "pyarrow", "nltk"):
        if anchor in parts:
            parts = parts[parts.index(anchor):]
            break
    else:
        parts = parts[-1:]
    return f"{'/'.join(parts)}:{line}({name})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_build", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--catalog", type=Path)
    parser.add_argument("--movies", type=Path)
    parser.add_argument("--credits", type=Path)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--config", type=Path, help="settings JSON, as the build's --config")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between background RSS samples")
    parser.add_argument("--results", type=Path, help="also append the result, labelled, with the machine's load, to this JSON-lines file")
    parser.add_argument("--label", default="", help="what is measured (with --results)")
    args = parser.parse_args(argv)
    source = CatalogSource(catalog=args.catalog) if args.catalog else CatalogSource(movies=args.movies, credits=args.credits)
    config = RecommenderConfig.from_dict(json.loads(args.config.read_text())) if args.config else None
    if args.results is None:
        json.dump(profile(source, args.out, args.cprofile, config=config, interval=args.interval), sys.stdout)
        return 0
    from benchmarks.measure import append_record
    from benchmarks.scale import machine_state

    before = machine_state()
    result = profile(source, args.out, args.cprofile, config=config, interval=args.interval)
    append_record(args.results, {"label": args.label, "catalog": str(args.catalog or args.movies), **result,
                                 "before": before, "after": machine_state()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
