"""Catalog and build summaries for the overview and data pages.

Counts a catalog's films, years, genres and languages (:func:`catalog_summary`,
:func:`decade_counts`, :func:`genre_counts`, :func:`language_counts`) and turns the catalog and a build manifest into plain display tables
(:func:`catalog_table`, :func:`manifest_packages`, :func:`manifest_timings`). Every
function takes the normalised catalog of :mod:`recommender.catalog` (list fields as
Python lists, ``year`` nullable) and returns plain values or small DataFrames.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recommender.columns import LIST_COLUMNS
from recommender.languages import language_name

CATALOG_TABLE_COLUMNS = [
    "id", "display_title", "year", "genres", "directors", "cast", "original_language",
    "vote_average", "vote_count", "weighted_rating",
]


def _known_years(catalog: pd.DataFrame) -> pd.Series:
    return catalog["year"].dropna().astype("int64")


def catalog_summary(catalog: pd.DataFrame) -> dict[str, Any]:
    """Headline numbers of a catalog.

    Keys: ``films``; ``first_year`` and ``last_year`` (None if no film has a year);
    ``undated`` (films without a year); ``genres``, ``languages`` and ``directors``
    (distinct non-empty values); ``rated`` (films with at least one vote).
    """
    years = _known_years(catalog)
    languages = catalog["original_language"].astype(str).str.strip()
    return {
        "films": int(len(catalog)),
        "first_year": int(years.min()) if len(years) else None,
        "last_year": int(years.max()) if len(years) else None,
        "undated": int(len(catalog) - len(years)),
        "genres": int(catalog["genres"].explode().dropna().nunique()),
        "languages": int(languages[languages != ""].nunique()),
        "directors": int(catalog["directors"].explode().dropna().nunique()),
        "rated": int((catalog["vote_count"] > 0).sum()),
    }


def decade_counts(catalog: pd.DataFrame) -> pd.DataFrame:
    """Films per decade, every decade from the first to the last (zeros included).

    Columns: ``decade`` (int, e.g. 1990), ``label`` ("1990s"), ``films``. Films
    without a year are left out; an empty frame if none has one.
    """
    decades = (_known_years(catalog) // 10 * 10).value_counts()
    if decades.empty:
        return pd.DataFrame(
            {"decade": pd.Series(dtype="int64"), "label": pd.Series(dtype=str), "films": pd.Series(dtype="int64")}
        )
    every = np.arange(int(decades.index.min()), int(decades.index.max()) + 10, 10)
    films = decades.reindex(every, fill_value=0).to_numpy(dtype="int64")
    return pd.DataFrame({"decade": every.astype("int64"), "label": [f"{d}s" for d in every], "films": films})


def genre_counts(catalog: pd.DataFrame) -> pd.DataFrame:
    """Films per genre (a film counts once for each of its genres), most first.

    Columns: ``genre``, ``films``; ties are ordered by genre name.
    """
    genres = catalog["genres"].explode().dropna()
    counts = genres.value_counts().rename_axis("genre").reset_index(name="films")
    return counts.sort_values(["films", "genre"], ascending=[False, True], kind="stable").reset_index(drop=True)


def language_counts(catalog: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The ``top`` original languages by number of films, most first.

    Columns: ``language`` (code), ``name`` (readable), ``films``, ``share`` (of all
    films, 0..1). Films without a language are left out; ties ordered by code.
    """
    codes = catalog["original_language"].astype(str).str.strip()
    counts = codes[codes != ""].value_counts().rename_axis("language").reset_index(name="films")
    counts = counts.sort_values(["films", "language"], ascending=[False, True], kind="stable").head(top)
    counts.insert(1, "name", [language_name(c) for c in counts["language"]])
    counts["share"] = counts["films"] / max(len(catalog), 1)
    return counts.reset_index(drop=True)


def _joined(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, (list, tuple, np.ndarray)) else ""


def catalog_table(catalog: pd.DataFrame, query: str = "") -> pd.DataFrame:
    """The catalog as a display table, optionally only the titles containing ``query``.

    The match is a case-insensitive substring of the title or display title (no
    regular expressions). List fields become ", "-joined text. Columns:
    :data:`CATALOG_TABLE_COLUMNS` (``weighted_rating`` only when the catalog has it).
    """
    text = query.strip().casefold()
    if text:
        mask = catalog["title"].str.casefold().str.contains(text, regex=False) | catalog[
            "display_title"
        ].str.casefold().str.contains(text, regex=False)
        catalog = catalog.loc[mask.to_numpy(dtype=bool)]
    columns = [c for c in CATALOG_TABLE_COLUMNS if c in catalog.columns]
    table = catalog.loc[:, columns].copy()
    for column in LIST_COLUMNS:
        if column in table.columns:
            table[column] = table[column].map(_joined)
    return table.reset_index(drop=True)


def manifest_packages(manifest: dict[str, Any]) -> pd.DataFrame:
    """The package versions recorded by a build: columns ``package``, ``version``."""
    packages = manifest.get("packages") or {}
    return pd.DataFrame({"package": list(packages), "version": [str(v) for v in packages.values()]})


def manifest_timings(manifest: dict[str, Any]) -> pd.DataFrame:
    """Seconds spent in each build step, in build order: columns ``step``, ``seconds``."""
    timings = manifest.get("timings_s") or {}
    return pd.DataFrame({"step": list(timings), "seconds": [float(v) for v in timings.values()]})
