"""Recommendations ready to show: ranked results with the reason for each.

:func:`recommendations_with_reasons` runs :func:`recommender.ranking.recommend` and
adds, per recommended movie, a heading ("Alien (1979)") and a short "why" built
from the terms it shares with the query (:mod:`recommender.explain`).
:func:`results_csv` turns that table into a CSV download that is safe to open in a
spreadsheet. :func:`default_movie_id` and :func:`build_filters` hold the small
decisions the recommender page would otherwise make itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recommender.catalog import LIST_COLUMNS
from recommender.explain import explain_results, why_text
from recommender.model import RecommenderModel
from recommender.ranking import RESULT_COLUMNS, Filters, RankingOptions, recommend

REASON_COLUMNS: list[str] = RESULT_COLUMNS[:3] + ["heading"] + RESULT_COLUMNS[3:] + ["why"]
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def title_with_year(display_title: str, title: str, year: object) -> str:
    """The title followed by its year, e.g. "Alien (1979)".

    A display title that already differs from the title (it was disambiguated
    with the year or id) is used as it is; a movie without a year keeps its title.
    """
    if display_title != title:
        return display_title
    if year is None or pd.isna(year):
        return title
    return f"{title} ({int(year)})"


def recommendations_with_reasons(
    model: RecommenderModel, movie_id: int, options: RankingOptions, per_field: int = 3, max_fields: int = 3
) -> pd.DataFrame:
    """Recommendations for ``movie_id`` with a heading and a "why" per row.

    Columns: :data:`REASON_COLUMNS`: rank, id, display_title, heading, year,
    genres and directors (lists), similarity (cosine, 0..1), weighted_rating,
    score (after the rating blend) and why ("Director: ... · Genres: ..."; at most
    ``max_fields`` fields of ``per_field`` terms each). An empty table (same
    columns) when no movie passes the filters. Raises
    :class:`~recommender.errors.UnknownMovieError` for an unknown id and
    :class:`~recommender.errors.ConfigError` for bad options.
    """
    table = recommend(model, movie_id, options)
    rows = np.asarray([model.row_of(i) for i in table["id"]], dtype=np.int64)
    titles = model.catalog["title"].to_numpy()[rows] if len(rows) else []
    table.insert(
        3,
        "heading",
        [title_with_year(d, t, y) for d, t, y in zip(table["display_title"], titles, table["year"])],
    )
    vectors = model.space(options.vectorizer).vectors
    explanations = explain_results(vectors, model.row_of(movie_id), rows, per_field)
    table["why"] = [why_text(e, max_fields) for e in explanations]
    return table.loc[:, REASON_COLUMNS]


def movie_caption(model: RecommenderModel, movie_id: int) -> str:
    """One line about a movie: "1989 · Action, Crime · directed by Tim Burton · weighted
    rating 7.10" (unknown year, genres or director are said or left out)."""
    movie = model.catalog.iloc[model.row_of(movie_id)]
    parts = [str(int(movie["year"])) if not pd.isna(movie["year"]) else "year unknown"]
    parts.append(", ".join(movie["genres"]) or "no genres")
    if len(movie["directors"]):
        parts.append("directed by " + ", ".join(movie["directors"]))
    if "weighted_rating" in movie.index:
        parts.append(f"weighted rating {float(movie['weighted_rating']):.2f}")
    return " · ".join(parts)


def _defuse(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_PREFIXES):
        return "'" + cell
    return cell


def results_csv(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV bytes: list cells joined with "|" (the catalog format),
    and text cells that a spreadsheet would run as a formula prefixed with "'"."""
    out = table.copy()
    for column in out.columns:
        if column in LIST_COLUMNS:
            out[column] = out[column].map(lambda v: "|".join(str(x) for x in v) if v is not None else "")
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_defuse)
    return out.to_csv(index=False).encode("utf-8")


def default_movie_id(catalog: pd.DataFrame) -> int:
    """The catalog's most voted movie (the lowest id among ties): a well-known start."""
    ordered = catalog.sort_values(["vote_count", "id"], ascending=[False, True], kind="stable")
    return int(ordered["id"].iloc[0])


def build_filters(
    years: tuple[int, int] | None,
    full_years: tuple[int, int] | None,
    genres: Sequence[str] = (),
    min_votes: int = 0,
    languages: Sequence[str] = (),
) -> Filters:
    """:class:`~recommender.ranking.Filters` from the page's widgets.

    A year range that spans the whole catalog (``full_years``) is no filter, so
    that movies without a year stay recommendable until the user narrows it.
    """
    if years is not None and full_years is not None and years[0] <= full_years[0] and years[1] >= full_years[1]:
        years = None
    return Filters(
        years=(int(years[0]), int(years[1])) if years is not None else None,
        genres=tuple(genres),
        min_votes=max(int(min_votes), 0),
        languages=tuple(languages),
    )
