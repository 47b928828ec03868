"""The visitor's own space: the builds a session started, and which build it shows.

Every session sees the served build (``$MOVIE_ARTIFACTS``, changed only by the CLI)
unless it built its own from the data page; then it sees that build, and only it
does. This module keeps the session's id, starts its builds in the background
(:class:`dashboard.jobs.BuildJobs`, one registry per server process), polls them with
``st.fragment(run_every=...)`` so that progress stays visible on every page, switches
the session to its build when it is done, and draws the banner that says what is
shown and how to go back to the served build.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import uploads
from dashboard.jobs import BuildJob, BuildJobs
from dashboard.text import md
from recommender.artifacts import default_artifacts_dir, read_manifest
from recommender.errors import ArtifactError, ConfigError

if TYPE_CHECKING:
    from recommender.build import CatalogSource

POLL_SECONDS = 1.0


def session_id() -> str:
    """A random id for this browser session (its uploads space is named after it)."""
    if "session_space" not in st.session_state:
        st.session_state["session_space"] = uuid.uuid4().hex[:16]
    return st.session_state["session_space"]


def settings() -> uploads.UploadSettings:
    """The deployment's upload settings; a bad environment variable shows an error and
    turns uploads off rather than failing the page."""
    try:
        return uploads.UploadSettings.from_env()
    except ConfigError as exc:
        st.error(f"Uploads are turned off: {md(exc)}")
        return uploads.UploadSettings(enabled=False)


@st.cache_resource(show_spinner=False)
def build_jobs(max_running: int) -> BuildJobs:
    """The server's one registry of background builds."""
    return BuildJobs(max_running)


def jobs() -> BuildJobs:
    return build_jobs(settings().max_running)


def served_dir() -> Path:
    """The build every visitor sees unless they built their own."""
    return default_artifacts_dir()


def viewing_own_build() -> bool:
    return "artifacts_dir" in st.session_state


def back_to_served() -> None:
    """Show the served build again (a button callback)."""
    st.session_state.pop("artifacts_dir", None)
    st.session_state["data_notice"] = "Back to the served catalog."


def start_build(name: str, source: CatalogSource, *, skip_maps: bool, cleanup: Path | None = None,
                reword=str) -> BuildJob:
    """Start building ``source`` into a new folder of this session's space, in the
    background. Raises :class:`~dashboard.jobs.BuildRefused` when a build is running
    for this session or the server runs as many as it allows."""
    from recommender.build import build  # build-time code: keep it off the serving path

    registry = jobs()
    current = st.session_state.get("artifacts_dir")
    protect = [*registry.busy_folders(), *([Path(current)] if current else [])]
    limits = settings()
    folder = uploads.new_build_folder(session_id(), name, limits, protect=protect)
    return registry.start(
        session_id(), name, folder,
        lambda progress: build(source, folder, limits.config(), skip_maps=skip_maps, progress=progress),
        cleanup=cleanup, reword=reword,
    )


@st.fragment(run_every=POLL_SECONDS)
def _progress() -> None:
    job = jobs().job(session_id())
    if job is None:
        return
    if job.running:
        st.progress(job.fraction, text=f"Building {md(job.name)}: {md(job.message)}")
        st.caption("The build continues if you switch pages or click elsewhere; it is shown when done.")
        return
    jobs().forget(session_id())
    if job.state == "done":
        st.session_state["artifacts_dir"] = str(job.folder)
        st.session_state["data_notice"] = f"Built {job.name} in your own space and switched to it."
    else:
        st.session_state["data_error"] = f"Build of {job.name} failed; nothing was changed: {job.error}"
    st.rerun(scope="app")


def poll_build() -> None:
    """Progress of this session's build, refreshed every second while it runs (on
    every page); when it ends, the session switches to it or the error is kept for
    the data page."""
    if jobs().job(session_id()) is not None:
        _progress()


def banner() -> None:
    """In the sidebar: which build this session shows and, for its own, how to go back."""
    current = st.session_state.get("artifacts_dir")
    if not current:
        return
    if not Path(current).is_dir():  # removed by the uploads clean-up (age, count or size)
        st.session_state.pop("artifacts_dir", None)
        st.session_state["data_notice"] = "Your own build was removed (old builds are cleaned up); back to the served catalog."
        return
    try:
        name = str(read_manifest(current).get("catalog", {}).get("name", "your upload"))
    except ArtifactError:
        name = "your upload"
    with st.sidebar:
        st.info(
            f"Showing **your own build** of {md(name)}: only you see it. Everyone else sees the served catalog.",
            icon=":material/person:",
        )
        st.button(
            "Back to the served catalog", on_click=back_to_served, icon=":material/undo:", key="back_to_served",
            use_container_width=True,
        )
