"""The neighbour search at scale: exact against pruned, time and recall, in one process.

For one catalog CSV (e.g. 100,000 synthetic films) both vectorizers' vectors are
built once; then, per vectorizer:

- the exact search (``top_neighbours``'s blocks) on a seeded sample of ``--exact-rows``
  films, its time extrapolated to all N films (it costs the same per film);
- the pruned search over all N films for each ``--budgets`` setting
  ``work_per_row:second[:probes]``, with its recall@10 against the exact search on
  ``--recall-sample`` films (:func:`recommender.neighbours.recall_at_k`, sample seed
  ``--seed``). ``probes`` 0 generates candidates from the truncated postings alone
  (every column, the search before the clusters; ``second`` is ``candidates``);
  otherwise the films are clustered on their frequent columns (k-means seed
  ``--seed``) and each is scored against its ``probes`` nearest clusters
  (``--cluster-size``) and the ``second`` (``reached``) most promising films its
  truncated postings reach.

Times are CPU seconds of this process (``time.process_time``, robust to other
programs sharing the machine) and wall seconds, with the load average and a speed
probe. One JSON line per vectorizer and setting is appended to ``--results`` (default
``benchmarks/results/neighbour_search.jsonl``).

    python -m benchmarks.neighbour_search --catalog /tmp/synthetic_100000.csv --budgets 10000:300:0,30000:300:8
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.measure import append_record
from benchmarks.scale import machine_state
from recommender.catalog import load_catalog_csv
from recommender.config import RecommenderConfig
from recommender.neighbours import exact_rows, pruned_top_neighbours, recall_at_k
from recommender.vectorize import vectorize_catalog

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "neighbour_search.jsonl"


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.neighbour_search", description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--budgets", default="3000:30:32", help="work_per_row:reached[:probes] (probes 0: work_per_row:candidates), comma-separated")
    parser.add_argument("--seed", type=int, default=0, help="k-means and recall sample seed")
    parser.add_argument("--cluster-size", type=int, default=256)
    parser.add_argument("--vectorizers", default="tfidf,count")
    parser.add_argument("--exact-rows", type=int, default=2000)
    parser.add_argument("--recall-sample", type=int, default=1000)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    config = RecommenderConfig()
    catalog, _ = load_catalog_csv(args.catalog)
    vectors = vectorize_catalog(catalog, config)
    n = len(catalog)
    for name in args.vectorizers.split(","):
        matrix = vectors[name].matrix
        rows = np.sort(np.random.default_rng(1).choice(n, min(args.exact_rows, n), replace=False))
        transposed = matrix.T.tocsc()
        step = max(1, config.max_block_cells // n)

        def exact_sample() -> None:
            for start in range(0, len(rows), step):
                exact_rows(matrix, transposed, rows[start : start + step], args.k)

        state = machine_state()
        _, wall, cpu = timed(exact_sample)
        records = [{"vectorizer": name, "movies": n, "search": "exact (sampled)", "rows_timed": len(rows),
                    "cpu_s_all": round(cpu * n / len(rows), 1), "wall_s_all": round(wall * n / len(rows), 1),
                    "recall_at_10": 1.0, "machine": state}]
        for budget in args.budgets.split(","):
            work, second, probes = ([int(x) for x in budget.split(":")] + [32])[:3]
            if probes:
                options = {"probes": probes, "cluster_size": args.cluster_size, "reached": second, "seed": args.seed}
            else:
                options = {"dense_share": 1.0, "candidates": second}
            state = machine_state()
            (index, _), wall, cpu = timed(lambda: pruned_top_neighbours(matrix, args.k, work_per_row=work, **options))
            recall, used = recall_at_k(matrix, index, 10, args.recall_sample, seed=args.seed)
            records.append({"vectorizer": name, "movies": n, "search": "pruned", "work_per_row": work,
                            **({"reached": second} if probes else {"candidates": second}), "probes": probes,
                            "seed": args.seed,
                            "generator": "own nearest clusters + postings ranked with centres" if probes
                            else "postings (every column)",
                            "cluster_size": args.cluster_size if probes else None,
                            "cpu_s_all": cpu, "wall_s_all": wall, "recall_at_10": round(recall, 4),
                            "recall_sample": used, "machine": state})
        for record in records:
            append_record(args.results, record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
