"""The loaded recommender: catalog, rating statistics and one vector space per vectorizer.

A :class:`RecommenderModel` is what ``build`` produces in memory and what
:func:`recommender.loading.load_model` gives back from disk. It maps movie ids
to catalog rows once (``row_of``) and resolves a user's query ("Batman (1989)", a
title, or an id) to one movie (``resolve``). The catalog is held as plain columns
(``movies``, a :class:`~recommender.columns.ColumnTable`), so that serving
recommendations never imports pandas; ``catalog`` is the same table as a DataFrame,
made on first use, for the analysis pages and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.audience import AudienceTerms, standardised
from recommender.columns import ColumnTable, frame_json_chunks
from recommender.config import VECTORIZERS, RecommenderConfig
from recommender.errors import ConfigError, UnknownMovieError
from recommender.popularity import RatingStats
from recommender.vectors import TermVectors

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class VectorSpace:
    """One vectorizer's vectors and stored top-k neighbours (row indices, best first,
    -1 padding). Similarity scores are not stored: they are exact dot products of the
    vectors, computed on demand (``scores_of``) or once for all rows (``scores``)."""

    vectors: TermVectors
    neighbours: np.ndarray
    _scores: np.ndarray | None = field(default=None, repr=False)
    search: dict[str, Any] | None = None  # how the build found the neighbours (manifest's neighbour_search)

    @property
    def name(self) -> str:
        return self.vectors.name

    def similarity(self, row: int, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity (float32) of movie ``row`` to each of ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float32)
        # Straight on the CSR arrays: scipy's row indexing and product cost ~0.3 ms of
        # overhead per query, ten times the arithmetic.
        matrix = self.vectors.matrix
        indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
        query = np.zeros(matrix.shape[1], dtype=np.float32)
        query[indices[indptr[row] : indptr[row + 1]]] = data[indptr[row] : indptr[row + 1]]
        starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
        offsets = np.cumsum(lengths) - lengths
        positions = np.arange(int(lengths.sum())) + np.repeat(starts - offsets, lengths)
        products = data[positions] * query[indices[positions]]
        owner = np.repeat(np.arange(len(rows)), lengths)
        return np.bincount(owner, weights=products, minlength=len(rows)).astype(np.float32)

    def scores_of(self, row: int) -> np.ndarray:
        """Scores of a movie's stored neighbours (0 where padded), float32 (k,)."""
        stored = self.neighbours[row]
        scores = np.zeros(len(stored), dtype=np.float32)
        valid = stored >= 0
        scores[valid] = self.similarity(row, stored[valid])
        return scores

    @property
    def scores(self) -> np.ndarray:
        """Scores of every stored neighbour, float32 (N, k); computed once, in blocks."""
        if self._scores is None:
            matrix, neighbours = self.vectors.matrix, self.neighbours
            scores = np.zeros(neighbours.shape, dtype=np.float32)
            transposed = matrix.T.tocsc()
            step = max(1, 20_000_000 // max(matrix.shape[0], 1))
            for start in range(0, matrix.shape[0], step):
                block = (matrix[start : start + step] @ transposed).toarray()
                index = neighbours[start : start + step]
                taken = np.take_along_axis(block, np.where(index >= 0, index, 0), axis=1)
                scores[start : start + step] = np.where(index >= 0, taken, 0.0)
            self._scores = scores
        return self._scores


class RecommenderModel:
    """Everything needed to serve recommendations; read-only once built.

    Made from the catalog as columns (``movies``, as loaded from artifacts) or as a
    DataFrame (``catalog``, as a build makes it); the other form is derived on first use.
    """

    def __init__(
        self,
        stats: RatingStats,
        spaces: dict[str, VectorSpace],
        config: RecommenderConfig,
        manifest: dict[str, Any] | None = None,
        *,
        movies: ColumnTable | None = None,
        catalog: pd.DataFrame | None = None,
    ) -> None:
        if (movies is None) == (catalog is None):
            raise TypeError("give the catalog either as movies (a ColumnTable) or as catalog (a DataFrame)")
        self.stats, self.spaces, self.config = stats, spaces, config
        self.manifest = manifest if manifest is not None else {}
        self._movies, self._catalog = movies, catalog

        def column(name: str) -> list[Any]:
            return movies[name] if movies is not None else catalog[name].tolist()

        ids = np.asarray(column("id"), dtype=np.int64)
        self._row_of_id = {int(movie_id): row for row, movie_id in enumerate(ids)}
        titles = column("display_title")
        self._row_of_display = {t.casefold(): row for row, t in enumerate(titles)}
        self._rows_of_title: dict[str, list[int]] = {}
        for row, title in enumerate(column("title")):
            self._rows_of_title.setdefault(title.casefold(), []).append(row)
        self.ids = ids
        self.display_titles = np.asarray(titles, dtype=object)
        has_weighted = "weighted_rating" in (movies if movies is not None else catalog)
        weighted = np.asarray(column("weighted_rating"), dtype=np.float64) if has_weighted else np.zeros(len(ids))
        self.rating_z = standardised(weighted)
        votes = {name: np.asarray(column(name), dtype=np.float64) if name in (movies if movies is not None else catalog) else np.full(len(ids), np.nan) for name in ("vote_average", "vote_count")}
        self.audience = AudienceTerms.from_votes(votes["vote_average"], votes["vote_count"], config.audience)

    @property
    def movies(self) -> ColumnTable:
        """The catalog as plain columns (what serving reads; no pandas)."""
        if self._movies is None:
            self._movies = ColumnTable.from_frame(self._catalog)
        return self._movies

    def movies_json_chunks(self) -> Iterator[str]:
        """The text of ``movies.to_json()`` in pieces; from a build's DataFrame one
        column at a time, without making (and keeping) ``movies``."""
        if self._movies is not None:
            return self._movies.json_chunks()
        return frame_json_chunks(self._catalog)

    @property
    def catalog(self) -> pd.DataFrame:
        """The catalog as a DataFrame (made from ``movies`` on first use; imports pandas)."""
        if self._catalog is None:
            self._catalog = self.movies.to_frame()
        return self._catalog

    @property
    def n_movies(self) -> int:
        return len(self.ids)

    def space(self, vectorizer: str) -> VectorSpace:
        """The vector space of ``vectorizer``; :class:`ConfigError` if not built."""
        if vectorizer not in self.spaces:
            raise ConfigError(
                f"unknown vectorizer {vectorizer!r}; accepted: {', '.join(v for v in VECTORIZERS if v in self.spaces)}"
            )
        return self.spaces[vectorizer]

    def row_of(self, movie_id: int) -> int:
        """Catalog row of a movie id; :class:`UnknownMovieError` if absent."""
        try:
            return self._row_of_id[int(movie_id)]
        except (KeyError, TypeError, ValueError):
            raise UnknownMovieError(f"no movie with id {movie_id!r} in the catalog") from None

    def has_id(self, movie_id: int) -> bool:
        return int(movie_id) in self._row_of_id

    def resolve(self, query: str | int) -> int:
        """Movie id for an id, a display title ("Batman (1989)") or a unique title.

        Raises :class:`UnknownMovieError` for no match, or for a title shared by
        several movies (the message lists their display titles to choose from).
        """
        text = str(query).strip()
        if text.lstrip("-").isdigit() and int(text) in self._row_of_id:
            return int(text)
        key = text.casefold()
        if key in self._row_of_display:
            return int(self.ids[self._row_of_display[key]])
        rows = self._rows_of_title.get(key, [])
        if len(rows) == 1:
            return int(self.ids[rows[0]])
        if len(rows) > 1:
            options = ", ".join(repr(self.display_titles[r]) for r in rows)
            raise UnknownMovieError(f"{text!r} matches {len(rows)} movies; use one of {options} or an id")
        close = [t for t in self.display_titles if key in t.casefold()][:5]
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownMovieError(f"no movie titled {text!r} and no such id in the catalog{hint}")
