"""The settings object: validation and a strict round trip through a dict."""

import pytest

from recommender.config import FIELDS, FieldWeights, RecommenderConfig
from recommender.errors import ConfigError


def test_round_trip():
    config = RecommenderConfig()
    assert RecommenderConfig.from_dict(config.to_dict()) == config


def test_unknown_key_is_rejected():
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) \['wieghts'\] in config"):
        RecommenderConfig.from_dict({"wieghts": {}})
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) \['plot'\] in config.weights"):
        RecommenderConfig.from_dict({"weights": {"plot": 1}})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weights": {"cast": -1}}, "weights.cast must be a number >= 0"),
        ({"rating_quantile": 1.5}, "rating_quantile must be in"),
        ({"tfidf": {"min_df": 0}}, "tfidf.min_df"),
        ({"tfidf": {"ngram_range": [2, 1]}}, "ngram_range"),
        ({"clusters": {"broad": 50, "fine": 10}}, "broad <= fine"),
        ({"projection": {"methods": ["mds"]}}, "unknown \\['mds'\\]"),
        ({"similarity": "dot"}, "similarity must be one of field_mean, cosine"),
        ({"features": {"era_span": -1}}, "features.era_span"),
        ({"features": {"era_scale": "decades"}}, "features.era_scale must be one of log, years"),
        ({"features": {"era_log_step": 0}}, "features.era_log_step"),
        ({"features": {"max_word_share": 0}}, "features.max_word_share"),
        ({"audience": {"popularity": -0.1}}, "audience.popularity"),
        ({"audience": {"min_votes": 0}}, "audience.min_votes"),
        ({"audience": {"reception": -0.1}}, "audience.reception must be a number in"),
        ({"audience": {"reception": "high"}}, "audience.reception must be a number"),
        ({"audience": {"reception_span": 0}}, "audience.reception_span must be a number of standard deviations"),
        ({"audience": {"reception_span": True}}, "audience.reception_span"),
        ({"ranking": {"weak_similarity": 2}}, "ranking.weak_similarity"),
    ],
)
def test_bad_values_name_the_setting(data, message):
    with pytest.raises(ConfigError, match=message):
        RecommenderConfig.from_dict(data)


def test_all_zero_weights_rejected():
    zero = dict.fromkeys(FIELDS, 0)
    with pytest.raises(ConfigError, match="at least one field weight"):
        FieldWeights(**zero).validate()
