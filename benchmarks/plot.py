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
