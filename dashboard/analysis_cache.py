"""Cached derived data of the explorer and comparison pages.

The loaded model and analysis come from :mod:`dashboard.cache`; this module only
memoises what the pages derive from them and is costly to redo on every rerun: a
map recomputed with custom settings (seconds to a minute, so cached per build and
settings, behind a spinner), the explorer's figure (a box/lasso selection reruns the
page with the same view) and the catalog-wide score distribution. ``stamp`` (from
:func:`dashboard.cache.build_stamp`) keys the entries computed from the loaded build.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import figures, map_chart
from recommender import comparison, explorer, summary
from recommender.loading import Analysis
from recommender.model import RecommenderModel


@st.cache_data(show_spinner="Computing the custom map… (from seconds to a minute)", max_entries=16)
def custom_map(
    _model: RecommenderModel,
    stamp: str,
    vectorizer: str,
    method: str,
    dims: int,
    perplexity: float,
    n_neighbors: int,
    min_dist: float,
) -> explorer.MovieMap:
    """:func:`recommender.explorer.custom_map` with these settings, once per build and settings."""
    settings = dataclasses.replace(
        _model.config.projection,
        tsne_perplexity=float(perplexity),
        umap_n_neighbors=int(n_neighbors),
        umap_min_dist=float(min_dist),
    )
    return explorer.custom_map(_model, vectorizer, method, dims, settings, _model.config.seed)


@st.cache_data(show_spinner=False, max_entries=4)
def score_distribution(_model: RecommenderModel, stamp: str) -> pd.DataFrame:
    """:func:`recommender.comparison.score_distribution` at top-1 and top-k, per build."""
    k = min(_model.config.ranking.k, min(space.neighbours.shape[1] for space in _model.spaces.values()))
    return comparison.score_distribution(_model, positions=sorted({1, k}))


@dataclasses.dataclass(frozen=True)
class MapView:
    """Which map a frame or figure is of: the build, vectorizer, method, dims and, for a
    custom map, its settings (perplexity, n_neighbors, min_dist)."""

    stamp: str
    vectorizer: str
    method: str
    dims: int
    custom: tuple[float, int, float] | None = None


# The explorer's frames and figures are shared read-only objects (st.cache_resource):
# st.cache_data would pickle a figure of every film on each rerun. Keyed by parameters,
# not by hashing the frames. Few entries: a figure of 100,000 films holds about 0.1 GB.
@st.cache_resource(show_spinner=False, max_entries=8)
def map_frame(
    _model: RecommenderModel, _analysis: Analysis, _movie_map: explorer.MovieMap, view: MapView, color_by: str
) -> pd.DataFrame:
    """:func:`recommender.explorer.map_frame` of ``view`` coloured by ``color_by``; read-only."""
    return explorer.map_frame(_model.catalog, _analysis, view.vectorizer, _movie_map, color_by)


@st.cache_resource(show_spinner=False, max_entries=6)
def map_figure(
    _frame: pd.DataFrame,
    _segments: pd.DataFrame | None,
    _centroids: pd.DataFrame | None,
    view: MapView,
    color_by: str,
    focus_row: int | None,
    k: int | None,
    label_level: str,
    region: tuple[float, float, float, float] | None,
) -> map_chart.MapFigure:
    """:func:`dashboard.figures.map_figure` of ``view`` (the frame, lines and labels are
    those these parameters give) as the map component draws it, made once per view and
    shared. A user's zoom lasts while the dots stay where they are: the same build,
    vectorizer, map and region (another colouring or film keeps it)."""
    positions = f"{view.stamp}-{view.vectorizer}-{view.method}-{view.dims}-{view.custom}"
    figure = figures.map_figure(
        _frame, color_by, focus_row=focus_row, segments=_segments, centroids=_centroids, region=region,
        positions=positions,
    )
    return map_chart.MapFigure.of(figure, labels_shown=figures.cluster_labels_shown(figure))


@dataclasses.dataclass(frozen=True)
class OverviewCharts:
    """What the overview page shows of a build: its summary numbers and three charts."""

    facts: dict
    decades: go.Figure | None  # None when no film has a year
    languages: go.Figure
    genres: go.Figure


@st.cache_resource(show_spinner=False, max_entries=4)
def overview_charts(_model: RecommenderModel, stamp: str) -> OverviewCharts:
    """The overview's summary and charts, made once per build and shared (read-only): the
    three plotly express figures took about 0.13 s of every overview load."""
    catalog = _model.catalog
    decades = summary.decade_counts(catalog)
    return OverviewCharts(
        facts=summary.catalog_summary(catalog),
        decades=None if decades.empty else figures.decades_figure(decades),
        languages=figures.languages_figure(summary.language_counts(catalog, top=10)),
        genres=figures.genres_figure(summary.genre_counts(catalog)),
    )
