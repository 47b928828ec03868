"""Recommendations ready to show: ranked results with the reason for each.

:func:`reasoned_results` runs :func:`recommender.ranking.ranked_movies` and adds,
per recommended movie, a heading ("Alien (1979)") and a short "why" built from the
terms it shares with the query (:mod:`recommender.explain`).
:func:`results_csv` turns that table into a CSV download that is safe to open in a
spreadsheet. :func:`is_weak` says when a list is too weak to present with confidence.
:func:`default_movie_id`, :func:`year_bounds` and :func:`build_filters`
hold the small decisions the recommender page would otherwise make itself. All of it
works on plain columns, without pandas (the recommender page is the app's first
page and does not load it); ``.to_frame()`` gives a DataFrame where one is needed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from recommender.columns import ColumnTable
from recommender.explain import explain_results, why_text
from recommender.model import RecommenderModel
from recommender.ranking import RESULT_COLUMNS, Filters, RankingOptions, ranked_movies

if TYPE_CHECKING:
    import pandas as pd

REASON_COLUMNS: list[str] = RESULT_COLUMNS[:3] + ["heading"] + RESULT_COLUMNS[3:] + ["why"]
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def known_year(value: object) -> int | None:
    """A year as an int, or None when unknown (None, NaN or pandas' NA)."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def title_with_year(display_title: str, title: str, year: object) -> str:
    """The title followed by its year, e.g. "Alien (1979)".

    A display title that already differs from the title (it was disambiguated
    with the year or id) is used as it is; a movie without a year keeps its title.
    """
    if display_title != title:
        return display_title
    known = known_year(year)
    return title if known is None else f"{title} ({known})"


def reasoned_results(
    model: RecommenderModel, movie_id: int, options: RankingOptions, per_field: int = 3, max_fields: int = 3
) -> ColumnTable:
    """Recommendations for ``movie_id`` with a heading and a "why" per row.

    Columns: :data:`REASON_COLUMNS`: rank, id, display_title, heading, year,
    genres and directors (lists), similarity (cosine, 0..1), weighted_rating,
    score (after the rating blend) and why ("Director: ... · Genres: ..."; at most
    ``max_fields`` fields of ``per_field`` terms each). An empty table (same
    columns) when no movie passes the filters. Raises
    :class:`~recommender.errors.UnknownMovieError` for an unknown id and
    :class:`~recommender.errors.ConfigError` for bad options.
    """
    table = ranked_movies(model, movie_id, options)
    rows = np.asarray([model.row_of(i) for i in table["id"]], dtype=np.int64)
    titles = [model.movies["title"][row] for row in rows]
    headings = [title_with_year(d, t, y) for d, t, y in zip(table["display_title"], titles, table["year"])]
    vectors = model.space(options.vectorizer).vectors
    query_row = model.row_of(movie_id)
    explanations = explain_results(vectors, query_row, rows, per_field)
    whys = []
    for row, explanation in zip(rows, explanations):
        why = why_text(explanation, max_fields)
        audience = model.audience.reason(query_row, int(row))
        whys.append(f"{why} · Audience: {audience}" if audience else why)
    table = table.with_column("heading", "str", headings, position=3)
    return table.with_column("why", "str", whys).select(REASON_COLUMNS)


def is_weak(results: ColumnTable, weak_similarity: float) -> bool:
    """True when the list is weak: empty, or its best similarity below ``weak_similarity``
    (``ranking.weak_similarity``; below it, lists agreed with real viewers no better
    than popularity: docs/EVALUATION.md)."""
    similarities = results["similarity"]
    return len(similarities) == 0 or max(similarities) < weak_similarity


def _csv_cell(kind: str, value: object, digits: int = 4) -> object:
    if kind == "float" and isinstance(value, float) and value == value:
        return round(value, digits)  # 0.1, not the float32's 0.10000000149011612
    if kind == "list":
        value = "|".join(str(x) for x in value)  # type: ignore[attr-defined]
    if value is None or (kind == "float" and value != value):  # missing; NaN != NaN
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _comment_line(line: str) -> str:
    """A ``#`` settings line that no spreadsheet runs: the line is split into cells at
    its commas, so a film title such as ``x,=HYPERLINK(...)`` would start a cell with a
    formula; each such piece gets the "'" prefix (quotes at a cell's start included)."""
    pieces = line.split(",")
    return ",".join(
        [pieces[0]] + ["'" + p if p.lstrip('" ').startswith(_FORMULA_PREFIXES) else p for p in pieces[1:]]
    )


def results_csv(table: ColumnTable | pd.DataFrame, settings: Mapping[str, object] | None = None, digits: int = 4) -> bytes:
    """The table as UTF-8 CSV bytes: list cells joined with "|" (the catalog format),
    numbers rounded to ``digits`` decimals, missing values empty, and text cells that
    a spreadsheet would run as a formula prefixed with "'".

    ``settings`` (name -> value) are recorded first, one ``# name: value`` line each,
    so a file says how its list was made (``pandas.read_csv(..., comment="#")`` skips
    them)."""
    if not isinstance(table, ColumnTable):
        table = ColumnTable.from_frame(table)
    out = io.StringIO()
    for name, value in (settings or {}).items():
        text = " ".join(str(value).split())  # one line each, whatever the value holds
        out.write(_comment_line(f"# {name}: {text}") + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    kinds = [table.kinds[name] for name in table.columns]
    for record in table.records():
        writer.writerow([_csv_cell(kind, value, digits) for kind, value in zip(kinds, record.values())])
    return out.getvalue().encode("utf-8")


def export_name(kind: str, title: str, movie_id: int, extension: str = "csv") -> str:
    """A file name naming the film: ``recommendations-the-dark-knight-155.csv``."""
    from recommender.search import fold

    slug = "-".join(fold(title).split())[:60].strip("-") or "film"
    return f"{kind}-{slug}-{int(movie_id)}.{extension}"


def default_movie_id(movies: ColumnTable, preferred: str = "") -> int:
    """The page's first film: ``preferred`` (``ranking.default_movie``: a display title,
    a title held by one film, or an id) when the catalog has it, else the most voted
    movie (the lowest id among ties): a well-known start."""
    wanted = preferred.strip().casefold()
    if wanted:
        ids = movies.array("id")
        for column in ("display_title", "title"):
            rows = [r for r, value in enumerate(movies[column]) if str(value).casefold() == wanted]
            if len(rows) == 1:
                return int(ids[rows[0]])
        if wanted.isdigit() and int(wanted) in set(ids.tolist()):
            return int(wanted)
    order = np.lexsort((movies.array("id"), -movies.array("vote_count")))
    return int(movies.array("id")[order[0]])


def year_bounds(movies: ColumnTable) -> tuple[int, int] | None:
    """The first and last release year, or None when no movie has one."""
    years = movies.array("year")
    known = years[~np.isnan(years)]
    return (int(known.min()), int(known.max())) if len(known) else None


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
