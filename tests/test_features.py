"""Tokens per field: collapsed names, stop words, stemming, n-grams."""

import pandas as pd

from recommender.features import Stemmer, collapse_name, text_words, tokenize_catalog


def _catalog(**fields):
    base = {f: [[]] for f in ("genres", "keywords", "cast", "directors", "companies")}
    base.update({"overview": [""], "tagline": [""]})
    base.update(fields)
    return pd.DataFrame(base)


def test_names_collapse_to_one_token():
    assert collapse_name("Sam Worthington") == "samworthington"
    assert collapse_name("Science Fiction") == "sciencefiction"
    assert collapse_name("Zoë Saldaña") == "zoësaldaña"


def test_text_words_drop_stop_words_and_single_letters():
    assert text_words("The Marine is dispatched to a moon, and X marks it!") == ["marine", "dispatched", "moon", "marks"]


def test_stemmer_stems_each_distinct_word_once():
    stem = Stemmer()
    assert [stem(w) for w in ("running", "runs", "running")] == ["run", "run", "run"]
    assert len(stem._memo) == 2


def test_tokenize_catalog_prefixes_fields_and_keeps_labels():
    catalog = _catalog(
        overview=["Aliens attacking planets"],
        cast=[["Sam Worthington"]],
        directors=[["James Cameron"]],
        genres=[["Science Fiction"]],
        keywords=[["space war"]],
    )
    tokens = tokenize_catalog(catalog)
    assert sorted(tokens.docs[0]) == sorted(
        [
            "cast:samworthington",
            "directors:jamescameron",
            "genres:sciencefiction",
            "keywords:spacewar",
            "overview:alien",
            "overview:attack",
            "overview:planet",
        ]
    )
    assert tokens.labels["directors:jamescameron"] == "James Cameron"
    assert tokens.labels["overview:attack"] == "attacking"


def test_bigrams_of_stems():
    tokens = tokenize_catalog(_catalog(overview=["Haunted houses scare"]), ngram_range=(1, 2))
    assert "overview:haunt_hous" in tokens.docs[0]
    assert tokens.labels["overview:haunt_hous"] == "haunted houses"


def test_movie_without_text_or_credits_has_only_its_other_fields():
    tokens = tokenize_catalog(_catalog(genres=[["Drama"]]))
    assert tokens.docs == [["genres:drama"]]
