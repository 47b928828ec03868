"""Every tunable default of the recommender in one frozen config object.

The CLI, the app and the artifact manifest all read a :class:`RecommenderConfig`.
It serialises to a plain dict (stored in ``manifest.json``) and is rebuilt from one
with :meth:`RecommenderConfig.from_dict`, which rejects unknown keys so that a typo
in a setting is an error rather than a silently ignored value. The default field
weights and vectorizer settings were chosen by measurement: see ``docs/EVALUATION.md``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from recommender.errors import ConfigError

VECTORIZERS: tuple[str, ...] = ("tfidf", "count")
FIELDS: tuple[str, ...] = (
    "overview",
    "tagline",
    "genres",
    "keywords",
    "cast",
    "directors",
    "companies",
    "era",
    "language",
    "rating",
)
SIMILARITIES: tuple[str, ...] = ("field_mean", "cosine")
ERA_SCALES: tuple[str, ...] = ("log", "years")


# The maps a build can draw: projection methods and dimensions.
MAP_METHODS: tuple[str, ...] = ("tsne", "umap", "pca")
MAP_DIMENSIONS: tuple[int, ...] = (2, 3)


@dataclass(frozen=True)
class FieldWeights:
    """How much each field counts in the similarity of two movies.

    With ``similarity="field_mean"`` (the default) the similarity is the weighted mean
    of the per-field cosines with these weights; with ``"cosine"`` every term of a
    field is multiplied by its weight before the whole row is L2-normalised. ``era``
    (release years), ``language`` (original language) and ``rating`` (audience
    rating) are the signals beyond words (:class:`FeatureSettings`); 0 leaves a
    field out. Chosen against MovieLens co-ratings: see ``docs/EVALUATION.md``.
    """

    overview: float = 0.35
    tagline: float = 0.3
    genres: float = 1.5
    keywords: float = 1.6
    cast: float = 0.7
    directors: float = 0.8
    companies: float = 0.9
    era: float = 1.5
    language: float = 0.9
    rating: float = 1.0

    def validate(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0 or value != value:
                raise ConfigError(f"weights.{name} must be a number >= 0, got {value!r}")
        if all(getattr(self, name) == 0 for name in FIELDS):
            raise ConfigError("at least one field weight must be > 0, all are 0")


@dataclass(frozen=True)
class VectorizerSettings:
    """Settings shared by the Count and TF-IDF vectorizers (sklearn semantics)."""

    max_features: int | None = 30000  # a memory bound for large catalogs; TMDB 5000 has ~16k terms at min_df=2
    min_df: int = 2  # a term in one film only cannot link two films; it would only dilute the norm
    ngram_range: tuple[int, int] = (1, 1)
    sublinear_tf: bool = True  # TF-IDF only

    def validate(self, name: str) -> None:
        if self.max_features is not None and (
            not isinstance(self.max_features, int) or self.max_features < 1
        ):
            raise ConfigError(f"{name}.max_features must be a positive int or null, got {self.max_features!r}")
        if not isinstance(self.min_df, int) or self.min_df < 1:
            raise ConfigError(f"{name}.min_df must be an int >= 1, got {self.min_df!r}")
        low, high = self.ngram_range
        if not (1 <= low <= high <= 3):
            raise ConfigError(f"{name}.ngram_range must satisfy 1 <= low <= high <= 3, got {self.ngram_range!r}")


@dataclass(frozen=True)
class FeatureSettings:
    """How movies become terms beyond the plain words (:mod:`recommender.features`).

    Era (``era_scale="log"``, the default): a movie's age is counted from the year after
    the catalog's latest release (``a = latest + 1 - y``, at least 1) and it gets the
    terms of the ``era_log_step`` steps of ``ln(a)`` within ``era_log_span`` either side,
    a triangular kernel on the gap in log age: a decade apart is close for two films of
    the 1950s and far for two of the 2010s (0.6 is a factor of 1.8 in age). With
    ``era_scale="years"`` a movie released in year y gets the terms y - era_span ..
    y + era_span instead, so two movies share ``2 * era_span + 1 - |gap|`` of them (a
    triangular kernel on the gap in years). Audience rating: likewise over steps of ``rating_step`` of the
    weighted rating, ``rating_span`` either side. Stop words are decided from the
    catalog itself: overview and tagline words written with a capital letter inside
    sentences at least ``name_share`` of the time (character names: "Andy"; 1 keeps
    them), words in more than ``max_word_share`` of the overviews (generic story
    words: "life", "young"), and keywords on more than ``max_keyword_share`` of the
    movies (TMDB housekeeping such as "duringcreditsstinger", "woman director").
    """

    era_scale: str = "log"
    era_span: int = 10
    era_log_span: float = 0.6
    era_log_step: float = 0.1
    rating_span: float = 1.5
    rating_step: float = 0.25
    name_share: float = 0.9
    max_word_share: float = 0.05
    max_keyword_share: float = 0.03

    def validate(self) -> None:
        if not isinstance(self.era_span, int) or self.era_span < 0:
            raise ConfigError(f"features.era_span must be an int >= 0, got {self.era_span!r}")
        if self.era_scale not in ERA_SCALES:
            raise ConfigError(f"features.era_scale must be one of {', '.join(ERA_SCALES)}, got {self.era_scale!r}")
        if not self.era_log_step > 0 or not self.era_log_span >= 0:
            raise ConfigError(
                f"features.era_log_step must be > 0 and era_log_span >= 0, got {self.era_log_step!r} and {self.era_log_span!r}"
            )
        if not self.rating_step > 0 or not self.rating_span >= 0:
            raise ConfigError(
                f"features.rating_step must be > 0 and rating_span >= 0, got {self.rating_step!r} and {self.rating_span!r}"
            )
        for name in ("name_share", "max_word_share", "max_keyword_share"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ConfigError(f"features.{name} must be in (0, 1], got {value!r}")


@dataclass(frozen=True)
class AudienceSettings:
    """Audience signals added to the similarity when ranking (never part of it).

    Both are standardised over the catalog (z-scores), so a weight means the same in
    any catalog. ``rating_agreement`` weighs ``z(q) * z(c)`` of the vote averages of the
    query q and a candidate c: two acclaimed films gain, two panned films gain, an
    acclaimed and a panned one lose. ``popularity`` weighs ``p(c)``, the standardised
    ``log(1 + votes)`` of the candidate: with equal similarity, the film more people saw
    first. ``popularity_agreement`` weighs ``p(q) * p(c)``: widely seen films with widely
    seen ones, little-seen with little-seen (unlike ``popularity``, it does not push the
    same hits into every list: catalog coverage stays). ``reception`` weighs "similarly
    received": ``max(0, 1 - |z(q) - z(c)| / reception_span)`` of the same standardised
    vote averages, 1 for the same reception, falling to 0 at ``reception_span`` standard
    deviations apart (unlike ``rating_agreement`` it also pairs two average films).
    The stored neighbours are ranked by the sum, so the page's default list costs no more.
    """

    rating_agreement: float = 0.1
    popularity: float = 0.02
    popularity_agreement: float = 0.03
    # Chosen on the tune half of the MovieLens evaluation (docs/EVALUATION.md): a plateau
    # of gains for both vectorizers from span 1.25 to 3 at weights 0.04 to 0.2.
    reception: float = 0.12
    reception_span: float = 1.75
    # A vote average of fewer votes says nothing (10.0 from one vote): such films count
    # as average in the agreement.
    min_votes: int = 10

    def validate(self) -> None:
        if not isinstance(self.min_votes, int) or self.min_votes < 1:
            raise ConfigError(f"audience.min_votes must be an int >= 1, got {self.min_votes!r}")
        for name in ("rating_agreement", "popularity", "popularity_agreement", "reception"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
                raise ConfigError(f"audience.{name} must be a number in [0, 10], got {value!r}")
        span = self.reception_span
        if isinstance(span, bool) or not isinstance(span, (int, float)) or not 0 < span <= 10:
            raise ConfigError(
                f"audience.reception_span must be a number of standard deviations in (0, 10], got {span!r}"
            )


@dataclass(frozen=True)
class ProjectionSettings:
    """Settings of the 2-D/3-D maps of the embedding explorer."""

    svd_components: int = 50
    tsne_perplexity: float = 30.0
    umap_n_neighbors: int = 15
    umap_min_dist: float = 0.1
    faithfulness_k: int = 10
    # Above this many films the maps share one kNN graph and t-SNE runs on openTSNE (FFT),
    # in these dimensions only: 3-D t-SNE has no FFT method and Barnes-Hut took 2.1 s of
    # CPU per iteration at 100,000 films (~17 min per map); UMAP and PCA still draw 3-D.
    large_map_films: int = 20_000
    large_tsne_dimensions: tuple[int, ...] = (2,)
    # Above this many films the maps' shared kNN graph is approximate (NN-descent,
    # pynndescent) instead of exact (BLAS blocks, O(N^2), the only one run on Dask);
    # its recall@graph_recall_k against the exact graph, on graph_recall_sample films,
    # goes in the manifest. Measured on 100,000 films: BENCHMARKS.md section 5.3.
    exact_graph_max_films: int = 20_000
    graph_recall_k: int = 15
    graph_recall_sample: int = 1000
    # Above large_map_films, each vectorizer's SVD, maps and clusters run in a process of
    # their own, up to this many at once (1: one after the other, in the build process).
    # Not with Dask. The maps are the same either way (every step is seeded, one thread).
    map_processes: int = 2
    methods: tuple[str, ...] = ("tsne", "umap", "pca")
    dimensions: tuple[int, ...] = (2, 3)

    def validate(self) -> None:
        if self.svd_components < 2:
            raise ConfigError(f"projection.svd_components must be >= 2, got {self.svd_components}")
        if self.tsne_perplexity <= 0:
            raise ConfigError(f"projection.tsne_perplexity must be > 0, got {self.tsne_perplexity}")
        if self.umap_n_neighbors < 2:
            raise ConfigError(f"projection.umap_n_neighbors must be >= 2, got {self.umap_n_neighbors}")
        if not 0 <= self.umap_min_dist <= 1:
            raise ConfigError(f"projection.umap_min_dist must be in [0, 1], got {self.umap_min_dist}")
        unknown = set(self.methods) - {"tsne", "umap", "pca"}
        if unknown:
            raise ConfigError(f"projection.methods has unknown {sorted(unknown)}; accepted: tsne, umap, pca")
        if set(self.large_tsne_dimensions) - {2, 3}:
            raise ConfigError(f"projection.large_tsne_dimensions must be 2 and/or 3, got {self.large_tsne_dimensions!r}")
        if set(self.dimensions) - {2, 3}:
            raise ConfigError(f"projection.dimensions must be 2 and/or 3, got {self.dimensions!r}")
        for name in ("large_map_films", "exact_graph_max_films", "graph_recall_k", "graph_recall_sample", "map_processes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"projection.{name} must be an int >= 1, got {value!r}")


@dataclass(frozen=True)
class ClusterSettings:
    """K-means on the SVD vectors at two levels of detail."""

    broad: int = 8
    fine: int = 40
    label_terms: int = 5

    def validate(self) -> None:
        if not 2 <= self.broad <= self.fine:
            raise ConfigError(f"clusters need 2 <= broad <= fine, got broad={self.broad}, fine={self.fine}")


@dataclass(frozen=True)
class SearchSettings:
    """How the build finds each film's neighbours (see :mod:`recommender.neighbours`).

    Up to ``exact_max_films`` films the exact all-pairs search runs (its time grows as
    N^2; 20,000 films take about 10 s); above it the pruned search, whose recall@
    ``recall_k`` against the exact search is measured on ``recall_sample`` films and
    stored in the manifest. The pruned search clusters the films on their frequent
    terms (k-means, clusters of about ``cluster_size`` films) and scores each film
    exactly against every film of the ``probes`` clusters whose centres are nearest to
    it (largest product with its own frequent terms), and against the ``reached`` most
    promising films that its other terms reach through postings truncated to about
    ``work_per_row`` multiply-adds per film (ranked by partial score plus the product
    with their cluster's centre). ``candidates`` (>= ``neighbours_k``) is used only when
    no term is frequent: the best candidates of the postings are rescored exactly.
    Up to ``parallel_max_films`` films the vectorizers' searches run in parallel threads
    (their one-threaded steps, k-means and the postings, overlap); above it one after
    the other, each one's blocks in threads, so that one vectorizer's search
    structures exist at a time (about 1 GB each at 1,000,000 films); the results are
    the same. Measured on 100,000 synthetic films: BENCHMARKS.md section 5.0.
    """

    exact_max_films: int = 20_000
    work_per_row: int = 3_000
    candidates: int = 300
    probes: int = 32
    cluster_size: int = 256
    reached: int = 30
    recall_k: int = 10
    recall_sample: int = 1000
    parallel_max_films: int = 200_000

    def validate(self) -> None:
        for name in ("exact_max_films", "work_per_row", "candidates", "probes", "cluster_size", "reached", "recall_k",
                     "recall_sample", "parallel_max_films"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"search.{name} must be an int >= 1, got {value!r}")


@dataclass(frozen=True)
class RankingSettings:
    """Defaults of the recommender page and of ``python -m recommender neighbours``."""

    k: int = 10
    rating_weight: float = 0.0
    mmr: bool = False
    mmr_lambda: float = 0.7
    candidate_pool: int = 100
    # Below this best similarity a list is flagged as weak: on held-out MovieLens
    # co-ratings such lists agree with viewers no better than popularity (docs/EVALUATION.md).
    weak_similarity: float = 0.30
    # The page's first film (a title, display title or id), chosen because its list
    # shows what the recommender does; the most voted film when the catalog lacks it.
    default_movie: str = "Toy Story"

    def validate(self) -> None:
        if self.k < 1:
            raise ConfigError(f"ranking.k must be >= 1, got {self.k}")
        if not 0 <= self.weak_similarity <= 1:
            raise ConfigError(f"ranking.weak_similarity must be in [0, 1], got {self.weak_similarity}")
        if not 0 <= self.rating_weight <= 1:
            raise ConfigError(f"ranking.rating_weight must be in [0, 1], got {self.rating_weight}")
        if not 0 <= self.mmr_lambda <= 1:
            raise ConfigError(f"ranking.mmr_lambda must be in [0, 1], got {self.mmr_lambda}")


@dataclass(frozen=True)
class InputLimits:
    """Bounds on what one input file may hold, so that no file can exhaust memory.

    ``max_bytes`` bounds the content after decompression; ``max_rows`` bounds the
    lines and ``max_cells`` the cells (commas plus lines, an upper bound), because
    parsing costs memory per cell as well as per byte. The defaults keep the reading
    of any file under about 1 GB; raise them (settings ``max_input_mb`` and
    ``max_movies``) for larger catalogs on a larger machine.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 300_000

    @property
    def max_cells(self) -> int:
        return 25 * self.max_rows


@dataclass(frozen=True)
class RecommenderConfig:
    """All settings: features, vectorizers, neighbours, popularity, maps, clusters, seeds."""

    weights: FieldWeights = field(default_factory=FieldWeights)
    features: FeatureSettings = field(default_factory=FeatureSettings)
    similarity: str = "field_mean"
    audience: AudienceSettings = field(default_factory=AudienceSettings)
    tfidf: VectorizerSettings = field(default_factory=VectorizerSettings)
    count: VectorizerSettings = field(default_factory=lambda: VectorizerSettings(sublinear_tf=False))
    top_cast: int = 5
    neighbours_k: int = 100
    # Rows of the similarity product computed at once; capped further so that the
    # dense blocks never exceed ``max_block_cells`` float32 cells (bounded memory).
    # Both are totals: the build's parallel neighbour searches share them.
    chunk_rows: int = 128
    max_block_cells: int = 20_000_000
    search: SearchSettings = field(default_factory=SearchSettings)
    rating_quantile: float = 0.90
    ranking: RankingSettings = field(default_factory=RankingSettings)
    projection: ProjectionSettings = field(default_factory=ProjectionSettings)
    clusters: ClusterSettings = field(default_factory=ClusterSettings)
    seed: int = 42
    # Bounds on one input file (after decompression), so that no file, however
    # crafted, costs more than about 1 GB to read: see catalog.InputLimits.
    max_input_mb: int = 200
    max_movies: int = 300_000

    def validate(self) -> "RecommenderConfig":
        """Raise :class:`ConfigError` naming the first bad setting; return self."""
        self.weights.validate()
        self.features.validate()
        self.audience.validate()
        if self.similarity not in SIMILARITIES:
            raise ConfigError(f"similarity must be one of {', '.join(SIMILARITIES)}, got {self.similarity!r}")
        self.tfidf.validate("tfidf")
        self.count.validate("count")
        if self.top_cast < 1:
            raise ConfigError(f"top_cast must be >= 1, got {self.top_cast}")
        if self.neighbours_k < 1:
            raise ConfigError(f"neighbours_k must be >= 1, got {self.neighbours_k}")
        if self.chunk_rows < 1 or self.max_block_cells < 1:
            raise ConfigError("chunk_rows and max_block_cells must be >= 1")
        self.search.validate()
        if self.search.candidates < self.neighbours_k:
            raise ConfigError(
                f"search.candidates ({self.search.candidates}) must be >= neighbours_k ({self.neighbours_k})"
            )
        if not 0 < self.rating_quantile < 1:
            raise ConfigError(f"rating_quantile must be in (0, 1), got {self.rating_quantile}")
        if self.max_input_mb < 1 or self.max_movies < 1:
            raise ConfigError(f"max_input_mb and max_movies must be >= 1, got {self.max_input_mb}, {self.max_movies}")
        self.ranking.validate()
        self.projection.validate()
        self.clusters.validate()
        return self

    def vectorizer(self, name: str) -> VectorizerSettings:
        """Settings of vectorizer ``name`` ('tfidf' or 'count')."""
        if name not in VECTORIZERS:
            raise ConfigError(f"unknown vectorizer {name!r}; accepted: {', '.join(VECTORIZERS)}")
        return getattr(self, name)

    def input_limits(self) -> InputLimits:
        """The bounds every input file is read under (see :class:`InputLimits`)."""
        return InputLimits(max_bytes=self.max_input_mb * 1024 * 1024, max_rows=self.max_movies)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RecommenderConfig":
        """Rebuild from :meth:`to_dict` output; unknown keys raise :class:`ConfigError`."""
        return _build(cls, data, "config").validate()


MAX_INT_SETTING = 2**31 - 1


def _typed(value: Any, default: Any, annotation: str, where: str) -> Any:
    """``value`` checked against the type of the setting's default (bool, int, float,
    str, tuple of those, or null where the setting allows it); raise
    :class:`ConfigError` naming the setting otherwise."""
    def bad(expected: str) -> ConfigError:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:60] + "..."
        return ConfigError(f"{where} must be {expected}, got {shown} ({type(value).__name__})")

    if value is None:
        if "None" in annotation:
            return None
        raise bad(f"a {type(default).__name__}, not null")
    if isinstance(default, bool) or (default is None and "bool" in annotation):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int) or (default is None and "int" in annotation):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        if abs(value) > MAX_INT_SETTING:
            raise bad(f"an integer of at most {MAX_INT_SETTING:,}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        if not math.isfinite(value) or abs(value) > 1e12:
            raise bad("a finite number")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)) or len(value) > 16:
            raise bad("a list")
        element = default[0] if default else ""
        return tuple(_typed(v, element, "", f"{where}[{i}]") for i, v in enumerate(value))
    return value


def _build(kind: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping, got {type(data).__name__}")
    fields_by_name = {f.name: f for f in dataclasses.fields(kind)}
    unknown = set(data) - set(fields_by_name)
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {sorted(unknown)} in {where}; accepted: {sorted(fields_by_name)}"
        )
    values: dict[str, Any] = {}
    defaults = kind()
    for name, value in data.items():
        default = getattr(defaults, name)
        if dataclasses.is_dataclass(default):
            values[name] = _build(type(default), value, f"{where}.{name}")
        else:
            values[name] = _typed(value, default, str(fields_by_name[name].type), f"{where}.{name}")
    return kind(**values)
