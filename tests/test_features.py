"""Tokens per field: collapsed names, stop words, stemming, n-grams."""

import pandas as pd
import pytest

from recommender.config import FeatureSettings
from recommender.features import (
    ERA_LABEL,
    CleanWords,
    Stemmer,
    _inside_sentences,
    catalog_stop_words,
    collapse_name,
    signal_terms,
    text_words,
    tokenize_catalog,
)


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


def test_text_words_with_a_memo_are_the_same_words():
    memo = CleanWords()
    text = "Andy's toys and the owners' house; Andy's rock'n'roll"
    assert text_words(text, memo) == text_words(text) == ["andy", "toys", "owners", "house", "andy", "rockn", "roll"]
    assert memo["andy's"] == "andy" and memo["the"] == ""  # each distinct word cleaned once


def test_words_inside_sentences_skip_the_first_word_and_those_after_a_sentence_starter():
    counts = _inside_sentences([
        "Jack meets Jill. Then Jack runs",  # Jack first, Then after ".": not inside
        "(Jill)  and  Jack: Bob",  # Jill after "(", Bob after ":"
        "x" + " " * 8 + "Ann",  # 8 blanks: nothing but blanks in the 8 characters before Ann
        "x" + " " * 7 + "Ann",  # 7 blanks: "x" is within reach, so Ann is inside
        None,
    ])
    assert counts == {"meets": 1, "Jill": 1, "Jack": 2, "runs": 1, "and": 1, "Ann": 1}


def test_possessives_lose_their_s():
    assert text_words("Andy's toys and the owners' house") == ["andy", "toys", "owners", "house"]


def test_era_terms_overlap_by_the_gap_in_years():
    settings = FeatureSettings(era_scale="years", era_span=2)
    a = {t for t, _ in signal_terms(1994, None, None, settings)}
    b = {t for t, _ in signal_terms(1997, None, None, settings)}
    assert len(a) == 5 and len(a & b) == 5 - 3  # 2 * span + 1 - |gap|
    assert not a & {t for t, _ in signal_terms(2000, None, None, settings)}
    assert {label for _, label in signal_terms(1994, None, None, settings)} == {ERA_LABEL}


def test_log_era_terms_overlap_by_the_gap_in_log_age():
    # Ages from the year after the latest (2016): 1996 is 21 years old, ln 21 = 3.04 ->
    # step 30 of 0.1; span 0.2 reaches two steps either side.
    settings = FeatureSettings(era_log_span=0.2, era_log_step=0.1)
    terms = [t for t, _ in signal_terms(1996, None, None, settings, latest=2016)]
    assert terms == ["era:a28", "era:a29", "era:a30", "era:a31", "era:a32"]

    def shared(first: int, second: int) -> int:
        a, b = ({t for t, _ in signal_terms(y, None, None, FeatureSettings(), latest=2017)} for y in (first, second))
        return len(a & b)

    # Ten years apart (defaults: steps of 0.1, 6 either side, 13 terms): old films share an
    # era, recent ones do not. 1950 and 1960 are 68 and 58 years old (steps 42 and 41);
    # 2005 and 2015 are 13 and 3 (steps 26 and 11, more than 12 apart); 2016 is step 7.
    assert shared(1950, 1960) == 13 - 1 and shared(2005, 2015) == 0 and shared(2015, 2016) == 13 - 4
    # The latest year is age 1 (ln 1 = 0), never below it.
    assert signal_terms(2017, None, None, settings, latest=2017) == signal_terms(2030, None, None, settings, latest=2017)


def test_log_era_counts_ages_from_the_whole_catalog():
    catalog = pd.DataFrame({
        **{f: [[], []] for f in ("genres", "keywords", "cast", "directors", "companies")},
        "overview": ["", ""], "tagline": ["", ""], "title": ["Old", "New"], "year": [1960, 2010],
    })
    tokens = tokenize_catalog(catalog, settings=FeatureSettings(era_log_span=0.0))
    assert tokens.stop_words.latest_year == 2010
    # 1960 is 51 years old (ln 51 = 3.93 -> step 39), 2010 one year (step 0).
    assert [t for t in tokens.docs[0] if t.startswith("era:")] == ["era:a39"]
    assert [t for t in tokens.docs[1] if t.startswith("era:")] == ["era:a0"]
    # A partition tokenised with the whole catalog's stop words counts from its latest year.
    alone = tokenize_catalog(catalog.iloc[:1], settings=FeatureSettings(era_log_span=0.0), stop_words=tokens.stop_words)
    assert alone.docs[0] == tokens.docs[0]


def test_language_and_rating_terms():
    settings = FeatureSettings(rating_span=0.5, rating_step=0.25)
    terms = [t for t, _ in signal_terms(None, "fr", 7.1, settings)]
    # 7.1 is step 28 (of 0.25); two steps either side.
    assert terms == ["language:fr", "rating:26", "rating:27", "rating:28", "rating:29", "rating:30"]
    assert signal_terms(float("nan"), "", None, settings) == []
    labels = dict(signal_terms(None, "fr", None, settings))
    assert labels["language:fr"] == "French"


def _stop_catalog():
    # 30 films: "Jack" is a name in every overview, "Paris" (in 5) a place that is also
    # a keyword, "story" a word in every overview, "sequel" a keyword on every film.
    n = 30
    return pd.DataFrame(
        {
            "overview": [f"A story where Jack meets {'Paris' if i < 5 else 'nobody'} in act {i}." for i in range(n)],
            "tagline": [""] * n,
            "keywords": [["sequel", "paris"] if i < 5 else ["sequel", f"topic{i}"] for i in range(n)],
        }
    )


def test_catalog_stop_words_come_from_the_data():
    stop = catalog_stop_words(_stop_catalog(), FeatureSettings(name_share=0.9, max_word_share=0.5, max_keyword_share=0.5))
    assert stop.names == frozenset({"jack"})  # "Paris" is a keyword: a place, kept
    assert "stori" in stop.generic and "jack" not in stop.generic
    assert stop.keywords == frozenset({"sequel"})
    neutral = catalog_stop_words(_stop_catalog(), FeatureSettings(name_share=1.0, max_word_share=1.0, max_keyword_share=1.0))
    assert neutral.names == neutral.generic == neutral.keywords == frozenset()


def test_a_tiny_catalog_has_no_generic_words():
    # Every word of a one-film catalog is in 100% of its overviews: that says nothing.
    stop = catalog_stop_words(_catalog(overview=["Haunted houses scare"]), FeatureSettings(max_word_share=0.05))
    assert stop.generic == frozenset()


@pytest.mark.parametrize("field", ["overview", "keywords"])
def test_tokens_leave_out_the_stop_words(field):
    catalog = _stop_catalog().assign(
        genres=[[]] * 30, cast=[[]] * 30, directors=[[]] * 30, companies=[[]] * 30
    )
    tokens = tokenize_catalog(catalog, settings=FeatureSettings(name_share=0.9, max_word_share=0.5, max_keyword_share=0.5))
    doc = set(tokens.docs[0])
    assert "overview:jack" not in doc and "overview:stori" not in doc and "keywords:sequel" not in doc
    assert "overview:pari" in doc and "keywords:paris" in doc
