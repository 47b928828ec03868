"""Choose the default field weights and vectorizer settings by measurement.

Loads the TMDB 5000 movies (and the credits file found next to them) once, then, for
a grid of field-weight profiles and vectorizer settings, builds the vectors and top-10
neighbours of both vectorizers in memory and scores them with :mod:`recommender.evaluation`
(the proxy metrics, the credit mix and two franchise checks: hand-picked known pairs, and
sequel pairs derived from titles, which are not a feature) and a composite objective.
The search is one round of coordinate search: named weight profiles, one step per
field around the best, the full vectorizer grid at the chosen weights, then the
profiles again at the chosen vectorizer settings. Writes a Markdown report
(``docs/EVALUATION.md``) with every table, the method and the chosen defaults.

Usage: ``.venv/bin/python scripts/evaluate_settings.py [--data DIR] [--out docs/EVALUATION.md]``.
The data folder defaults to ``$TMDB_DATA_DIR`` or ``../shared/data/tmdb5000`` next to
the repository. Nothing but the report is written.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a plain script, without installing the package
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from recommender.build import CatalogSource  # noqa: E402
from recommender.config import FIELDS, VECTORIZERS, FieldWeights, RecommenderConfig, VectorizerSettings  # noqa: E402
from recommender.errors import RecommenderError  # noqa: E402
from recommender.evaluation import (  # noqa: E402
    attainable_bounds,
    credit_mix,
    franchise_pairs,
    pair_ranks,
    proxy_metrics,
)
from recommender.features import MovieTokens, tokenize_catalog  # noqa: E402
from recommender.neighbours import top_neighbours  # noqa: E402
from recommender.vectorize import vectorize  # noqa: E402

K = 10  # recommendations per query, as on the recommender page

# Composite objective: weighted mean of each term on a 0..1 scale (see ``normalised``),
# x100. Franchise recall weighs most because it is the only term that no field weight
# raises by construction; people overlap least because only a fifth of the movies
# have credits.
OBJECTIVE: dict[str, float] = {
    "genre_overlap": 0.2,
    "keyword_jaccard": 0.2,
    "people_overlap": 0.1,
    "franchise_recall": 0.3,
    "coverage": 0.2,
}
# Other weightings, to show how much the choice depends on the objective's weights.
SENSITIVITY: dict[str, dict[str, float]] = {
    "used": OBJECTIVE,
    "equal": {"genre_overlap": 0.2, "keyword_jaccard": 0.2, "people_overlap": 0.2,
              "franchise_recall": 0.2, "coverage": 0.2},
    "on-topic heavy": {"genre_overlap": 0.3, "keyword_jaccard": 0.3, "people_overlap": 0.1,
                       "franchise_recall": 0.2, "coverage": 0.1},
    "franchise heavy": {"genre_overlap": 0.125, "keyword_jaccard": 0.125, "people_overlap": 0.125,
                        "franchise_recall": 0.5, "coverage": 0.125},
    "feature proxies only": {"genre_overlap": 0.25, "keyword_jaccard": 0.25, "people_overlap": 0.25,
                             "franchise_recall": 0.0, "coverage": 0.25},
}
# Guards, relative to the previous default of the same vectorizer.
MAX_FRANCHISE_DROP = 0.01  # absolute share of sequel pairs (about 3 of ~340)
MIN_DIVERSITY_RATIO = 0.90
MIN_COVERAGE_RATIO = 0.95
MIN_CREDIT_MIX_RATIO = 0.90
STEP = 1.5  # one coordinate step: each field weight x1.5 and /1.5 (0 -> 0.25)

PREVIOUS_WEIGHTS = FieldWeights()
PREVIOUS_SETTINGS: dict[str, VectorizerSettings] = {name: getattr(RecommenderConfig(), name) for name in VECTORIZERS}

# Named field-weight profiles (overview, tagline, genres, keywords, cast, directors, companies).
WEIGHT_PROFILES: dict[str, FieldWeights] = {
    "previous default": PREVIOUS_WEIGHTS,
    "all equal 1.0": FieldWeights(1, 1, 1, 1, 1, 1, 1),
    "people-heavy": dataclasses.replace(PREVIOUS_WEIGHTS, cast=1.5, directors=2.0),
    "metadata-heavy": dataclasses.replace(PREVIOUS_WEIGHTS, genres=1.5, keywords=1.5, overview=0.7),
    "metadata+people-heavy": dataclasses.replace(
        PREVIOUS_WEIGHTS, genres=1.5, keywords=1.5, overview=0.7, cast=1.5, directors=2.0
    ),
    "overview only": FieldWeights(1, 0, 0, 0, 0, 0, 0),
    "no companies": dataclasses.replace(PREVIOUS_WEIGHTS, companies=0.0),
    # The Kaggle "tags" recipe: overview + genres + keywords + cast + director pasted
    # into one string, every token counted alike; no tagline, no companies.
    "classic tags recipe": FieldWeights(1, 0, 1, 1, 1, 1, 0),
    "metadata only (no text)": dataclasses.replace(PREVIOUS_WEIGHTS, overview=0.0, tagline=0.0),
    "genres x2": dataclasses.replace(PREVIOUS_WEIGHTS, genres=2.0),
    "keywords x2": dataclasses.replace(PREVIOUS_WEIGHTS, keywords=2.0),
}

VECTORIZER_GRID: dict[str, tuple] = {
    "max_features": (None, 30000, 5000),
    "min_df": (1, 2),
    "ngram_range": ((1, 1), (1, 2)),
    "sublinear_tf": (True, False),  # TF-IDF only; Count keeps False
}


@dataclass(frozen=True)
class SanityPair:
    """A query movie whose top-10 list should contain ``expected`` (TMDB ids)."""

    query: int
    expected: int
    why: str


SANITY_PAIRS: tuple[SanityPair, ...] = (
    SanityPair(49026, 155, "sequel (Nolan's Batman)"),
    SanityPair(862, 863, "sequel"),
    SanityPair(862, 10193, "sequel"),
    SanityPair(671, 672, "sequel (Harry Potter)"),
    SanityPair(19995, 679, "same director; soldiers on a hostile alien world"),
    SanityPair(24428, 99861, "sequel (Marvel)"),
    SanityPair(120, 121, "sequel (Lord of the Rings)"),
    SanityPair(37724, 206647, "sequel (James Bond)"),
    SanityPair(238, 240, "sequel"),
    SanityPair(11, 1891, "sequel (Star Wars)"),
)
EXAMPLE_QUERIES: tuple[int, ...] = (19995, 49026, 862, 671, 238)  # Avatar, TDKR, Toy Story, HP 1, Godfather

# recommender.evaluation.franchise_pairs takes "Title" and "Title 2" / "Title II" /
# "Title: Subtitle" / "Title Part II" as one franchise. These TMDB 5000 titles match
# without being sequels of the shorter title and are dropped.
NOT_SEQUELS = frozenset({"Super 8", "August: Osage County", "Hamlet 2", "The Messenger: The Story of Joan of Arc"})


# --------------------------------------------------------------------------- data
def sanity_rows(catalog: pd.DataFrame) -> list[tuple[int, int, SanityPair]]:
    """The sanity pairs as (query row, expected row, pair); pairs not in the data are skipped."""
    row_of = {int(movie_id): row for row, movie_id in enumerate(catalog["id"].tolist())}
    pairs = []
    for pair in SANITY_PAIRS:
        if pair.query in row_of and pair.expected in row_of:
            pairs.append((row_of[pair.query], row_of[pair.expected], pair))
        else:
            print(f"warning: sanity pair {pair.query} -> {pair.expected} is not in the data; skipped", file=sys.stderr)
    return pairs


# --------------------------------------------------------------------------- measuring
class Evaluator:
    """Builds and scores one (vectorizer, weights, settings) variant; caches results."""

    def __init__(self, catalog: pd.DataFrame, base: RecommenderConfig) -> None:
        self.catalog = catalog
        self.base = base
        self.sanity = sanity_rows(catalog)
        self.franchise = franchise_pairs(catalog, NOT_SEQUELS)
        self.bounds = attainable_bounds(catalog, K)
        self._tokens: dict[tuple[int, int], MovieTokens] = {}
        self._results: dict[tuple[str, FieldWeights, VectorizerSettings], dict] = {}
        self._lists: dict[tuple[str, FieldWeights, VectorizerSettings], np.ndarray] = {}

    def tokens(self, ngram_range: tuple[int, int]) -> MovieTokens:
        if ngram_range not in self._tokens:
            self._tokens[ngram_range] = tokenize_catalog(self.catalog, ngram_range)
        return self._tokens[ngram_range]

    def __call__(self, name: str, weights: FieldWeights, settings: VectorizerSettings) -> dict:
        """Metrics of one variant (cached): the proxy metrics plus ``people_overlap``,
        ``franchise_recall``, ``sanity@10``/``sanity@5``, ``terms`` and ``seconds``."""
        key = (name, weights, settings)
        if key in self._results:
            return self._results[key]
        start = time.perf_counter()
        config = dataclasses.replace(self.base, weights=weights, **{name: settings}).validate()
        vectors = vectorize(self.tokens(tuple(settings.ngram_range)), name, config)
        index, _ = top_neighbours(
            vectors.matrix, K, chunk_rows=config.chunk_rows, max_block_cells=config.max_block_cells
        )
        result = proxy_metrics(self.catalog, index, K)
        result["people_overlap"] = (result["director_overlap"] + result["cast_overlap"]) / 2
        result["franchise_recall"] = float((pair_ranks(index, self.franchise) > 0).mean())
        result["credit_mix"] = credit_mix(self.catalog, index)
        sanity = np.array([(query, expected) for query, expected, _ in self.sanity], dtype=np.int64).reshape(-1, 2)
        ranks = [int(rank) if rank else None for rank in pair_ranks(index, sanity)]
        result["sanity_ranks"] = ranks
        result["sanity@10"] = sum(r is not None for r in ranks)
        result["sanity@5"] = sum(r is not None and r <= 5 for r in ranks)
        result["terms"] = vectors.n_terms
        result["seconds"] = time.perf_counter() - start
        self._results[key] = result
        self._lists[key] = index[list(self.example_rows())]
        print(
            f"  {name:5s} {_settings_label(name, settings):44s} {_weights_label(weights):46s} "
            f"genre={result['genre_overlap']:.3f} kw={result['keyword_jaccard']:.3f} "
            f"people={result['people_overlap']:.3f} franchise={result['franchise_recall']:.3f} "
            f"cov={result['coverage']:.3f} sanity={result['sanity@10']} ({result['seconds']:.1f}s)",
            file=sys.stderr,
            flush=True,
        )
        return result

    def example_rows(self) -> list[int]:
        row_of = {int(movie_id): row for row, movie_id in enumerate(self.catalog["id"].tolist())}
        return [row_of[m] for m in EXAMPLE_QUERIES if m in row_of]

    def example_lists(self, name: str, weights: FieldWeights, settings: VectorizerSettings) -> np.ndarray:
        self(name, weights, settings)
        return self._lists[(name, weights, settings)]

    @property
    def variants(self) -> int:
        return len(self._results)


def normalised(result: dict, bounds: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Each objective term on a 0..1 scale.

    Overlaps: share of the attainable lift over random recommendations,
    (value - random) / (best - random); people = mean of director and cast.
    Franchise recall and coverage are shares already.
    """

    def lift(metric: str) -> float:
        low, high = bounds[metric]
        return (result[metric] - low) / (high - low) if high > low else 0.0

    return {
        "genre_overlap": lift("genre_overlap"),
        "keyword_jaccard": lift("keyword_jaccard"),
        "people_overlap": (lift("director_overlap") + lift("cast_overlap")) / 2,
        "franchise_recall": result["franchise_recall"],
        "coverage": result["coverage"],
    }


def composite(result: dict, bounds: dict[str, tuple[float, float]], weights: dict[str, float] = OBJECTIVE) -> float:
    """100 x the weighted mean of the normalised terms (0 = worst, 100 = every term at its best)."""
    terms = normalised(result, bounds)
    return 100 * sum(weights[m] * terms[m] for m in weights) / sum(weights.values())


def guard_failures(result: dict, reference: dict) -> list[str]:
    """The guards a variant fails, relative to the previous default of its vectorizer."""
    failures = []
    if result["sanity@10"] < reference["sanity@10"]:
        failures.append(f"sanity {result['sanity@10']}<{reference['sanity@10']}")
    if result["franchise_recall"] < reference["franchise_recall"] - MAX_FRANCHISE_DROP:
        failures.append(f"franchise {result['franchise_recall']:.3f}")
    if result["intra_list_diversity"] < MIN_DIVERSITY_RATIO * reference["intra_list_diversity"]:
        failures.append("diversity")
    if result["coverage"] < MIN_COVERAGE_RATIO * reference["coverage"]:
        failures.append("coverage")
    if result["credit_mix"] < MIN_CREDIT_MIX_RATIO * reference["credit_mix"]:
        failures.append(f"credit mix {result['credit_mix']:.2f}")
    return failures


# --------------------------------------------------------------------------- search
@dataclass
class Row:
    """One measured variant."""

    label: str
    name: str
    weights: FieldWeights
    settings: VectorizerSettings
    result: dict
    score: float
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class Stage:
    title: str
    note: str
    rows: list[Row]
    chosen: str = ""
    shared_weights: bool = False  # rows hold both vectorizers of each label


class Search:
    """Field weights are shared by both vectorizers: a weight candidate is scored by
    the mean composite of its tfidf and count variants and must pass the guards for
    both. Vectorizer settings are chosen per vectorizer."""

    def __init__(self, evaluate: Evaluator) -> None:
        self.evaluate = evaluate
        self.reference = {name: evaluate(name, PREVIOUS_WEIGHTS, PREVIOUS_SETTINGS[name]) for name in VECTORIZERS}
        self.stages: list[Stage] = []

    def row(self, label: str, name: str, weights: FieldWeights, settings: VectorizerSettings) -> Row:
        result = self.evaluate(name, weights, settings)
        score = composite(result, self.evaluate.bounds)
        return Row(label, name, weights, settings, result, score, guard_failures(result, self.reference[name]))

    def weight_stage(
        self, title: str, note: str, candidates: dict[str, FieldWeights], settings: dict[str, VectorizerSettings]
    ) -> tuple[str, FieldWeights]:
        print(title, file=sys.stderr)
        rows = [self.row(label, name, w, settings[name]) for label, w in candidates.items() for name in VECTORIZERS]
        best_label, best_score = "", -np.inf
        for label in candidates:
            pair = [r for r in rows if r.label == label]
            score = float(np.mean([r.score for r in pair]))
            if all(r.ok for r in pair) and score > best_score:
                best_label, best_score = label, score
        self.stages.append(Stage(title, note, rows, chosen=best_label, shared_weights=True))
        return best_label, candidates[best_label]

    def settings_stage(self, title: str, note: str, name: str, weights: FieldWeights) -> VectorizerSettings:
        print(title, file=sys.stderr)
        rows = [self.row(_settings_label(name, s), name, weights, s) for s in vectorizer_grid(name)]
        best = best_settings_row([r for r in rows if r.ok], name, lambda r: r.score)
        self.stages.append(Stage(title, note, rows, chosen=best.label))
        return best.settings

    def run(self) -> tuple[str, FieldWeights, dict[str, VectorizerSettings]]:
        settings = dict(PREVIOUS_SETTINGS)
        fixed = "; ".join(f"{n}: {_settings_label(n, settings[n])}" for n in VECTORIZERS)
        label, weights = self.weight_stage(
            "1. Field-weight profiles", f"Vectorizer settings fixed at the previous defaults ({fixed}).",
            WEIGHT_PROFILES, settings,
        )
        base_label = label
        label, weights = self.weight_stage(
            f"2. One step per field around '{label}'",
            f"Each field weight of '{label}' multiplied by {STEP:g} and divided by {STEP:g} (0 -> 0.25); "
            "vectorizer settings as in stage 1.",
            {label: weights, **steps_around(weights)}, settings,
        )
        if label != base_label:
            label = f"{base_label}, {label}"
        for name in VECTORIZERS:
            settings[name] = self.settings_stage(
                f"3. {name} vectorizer settings", f"Field weights fixed at '{label}' ({_weights_label(weights)}).",
                name, weights,
            )
        candidates = dict(WEIGHT_PROFILES)
        if weights not in candidates.values():
            candidates[label] = weights
        chosen = "; ".join(f"{n}: {_settings_label(n, settings[n])}" for n in VECTORIZERS)
        final_label, final_weights = self.weight_stage(
            "4. Check: the profiles again at the chosen vectorizer settings",
            f"Vectorizer settings fixed at the stage-3 choice ({chosen}). If another profile wins here, "
            "the vectorizer grid is run again for it (stage 5).",
            candidates, settings,
        )
        if final_weights != weights:
            for name in VECTORIZERS:
                settings[name] = self.settings_stage(
                    f"5. {name} vectorizer settings, again",
                    f"Field weights fixed at '{final_label}' ({_weights_label(final_weights)}).",
                    name, final_weights,
                )
            label, weights = final_label, final_weights
        return label, weights, settings


def best_settings_row(rows: Sequence[Row], name: str, score: Callable[[Row], float]) -> Row:
    """The highest-scoring row; an exact tie (max_features above the vocabulary size
    changes nothing) keeps the previous value, as the measurement gives no reason to
    change it."""
    previous = dataclasses.asdict(PREVIOUS_SETTINGS[name])

    def key(row: Row) -> tuple[float, int]:
        same = sum(value == previous[k] for k, value in dataclasses.asdict(row.settings).items())
        return round(score(row), 9), same

    return max(rows, key=key)


def steps_around(weights: FieldWeights) -> dict[str, FieldWeights]:
    """Each field weight multiplied and divided by :data:`STEP` (a zero weight tried at 0.25)."""
    result: dict[str, FieldWeights] = {}
    for field_name in FIELDS:
        value = getattr(weights, field_name)
        options = (0.25,) if value == 0 else (round(value * STEP, 2), round(value / STEP, 2))
        for new in options:
            result[f"{field_name} {value:g} -> {new:g}"] = dataclasses.replace(weights, **{field_name: new})
    return result


def vectorizer_grid(name: str) -> list[VectorizerSettings]:
    sublinear = VECTORIZER_GRID["sublinear_tf"] if name == "tfidf" else (False,)
    return [
        VectorizerSettings(max_features=mf, min_df=md, ngram_range=tuple(ng), sublinear_tf=sl)
        for mf, md, ng, sl in itertools.product(
            VECTORIZER_GRID["max_features"], VECTORIZER_GRID["min_df"], VECTORIZER_GRID["ngram_range"], sublinear
        )
    ]


# --------------------------------------------------------------------------- labels
_SHORT = {"overview": "ov", "tagline": "tag", "genres": "gen", "keywords": "kw", "cast": "cast",
          "directors": "dir", "companies": "comp"}


def _weights_label(weights: FieldWeights) -> str:
    return " ".join(f"{_SHORT[f]} {getattr(weights, f):g}" for f in FIELDS)


def _settings_label(name: str, settings: VectorizerSettings) -> str:
    parts = [f"max_features={settings.max_features}", f"min_df={settings.min_df}",
             f"ngram={settings.ngram_range[0]}-{settings.ngram_range[1]}"]
    if name == "tfidf":
        parts.append(f"sublinear={'on' if settings.sublinear_tf else 'off'}")
    return ", ".join(parts)


# --------------------------------------------------------------------------- report
COLUMNS = (
    ("genre", "genre_overlap", "{:.3f}"),
    ("director", "director_overlap", "{:.3f}"),
    ("cast", "cast_overlap", "{:.3f}"),
    ("keyword J", "keyword_jaccard", "{:.3f}"),
    ("diversity", "intra_list_diversity", "{:.3f}"),
    ("coverage", "coverage", "{:.1%}"),
    ("novelty", "novelty", "{:.2f}"),
    ("franchise", "franchise_recall", "{:.1%}"),
    ("credit mix", "credit_mix", "{:.2f}"),
    ("sanity@10", "sanity@10", "{}"),
    ("sanity@5", "sanity@5", "{}"),
)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _eligible_text(rows: Sequence[Row]) -> str:
    failing = [f"{r.name}: {', '.join(r.failures)}" for r in rows if not r.ok]
    return "yes" if not failing else "no (" + "; ".join(failing) + ")"


def metrics_table(rows: Sequence[Row], chosen: str = "", with_terms: bool = True) -> str:
    rows = sorted(rows, key=lambda r: (not r.ok, -r.score))
    header = ["setting", *(c[0] for c in COLUMNS), *(["terms"] if with_terms else []), "composite", "eligible"]
    body = []
    for r in rows:
        cells = [fmt.format(r.result[key]) for _, key, fmt in COLUMNS]
        terms = [f"{r.result['terms']:,}"] if with_terms else []
        label = f"**{r.label}**" if r.label == chosen else r.label
        body.append([label, *cells, *terms, f"{r.score:.1f}", _eligible_text([r])])
    return markdown_table(header, body)


def weight_summary(stage: Stage) -> str:
    by_label: dict[str, dict[str, Row]] = {}
    for r in stage.rows:
        by_label.setdefault(r.label, {})[r.name] = r
    body = []
    for label, rows in by_label.items():
        mean = float(np.mean([r.score for r in rows.values()]))
        body.append((label, rows, mean, all(r.ok for r in rows.values())))
    body.sort(key=lambda b: (not b[3], -b[2]))
    chosen_mean = next((b[2] for b in body if b[0] == stage.chosen), float("nan"))
    table = [
        [f"**{label}**" if label == stage.chosen else label, _weights_label(rows["tfidf"].weights),
         f"{rows['tfidf'].score:.1f}", f"{rows['count'].score:.1f}", f"{mean:.1f}", f"{mean - chosen_mean:+.1f}",
         _eligible_text(list(rows.values()))]
        for label, rows, mean, _ in body
    ]
    return markdown_table(["profile", "weights", "tfidf", "count", "mean", "vs chosen", "eligible"], table, "llrrrrl")


def python_defaults(weights: FieldWeights, settings: dict[str, VectorizerSettings]) -> str:
    w = ", ".join(f"{f}={getattr(weights, f):g}" for f in FIELDS)
    lines = [f"weights = FieldWeights({w})"]
    for name in VECTORIZERS:
        s = settings[name]
        lines.append(f"{name} = VectorizerSettings(max_features={s.max_features}, min_df={s.min_df}, "
                     f"ngram_range={tuple(s.ngram_range)}, sublinear_tf={s.sublinear_tf})")
    return "\n".join(lines)


def headline(search: Search, weights: FieldWeights, settings: dict[str, VectorizerSettings]) -> str:
    """Chosen vs previous defaults, per vectorizer, on every metric."""
    header = ["metric"]
    table: dict[str, list[str]] = {}
    bounds = search.evaluate.bounds
    for name in VECTORIZERS:
        header += [f"{name} previous", f"{name} chosen", "change"]
        before, after = search.reference[name], search.evaluate(name, weights, settings[name])
        for label, key, fmt in COLUMNS:
            b, a = before[key], after[key]
            if key.startswith("sanity"):
                change = f"{a - b:+d}"
            elif key in ("coverage", "franchise_recall"):
                change = f"{100 * (a - b):+.1f} pts"
            else:
                change = f"{a / b - 1:+.0%}" if b else ""
            table.setdefault(label, [label]).extend([fmt.format(b), fmt.format(a), change])
        b, a = composite(before, bounds), composite(after, bounds)
        table.setdefault("composite", ["**composite**"]).extend([f"{b:.1f}", f"**{a:.1f}**", f"{a - b:+.1f} pts"])
    return markdown_table(header, list(table.values()))


def summary_lines(search: Search, label: str, weights: FieldWeights, settings: dict[str, VectorizerSettings]) -> str:
    """Where the gain comes from: weights alone, settings alone, and the margin over the runner-up."""

    def mean_score(w: FieldWeights, s: dict[str, VectorizerSettings]) -> float:
        return float(np.mean([search.row("", n, w, s[n]).score for n in VECTORIZERS]))

    chosen = mean_score(weights, settings)
    previous = mean_score(PREVIOUS_WEIGHTS, PREVIOUS_SETTINGS)
    weights_only = mean_score(weights, PREVIOUS_SETTINGS)
    settings_only = mean_score(PREVIOUS_WEIGHTS, settings)
    stage = profiles_at(search, label, weights, settings)
    others = {}
    for r in stage.rows:
        if r.label != label:
            others.setdefault(r.label, []).append(r)
    eligible_others = {k: v for k, v in others.items() if all(r.ok for r in v)}
    if eligible_others:
        runner_up = max(eligible_others, key=lambda k: np.mean([r.score for r in eligible_others[k]]))
        runner_score = float(np.mean([r.score for r in eligible_others[runner_up]]))
        runner_line = (f"- Best other eligible named profile at the chosen settings: '{runner_up}', {runner_score:.1f} "
                       f"({runner_score - chosen:+.1f}). Profiles scoring higher fail a guard (table below).")
    else:
        runner_line = "- No other named profile passes the guards at the chosen settings."
    return "\n".join([
        f"- Mean composite of both vectorizers: previous defaults {previous:.1f}, chosen {chosen:.1f} "
        f"(**{chosen - previous:+.1f} points**).",
        f"- The new weights alone (previous vectorizer settings): {weights_only - previous:+.1f}; the new vectorizer "
        f"settings alone (previous weights): {settings_only - previous:+.1f}.",
        runner_line,
        "- Differences below about half a point are small next to the judgement calls in the objective; read them "
        "as ties.",
    ])


def profiles_at(search: Search, label: str, weights: FieldWeights, settings: dict[str, VectorizerSettings]) -> Stage:
    """The named profiles and the chosen weights, all at the chosen vectorizer settings."""
    candidates = {name: w for name, w in WEIGHT_PROFILES.items() if w != weights}
    candidates = {label: weights, **candidates}
    rows = [search.row(lbl, name, w, settings[name]) for lbl, w in candidates.items() for name in VECTORIZERS]
    return Stage("", "", rows, chosen=label, shared_weights=True)


def one_factor_table(search: Search, weights: FieldWeights, settings: dict[str, VectorizerSettings]) -> str:
    """Composite when one vectorizer setting is changed from the chosen ones."""
    body = []
    for factor, values in VECTORIZER_GRID.items():
        for value in values:
            cells: list[str] = [factor, str(value)]
            for name in VECTORIZERS:
                chosen = settings[name]
                if name == "count" and factor == "sublinear_tf":
                    cells.append("n/a")
                    continue
                variant = dataclasses.replace(chosen, **{factor: value})
                row = search.row("", name, weights, variant)
                delta = row.score - search.row("", name, weights, chosen).score
                text = "chosen" if variant == chosen else f"{delta:+.1f}"
                cells.append(f"{row.score:.1f} ({text}){'' if row.ok else ' *'}")
            body.append(cells)
    return markdown_table(["setting", "value", *VECTORIZERS], body, "llrr")


def sensitivity_table(search: Search) -> str:
    """The best eligible weights and settings under other objective weightings."""
    bounds = search.evaluate.bounds
    rows_by_name: dict[str, list[Row]] = {name: [] for name in VECTORIZERS}
    seen = set()
    for stage in search.stages:
        for r in stage.rows:
            key = (r.name, r.weights, r.settings)
            if key not in seen:
                seen.add(key)
                rows_by_name[r.name].append(r)
    body = []
    for label, objective in SENSITIVITY.items():
        # Weights: the best mean over both vectorizers, each at its best eligible settings.
        pools: dict[FieldWeights, dict[str, float]] = {}
        for name, rows in rows_by_name.items():
            for r in rows:
                if r.ok:
                    score = composite(r.result, bounds, objective)
                    best = pools.setdefault(r.weights, {})
                    best[name] = max(best.get(name, -np.inf), score)
        complete = {w: np.mean(list(s.values())) for w, s in pools.items() if len(s) == len(VECTORIZERS)}
        best_weights = max(complete, key=complete.get)
        cells = [label, _weights_label(best_weights)]
        for name in VECTORIZERS:
            candidates = [r for r in rows_by_name[name] if r.ok and r.weights == best_weights]
            best = best_settings_row(candidates, name, lambda r: composite(r.result, bounds, objective))
            cells.append(_settings_label(name, best.settings))
        body.append(cells)
    return markdown_table(["objective weighting", "best weights", "best tfidf settings", "best count settings"],
                          body, "llll")


def examples_section(evaluator: Evaluator, search: Search, weights: FieldWeights,
                     settings: dict[str, VectorizerSettings]) -> str:
    titles = evaluator.catalog["display_title"].tolist()
    rows = evaluator.example_rows()
    body = []
    for name in VECTORIZERS:
        before = evaluator.example_lists(name, PREVIOUS_WEIGHTS, PREVIOUS_SETTINGS[name])
        after = evaluator.example_lists(name, weights, settings[name])
        for i, row in enumerate(rows):
            show = lambda recs: "; ".join(titles[r] for r in recs[:5] if r >= 0)  # noqa: E731
            body.append([titles[row], name, show(before[i]), show(after[i])])
    return markdown_table(["query", "vectorizer", "previous defaults, top 5", "chosen defaults, top 5"], body, "llll")


def sanity_table(evaluator: Evaluator, search: Search, weights: FieldWeights,
                 settings: dict[str, VectorizerSettings]) -> str:
    titles = evaluator.catalog["display_title"].tolist()
    results = {}
    for name in VECTORIZERS:
        results[f"{name} previous"] = search.reference[name]
        results[f"{name} chosen"] = evaluator(name, weights, settings[name])
    body = []
    for i, (query, expected, pair) in enumerate(evaluator.sanity):
        ranks = [results[k]["sanity_ranks"][i] for k in results]
        body.append([titles[query], titles[expected], pair.why, *("-" if r is None else r for r in ranks)])
    return markdown_table(["query", "expected in top 10", "why", *results], body, "lll" + "r" * len(results))


def write_report(out: Path, evaluator: Evaluator, search: Search, label: str, weights: FieldWeights,
                 settings: dict[str, VectorizerSettings], *, data_dir: Path, source: CatalogSource,
                 started: float, load_seconds: float, cpu_started: float) -> None:
    catalog = evaluator.catalog
    credited = int(catalog["has_credits"].sum())
    bounds = evaluator.bounds
    # Every table first: some of them measure a few more variants.
    recommendation_tables = {
        "headline": headline(search, weights, settings),
        "profiles": weight_summary(profiles_at(search, label, weights, settings)),
        "one_factor": one_factor_table(search, weights, settings),
        "sensitivity": sensitivity_table(search),
        "examples": examples_section(evaluator, search, weights, settings),
        "sanity": sanity_table(evaluator, search, weights, settings),
    }
    chosen_scores = {name: search.row("", name, weights, settings[name]).score for name in VECTORIZERS}
    previous_scores = {name: composite(search.reference[name], bounds) for name in VECTORIZERS}
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    franchise_n = len(evaluator.franchise)
    kw2 = {name: evaluator(name, WEIGHT_PROFILES["keywords x2"], PREVIOUS_SETTINGS[name]) for name in VECTORIZERS}
    summary = summary_lines(search, label, weights, settings)

    sections = [
        "# Choosing the default settings by measurement\n\n"
        "Generated by `scripts/evaluate_settings.py`; rerun it rather than editing this page:\n"
        "`.venv/bin/python scripts/evaluate_settings.py --out docs/EVALUATION.md`.\n\n"
        f"- Data: TMDB 5000, {len(catalog):,} movies; credits (cast, directors) for only {credited:,} of them "
        f"(`{source.movies.name}`, `{source.credits.name if source.credits else 'no credits file'}`).\n"
        f"- {evaluator.variants} variants (vectorize + top-{K} neighbours + metrics, in memory) in "
        f"{wall / 60:.1f} min wall time, {cpu / 60:.1f} min CPU time ({load_seconds:.0f} s of it loading the "
        f"data), {os.cpu_count()} CPU cores, Python {platform.python_version()}. The wall time depends on "
        "what else runs on the machine; the CPU time does not.\n"
        "- There is no user data, so quality is measured with proxies. Read the caveats before quoting numbers.",

        "## Recommendation\n\n"
        f"Field weights '{label}' and these vectorizer settings (the values for `recommender/config.py`):\n\n"
        "```python\n" + python_defaults(weights, settings) + "\n```\n\n"
        + summary + "\n\n"
        "Previous defaults (before this evaluation):\n\n"
        "```python\n" + python_defaults(PREVIOUS_WEIGHTS, PREVIOUS_SETTINGS) + "\n```\n\n"
        f"Composite objective (0-100, defined below): tfidf {previous_scores['tfidf']:.1f} -> "
        f"**{chosen_scores['tfidf']:.1f}**, count {previous_scores['count']:.1f} -> **{chosen_scores['count']:.1f}**. "
        f"All metrics, top {K} for every movie of the catalog:\n\n" + recommendation_tables["headline"] + "\n\n"
        "### Against the other weight profiles\n\n"
        "Every named profile at the chosen vectorizer settings (composite per vectorizer, their mean, and the "
        "difference to the chosen weights; a profile must pass the guards for both vectorizers):\n\n"
        + recommendation_tables["profiles"] + "\n\n"
        "### Against the other vectorizer settings\n\n"
        "Composite when one setting is changed from the chosen ones, with the chosen weights (difference in "
        "brackets; * = fails a guard):\n\n" + recommendation_tables["one_factor"] + "\n\n"
        "### How much the choice depends on the objective\n\n"
        "The best eligible variant among all measured ones under other weightings of the same terms:\n\n"
        + recommendation_tables["sensitivity"] + "\n\n"
        "### What the lists look like\n\n"
        "Top 5 of a few well-known queries with the previous and the chosen defaults (the composite does not "
        "see these; they are here to be read):\n\n" + recommendation_tables["examples"],

        "## How the metrics were computed\n\n"
        f"Every movie of the catalog is a query once; its top {K} neighbours (cosine similarity of the L2-"
        "normalised vectors, the movie itself excluded, zero-similarity movies never recommended) are scored "
        "by `recommender.evaluation.proxy_metrics` and by this script:\n\n"
        + markdown_table(["metric", "definition"], [
            ["genre", "share of (query, recommendation) pairs sharing at least one genre"],
            ["director", f"share of pairs sharing a director; only the {credited} queries with credits count"],
            ["cast", "share of pairs sharing one of the 5 top-billed actors; "
                     f"only the {credited} queries with credits"],
            ["keyword J", "mean Jaccard overlap of the two movies' TMDB keyword sets (queries with keywords)"],
            ["diversity", "intra-list diversity: mean pairwise genre-Jaccard distance inside a list; "
                          "the opposite pull of genre overlap"],
            ["coverage", "share of the catalog recommended at least once (catalog coverage)"],
            ["novelty", "mean self-information -log2((votes+1)/(max votes+1)) of the recommended movies, in bits; "
                        "higher = less-voted movies"],
            ["franchise", f"franchise recall: of {franchise_n} directed title pairs such as 'Toy Story' <-> "
                          "'Toy Story 2' or 'X-Men' <-> 'X-Men: First Class' (found from titles: a title, then the "
                          "same title followed by a number, 'Part ...' or ': subtitle'; 4 false matches removed), "
                          "the share whose second film is in the first one's top 10. Titles are not a feature, "
                          "so this is the one measure the weights cannot raise by construction"],
            ["credit mix", "share of movies with credits among the recommendations of queries without credits, "
                           f"divided by their share of the catalog ({credited / len(catalog):.1%}); 1 = as often as "
                           "chance"],
            ["sanity@10 / @5", f"of {len(evaluator.sanity)} hand-picked pairs (table below, looked up by TMDB id), "
                               "how many have the expected movie in the query's top 10 / top 5"],
            ["terms", "vocabulary size after the vectorizer settings"],
        ], "ll") + "\n\n"
        "Director and cast overlap can only be measured on the movies with credits, and the recommendations of "
        "those queries are mostly movies without credits, so both stay small whatever the settings.",

        "## The composite objective\n\n"
        "The raw metrics live on very different scales (genre overlap ~0.8 where random lists already reach 0.5; "
        "keyword Jaccard ~0.06 where the best possible is below 0.2), so each overlap is first put on a common "
        "0-1 scale: the share of the attainable lift over random recommendations,\n\n"
        "    (value - random) / (best attainable - random)\n\n"
        f"where 'random' is the expected value of {K} recommendations drawn uniformly from the other movies and "
        f"'best attainable' is an oracle that ranks by that metric itself ({K} movies sharing the most):\n\n"
        + markdown_table(["metric", "random", "best attainable"],
                         [[m, f"{lo:.4f}", f"{hi:.4f}"] for m, (lo, hi) in bounds.items()]) + "\n\n"
        "People overlap is the mean of the director and cast lifts. Franchise recall and coverage are shares "
        "already. The composite is the weighted mean of the five terms, x100:\n\n"
        "    composite = 100 * (" + " + ".join(f"{w:g} {m}" for m, w in OBJECTIVE.items()) + ")\n\n"
        "Franchise recall weighs most because it is the only term that no field weight raises by construction "
        "(see the caveats); people overlap weighs least because it is measured on a fifth of the catalog and, "
        "with partial credits, mostly decides which fifth gets recommended (see 'credit mix'). Genre, keyword "
        "and coverage share the rest. The table 'How much the choice depends on the objective' shows the winner "
        "under other weightings. Novelty is reported, not optimised (less-voted is not better per se); "
        "diversity is a guard, since it is the opposite of genre overlap.\n\n"
        "Guards, relative to the previous default of the same vectorizer (a variant failing one is not eligible):\n\n"
        "- sanity@10 does not fall (known pairs keep finding each other);\n"
        f"- franchise recall does not fall by more than {MAX_FRANCHISE_DROP:.0%} of the pairs;\n"
        f"- intra-list diversity stays >= {MIN_DIVERSITY_RATIO:.0%} of the previous value (genre overlap must not be "
        "bought with single-genre lists);\n"
        f"- coverage stays >= {MIN_COVERAGE_RATIO:.0%} of the previous value;\n"
        f"- credit mix stays >= {MIN_CREDIT_MIX_RATIO:.0%} of the previous value. Only {credited} movies have cast "
        "and director terms; raising those weights spends more of their vector's norm on terms no uncredited "
        "movie can share, so the credited movies drift away from the rest and cast overlap rises for reasons "
        "that would vanish with the full credits file. Settings should not be tuned to that artefact.\n\n"
        "Search (one round of coordinate search, every step in the tables below): (1) the named weight "
        "profiles at the previous vectorizer settings; (2) each field weight of the best profile multiplied and "
        f"divided by {STEP:g}; (3) the full vectorizer grid (max_features None/30000/5000 x min_df 1/2 x "
        "ngram_range (1,1)/(1,2), x sublinear_tf on/off for TF-IDF) at the chosen weights, per vectorizer; "
        "(4) the named profiles again at the chosen vectorizer settings. Weights are shared by both "
        "vectorizers, so a weight candidate is ranked by the mean of its tfidf and count composites and must be "
        "eligible for both.\n\n"
        "Caveats. Genre, keyword and people overlap are computed from the very fields the vectors are built "
        "from, so raising a field's weight raises its own proxy by construction, and the overview, the richest "
        "text, has no proxy of its own. Optimised alone, those proxies push towards keyword and cast matching; "
        "for example 'keywords x2' moves keyword Jaccard from "
        f"{search.reference['tfidf']['keyword_jaccard']:.3f} to {kw2['tfidf']['keyword_jaccard']:.3f} and franchise "
        f"recall from {search.reference['tfidf']['franchise_recall']:.1%} to {kw2['tfidf']['franchise_recall']:.1%} "
        f"(tfidf; count: {search.reference['count']['keyword_jaccard']:.3f} -> {kw2['count']['keyword_jaccard']:.3f} "
        f"and {search.reference['count']['franchise_recall']:.1%} -> {kw2['count']['franchise_recall']:.1%}). "
        "Franchise recall, which no field weight raises by construction, is why the objective and the guards "
        "include it. All of this ranks settings; it does not measure what users like.",

        "## Sanity pairs\n\n"
        "Rank of the expected movie in the query's top 10 ('-' = not in the top 10), previous vs chosen defaults:\n\n"
        + recommendation_tables["sanity"],
    ]

    detail = ["## All measurements\n\nRows sorted by eligibility, then composite; the chosen row is in bold. "
              "Metrics as defined above; composite 0-100."]
    for stage in search.stages:
        part = [f"### {stage.title}\n\n{stage.note} Chosen: **{stage.chosen}**."]
        if stage.shared_weights:
            part.append("Mean composite of both vectorizers:\n\n" + weight_summary(stage))
            for name in VECTORIZERS:
                part.append(f"{name}:\n\n" + metrics_table([r for r in stage.rows if r.name == name],
                                                             stage.chosen, with_terms=False))
        else:
            part.append(metrics_table(stage.rows, stage.chosen))
        detail.append("\n\n".join(part))
    sections.append("\n\n".join(detail))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    tmp.replace(out)


# --------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    default_data = Path(os.environ.get("TMDB_DATA_DIR", REPO.parent / "shared" / "data" / "tmdb5000"))
    parser = argparse.ArgumentParser(description="Measure field weights and vectorizer settings; write a report.")
    parser.add_argument("--data", type=Path, default=default_data, help=f"TMDB 5000 folder (default: {default_data})")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "EVALUATION.md", help="Markdown report to write")
    args = parser.parse_args(argv)

    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        source = CatalogSource.tmdb_dir(args.data)
        catalog, _ = source.load(RecommenderConfig().top_cast)
    except RecommenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    load_seconds = time.perf_counter() - started
    print(f"loaded {len(catalog):,} movies, {int(catalog['has_credits'].sum()):,} with credits "
          f"({load_seconds:.1f}s)", file=sys.stderr)

    evaluator = Evaluator(catalog, RecommenderConfig())
    print(f"{len(evaluator.franchise)} directed franchise pairs, {len(evaluator.sanity)} sanity pairs",
          file=sys.stderr)
    search = Search(evaluator)
    label, weights, settings = search.run()
    write_report(args.out, evaluator, search, label, weights, settings, data_dir=args.data, source=source,
                 started=started, load_seconds=load_seconds, cpu_started=cpu_started)
    wall = time.perf_counter() - started
    print(f"\n{evaluator.variants} variants, {wall:.0f}s wall, {time.process_time() - cpu_started:.0f}s CPU; "
          f"wrote {args.out}", file=sys.stderr)
    print(python_defaults(weights, settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
