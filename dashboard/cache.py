"""The one place that loads artifacts, with Streamlit caching.

``st.cache_resource`` holds the loaded model and analysis (shared, read-only, loaded
once per process and per build); ``st.cache_data`` holds small derived frames. The
cache key includes the manifest's build time, so a rebuild is picked up without a
restart. Problems become ``st.error`` plus an offer to build, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from recommender.artifacts import changed_inputs, default_artifacts_dir, read_manifest
from recommender.errors import ArtifactError, RecommenderError
from recommender.loading import Analysis, load_analysis, manifest_stamp, shared_model
from recommender.model import RecommenderModel
from recommender.popularity import top_chart
from recommender.search import MovieIndex

if TYPE_CHECKING:
    import pandas as pd

    from recommender.build import CatalogSource


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
        st.error(f"The recommender's artifacts cannot be used: {exc}")
        offer_build(folder)
        st.stop()
    changed = _changed_inputs(str(folder), stamp)
    if changed:
        st.warning(
            "The catalog files changed since these artifacts were built "
            f"({', '.join(changed)}); results reflect the old files. Rebuild on the Data page."
        )
    return model


def get_analysis() -> Analysis:
    """The precomputed maps/clusters/agreement, or an error and ``st.stop()``."""
    folder = artifacts_dir()
    try:
        return _load_analysis(str(folder), _stamp(folder))
    except ArtifactError as exc:
        st.error(f"The analysis artifacts cannot be used: {exc}")
        st.stop()


def offer_build(folder: Path) -> None:
    """A button that builds the demo catalog into ``folder`` with a progress bar."""
    st.info("The app can build the demo catalog's artifacts now (about a minute).")
    if st.button("Build the demo catalog now", type="primary", key="offer_build"):
        from recommender.build import CatalogSource  # build-time code: keep it off the serving path

        run_build(CatalogSource.demo(), folder)


def run_build(source: CatalogSource, folder: Path, skip_maps: bool = False) -> bool:
    """Build with a progress bar; on success clear caches and rerun, else show the error."""
    # Imported here: building pulls in scikit-learn, NLTK and UMAP, which serving a
    # built model does not need (they would add ~1.5 s to the app's first page).
    from recommender.build import build

    bar = st.progress(0.0, text="Starting the build…")
    try:
        build(source, folder, skip_maps=skip_maps, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))
    except RecommenderError as exc:
        bar.empty()
        st.error(f"Build failed, nothing was changed: {exc}")
        return False
    st.cache_resource.clear()
    st.cache_data.clear()
    st.session_state["artifacts_dir"] = str(folder)
    st.rerun()
    return True  # pragma: no cover - st.rerun raises


@st.cache_data(show_spinner=False, max_entries=64)
def cached_top_chart(_model: RecommenderModel, stamp: str, genres: tuple[str, ...], years: tuple[int, int] | None, n: int) -> pd.DataFrame:
    """The weighted-rating top chart, cached per filter (``stamp`` keys the build)."""
    return top_chart(_model.movies, _model.stats, genres=genres, years=years, n=n).to_frame()


def build_stamp(model: RecommenderModel) -> str:
    """A short key identifying the loaded build, for ``st.cache_data`` functions."""
    return manifest_stamp(model.manifest)


@st.cache_resource(show_spinner=False, max_entries=4)
def _search_index(_model: RecommenderModel, stamp: str) -> MovieIndex:
    return MovieIndex(_model.movies)


def search_index(model: RecommenderModel) -> MovieIndex:
    """The film search (titles, people, keywords) of the loaded build, made once per build."""
    return _search_index(model, build_stamp(model))
