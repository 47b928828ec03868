"""The one place that loads artifacts, with Streamlit caching.

``st.cache_resource`` holds the loaded model and analysis (shared, read-only, loaded
once per process and per build); ``st.cache_data`` holds small derived frames. The
cache key includes the manifest's build time, so a rebuild is picked up without a
restart. Problems become ``st.error`` plus an offer to build in the visitor's own
space, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import state
from dashboard.labels import option_label
from dashboard.text import md, without_folders
from recommender.artifacts import changed_inputs, default_artifacts_dir, read_manifest
from recommender.errors import ArtifactError, ConfigError
from recommender.loading import Analysis, load_analysis, manifest_stamp, shared_model
from recommender.model import RecommenderModel
from recommender.popularity import top_chart
from recommender.search import MovieIndex

if TYPE_CHECKING:
    import pandas as pd


def artifacts_dir() -> Path:
    """The artifacts folder of this session (the default unless the data page changed it)."""
    return Path(st.session_state.get("artifacts_dir") or default_artifacts_dir())


def _stamp(folder: Path) -> str:
    return manifest_stamp(read_manifest(folder))


@st.cache_resource(show_spinner="Loading the recommender…", max_entries=4)
def _load_model(folder: str, stamp: str) -> RecommenderModel:
    # The server's start-up hook may have loaded this build already (dashboard/server.py);
    # the JSON API shares the same object.
    return shared_model(folder)


@st.cache_resource(show_spinner="Loading maps and clusters…", max_entries=4)
def _load_analysis(folder: str, stamp: str) -> Analysis:
    return load_analysis(folder)


@st.cache_data(show_spinner=False, max_entries=8)
def _changed_inputs(folder: str, stamp: str) -> list[str]:
    return changed_inputs(read_manifest(folder))


def get_model() -> RecommenderModel:
    """The loaded model, or an error with a build offer and ``st.stop()``."""
    folder = artifacts_dir()
    try:
        stamp = _stamp(folder)
        model = _load_model(str(folder), stamp)
    except ArtifactError as exc:
        st.error(f"The recommender's artifacts cannot be used: {md(without_folders(str(exc)))}")
        offer_build()
        st.stop()
    changed = _changed_inputs(str(folder), stamp)
    if changed:
        st.warning(
            "The catalog files changed since these artifacts were built "
            f"({md(without_folders(', '.join(changed)))}); results reflect the old files. Rebuild them with the CLI."
        )
    return model


def get_analysis() -> Analysis:
    """The precomputed maps/clusters/agreement, or an error and ``st.stop()``."""
    folder = artifacts_dir()
    try:
        return _load_analysis(str(folder), _stamp(folder))
    except ArtifactError as exc:
        st.error(f"The analysis artifacts cannot be used: {md(without_folders(str(exc)))}")
        st.stop()


def offer_build() -> None:
    """When the served build cannot be loaded: how to rebuild it (the CLI), and, where
    uploads are allowed, a button that builds the demo catalog in the visitor's own
    space, in the background (the served build is never written by the app)."""
    from dashboard import session
    from dashboard.jobs import BuildRefused

    st.info(
        "The served build is made with the command line: `python -m recommender build` "
        "(see the README). The app never writes over it."
    )
    # A build of this session already running shows its progress in the sidebar (and on
    # the data page), polled by dashboard.session.
    if not session.settings().enabled or session.jobs().job(session.session_id()) is not None:
        return
    if st.button("Build the demo catalog for me (about a minute)", type="primary", key="offer_build"):
        from recommender.build import CatalogSource  # build-time code: keep it off the serving path

        try:
            session.start_build("demo catalog", CatalogSource.demo(), skip_maps=False)
        except (BuildRefused, ConfigError, OSError) as exc:
            st.error(f"The demo catalog could not be built now: {md(without_folders(str(exc)))}")
            return
        st.rerun()


@st.cache_data(show_spinner=False, max_entries=64)
def cached_top_chart(_model: RecommenderModel, stamp: str, genres: tuple[str, ...], years: tuple[int, int] | None, n: int) -> pd.DataFrame:
    """The weighted-rating top chart, cached per filter (``stamp`` keys the build)."""
    return top_chart(_model.movies, _model.stats, genres=genres, years=years, n=n).to_frame()


def build_stamp(model: RecommenderModel) -> str:
    """A short key identifying the loaded build, for ``st.cache_data`` functions."""
    return manifest_stamp(model.manifest)


def search_index(model: RecommenderModel) -> MovieIndex:
    """The film search (titles, people, keywords) of the loaded build, made once per model
    and shared with the JSON API; the server's start-up hook makes the served build's."""
    from dashboard.api import search_index_of

    return search_index_of(model)


@st.cache_resource(show_spinner=False, max_entries=4)
def _option_labels(_model: RecommenderModel, stamp: str) -> dict[int, str]:
    return {
        int(movie_id): option_label(title) for movie_id, title in zip(_model.ids.tolist(), _model.display_titles)
    }


@st.cache_resource(show_spinner=False, max_entries=4)
def _recommender_settings(_model: RecommenderModel, stamp: str) -> tuple[state.Setting, ...]:
    return tuple(state.recommender_settings(_model))


def recommender_settings(model: RecommenderModel) -> list[state.Setting]:
    """The recommender page's URL settings (:func:`dashboard.state.recommender_settings`), once per build."""
    return list(_recommender_settings(model, build_stamp(model)))


def option_labels(model: RecommenderModel) -> dict[int, str]:
    """Movie id -> how the films' select boxes list it (:func:`dashboard.labels.option_label`), once per build."""
    return _option_labels(model, build_stamp(model))
