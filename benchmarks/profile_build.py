"""Where a core build spends its time and memory, step by step.

Runs :func:`recommender.build.build` (``skip_maps=True``, as ``--skip-maps``) in this
process with a progress callback that reads the process's resident size (``VmRSS``)
and high-water mark (``VmHWM``) from ``/proc/self/status`` at every progress report,
so the peak can be pinned on a step; optionally under cProfile, to name the
functions. Run as ``python -m benchmarks.profile_build --out DIR (--catalog CSV |
--movies M [--credits C]) [--cprofile]``; prints one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

IMPORT_START = time.perf_counter()

from recommender.build import CatalogSource, build  # noqa: E402

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


def profile(source: CatalogSource, out: Path, use_cprofile: bool, top: int = 18) -> dict:
    """Per-step seconds and memory (bytes) of a ``--skip-maps`` build; top functions under cProfile."""
    samples: list[dict] = []
    start = time.perf_counter()
    baseline = _status()

    def progress(fraction: float, message: str) -> None:
        samples.append({"t": time.perf_counter() - start, "message": message, **_status()})

    profiler = cProfile.Profile() if use_cprofile else None
    if profiler:
        profiler.enable()
    manifest = build(source, out, skip_maps=True, progress=progress)
    if profiler:
        profiler.disable()
    names = list(manifest["timings_s"])
    by_step: dict[str, list[dict]] = {name: [] for name in names}
    current = None
    for sample in samples:
        if sample["message"] in by_step:
            current = sample["message"]
        if current is not None:
            by_step[current].append(sample)
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
    args = parser.parse_args(argv)
    source = CatalogSource(catalog=args.catalog) if args.catalog else CatalogSource(movies=args.movies, credits=args.credits)
    json.dump(profile(source, args.out, args.cprofile), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
