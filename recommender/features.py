"""Tokens per movie and field, the input of both vectorizers.

Every term is ``"field:token"`` so that fields can be weighted and explained apart:
names (genres, cast, directors, companies) and keywords are collapsed to one token
("Sam Worthington" -> ``cast:samworthington``); overview and tagline words are
lower-cased, stripped of scikit-learn's English stop words and stemmed with NLTK's
Porter stemmer (no corpus download needed), each distinct word stemmed once. A
readable label is kept for each term ("Sam Worthington", "space") for explanations.

Beyond words, the signals a viewer sees on a film's card (:class:`FeatureSettings`):
release era (by default ``era:a23`` for each step of the log age within
``era_log_span`` of the movie's, the age counted from the catalog's latest year; or
``era:1994`` for each year within ``era_span`` of the release),
original language (``language:fr``) and audience rating (``rating:28`` for each
``rating_step`` within ``rating_span`` of the weighted rating). Stop words beyond
scikit-learn's list are found in the catalog itself (:func:`catalog_stop_words`):
character names, generic story words and keywords on too many movies.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from recommender.config import FeatureSettings
from recommender.languages import language_name

NAME_FIELDS: dict[str, str] = {
    "genres": "genres",
    "keywords": "keywords",
    "cast": "cast",
    "directors": "directors",
    "companies": "companies",
}
TEXT_FIELDS: tuple[str, ...] = ("overview", "tagline")
STORY_FIELDS: tuple[str, ...] = ("overview", "tagline")  # where catalog stop words apply
RATING_COLUMN = "weighted_rating"
# One label for all terms of a kernel: a "why" says that two films are close, not which
# of the overlapping years or rating steps they share.
ERA_LABEL = "released close together"
# A share of a tiny catalog is a handful of films: a word or keyword on no more than
# this many films is never a stop word.
MIN_STOP_MOVIES = 10
RATING_LABEL = "close weighted ratings"
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_SPLIT = re.compile(r"([^\W_]+(?:'[^\W_]+)?)", re.UNICODE)  # _WORD, kept by re.split
# A word starts a sentence (and is capitalised for that alone) after one of these.
_SENTENCE_STARTERS = frozenset('.!?:;"\u201c\u2018([-')


def collapse_name(name: str) -> str:
    """One token for a name or phrase: lower-case letters and digits only.

    >>> collapse_name("Sam Worthington")
    'samworthington'
    """
    # [\W_] is exactly what str.isalnum() rejects (re's \w is isalnum() or "_").
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", name).casefold())


@dataclass
class MovieTokens:
    """Terms of every movie (``docs``) and a readable label per term."""

    docs: list[list[str]]
    labels: dict[str, str]
    stop_words: StopWords = dataclass_field(default_factory=lambda: StopWords())


class _StemMemo(dict):
    """word -> stem, stemming a word on its first lookup only."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        super().__init__()
        self._stem = stem

    def __missing__(self, word: str) -> str:
        stem = self[word] = self._stem(word)
        return stem


class Stemmer:
    """Porter stemming with a memo, so each distinct word is stemmed once. ``many``
    stems a list of words (the memo's lookups without a call per word)."""

    def __init__(self) -> None:
        from nltk.stem.porter import PorterStemmer  # build time only: keeps NLTK off the serving path

        self._memo = _StemMemo(PorterStemmer().stem)

    def __call__(self, word: str) -> str:
        return self._memo[word]

    def many(self, words: Iterable[str]) -> list[str]:
        memo = self._memo
        return [memo[word] for word in words]


def _clean(word: str) -> str:
    """A possessive loses its "'s" ("Andy's" -> "andy"); other apostrophes go."""
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    return word.replace("'", "").replace("\u2019", "")


def _kept(word: str) -> str:
    """A word as :func:`text_words` keeps it ("" when it is dropped)."""
    word = _clean(word)
    return word if len(word) > 1 and word not in ENGLISH_STOP_WORDS else ""


class CleanWords(dict):
    """A memo of :func:`_kept` (raw word -> kept word or ""), so that a build cleans
    each distinct word once rather than each of its millions of occurrences."""

    def __missing__(self, word: str) -> str:
        kept = self[word] = _kept(word)
        return kept


def text_words(text: str, memo: CleanWords | None = None) -> list[str]:
    """Lower-cased words of a text without English stop words or 1-letter words
    (``memo``: a :class:`CleanWords` shared across texts, for speed only)."""
    raw = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    words = [memo[w] for w in raw] if memo is not None else [_kept(w) for w in raw]
    return [w for w in words if w]


@dataclass(frozen=True)
class StopWords:
    """Words and keywords the catalog itself marks as noise, with why (for the report)."""

    names: frozenset[str] = frozenset()  # lower-cased words written as names
    generic: frozenset[str] = frozenset()  # stems in too many overviews
    keywords: frozenset[str] = frozenset()  # keywords (as given) on too many movies
    # Not a stop word but decided on the whole catalog the same way: the latest release
    # year, from which the log era counts ages (a partition must not use its own).
    latest_year: int | None = None


def _separator_kind(separator: str) -> int:
    """Whether a word after ``separator`` is inside a sentence: 1 yes, 0 no, 2 yes when
    a word comes before the separator. The last non-blank character of the 8 before the
    word decides (not one of :data:`_SENTENCE_STARTERS`); a blank separator shorter than
    that lets the previous word's last letter (never a starter) decide."""
    before = separator[-8:].rstrip()
    if before:
        return 0 if before[-1] in _SENTENCE_STARTERS else 1
    return 0 if len(separator) >= 8 else 2


def _inside_sentences(texts: Iterable[str | None]) -> Counter[str]:
    """How often each word (as written) appears inside a sentence: not first in the
    text, nor after a sentence starter within the 8 characters before it."""
    counts: Counter[str] = Counter()
    kinds: dict[str, int] = {}  # separators repeat (" ", ", "): each is judged once
    for text in texts:
        parts = _SPLIT.split(unicodedata.normalize("NFKC", text or ""))
        inside = []
        # parts alternate separator, word, ..., separator: word i follows parts[2 * i].
        for i in range(1, len(parts), 2):
            separator = parts[i - 1]
            kind = kinds.get(separator)
            if kind is None:
                kind = kinds[separator] = _separator_kind(separator)
            if kind == 1 or (kind == 2 and i > 1):
                inside.append(parts[i])
        counts.update(inside)
    return counts


def catalog_stop_words(
    catalog: pd.DataFrame,
    settings: FeatureSettings,
    stem: Stemmer | None = None,
    words_of: Callable[[str], list[str]] = text_words,
) -> StopWords:
    """The catalog's own stop words under ``settings`` (see :class:`FeatureSettings`).

    Names: words seen at least twice inside sentences (not first), capitalised at
    least ``name_share`` of those times, and neither a keyword of any movie nor a word
    of one (that would be a place or a topic: "Paris", "Christmas", "New York"). Generic: stems in more than
    ``max_word_share`` of the movies' overview and tagline. Keywords: on more than
    ``max_keyword_share`` of the movies. Either way on more than :data:`MIN_STOP_MOVIES`
    movies too (in a tiny catalog every word is on a large share). Shares of 1 find
    nothing. ``words_of`` gives a text's words (:func:`text_words`, or a memo of it).
    """
    n = max(len(catalog), 1)
    names: set[str] = set()
    if settings.name_share < 1:
        inside, capitalised = Counter(), Counter()
        for word, count in _inside_sentences(text for f in STORY_FIELDS for text in catalog[f].tolist()).items():
            folded = _clean(word.casefold())
            inside[folded] += count
            if word[0].isupper():
                capitalised[folded] += count
        # A capitalised word that is also a keyword names a place or a topic ("Paris",
        # "Christmas"), not a character: it stays.
        distinct_keywords = {k for ks in catalog["keywords"].tolist() for k in ks}
        topics = {collapse_name(word) for k in distinct_keywords for word in (k, *k.split())}
        names = {
            w for w, count in inside.items()
            if count >= 2 and capitalised[w] >= settings.name_share * count and collapse_name(w) not in topics
        }
    generic: set[str] = set()
    if settings.max_word_share < 1:
        stem = stem or Stemmer()
        df: Counter[str] = Counter()
        for overview, tagline in zip(catalog["overview"].tolist(), catalog["tagline"].tolist()):
            words = words_of(overview or "") + words_of(tagline or "")
            df.update(set(stem.many([w for w in words if w not in names] if names else words)))
        generic = {w for w, count in df.items() if count > max(settings.max_word_share * n, MIN_STOP_MOVIES)}
    keywords: set[str] = set()
    if settings.max_keyword_share < 1:
        df = Counter(k for ks in catalog["keywords"].tolist() for k in set(ks))
        keywords = {k for k, count in df.items() if count > max(settings.max_keyword_share * n, MIN_STOP_MOVIES)}
    return StopWords(
        names=frozenset(names), generic=frozenset(generic), keywords=frozenset(keywords), latest_year=latest_year(catalog)
    )


def latest_year(catalog: pd.DataFrame) -> int | None:
    """The latest release year of the catalog (column ``year``), None without any."""
    if "year" not in catalog:
        return None
    years = [number for number in map(_number, catalog["year"].tolist()) if number is not None]
    return int(max(years)) if years else None


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def signal_terms(
    year: object, language: object, rating: object, settings: FeatureSettings, latest: int | None = None
) -> list[tuple[str, str]]:
    """(term, label) pairs of a movie's era, language and audience rating.

    ``latest`` is the catalog's latest release year (the log era counts ages from the
    year after it; default: the movie's own year).

    >>> [t for t, _ in signal_terms(1994, "fr", None, FeatureSettings(era_scale="years", era_span=1))]
    ['era:1993', 'era:1994', 'era:1995', 'language:fr']
    >>> [t for t, _ in signal_terms(1996, None, None, FeatureSettings(era_log_span=0.2, era_log_step=0.1), 2016)]
    ['era:a28', 'era:a29', 'era:a30', 'era:a31', 'era:a32']
    """
    terms: list[tuple[str, str]] = []
    known_year = _number(year)
    if known_year is not None and settings.era_scale == "log":
        age = max((latest if latest is not None and latest >= known_year else known_year) + 1 - known_year, 1.0)
        centre = round(math.log(age) / settings.era_log_step)
        reach = round(settings.era_log_span / settings.era_log_step)
        for step in range(centre - reach, centre + reach + 1):
            terms.append((f"era:a{step}", ERA_LABEL))
    elif known_year is not None:
        centre = int(known_year)
        for y in range(centre - settings.era_span, centre + settings.era_span + 1):
            terms.append((f"era:{y}", ERA_LABEL))
    if isinstance(language, str) and language.strip():
        code = language.strip()
        terms.append((f"language:{code}", language_name(code)))
    known_rating = _number(rating)
    if known_rating is not None:
        centre = round(known_rating / settings.rating_step)
        reach = round(settings.rating_span / settings.rating_step)
        for step in range(centre - reach, centre + reach + 1):
            terms.append((f"rating:{step}", RATING_LABEL))
    return terms


def tokenize_catalog(
    catalog: pd.DataFrame,
    ngram_range: tuple[int, int] = (1, 1),
    settings: FeatureSettings | None = None,
    stop_words: StopWords | None = None,
) -> MovieTokens:
    """Terms per movie, in catalog row order.

    ``ngram_range`` applies to overview and tagline words (after stemming); name
    fields always give one term per name; era, language and audience rating terms
    come from the columns ``year``, ``original_language`` and ``weighted_rating``
    (else ``vote_average``) where the catalog has them. ``stop_words`` are the whole
    catalog's when ``catalog`` is one partition of it (default: computed from ``catalog``).
    Returns :class:`MovieTokens`.
    """
    settings = settings or FeatureSettings()
    stem = Stemmer()  # shared: the stop words stem the same words first
    # The stop words read every overview and tagline first: each text is split once.
    words_memo: dict[str, list[str]] = {}
    cleaned = CleanWords()

    def words_of(text: str) -> list[str]:
        words = words_memo.get(text)
        if words is None:
            words = words_memo[text] = text_words(text, cleaned)
        return words

    stop = stop_words if stop_words is not None else catalog_stop_words(catalog, settings, stem, words_of)
    latest = stop.latest_year if stop.latest_year is not None else latest_year(catalog)
    labels: dict[str, str] = {}
    docs: list[list[str]] = []
    # One string object per distinct term and name: the docs hold millions of
    # references at scale, and a fresh string for each would cost ~60 bytes apiece.
    canonical: dict[str, str] = {}
    name_terms: dict[tuple[str, str], str] = {}  # (field, name) -> its term ("" for none)
    word_terms: dict[tuple[str, str], str] = {}  # (field, stem) -> its one-word term
    low, high = ngram_range
    columns = {field: catalog[field].tolist() for field in (*NAME_FIELDS, *TEXT_FIELDS)}
    missing = [None] * len(catalog)
    rating_column = RATING_COLUMN if RATING_COLUMN in catalog else "vote_average"
    signals = zip(
        *(catalog[c].tolist() if c in catalog else missing for c in ("year", "original_language", rating_column))
    )
    for row, (year, language, rating) in enumerate(signals):
        terms: list[str] = []
        for field in NAME_FIELDS:
            for name in columns[field][row]:
                if field == "keywords" and name in stop.keywords:
                    continue
                term = name_terms.get((field, name))
                if term is None:
                    token = collapse_name(name)
                    term = name_terms[(field, name)] = canonical.setdefault(f"{field}:{token}", f"{field}:{token}") if token else ""
                    if term:
                        labels.setdefault(term, name)
                if term:
                    terms.append(term)
        for field in TEXT_FIELDS:
            words = words_memo.pop(columns[field][row] or "", None) or text_words(columns[field][row] or "", cleaned)
            story = field in STORY_FIELDS
            if story and stop.names:
                words = [w for w in words if w not in stop.names]
            stems = stem.many(words)
            if story and stop.generic:
                kept = [i for i, token in enumerate(stems) if token not in stop.generic]
                words, stems = [words[i] for i in kept], [stems[i] for i in kept]
            # Each (field, stem) is formatted once; its label is the first word seen.
            unigrams = []
            for word, token in zip(words, stems):
                term = word_terms.get((field, token))
                if term is None:
                    term = word_terms[(field, token)] = canonical.setdefault(f"{field}:{token}", f"{field}:{token}")
                    labels.setdefault(term, word)
                unigrams.append(term)
            if low <= 1:
                terms.extend(unigrams)
            for n in range(max(low, 2), high + 1):
                for start in range(len(stems) - n + 1):
                    gram = "_".join(stems[start : start + n])
                    term = f"{field}:{gram}"
                    term = canonical.setdefault(term, term)
                    if n > 1:
                        labels.setdefault(term, " ".join(words[start : start + n]))
                    terms.append(term)
        for term, label in signal_terms(year, language, rating, settings, latest):
            term = canonical.setdefault(term, term)
            labels.setdefault(term, label)
            terms.append(term)
        docs.append(terms)
    return MovieTokens(docs=docs, labels=labels, stop_words=stop)

