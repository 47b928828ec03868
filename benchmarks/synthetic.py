"""Synthetic catalogs of any size, drawn from the real TMDB data's distributions.

Each field is sampled on its own from what the real catalog holds: the number of
items per movie (genres, keywords, cast, directors, production companies, overview,
tagline and title words) is drawn from the real per-movie counts, and the items from
the real items' frequencies, so a popular genre or a common word is as common as in
the real data. Numbers (year, runtime, votes, popularity, language) are drawn
together from one real movie so that they stay consistent. Cast and directors come
from the movies that have credits (999 with the partial credits file) and every
synthetic movie gets credits, as a complete catalog would.

What it does not reproduce: the correlation between fields of one movie (a sampled
movie's keywords do not match its genres), so neighbour lists are less clustered
than in a real catalog, and the vocabulary stops at the real one (a real catalog of
100,000 movies would hold more distinct names and words).

Output is the project's own catalog CSV (see :func:`recommender.catalog.load_catalog_csv`):
``id,title,year,genres,directors,cast,keywords,overview,tagline,production_companies,
original_language,runtime,vote_average,vote_count,popularity``, list fields
``|``-separated. Run as ``python -m benchmarks.synthetic --sizes 10000,50000 --out-dir D``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.catalog import load_tmdb

COLUMNS: tuple[str, ...] = (
    "id", "title", "year", "genres", "directors", "cast", "keywords", "overview", "tagline",
    "production_companies", "original_language", "runtime", "vote_average", "vote_count", "popularity",
)
LIST_FIELDS: dict[str, str] = {  # catalog column -> CSV column
    "genres": "genres",
    "keywords": "keywords",
    "companies": "production_companies",
    "cast": "cast",
    "directors": "directors",
}
CREDIT_FIELDS = ("cast", "directors")
WORD_FIELDS = ("overview", "tagline", "title")
NUMBER_COLUMNS = ("year", "runtime", "vote_average", "vote_count", "popularity", "original_language")


@dataclass
class FieldDistribution:
    """Items per movie (``counts``, one per real movie) and item frequencies."""

    counts: np.ndarray
    items: np.ndarray
    probabilities: np.ndarray

    @classmethod
    def of(cls, per_movie: Iterable[Sequence[str]]) -> "FieldDistribution":
        lists = [[item for item in items if "|" not in item and item.strip()] for items in per_movie]
        frequency = Counter(item for items in lists for item in items)
        items = np.asarray(sorted(frequency), dtype=object)
        weights = np.asarray([frequency[i] for i in items], dtype=np.float64)
        return cls(
            counts=np.asarray([len(items) for items in lists], dtype=np.int64),
            items=items,
            probabilities=weights / weights.sum(),
        )

    def sample(self, rng: np.random.Generator, n: int, unique: bool) -> list[list[str]]:
        """``n`` lists; ``unique`` drops repeats inside a list (no movie has a genre twice)."""
        counts = rng.choice(self.counts, size=n)
        flat = self.items[rng.choice(len(self.items), size=int(counts.sum()), p=self.probabilities)]
        bounds = np.cumsum(counts)[:-1]
        parts = np.split(flat, bounds)
        if unique:
            return [list(dict.fromkeys(part)) for part in parts]
        return [list(part) for part in parts]


@dataclass
class CatalogDistributions:
    """Everything needed to draw synthetic movies like the real ones."""

    fields: dict[str, FieldDistribution]
    numbers: pd.DataFrame
    real_movies: int
    credited_movies: int


def fit(movies_path: Path, credits_path: Path | None, top_cast: int = 5) -> CatalogDistributions:
    """Empirical distributions of the real TMDB catalog (loaded with the core's loader)."""
    catalog, _ = load_tmdb(movies_path, credits_path, top_cast=top_cast)
    credited = catalog[catalog["has_credits"]]
    fields: dict[str, FieldDistribution] = {}
    for column in LIST_FIELDS:
        source = credited if column in CREDIT_FIELDS else catalog
        fields[column] = FieldDistribution.of(source[column])
    for column in WORD_FIELDS:
        fields[column] = FieldDistribution.of(text.split() for text in catalog[column])
    numbers = catalog.loc[:, list(NUMBER_COLUMNS)].reset_index(drop=True)
    return CatalogDistributions(fields=fields, numbers=numbers, real_movies=len(catalog), credited_movies=len(credited))


def generate(distributions: CatalogDistributions, n: int, seed: int) -> pd.DataFrame:
    """A synthetic catalog of ``n`` movies (ids 1..n) with the columns of :data:`COLUMNS`."""
    rng = np.random.default_rng(seed)
    fields = distributions.fields
    frame = pd.DataFrame({"id": np.arange(1, n + 1)})
    titles = fields["title"].sample(rng, n, unique=False)
    frame["title"] = [" ".join(words) or f"Untitled {i}" for i, words in enumerate(titles, start=1)]
    numbers = distributions.numbers.iloc[rng.integers(0, len(distributions.numbers), size=n)].reset_index(drop=True)
    for column in LIST_FIELDS:
        frame[LIST_FIELDS[column]] = ["|".join(items) for items in fields[column].sample(rng, n, unique=True)]
    for column in ("overview", "tagline"):
        frame[column] = [" ".join(words) for words in fields[column].sample(rng, n, unique=False)]
    for column in NUMBER_COLUMNS:
        frame[column] = numbers[column].to_numpy()
    return frame.loc[:, list(COLUMNS)]


def describe(frame: pd.DataFrame) -> dict[str, float]:
    """Mean items per movie of each list field and mean overview words (for the report)."""
    summary = {f"mean_{c}": round(float(frame[c].map(lambda v: len(v.split("|")) if v else 0).mean()), 2)
               for c in LIST_FIELDS.values()}
    summary["mean_overview_words"] = round(float(frame["overview"].map(lambda v: len(v.split())).mean()), 1)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=Path, required=True)
    parser.add_argument("--credits", type=Path)
    parser.add_argument("--sizes", required=True, help="comma-separated numbers of movies, e.g. 10000,50000")
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    distributions = fit(args.movies, args.credits)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, object] = {
        "real_movies": distributions.real_movies,
        "credited_movies": distributions.credited_movies,
        "vocabulary": {name: len(d.items) for name, d in distributions.fields.items()},
        "catalogs": [],
    }
    for n in (int(s) for s in args.sizes.split(",")):
        frame = generate(distributions, n, args.seed + n)
        path = args.out_dir / f"synthetic_{n}.csv"
        frame.to_csv(path, index=False)
        result["catalogs"].append({"movies": n, "path": str(path), "bytes": path.stat().st_size, **describe(frame)})
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
