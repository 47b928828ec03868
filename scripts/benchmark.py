"""Benchmark the recommender: the classic recipe against the core, and build cost at scale.

Writes BENCHMARKS.md (machine, numbers, PASS/FAIL per target) and
docs/benchmark_scale.png. Every measured build, load and query set runs in a fresh
subprocess; see benchmarks/runner.py. Examples:

    python scripts/benchmark.py                          # everything (about an hour)
    python scripts/benchmark.py --only classic
    python scripts/benchmark.py --only scale --sizes 10000,50000
    python scripts/benchmark.py --quick --output /tmp/B.md --plot /tmp/b.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.runner import Settings, run  # noqa: E402  (standard library only: keeps this process small)

PARTS = ("classic", "scale")
QUICK_SIZES = (2000,)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes comma-separated integers such as 10000,50000, got {text!r}")
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError(f"--sizes needs numbers of movies >= 10, got {text!r}")
    return tuple(sorted(set(sizes)))


def _parts(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = set(parts) - set(PARTS)
    if not parts or unknown:
        raise argparse.ArgumentTypeError(f"--only takes {' or '.join(PARTS)} (comma-separated), got {text!r}")
    return tuple(p for p in PARTS if p in parts)


def parse(argv: list[str] | None = None) -> Settings:
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", type=_parts, default=PARTS, help="classic, scale or both (comma-separated)")
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help=f"synthetic catalog sizes (default {','.join(map(str, defaults.sizes))})")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: every 8th real movie, 1 repeat, 100 queries, sizes 2000")
    parser.add_argument("--repeats", type=int, default=None, help=f"builds per variant (default {defaults.repeats})")
    parser.add_argument("--queries", type=int, default=None, help=f"timed queries (default {defaults.queries})")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--movies", type=Path, default=defaults.movies)
    parser.add_argument("--credits", type=Path, default=defaults.credits)
    parser.add_argument("--output", type=Path, default=defaults.output, help="the report (default BENCHMARKS.md)")
    parser.add_argument("--plot", type=Path, default=defaults.plot, help="the scale plot (default docs/benchmark_scale.png)")
    parser.add_argument("--json", type=Path, default=None, help="also write every raw result here")
    parser.add_argument("--profile-scale", type=int, default=None, metavar="SIZE",
                        help="one more build of a synthetic catalog of SIZE movies, recording memory per step")
    parser.add_argument("--workdir", type=Path, default=None, help="parent of the temporary folder (default $TMPDIR or /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    for path in (args.movies, args.credits):
        if not path.exists():
            parser.error(f"{path}: not found; pass --movies/--credits or set TMDB_DATA_DIR")
    quick = args.quick
    return Settings(
        output=args.output,
        plot=args.plot,
        json_out=args.json,
        movies=args.movies,
        credits=args.credits,
        parts=args.only,
        sizes=args.sizes or (QUICK_SIZES if quick else defaults.sizes),
        repeats=max(1, args.repeats or (1 if quick else defaults.repeats)),
        queries=max(1, args.queries or (100 if quick else defaults.queries)),
        seed=args.seed,
        quick=quick,
        profile_scale=args.profile_scale,
        workdir=args.workdir,
        keep=args.keep,
    )


def main(argv: list[str] | None = None) -> int:
    run(parse(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
