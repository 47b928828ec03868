"""Tokens per movie and field, the input of both vectorizers.

Every term is ``"field:token"`` so that fields can be weighted and explained apart:
names (genres, cast, directors, companies) and keywords are collapsed to one token
("Sam Worthington" -> ``cast:samworthington``); overview and tagline words are
lower-cased, stripped of scikit-learn's English stop words and stemmed with NLTK's
Porter stemmer (no corpus download needed), each distinct word stemmed once. A
readable label is kept for each term ("Sam Worthington", "space") for explanations.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

NAME_FIELDS: dict[str, str] = {
    "genres": "genres",
    "keywords": "keywords",
    "cast": "cast",
    "directors": "directors",
    "companies": "companies",
}
TEXT_FIELDS: tuple[str, ...] = ("overview", "tagline")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def collapse_name(name: str) -> str:
    """One token for a name or phrase: lower-case letters and digits only.

    >>> collapse_name("Sam Worthington")
    'samworthington'
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass
class MovieTokens:
    """Terms of every movie (``docs``) and a readable label per term."""

    docs: list[list[str]]
    labels: dict[str, str]


class Stemmer:
    """Porter stemming with a memo, so each distinct word is stemmed once."""

    def __init__(self) -> None:
        from nltk.stem.porter import PorterStemmer  # build time only: keeps NLTK off the serving path

        self._porter = PorterStemmer()
        self._memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._memo.get(word)
        if stem is None:
            stem = self._memo[word] = self._porter.stem(word)
        return stem


def text_words(text: str) -> list[str]:
    """Lower-cased words of a text without English stop words or 1-letter words."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return [w.replace("'", "") for w in words if len(w) > 1 and w not in ENGLISH_STOP_WORDS]


def tokenize_catalog(catalog: pd.DataFrame, ngram_range: tuple[int, int] = (1, 1)) -> MovieTokens:
    """Terms per movie, in catalog row order.

    ``ngram_range`` applies to overview and tagline words (after stemming); name
    fields always give one term per name. Returns :class:`MovieTokens`.
    """
    stem = Stemmer()
    labels: dict[str, str] = {}
    docs: list[list[str]] = []
    # One string object per distinct term and name: the docs hold millions of
    # references at scale, and a fresh string for each would cost ~60 bytes apiece.
    canonical: dict[str, str] = {}
    name_tokens: dict[str, str] = {}
    low, high = ngram_range
    columns = {field: catalog[field].tolist() for field in (*NAME_FIELDS, *TEXT_FIELDS)}
    for row in range(len(catalog)):
        terms: list[str] = []
        for field in NAME_FIELDS:
            for name in columns[field][row]:
                token = name_tokens.get(name)
                if token is None:
                    token = name_tokens[name] = collapse_name(name)
                if token:
                    term = f"{field}:{token}"
                    term = canonical.setdefault(term, term)
                    labels.setdefault(term, name)
                    terms.append(term)
        for field in TEXT_FIELDS:
            words = text_words(columns[field][row] or "")
            stems = [stem(w) for w in words]
            for word, token in zip(words, stems):
                labels.setdefault(f"{field}:{token}", word)
            for n in range(max(low, 1), high + 1):
                for start in range(len(stems) - n + 1):
                    gram = "_".join(stems[start : start + n])
                    term = f"{field}:{gram}"
                    term = canonical.setdefault(term, term)
                    if n > 1:
                        labels.setdefault(term, " ".join(words[start : start + n]))
                    terms.append(term)
        docs.append(terms)
    return MovieTokens(docs=docs, labels=labels)

