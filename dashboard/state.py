"""View state in the URL (``st.query_params``), validated.

A shared link restores movie, vectorizer, k, map type...; a bad or unknown value
gives a warning and falls back to a sensible default, never a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

from dashboard.text import md
from recommender.errors import UnknownMovieError
from recommender.model import RecommenderModel

T = TypeVar("T")


def _warn(name: str, value: str, fallback: object) -> None:
    # The value comes from the URL: anyone can craft a link, so it is shown as text.
    st.warning(f"Ignored the link's {md(name)}={md(_shown(value))}: not a valid value; using {md(repr(fallback))} instead.")


def _shown(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


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
        shown = md(repr(model.display_titles[model.row_of(default_id)]))
        st.warning(f"The link's {md(name)}={md(_shown(raw))} is not a movie id of this catalog; showing {shown}.")
        return default_id


def set_params(**values: object) -> None:
    """Write the current view into the URL (only changed keys are touched)."""
    for key, value in values.items():
        text = str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text
    st.session_state[_LAST_URL] = current_url()


# ----------------------------------------------------------------------------------
# Every setting of a page in the URL, with browser history.
#
# A page lists its settings (:class:`Setting`: widget key, URL name, default, kind).
# Before drawing its widgets it calls :func:`restore`: when the URL is not the one
# this page last wrote (a shared link, or the browser's Back/Forward, which
# Streamlit answers with a rerun on the older URL), the widgets take the URL's values.
# After the widgets it calls :func:`publish`, which writes all settings into the URL
# in one update: Streamlit pushes one browser history entry per changed URL, so Back
# returns to the previous film, filters included. A URL naming none of the page's
# settings (a page switch clears the URL) keeps the session's values.

_LAST_URL = "_url_last_written"
_RANGE_SEPARATOR = "-"


@dataclass(frozen=True)
class Setting:
    """One widget's value in the URL.

    ``kind``: "str", "int", "float", "bool", "list" (repeated parameter), "int_list",
    "range" (two ints, "1990-2005") or "region" (four finite floats x_min, x_max, y_min,
    y_max, "-3.1,2,0.5,4", minimum below maximum). ``choices`` limits str/list/int values;
    ``low``/``high`` bound numbers. A value equal to ``default`` is still written
    (a link keeps its list even if the app's defaults change), except empty lists
    and ``None``.
    """

    key: str
    param: str
    default: Any
    kind: str = "str"
    choices: Sequence[Any] | None = None
    low: float | None = None
    high: float | None = None

    def decode(self, raw: list[str]) -> Any:
        """The value of the URL's strings; ValueError when they are not a valid value."""
        if self.kind in ("list", "int_list"):
            values = [int(v) for v in raw] if self.kind == "int_list" else list(raw)
            bad = [v for v in values if self.choices is not None and v not in self.choices]
            if bad:
                raise ValueError(bad)
            return list(dict.fromkeys(values))
        text = raw[-1]
        if self.kind == "bool":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if self.kind == "region":
            values = tuple(float(v) for v in text.split(","))
            if len(values) != 4 or not all(math.isfinite(v) for v in values) or not (
                values[0] < values[1] and values[2] < values[3]
            ):
                raise ValueError(text)
            return values
        if self.kind == "range":
            first, _, second = text.partition(_RANGE_SEPARATOR)
            value = (int(first), int(second))
            if value[0] > value[1] or (self.low is not None and value[0] < self.low) or (
                self.high is not None and value[1] > self.high
            ):
                raise ValueError(text)
            return value
        value: Any = {"int": int, "float": float}.get(self.kind, str)(text)
        if self.kind == "float" and value != value:
            raise ValueError(text)
        if self.choices is not None and value not in self.choices:
            raise ValueError(text)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ValueError(text)
        return value

    def encode(self, value: Any) -> list[str]:
        """The URL's strings for ``value``: [] leaves the parameter out."""
        if value is None:
            return []
        if self.kind in ("list", "int_list"):
            return [str(v) for v in value]
        if self.kind == "bool":
            return ["true" if value else "false"]
        if self.kind == "range":
            return [f"{int(value[0])}{_RANGE_SEPARATOR}{int(value[1])}"]
        if self.kind == "region":
            return [",".join(f"{float(v):.6g}" for v in value)]
        if self.kind == "float":
            return [f"{float(value):g}"]
        return [str(value)]


def current_url() -> dict[str, list[str]]:
    """The URL's query parameters, each with all its values."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def restore(settings: Sequence[Setting]) -> None:
    """Before the widgets: give each setting's widget its value (see the section note).

    Bad values in a link give one warning each and the default.
    """
    url = current_url()
    external = url != st.session_state.get(_page_key(settings))
    named = any(setting.param in url for setting in settings)
    for setting in settings:
        if external and named:
            raw = url.get(setting.param)
            if raw:
                try:
                    st.session_state[setting.key] = setting.decode(raw)
                    continue
                except ValueError:
                    _warn(setting.param, ",".join(raw), setting.default)
            st.session_state[setting.key] = setting.default
        elif setting.key not in st.session_state:
            st.session_state[setting.key] = setting.default


def publish(settings: Sequence[Setting], extra: dict[str, object] | None = None) -> None:
    """After the widgets: the page's settings (and ``extra`` name -> value pairs, None
    left out) become the URL, in one update when it changed. Parameters the page does
    not own are kept as they are."""
    own = {setting.param for setting in settings} | set(extra or {})
    wanted: dict[str, list[str]] = {name: values for name, values in current_url().items() if name not in own}
    for setting in settings:
        values = setting.encode(st.session_state.get(setting.key, setting.default))
        if values:
            wanted[setting.param] = values
    for name, value in (extra or {}).items():
        if value is not None:
            wanted[name] = [str(value)]
    if wanted != current_url():
        st.query_params.from_dict(wanted)
    st.session_state[_LAST_URL] = wanted
    st.session_state[_page_key(settings)] = wanted


def _page_key(settings: Sequence[Setting]) -> str:
    """Where the URL a page last wrote is kept: each page's settings have their own keys."""
    return f"{_LAST_URL}:{','.join(setting.key for setting in settings)}"


def url_changed_outside() -> bool:
    """Whether the URL is not the one this session last wrote (a link, Back or Forward)."""
    return current_url() != st.session_state.get(_LAST_URL)


# --------------------------------------------------------------------------- the recommender's URL
RECOMMENDER_K_MAX = 50


def recommender_settings(model: RecommenderModel, k_max: int = RECOMMENDER_K_MAX) -> list[Setting]:
    """The recommender page's settings, in the order its URL lists them.

    Here rather than in the page so that a click elsewhere can open a film with the
    exact URL the page would write for it (:func:`recommender_url`).
    """
    from recommender.ranking import genres_of, languages_of
    from recommender.results import default_movie_id, year_bounds

    movies, ranking = model.movies, model.config.ranking
    known_ids = frozenset(model.ids.tolist())
    settings = [
        Setting("rec_movie", "movie", default_movie_id(movies, ranking.default_movie), "int", choices=known_ids),
        Setting("rec_k", "k", min(ranking.k, k_max), "int", low=1, high=k_max),
        Setting("rec_rating_weight", "blend", float(ranking.rating_weight), "float", low=0.0, high=1.0),
        Setting("rec_mmr", "mmr", bool(ranking.mmr), "bool"),
        Setting("rec_mmr_lambda", "lambda", float(ranking.mmr_lambda), "float", low=0.0, high=1.0),
        Setting("rec_table_view", "table", False, "bool"),
        Setting("rec_min_votes", "votes", 0, "int", low=0),
        Setting("rec_genres", "genre", [], "list", choices=frozenset(genres_of(movies))),
        Setting("rec_languages", "lang", [], "list", choices=frozenset(languages_of(movies))),
        Setting("rec_mix", "with", [], "int_list", choices=known_ids),
        Setting("rec_query", "q", "", "str"),
        Setting("rec_compare", "compare", None, "int", choices=known_ids),
    ]
    years = year_bounds(movies)
    if years is not None and years[0] < years[1]:
        settings.append(Setting("rec_years", "years", years, "range", low=years[0], high=years[1]))
    return settings


def recommender_url(settings: Sequence[Setting], movie_id: int, vectorizer: str) -> dict[str, list[str]]:
    """The URL the recommender page writes for ``movie_id`` with every other setting at
    its default: opening a film with it leaves the page nothing to rewrite, so the page
    switch is the one browser history entry and Back returns to where the click was."""
    url: dict[str, list[str]] = {}
    for setting in settings:
        values = setting.encode(int(movie_id) if setting.param == "movie" else setting.default)
        if values:
            url[setting.param] = values
    url["vectorizer"] = [vectorizer]
    return url
