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

from dashboard import figures
from recommender import comparison, explorer
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


@st.cache_data(show_spinner=False, max_entries=16)
def map_figure(
    frame: pd.DataFrame,
    color_by: str,
    focus_row: int | None,
    segments: pd.DataFrame | None,
    centroids: pd.DataFrame | None,
) -> go.Figure:
    """:func:`dashboard.figures.map_figure`, reused across reruns of the same view
    (a box/lasso selection reruns the page; building 5,000 markers takes a second)."""
    return figures.map_figure(frame, color_by, focus_row=focus_row, segments=segments, centroids=centroids)
