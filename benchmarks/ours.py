"""The recommender's side of the comparison: load the artifacts and time queries.

Run as ``python -m benchmarks.ours serve --dir ARTIFACTS --ids-json IDS`` in a fresh
subprocess; prints one JSON object. The load is :func:`recommender.build.load_model`
as the app and the CLI call it (every file's sha256 checked against the manifest);
a query is :func:`recommender.ranking.rank` with ``k=5`` plus reading the display
titles of the results, the same work as the classic recipe's query. The serving
artifacts are the files that the load reads (:func:`files_read_by_load`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from recommender.loading import load_model
from recommender.ranking import RankingOptions, rank


def files_read_by_load(folder: Path) -> dict[str, int]:
    """The files of ``folder`` that :func:`load_model` opens, with their sizes: the
    serving artifacts, whatever their names (the loader checks the sha256 of every
    file it reads, through Python's ``open``, which the audit hook sees)."""
    folder = folder.resolve()
    opened: set[Path] = set()

    def hook(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], (str, Path)):
            path = Path(args[0]).resolve()
            if path.parent == folder:
                opened.add(path)

    sys.addaudithook(hook)  # cannot be removed; called last, the process exits right after
    model = load_model(folder)
    rank(model, int(model.ids[0]), RankingOptions(k=5))  # in case a file is read lazily
    return {p.name: p.stat().st_size for p in sorted(opened)}


def serve(folder: Path, ids: list[int], warmup: int) -> dict:
    """Time the load (verified and unverified), then one query per id (ns each)."""
    start = time.perf_counter()
    model = load_model(folder)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    load_model(folder, verify=False)
    load_unverified_s = time.perf_counter() - start
    options = RankingOptions(k=5)

    def query(movie_id: int) -> list[str]:
        rows, _, _ = rank(model, movie_id, options)
        return model.display_titles[rows].tolist()

    for movie_id in ids[:warmup]:
        query(movie_id)
    latencies = []
    for movie_id in ids:
        t0 = time.perf_counter_ns()
        query(movie_id)
        latencies.append(time.perf_counter_ns() - t0)
    first = model.display_titles[model.row_of(ids[0])]
    return {
        "files_read": files_read_by_load(folder),
        "load_s": load_s,
        "load_unverified_s": load_unverified_s,
        "latencies_ns": latencies,
        "example": {str(first): query(ids[0])},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ours", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("serve")
    s.add_argument("--dir", type=Path, required=True)
    s.add_argument("--ids-json", type=Path, required=True)
    s.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    json.dump(serve(args.dir, json.loads(args.ids_json.read_text()), args.warmup), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
