"""View state in the URL (``st.query_params``), validated.

A shared link restores movie, vectorizer, k, map type...; a bad or unknown value
gives a warning and falls back to a sensible default, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

from recommender.errors import UnknownMovieError
from recommender.model import RecommenderModel

T = TypeVar("T")


def _warn(name: str, value: str, fallback: object) -> None:
    st.warning(f"Ignored the link's {name}={value!r}: not a valid value; using {fallback!r} instead.")


def choice_param(name: str, options: Sequence[T], default: T) -> T:
    """The URL's ``name`` if it is one of ``options`` (compared as strings), else ``default``."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    for option in options:
        if str(option) == raw:
            return option
    _warn(name, raw, default)
    return default


def int_param(name: str, low: int, high: int, default: int) -> int:
    """The URL's ``name`` as an int within [low, high], else ``default``."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        _warn(name, raw, default)
        return default
    if not low <= value <= high:
        _warn(name, raw, default)
        return default
    return value


def movie_param(model: RecommenderModel, default_id: int, name: str = "movie") -> int:
    """The movie id in the URL if it is in the catalog, else ``default_id``."""
    raw = st.query_params.get(name)
    if raw is None:
        return default_id
    try:
        movie_id = int(raw)
        model.row_of(movie_id)
        return movie_id
    except (ValueError, UnknownMovieError):
        st.warning(f"The link's {name}={raw!r} is not a movie id of this catalog; showing {model.display_titles[model.row_of(default_id)]!r}.")
        return default_id


def set_params(**values: object) -> None:
    """Write the current view into the URL (only changed keys are touched)."""
    for key, value in values.items():
        text = str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text
