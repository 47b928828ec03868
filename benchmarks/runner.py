"""The benchmark driver: runs every measured step in a fresh subprocess, collects results.

Standard library only, and it never imports numpy, pandas or the recommender: the
children's peak memory (``ru_maxrss``) starts at this process's resident size on
Linux (see :mod:`benchmarks.measure`), so this process stays small. The code under
test is copied into the work folder first, so that edits made to the work tree
while a long run is going on cannot mix two versions into one report.

Two parts:

- ``classic``: the classic recipe (:mod:`benchmarks.classic`, joined on title, and
  joined on id) against ``python -m recommender build --skip-maps`` on the real TMDB
  files; build, load and query, repeated and interleaved; then one profiled build.
- ``scale``: synthetic catalogs (:mod:`benchmarks.synthetic`) of several sizes, each
  built with ``--skip-maps``.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import random
import resource
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import machine
from benchmarks.measure import Measured, _maxrss_bytes, folder_bytes, run_measured

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("TMDB_DATA_DIR", REPO.parent / "shared" / "data" / "tmdb5000"))
CLASSIC_PICKLES: tuple[str, ...] = ("movies.pkl", "similarity.pkl")
VARIANTS: tuple[str, ...] = ("ours", "classic_title", "classic_id")
QUICK_EVERY = 8  # --quick keeps every 8th real movie


@dataclass
class Settings:
    """What to run and where to write it."""

    output: Path = REPO / "BENCHMARKS.md"
    plot: Path = REPO / "docs" / "benchmark_scale.png"
    json_out: Path | None = None
    movies: Path = DEFAULT_DATA / "tmdb_5000_movies.csv.gz"
    credits: Path = DEFAULT_DATA / "tmdb_5000_credits_partial.csv.gz"
    parts: tuple[str, ...] = ("classic", "scale")
    sizes: tuple[int, ...] = (10_000, 50_000, 100_000)
    repeats: int = 3
    queries: int = 500
    seed: int = 20240601
    quick: bool = False
    profile_scale: int | None = None  # one more build of this size, memory recorded per step
    workdir: Path | None = None
    keep: bool = False
    python: str = field(default_factory=lambda: _default_python())
    build_timeout_s: float = 3 * 3600


def _default_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- helpers
class Workspace:
    """The run's temporary folder, with a snapshot of the code under test."""

    def __init__(self, settings: Settings) -> None:
        base = settings.workdir or Path(os.environ.get("TMPDIR", "/tmp"))
        base.mkdir(parents=True, exist_ok=True)
        self.root = base / f"movie-bench-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        self.root.mkdir()
        self.code = self.root / "code"
        for package in ("recommender", "benchmarks"):
            shutil.copytree(REPO / package, self.code / package, ignore=shutil.ignore_patterns("__pycache__"))
        self.python = settings.python
        self.env = {**os.environ, "PYTHONPATH": str(self.code), "PYTHONDONTWRITEBYTECODE": "1"}
        self.timeout = settings.build_timeout_s

    def run(self, *args: str | Path, timeout_s: float | None = None) -> Measured:
        command = [self.python, *[str(a) for a in args]]
        return run_measured(command, cwd=self.code, env=self.env, timeout_s=timeout_s or self.timeout).check()

    def folder(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _build_record(measured: Measured) -> dict:
    return {"wall_s": measured.wall_s, "cpu_s": measured.cpu_s, "peak_rss_bytes": measured.peak_rss_bytes,
            "parent_peak_rss_bytes": measured.parent_peak_rss_bytes}


def quick_subset(movies: Path, credits: Path, out: Path) -> tuple[Path, Path]:
    """Every :data:`QUICK_EVERY`-th real movie and its credits rows, as gzip CSVs in ``out``."""
    csv.field_size_limit(sys.maxsize)
    kept: set[str] = set()
    paths = (out / "tmdb_5000_movies.csv.gz", out / "tmdb_5000_credits_partial.csv.gz")
    with gzip.open(movies, "rt", encoding="utf-8", newline="") as source, \
            gzip.open(paths[0], "wt", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        id_column = header.index("id")
        for i, row in enumerate(reader):
            if i % QUICK_EVERY == 0:
                writer.writerow(row)
                kept.add(row[id_column])
    with gzip.open(credits, "rt", encoding="utf-8", newline="") as source, \
            gzip.open(paths[1], "wt", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        id_column = header.index("movie_id")
        for row in reader:
            if row[id_column] in kept:
                writer.writerow(row)
    return paths


# --------------------------------------------------------------------------- part 1
def run_classic(settings: Settings, space: Workspace) -> dict:
    """Build, load and query the classic recipe (two joins) and the recommender."""
    movies, credits = settings.movies, settings.credits
    if settings.quick:
        movies, credits = quick_subset(movies, credits, space.folder("quick_data"))
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    samples: dict[str, list[list]] = {}
    details: dict[str, dict] = {}
    for rep in range(settings.repeats):
        order = VARIANTS[rep % 3:] + VARIANTS[: rep % 3]  # rotate so no variant always runs first
        outputs: dict[str, Path] = {}
        for variant in order:
            out = space.root / f"rep{rep}" / variant
            shutil.rmtree(out, ignore_errors=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            log(f"classic part, repeat {rep + 1}/{settings.repeats}: building {variant}")
            if variant == "ours":
                measured = space.run("-m", "recommender", "build", "--movies", movies, "--credits", credits,
                                     "--out", out, "--skip-maps", "--quiet")
                manifest = json.loads((out / "manifest.json").read_text())
                record = {**_build_record(measured), "movies": manifest["catalog"]["movies"],
                          "bytes_all": folder_bytes(out), "steps_s": manifest["timings_s"],
                          "files": {p.name: p.stat().st_size for p in sorted(out.iterdir())}}
            else:
                join = variant.split("_")[1]
                rows_json = space.root / f"rep{rep}" / f"{variant}_rows.json"
                measured = space.run("-m", "benchmarks.classic", "build", "--movies", movies, "--credits", credits,
                                     "--join", join, "--out", out, "--rows-json", rows_json)
                info = json.loads(measured.stdout)
                files = {n: (out / n).stat().st_size for n in CLASSIC_PICKLES}
                record = {**_build_record(measured), "movies": info["movies"], "bytes_serving": sum(files.values()),
                          "bytes_all": folder_bytes(out), "files": files, "files_serving": files,
                          "steps_s": info["phases_s"]}
                details[variant] = {k: v for k, v in info.items() if k != "phases_s"}
                if variant not in samples:
                    samples[variant] = _sample(json.loads(rows_json.read_text()), settings)
            outputs[variant] = out
            runs[variant].append(record)
        for variant in order:
            log(f"classic part, repeat {rep + 1}/{settings.repeats}: load and {settings.queries} queries, {variant}")
            if variant == "ours":
                served = {}
                for name, sample in samples.items():
                    ids_json = space.root / f"ids_{name}.json"
                    ids_json.write_text(json.dumps([movie_id for movie_id, _ in sample]))
                    measured = space.run("-m", "benchmarks.ours", "serve", "--dir", outputs[variant], "--ids-json", ids_json)
                    served[name] = json.loads(measured.stdout)
                files_read = next(iter(served.values()))["files_read"]
                runs[variant][-1].update(serve=served, files_serving=files_read, bytes_serving=sum(files_read.values()))
            else:
                titles_json = space.root / f"titles_{variant}.json"
                titles_json.write_text(json.dumps([title for _, title in samples[variant]]))
                measured = space.run("-m", "benchmarks.classic", "serve", "--dir", outputs[variant],
                                     "--titles-json", titles_json)
                runs[variant][-1]["serve"] = {variant: json.loads(measured.stdout)}
        if not settings.keep:
            shutil.rmtree(space.root / f"rep{rep}", ignore_errors=True)
    log("classic part: the cost of the imports alone")
    imports = {
        "ours": _build_record(space.run("-c", "import recommender.cli")),
        "classic": _build_record(space.run("-c", "import benchmarks.classic")),
    }
    log("classic part: one profiled build of the recommender (cProfile + memory per step)")
    measured = space.run("-m", "benchmarks.profile_build", "--movies", movies, "--credits", credits,
                         "--out", space.root / "profiled", "--cprofile")
    shutil.rmtree(space.root / "profiled", ignore_errors=True)
    return {
        "inputs": {"movies": str(movies), "credits": str(credits), "quick_subset_every": QUICK_EVERY if settings.quick else None},
        "runs": runs,
        "details": details,
        "sample_sizes": {name: len(sample) for name, sample in samples.items()},
        "summary": summarise_classic(runs),
        "imports": imports,
        "profile": json.loads(measured.stdout),
    }


def _sample(rows: list[list], settings: Settings) -> list[list]:
    """A seeded sample of (id, title) among the movies the recipe can be queried for
    (its lookup raises IndexError where the row label is past the matrix)."""
    n = len(rows)
    usable = sorted((movie_id, title) for movie_id, title, label in rows if label < n)
    rng = random.Random(settings.seed)
    return [list(x) for x in rng.sample(usable, min(settings.queries, len(usable)))]


def summarise_classic(runs: dict[str, list[dict]]) -> dict[str, dict]:
    """Medians over repeats; latency percentiles over every timed query of every repeat."""
    summary: dict[str, dict] = {}
    for variant, records in runs.items():
        if not records:
            continue
        entry = {
            "movies": records[0]["movies"],
            "wall_s": statistics.median(r["wall_s"] for r in records),
            "wall_s_all": [r["wall_s"] for r in records],
            "cpu_s": statistics.median(r["cpu_s"] for r in records),
            "peak_rss_bytes": statistics.median(r["peak_rss_bytes"] for r in records),
            "peak_rss_all": [r["peak_rss_bytes"] for r in records],
            "bytes_serving": records[-1]["bytes_serving"],
            "bytes_all": records[-1]["bytes_all"],
            "files": records[-1]["files"],
            "files_serving": records[-1]["files_serving"],
            "steps_s": {k: statistics.median(r["steps_s"][k] for r in records) for k in records[0]["steps_s"]},
            "parent_peak_rss_bytes": max(r["parent_peak_rss_bytes"] for r in records),
            "serve": {},
        }
        for sample in records[0].get("serve", {}):
            latencies = [ns / 1e6 for r in records for ns in r["serve"][sample]["latencies_ns"]]
            entry["serve"][sample] = {
                "load_s": statistics.median(r["serve"][sample]["load_s"] for r in records),
                "load_unverified_s": statistics.median(r["serve"][sample].get("load_unverified_s", float("nan"))
                                                       for r in records),
                "p50_ms": percentile(latencies, 50),
                "p99_ms": percentile(latencies, 99),
                "queries": len(latencies),
                "example": records[-1]["serve"][sample]["example"],
            }
        summary[variant] = entry
    return summary


# --------------------------------------------------------------------------- part 2
def run_scale(settings: Settings, space: Workspace) -> dict:
    """Synthetic catalogs of ``settings.sizes`` movies, each built with ``--skip-maps``."""
    data = space.folder("synthetic")
    log(f"scale part: generating synthetic catalogs of {', '.join(f'{n:,}' for n in settings.sizes)} movies")
    generated = space.run("-m", "benchmarks.synthetic", "--movies", settings.movies, "--credits", settings.credits,
                          "--sizes", ",".join(str(n) for n in settings.sizes), "--out-dir", data,
                          "--seed", str(settings.seed))
    synthetic = json.loads(generated.stdout)
    rows = []
    for catalog in synthetic["catalogs"]:
        n = catalog["movies"]
        out = space.root / f"scale_{n}"
        log(f"scale part: building {n:,} movies")
        measured = space.run("-m", "recommender", "build", "--catalog", catalog["path"], "--out", out,
                             "--skip-maps", "--quiet")
        manifest = json.loads((out / "manifest.json").read_text())
        rows.append({"movies": n, **_build_record(measured), "steps_s": manifest["timings_s"],
                     "bytes_all": folder_bytes(out), "csv_bytes": catalog["bytes"], "vectorizers": manifest["vectorizers"]})
        log(f"scale part: {n:,} movies built in {measured.wall_s:.1f} s, peak {measured.peak_rss_bytes / 1e9:.2f} GB")
        shutil.rmtree(out, ignore_errors=True)
    profile = None
    if settings.profile_scale:
        n = settings.profile_scale
        log(f"scale part: profiled build (memory per step) of {n:,} movies")
        path = next((c["path"] for c in synthetic["catalogs"] if c["movies"] == n), None)
        if path is None:
            path = json.loads(space.run("-m", "benchmarks.synthetic", "--movies", settings.movies, "--credits",
                                        settings.credits, "--sizes", str(n), "--out-dir", data,
                                        "--seed", str(settings.seed)).stdout)["catalogs"][0]["path"]
        measured = space.run("-m", "benchmarks.profile_build", "--catalog", path, "--out", space.root / "scale_profiled")
        profile = json.loads(measured.stdout)
        shutil.rmtree(space.root / "scale_profiled", ignore_errors=True)
    if not settings.keep:
        shutil.rmtree(data, ignore_errors=True)
    for catalog in synthetic["catalogs"]:
        catalog.pop("path", None)
    return {"synthetic": synthetic, "rows": rows, "profile": profile, "checks": scale_checks(rows)}


MEMORY_LIMIT_BYTES = 2.5e9
MEMORY_LIMIT_AT = 100_000


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least-squares ``y = a + b x``: (a, b, r squared)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0, float("nan")
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, (1 - ss_res / ss_tot) if ss_tot else 1.0


def scale_checks(rows: list[dict]) -> dict:
    """Linearity of peak memory in N and the 2.5 GB limit at 100,000 movies."""
    checks: dict[str, object] = {}
    if len(rows) >= 2:
        xs = [float(r["movies"]) for r in rows]
        ys = [float(r["peak_rss_bytes"]) for r in rows]
        a, b, r2 = linear_fit(xs, ys)
        marginal = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(len(xs) - 1)]
        spread = max(marginal) / min(marginal) if min(marginal) > 0 else float("inf")
        checks["memory_fit"] = {"intercept_bytes": a, "bytes_per_movie": b, "r2": r2,
                                "marginal_bytes_per_movie": marginal, "marginal_spread": spread}
        # "About linear": a straight line explains the points and the cost of one more
        # movie changes by less than 1.5x across the sizes measured.
        checks["memory_linear"] = "PASS" if r2 >= 0.98 and spread <= 1.5 else "FAIL"
        ts = [float(r["wall_s"]) for r in rows]
        checks["time_exponent"] = [
            _log_slope(xs[i], ts[i], xs[i + 1], ts[i + 1]) for i in range(len(xs) - 1)
        ]
    at = [r for r in rows if r["movies"] == MEMORY_LIMIT_AT]
    if at:
        checks["memory_limit"] = "PASS" if at[0]["peak_rss_bytes"] < MEMORY_LIMIT_BYTES else "FAIL"
    return checks


def _log_slope(x0: float, y0: float, x1: float, y1: float) -> float:
    return math.log(y1 / y0) / math.log(x1 / x0)


# --------------------------------------------------------------------------- main
def run(settings: Settings) -> dict:
    """Run the requested parts; write the report (and plot); return every result."""
    started = time.perf_counter()
    space = Workspace(settings)
    log(f"work folder {space.root} (code snapshot in {space.code})")
    results: dict[str, object] = {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()},
        "machine": machine.describe(REPO),
    }
    try:
        if "classic" in settings.parts:
            results["classic"] = run_classic(settings, space)
        if "scale" in settings.parts:
            results["scale"] = run_scale(settings, space)
    finally:
        if not settings.keep:
            shutil.rmtree(space.root, ignore_errors=True)
    results["machine"]["load_average_end"] = machine.load_average()  # type: ignore[index]
    results["driver_peak_rss_bytes"] = machine_peak_rss()
    results["total_wall_s"] = time.perf_counter() - started
    write_outputs(settings, results)
    return results


def machine_peak_rss() -> int:
    return _maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def write_outputs(settings: Settings, results: dict) -> None:
    """BENCHMARKS.md, the plot (when the scale part ran) and the optional JSON."""
    from benchmarks.report import render

    if settings.json_out:  # first, so that the raw results survive a failure below
        settings.json_out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    plot_written = None
    if "scale" in results and results["scale"]["rows"]:  # type: ignore[index]
        from benchmarks.plot import plot_scale

        settings.plot.parent.mkdir(parents=True, exist_ok=True)
        plot_scale(results, settings.plot)
        plot_written = settings.plot
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    settings.output.write_text(render(results, plot_written, settings.output), encoding="utf-8")
    log(f"wrote {settings.output}" + (f" and {plot_written}" if plot_written else ""))
