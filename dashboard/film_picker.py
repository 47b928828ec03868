"""The films' select boxes, searched on the server when the catalog is large.

A ``st.selectbox`` sends all its options to the browser on every script run and the
browser filters them as one types: 4,803 films are about 0.1 MB per box, 100,000 films
1.8 MB, parsed and laid out on each run of the page. Up to :data:`FULL_LIST_FILMS` films
a box lists the whole catalog as before. Above, it lists only the films chosen now and
those the last search found (at most :data:`SEARCH_LIMIT`), and it accepts typed text
(``accept_new_options``): a title, a person or a keyword typed and confirmed with Enter
is searched on the server over the whole catalog (:class:`recommender.search.MovieIndex`:
accents, case and a leading "The" do not matter; cast, directors and keywords too), the
best match is chosen and the other matches fill the box, each saying why it was found.

The chosen film is always among the options, so a link (``?movie=...``) or Back works
the same with either kind of box. Typed text is resolved before the box is drawn, in the
script, so the page never sees a string where it expects a film id.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import streamlit as st

from dashboard import cache
from recommender.model import RecommenderModel
from recommender.search import SearchHit


# Up to this many films a box lists the catalog (the browser filters it as one types).
# Above, the server searches (see the module docstring). The full TMDB catalog (4,803
# films) is above it: its list cost the recommender page about 0.15-0.2 s per run.
# ``MOVIE_SELECT_FULL_LIST`` sets it (a deployment's choice; the browser tests set 0).
def _full_list_films(default: int = 1_000) -> int:
    raw = os.environ.get("MOVIE_SELECT_FULL_LIST", "").strip()
    try:
        return max(int(raw), 0) if raw else default
    except ValueError:  # a bad setting keeps the default rather than breaking every page
        return default


FULL_LIST_FILMS = _full_list_films()
SEARCH_LIMIT = 30
SEARCH_PLACEHOLDER = "Type a title, person or keyword, then Enter"
SEARCH_HELP = (
    "Type a title, a person (cast, director) or a keyword and press Enter: the whole catalog is searched, the best "
    "match is chosen and the other matches are listed here. Accents, capitals and a leading \"The\" do not matter."
)


def searched(model: RecommenderModel) -> bool:
    """Whether this catalog's boxes search on the server (more than :data:`FULL_LIST_FILMS` films)."""
    return model.n_movies > FULL_LIST_FILMS


def _found_key(key: str) -> str:
    return f"{key}__found"


def _notice_key(key: str) -> str:
    return f"{key}__notice"


def _search(model: RecommenderModel, text: str) -> list[SearchHit]:
    return cache.search_index(model).search(text, SEARCH_LIMIT)


def _remember(key: str, hits: Sequence[SearchHit], text: str) -> None:
    st.session_state[_found_key(key)] = {hit.movie_id: hit for hit in hits}
    st.session_state[_notice_key(key)] = (
        f"{len(hits)} film{'s' if len(hits) != 1 else ''} found for “{text.strip()}”: the best match is chosen; "
        "open the list for the others." if hits else f"No film, person or keyword matches “{text.strip()}”."
    )


def _last_key(key: str) -> str:
    return f"{key}__last"


def resolve_typed(model: RecommenderModel, key: str, fallback: int | None, exclude: Iterable[int] = ()) -> None:
    """Before the box is drawn: typed text in ``st.session_state[key]`` becomes the best
    match's id (or, when nothing matches, the film chosen before, else ``fallback``), and
    the matches are remembered for the box's options; films in ``exclude`` are not chosen."""
    value = st.session_state.get(key)
    if isinstance(value, str):
        excluded = {int(i) for i in exclude}
        hits = [hit for hit in _search(model, value) if hit.movie_id not in excluded]
        _remember(key, hits, value)
        before = st.session_state.get(_last_key(key), fallback)
        st.session_state[key] = hits[0].movie_id if hits else before


def resolve_typed_list(model: RecommenderModel, key: str) -> None:
    """:func:`resolve_typed` for a multiselect: each typed text becomes its best match."""
    values = st.session_state.get(key)
    if not isinstance(values, list) or not any(isinstance(v, str) for v in values):
        return
    chosen: list[int] = []
    found: list[SearchHit] = []
    for value in values:
        if isinstance(value, str):
            hits = _search(model, value)
            found += hits
            _remember(key, hits, value)
            if hits and hits[0].movie_id not in chosen:
                chosen.append(hits[0].movie_id)
        elif int(value) not in chosen:
            chosen.append(int(value))
    st.session_state[key] = chosen
    st.session_state[_found_key(key)] = {hit.movie_id: hit for hit in found}


def _options(
    model: RecommenderModel, key: str, current: Iterable[int | None], exclude: Iterable[int], extra: Iterable[int]
) -> list[int]:
    """The chosen films, then the last search's, then ``extra``; none of ``exclude``; no repeats."""
    excluded = {int(i) for i in exclude}
    options: list[int] = []
    seen: set[int] = set()
    for movie_id in (*current, *st.session_state.get(_found_key(key), {}), *extra):
        if movie_id is None or not model.has_id(int(movie_id)):
            continue
        movie_id = int(movie_id)
        if movie_id not in seen and movie_id not in excluded:
            seen.add(movie_id)
            options.append(movie_id)
    return options


def _format(model: RecommenderModel, key: str) -> Callable[[Any], str]:
    labels = cache.option_labels(model)
    found: dict[int, SearchHit] = st.session_state.get(_found_key(key), {})

    def label(movie_id: Any) -> str:
        if isinstance(movie_id, str):  # typed text, before the next run resolves it
            return movie_id
        text = labels.get(int(movie_id), str(movie_id))
        hit = found.get(int(movie_id))
        return text if hit is None or hit.field == "title" else f"{text} · {hit.matched} ({hit.field})"

    return label


def film_selectbox(
    container: Any,
    label: str,
    model: RecommenderModel,
    key: str,
    *,
    fallback: int | None,
    exclude: Iterable[int] = (),
    extra: Iterable[int] = (),
    index_none: bool = False,
    placeholder: str | None = None,
    help: str | None = None,  # noqa: A002 - Streamlit's name
    **kwargs: Any,
) -> int | None:
    """A film select box in ``container`` keyed ``key`` (its value a film id, or None when
    ``index_none``): every film of a small catalog, or the chosen film plus the last
    search's matches and ``extra`` of a large one (see the module docstring).
    ``fallback``: the film chosen when a search finds nothing. ``kwargs`` go to
    ``st.selectbox`` (``persist_state``, ``on_change``...)."""
    exclude = list(exclude)
    if not searched(model):
        ids = [i for i in model.ids.tolist() if i not in set(exclude)] if exclude else model.ids.tolist()
        return container.selectbox(
            label, ids, index=None if index_none else 0, format_func=cache.option_labels(model).__getitem__,
            key=key, placeholder=placeholder, help=help, **kwargs,
        )
    resolve_typed(model, key, fallback, exclude)
    options = _options(model, key, [st.session_state.get(key)], exclude, extra)
    value = container.selectbox(
        label, options, index=None if index_none else 0, format_func=_format(model, key), key=key,
        accept_new_options=True, placeholder=SEARCH_PLACEHOLDER,
        help=" ".join(part for part in (help, SEARCH_HELP) if part), **kwargs,
    )
    if value is None or isinstance(value, int):
        st.session_state[_last_key(key)] = value
    notice = st.session_state.pop(_notice_key(key), None)
    if notice:
        container.caption(notice)
    return value


def film_multiselect(
    container: Any,
    label: str,
    model: RecommenderModel,
    key: str,
    *,
    exclude: Iterable[int] = (),
    extra: Iterable[int] = (),
    placeholder: str | None = None,
    help: str | None = None,  # noqa: A002 - Streamlit's name
    **kwargs: Any,
) -> list[int]:
    """:func:`film_selectbox` for several films (a multiselect)."""
    exclude = list(exclude)
    if not searched(model):
        excluded = set(exclude)
        return container.multiselect(
            label, [i for i in model.ids.tolist() if i not in excluded], format_func=cache.option_labels(model).__getitem__,
            key=key, placeholder=placeholder, help=help, **kwargs,
        )
    resolve_typed_list(model, key)
    chosen = [i for i in st.session_state.get(key) or [] if model.has_id(int(i))]
    options = _options(model, key, chosen, exclude, extra)
    values = container.multiselect(
        label, options, format_func=_format(model, key), key=key, accept_new_options=True,
        placeholder=SEARCH_PLACEHOLDER,
        help=" ".join(part for part in (help, SEARCH_HELP) if part), **kwargs,
    )
    notice = st.session_state.pop(_notice_key(key), None)
    if notice:
        container.caption(notice)
    return values
