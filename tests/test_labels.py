"""What the pages say (``dashboard/labels.py``): captions, the weighted-rating formula,
the metric guide and the missing-maps advice, from core keys."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import labels
from recommender import comparison
from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.config import RecommenderConfig
from recommender.popularity import RatingStats


@pytest.fixture
def model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, RecommenderConfig())


def test_movie_caption(model):
    assert labels.movie_caption(model, 4) == "2005 · Horror, Mystery · directed by Cy Dunn · weighted rating " + (
        f"{model.catalog.loc[3, 'weighted_rating']:.2f}"
    )


def test_weighted_rating_formula_shows_c_and_m():
    latex = labels.weighted_rating_formula(RatingStats(mean_vote=6.8912, min_votes=1838.4, quantile=0.9))
    assert r"\frac{v}{v+m}" in latex and r"\frac{m}{v+m}" in latex
    assert "C = 6.89" in latex
    assert "m = 1{,}838.4" in latex
    assert "m = 19{,}000" in labels.weighted_rating_formula(RatingStats(mean_vote=7.6, min_votes=19000.0, quantile=0.9))


def test_missing_maps_message_gives_the_command():
    message = labels.missing_maps_message({"build_command": "python -m recommender build --catalog c.csv --out a --skip-maps"})
    assert "`python -m recommender build --catalog c.csv --out a`" in message
    assert "--skip-maps" in message.split("`")[0]
    assert "python -m recommender build" in labels.missing_maps_message({})


def test_evaluation_view_names_metrics_and_leader():
    evaluation = pd.DataFrame(
        {"metric": ["genre_overlap", "coverage", "something_new"], "tfidf": [0.8, 0.5, 1.0], "count": [0.9, 0.5, 2.0]}
    )
    view = labels.evaluation_view(comparison.evaluation_table(evaluation))
    assert view["metric"].tolist() == ["Genre overlap", "Catalog coverage", "something_new"]
    assert view["leader"].tolist() == ["Count", "", ""]
    assert view["meaning"].str.len().gt(0).tolist() == [True, True, False]
    assert set(labels.METRIC_GUIDE) == set(comparison.METRIC_DIRECTIONS)


def test_metric_guide_lists_every_metric_with_its_direction():
    guide = labels.metric_guide(comparison.METRIC_DIRECTIONS)
    lines = guide.splitlines()
    assert len(lines) == 7
    assert lines[0].startswith("- **Genre overlap** (higher is better):")
    assert "(a trade-off)" in guide and "Novelty (bits)" in guide


def test_option_label_adds_the_plain_spelling_of_accented_titles() -> None:
    from dashboard.labels import option_label

    assert option_label("Amélie") == "Amélie · Amelie"
    assert option_label("Léon (1994)") == "Léon (1994) · Leon"  # the year once
    assert option_label("Pokémon: Spell of the Unknown") == "Pokémon: Spell of the Unknown · Pokemon: Spell of the Unknown"
    # Titles without accents, and symbols that are not accents, are listed as they are.
    assert option_label("The Dark Knight") == "The Dark Knight"
    assert option_label("8½") == "8½"
    assert option_label("Alien³") == "Alien³"
    # What a select box's filter does in the browser: the typed letters in order, ignoring case.
    typed = "amelie"
    label = option_label("Amélie").lower()
    position = 0
    for letter in typed:
        position = label.find(letter, position) + 1
        assert position > 0


def test_audience_text_names_every_signal_on_and_only_those():
    from recommender.config import AudienceSettings

    assert labels.audience_text(AudienceSettings()) == (
        "the audience (agreement of vote averages, popularity, agreement of popularity, similar reception)"
    )
    only_reception = AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0)
    assert labels.audience_text(only_reception) == "the audience (similar reception)"
    off = AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0, reception=0.0)
    assert labels.audience_text(off) == ""


def test_the_comparisons_caption_says_the_lists_order():
    from recommender.config import AudienceSettings

    on = labels.side_by_side_caption(AudienceSettings())
    assert "the similarity plus the audience (agreement of vote averages," in on
    assert "can rank below one of lower similarity" in on
    off = AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0, reception=0.0)
    assert labels.side_by_side_caption(off).endswith("Each list is in order of similarity.")
