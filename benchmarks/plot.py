"""The scale plot: build time and peak memory against catalog size (matplotlib, PNG)."""

from __future__ import annotations

from pathlib import Path

MEMORY_LIMIT_GB = 2.5


def plot_scale(results: dict, path: Path) -> None:
    """Two panels, time and memory, with the real TMDB build as a separate marker."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["scale"]["rows"]
    sizes = [r["movies"] for r in rows]
    wall = [r["wall_s"] for r in rows]
    neighbours = [r["steps_s"].get("neighbours", 0.0) for r in rows]
    memory = [r["peak_rss_bytes"] / 1e9 for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)

    left.plot(sizes, wall, "o-", color="tab:blue", label="build wall time")
    left.plot(sizes, neighbours, "s--", color="tab:orange", label="neighbours step")
    left.set_xlabel("movies in the catalog")
    left.set_ylabel("seconds")
    left.set_title("Build time (--skip-maps)")

    right.plot(sizes, memory, "o-", color="tab:green", label="peak memory (RSS)")
    fit = results["scale"]["checks"].get("memory_fit")
    if fit:
        top = max(sizes)
        right.plot([0, top], [fit["intercept_bytes"] / 1e9, (fit["intercept_bytes"] + fit["bytes_per_movie"] * top) / 1e9],
                   ":", color="gray", label=f"linear fit, {fit['bytes_per_movie'] / 1e3:.1f} kB/movie")
    right.axhline(MEMORY_LIMIT_GB, color="tab:red", linewidth=1, label=f"limit at 100,000: {MEMORY_LIMIT_GB} GB")
    right.set_xlabel("movies in the catalog")
    right.set_ylabel("GB")
    right.set_ylim(bottom=0)
    right.set_title("Peak memory of the build")

    classic = results.get("classic", {}).get("summary", {}).get("ours")
    if classic:
        left.plot([classic["movies"]], [classic["wall_s"]], "D", color="black", label="real TMDB 5000 data")
        right.plot([classic["movies"]], [classic["peak_rss_bytes"] / 1e9], "D", color="black",
                   label="real TMDB 5000 data")
    for axis in (left, right):
        axis.set_xlim(left=0)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
        axis.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x / 1000:,.0f}k"))
    left.set_ylim(bottom=0)
    machine = results["machine"]
    fig.suptitle(f"Core build cost against catalog size ({machine['cpu']}, {machine['cores']} cores, "
                 f"{machine['date'][:10]})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# Main's core build before the pruned search, from BENCHMARKS.md section 2 (one run of
# scripts/benchmark.py on 2026-11-25 at commit 3bae6d0, load average 1.7-2.6).
BEFORE_SECTION_2 = [
    {"movies": 10_000, "wall_s": 8.04, "cpu_s": 10.42, "peak_rss_gb": 0.41},
    {"movies": 50_000, "wall_s": 85.38, "cpu_s": 151.0, "peak_rss_gb": 0.92},
    {"movies": 100_000, "wall_s": 315.0, "cpu_s": 581.0, "peak_rss_gb": 1.40},
]


def plot_scale_before_after(records: list[dict], path: Path) -> None:
    """Core build CPU time, wall time and peak memory against size (log-log), main's
    exact search (BENCHMARKS.md section 2) against the pruned search (``records``:
    benchmarks/results/scale.jsonl lines of core builds, the last one per size)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    after: dict[int, dict] = {}
    for record in records:
        if record.get("returncode") == 0 and "--skip-maps" in record["command"] and "--dask" not in record["command"] \
                and record["label"].startswith("after"):
            after[record["movies"]] = record
    sizes = sorted(after)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    before_sizes = [r["movies"] for r in BEFORE_SECTION_2]
    left.plot(before_sizes, [r["cpu_s"] for r in BEFORE_SECTION_2], "o-", color="tab:red",
              label="before: exact search, CPU")
    left.plot([before_sizes[-1], 1_000_000], [BEFORE_SECTION_2[-1]["cpu_s"], 16 * 3600 + 180], ":",
              color="tab:red", label="before at 1M: BENCHMARKS.md estimate (~16 CPU-hours)")
    left.plot(sizes, [after[n]["cpu_s"] for n in sizes], "o-", color="tab:blue", label="after: pruned search, CPU")
    if sizes and sizes[-1] < 1_000_000:
        last = after[sizes[-1]]["cpu_s"]
        left.plot([sizes[-1], 1_000_000], [last, last * 1_000_000 / sizes[-1]], ":", color="tab:blue",
                  label="after at 1M: projected (linear), not measured")
    left.plot(sizes, [after[n]["wall_s"] for n in sizes], "s--", color="tab:blue", alpha=0.6,
              label="after: wall (each run's load: BENCHMARKS.md 5)")
    left.axhline(30 * 60, color="gray", linewidth=0.8, linestyle="-.", label="30 min")
    left.set_ylabel("seconds")
    left.set_title("Core build (--skip-maps): time")
    right.plot(before_sizes, [r["peak_rss_gb"] for r in BEFORE_SECTION_2], "o-", color="tab:red", label="before")
    right.plot(sizes, [after[n]["peak_rss_gb"] for n in sizes], "o-", color="tab:blue", label="after")
    right.axhline(8, color="gray", linewidth=0.8, linestyle="-.", label="8 GB target at 1M")
    right.set_ylabel("GB (peak resident set)")
    right.set_title("Core build: peak memory")
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_yscale("log")
    # Plain numbers (0.5, 2, 5) rather than 5x10^-1, 2x10^0; minor ticks labelled at 2 and 5 only.
    right.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    right.yaxis.set_minor_formatter(FuncFormatter(
        lambda value, _: f"{value:g}" if f"{value:.0e}"[0] in "25" else ""))
    for axis in (left, right):
        axis.set_xlabel("films in the catalog")
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=7, loc="upper left")
    fig.suptitle("Before (exact all-pairs search) and after (pruned search above 20,000 films), synthetic catalogs",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m benchmarks.plot", description="the before/after scale plot")
    parser.add_argument("--scale-results", type=Path, default=Path("benchmarks/results/scale.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmark_scale.png"))
    args = parser.parse_args(argv)
    records = [json.loads(line) for line in args.scale_results.read_text().splitlines() if line.strip()]
    plot_scale_before_after(records, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
