"""Finding films by title, by person (cast, director) or by keyword.

Every string is folded once (:func:`fold`): accents removed ("Amélie" -> "amelie"),
case folded, punctuation turned into spaces; a leading article ("The", "A", "An")
is dropped from titles and from the query, so "Amelie", "dark knight" and "The
Dark Knight" all find what an analyst means. :class:`MovieIndex` holds the folded
titles, people and keywords of a catalog (plain lists, no pandas: it sits on the
recommender page's serving path) and :meth:`MovieIndex.search` ranks the matches:
a whole title before a title's start before words inside a title, then people and
keywords; ties go to the film with more votes, then to the title. Each hit says
what matched ("Tom Hanks (cast)"), so a list of films found through a person or a
keyword explains itself. :func:`find_movies` serves the JSON API's ``/api/movies`` with the same search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.columns import ColumnTable
from recommender.errors import ConfigError
from recommender.model import RecommenderModel

ARTICLES: frozenset[str] = frozenset({"the", "a", "an"})
# Which list columns are searched, and how a match through each is named.
PERSON_FIELDS: dict[str, str] = {"cast": "cast", "directors": "director"}
KEYWORD_FIELD = "keywords"
# Below this many characters a query only matches titles: "al" would match
# every Alan, Albert and Alice in the cast lists.
MIN_NAME_QUERY = 3

# Scores of the kinds of match; higher ranks first.
EXACT_TITLE = 100.0
TITLE_START = 80.0
TITLE_WORDS = 60.0
EXACT_NAME = 55.0
NAME_WORDS = 45.0
EXACT_KEYWORD = 40.0
KEYWORD_WORDS = 30.0
TITLE_INSIDE = 20.0

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case words without accents or punctuation, single-spaced.

    >>> fold("Amélie  (Le Fabuleux Destin d'Amélie Poulain)")
    'amelie le fabuleux destin d amelie poulain'
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain.casefold()).strip()


def fold_title(text: str) -> str:
    """:func:`fold` without a leading article: "The Dark Knight" -> "dark knight"."""
    folded = fold(text)
    first, _, rest = folded.partition(" ")
    return rest if first in ARTICLES and rest else folded


@dataclass(frozen=True)
class SearchHit:
    """One film found: its id and display title, what matched and how well.

    ``field`` is "title", "cast", "director" or "keyword"; ``matched`` is the
    matching title, name or keyword as the catalog spells it.
    """

    movie_id: int
    display_title: str
    field: str
    matched: str
    score: float

    @property
    def label(self) -> str:
        """The film with the reason it was found: "Cast Away (2000) · Tom Hanks (cast)"."""
        if self.field == "title":
            return self.display_title
        return f"{self.display_title} · {self.matched} ({self.field})"


def _words_prefix(query_words: Sequence[str], words: Sequence[str]) -> bool:
    """Every query word starts some word of ``words`` (each used once, in any order)."""
    free = list(words)
    for query_word in query_words:
        for position, word in enumerate(free):
            if word.startswith(query_word):
                del free[position]
                break
        else:
            return False
    return True


class MovieIndex:
    """Folded titles, people and keywords of a catalog, for :meth:`search`.

    ``movies`` needs the columns id, title and display_title; cast, directors,
    keywords and vote_count are used when present. Building folds every string
    once (about 0.2 s for 5,000 films); a search is a scan of the folded strings.
    """

    def __init__(self, movies: ColumnTable) -> None:
        self.ids = [int(i) for i in movies["id"]]
        self.display_titles = [str(t) for t in movies["display_title"]]
        self._titles = [fold_title(t) for t in movies["title"]]
        self._title_words = [t.split() for t in self._titles]
        self._votes = [float(v) if v == v else 0.0 for v in movies["vote_count"]] if "vote_count" in movies else [0.0] * len(self.ids)
        # name (folded) -> (name as spelt, field label, rows having it)
        self._names: dict[tuple[str, str], tuple[str, list[int]]] = {}
        for column, field in (*PERSON_FIELDS.items(), (KEYWORD_FIELD, "keyword")):
            if column not in movies:
                continue
            for row, names in enumerate(movies[column]):
                for name in names:
                    key = (fold(name), field)
                    if not key[0]:
                        continue
                    entry = self._names.setdefault(key, (str(name), []))
                    if not entry[1] or entry[1][-1] != row:
                        entry[1].append(row)
        self._name_words = {key: key[0].split() for key in self._names}

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Films matching ``query``, best first, at most ``limit`` (one hit per film).

        Empty or punctuation-only queries find nothing. Raises :class:`ConfigError`
        if ``limit < 1``.
        """
        if limit < 1:
            raise ConfigError(f"search limit must be >= 1, got {limit}")
        text = fold_title(query)
        if not text:
            return []
        words = text.split()
        best: dict[int, tuple[float, str, str]] = {}

        def offer(row: int, score: float, field: str, matched: str) -> None:
            if row not in best or score > best[row][0]:
                best[row] = (score, field, matched)

        for row, title in enumerate(self._titles):
            if title == text:
                offer(row, EXACT_TITLE, "title", self.display_titles[row])
            elif title.startswith(text):
                offer(row, TITLE_START, "title", self.display_titles[row])
            elif _words_prefix(words, self._title_words[row]):
                offer(row, TITLE_WORDS, "title", self.display_titles[row])
            elif text in title:
                offer(row, TITLE_INSIDE, "title", self.display_titles[row])
        if len(text.replace(" ", "")) >= MIN_NAME_QUERY:
            full = fold(query)  # names keep their articles ("The Rock")
            for (name, field), (spelt, rows) in self._names.items():
                exact = name in (text, full)
                if not exact and not _words_prefix(words, self._name_words[(name, field)]):
                    continue
                if field == "keyword":
                    score = EXACT_KEYWORD if exact else KEYWORD_WORDS
                else:
                    score = EXACT_NAME if exact else NAME_WORDS
                for row in rows:
                    offer(row, score, field, spelt)
        order = sorted(best, key=lambda row: (-best[row][0], -self._votes[row], self._titles[row], row))
        return [
            SearchHit(self.ids[row], self.display_titles[row], best[row][1], best[row][2], best[row][0])
            for row in order[:limit]
        ]


FOUND_COLUMNS = ["id", "display_title", "year", "matched"]


def find_movies(model: RecommenderModel, text: str, limit: int = 10, index: MovieIndex | None = None) -> ColumnTable:
    """Up to ``limit`` films matching ``text``, best first: the JSON API's ``/api/movies``.

    The same search as the recommender page (:meth:`MovieIndex.search`: title,
    person or keyword, accent- and case-insensitive, "The" optional); a display
    title with its year ("Ghost House (2005)") finds that film first. Empty ``text``
    lists every film, most voted first. Columns :data:`FOUND_COLUMNS`; ``matched``
    says why a film was found ("title", "Tom Hanks (cast)"). Pass the model's
    ``index`` when the caller keeps one (building it folds every string, about
    0.2 s for 5,000 films). Raises :class:`ConfigError` for ``limit < 1``.
    """
    if limit < 1:
        raise ConfigError(f"limit must be >= 1, got {limit}")
    movies = model.movies
    if not fold(text):
        votes = movies.array("vote_count")
        rows = list(np.lexsort((model.ids, -np.nan_to_num(votes)))[:limit])
        matched = ["" for _ in rows]
    else:
        index = index if index is not None else MovieIndex(movies)
        key = text.strip().casefold()
        exact = [row for row, title in enumerate(model.display_titles) if str(title).casefold() == key]
        exact_ids = {int(model.ids[row]) for row in exact}
        hits = [hit for hit in index.search(text, limit + len(exact)) if hit.movie_id not in exact_ids]
        rows = (exact + [model.row_of(hit.movie_id) for hit in hits])[:limit]
        matched = (["title"] * len(exact) + ["title" if h.field == "title" else f"{h.matched} ({h.field})" for h in hits])[
            :limit
        ]
    return movies.take(rows, FOUND_COLUMNS[:-1]).with_column("matched", "str", matched)
