"""Tests of recommender.clusters: k-means groups and their descriptive labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender.clusters import cluster_levels, cluster_rows, label_clusters
from recommender.config import ClusterSettings
from recommender.errors import ArtifactError, ConfigError
from recommender.projection import reduce_svd

# Three planted themes; every overview also draws from shared noise words.
THEMES = {
    "heist": {
        "overview": ["heist", "bank", "vault", "robbers", "safe"],
        "keywords": ["heist", "bankrobbery"],
        "genres": ["Crime", "Thriller"],
        "director": "Heist Director",
    },
    "alien": {
        "overview": ["alien", "spaceship", "planet", "invasion", "galaxy"],
        "keywords": ["alieninvasion", "space"],
        "genres": ["Science Fiction", "Adventure"],
        "director": "Space Director",
    },
    "ghost": {
        "overview": ["ghost", "haunted", "curse", "spirit", "mansion"],
        "keywords": ["hauntedhouse", "ghost"],
        "genres": ["Horror"],
        "director": "Ghost Director",
    },
}
NOISE = ["man", "life", "world", "story", "family", "young", "finds", "love", "time", "new"]
READABLE = {"bankrobbery": "bank robbery", "alieninvasion": "alien invasion", "hauntedhouse": "haunted house"}
GROUP_SIZES = {"heist": 24, "alien": 18, "ghost": 12}


def planted_catalog(seed: int = 0) -> dict[str, object]:
    """A catalog of 54 movies in three themes, vectorised the way the app does:
    "field:token" terms, TF-IDF, L2-normalised rows."""
    rng = np.random.default_rng(seed)
    documents, genres, directors, themes = [], [], [], []
    for theme, size in GROUP_SIZES.items():
        plant = THEMES[theme]
        for movie in range(size):
            words = list(rng.choice(plant["overview"], size=4)) + list(rng.choice(NOISE, size=4))
            genre_list = plant["genres"] + (["Drama"] if movie % 2 else [])
            director = plant["director"] if movie < 3 else f"{theme.title()} Auteur {movie}"
            tokens = [f"overview:{word}" for word in words]
            tokens += [f"keywords:{word}" for word in plant["keywords"]]
            tokens += [f"genres:{g.lower().replace(' ', '')}" for g in genre_list]
            tokens += [f"directors:{director.lower().replace(' ', '')}"]
            documents.append(" ".join(tokens))
            genres.append(genre_list)
            directors.append([director])
            themes.append(theme)
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True)
    vectors = vectorizer.fit_transform(documents)
    terms = vectorizer.get_feature_names_out()
    labels = np.array([READABLE.get(term.split(":", 1)[1], term.split(":", 1)[1]) for term in terms])
    return {
        "vectors": vectors,
        "terms": terms,
        "term_labels": labels,
        "genres": genres,
        "directors": directors,
        "themes": np.array(themes),
    }


@pytest.fixture(scope="module")
def catalog() -> dict[str, object]:
    return planted_catalog()


def test_cluster_rows_recovers_groups_numbered_by_size() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(6)[:3]
    sizes = [10, 30, 20]
    group = np.repeat([0, 1, 2], sizes)
    points = centres[group] + 0.05 * rng.normal(size=(60, 6))
    labels = cluster_rows(points, 3, seed=0)
    assert labels.dtype == np.int32 and labels.shape == (60,)
    # Largest group is cluster 0, then 1, then 2.
    assert np.array_equal(labels, np.repeat([2, 0, 1], sizes))
    assert np.array_equal(labels, cluster_rows(points, 3, seed=0))


def test_cluster_rows_caps_and_rejects() -> None:
    points = np.random.default_rng(2).random((5, 3))
    assert set(cluster_rows(points, 50, seed=0).tolist()) == set(range(5))
    with pytest.raises(ConfigError, match=">= 1"):
        cluster_rows(points, 0, seed=0)
    with pytest.raises(ArtifactError, match="non-empty"):
        cluster_rows(np.zeros((0, 3)), 2, seed=0)


def test_labels_name_the_planted_themes(catalog: dict[str, object]) -> None:
    svd = reduce_svd(catalog["vectors"], 10, seed=0)
    labels = cluster_rows(svd, 3, seed=0)
    table = label_clusters(
        labels, catalog["vectors"], catalog["terms"], catalog["term_labels"],
        catalog["genres"], catalog["directors"], n_terms=5,
    )
    assert list(table.columns) == ["cluster", "size", "label", "top_terms", "top_genres", "top_directors"]
    assert table["cluster"].tolist() == [0, 1, 2]
    assert table["size"].tolist() == [24, 18, 12]
    for row in table.itertuples():
        themes = set(catalog["themes"][labels == row.cluster])
        assert len(themes) == 1  # each cluster is exactly one planted theme
        plant = THEMES[themes.pop()]
        vocabulary = set(plant["overview"]) | {READABLE.get(k, k) for k in plant["keywords"]}
        assert len(row.top_terms) == 5 and set(row.top_terms) <= vocabulary
        assert len(set(row.top_terms)) == 5  # "heist" from overview and keywords counted once
        assert row.top_genres[0] in plant["genres"] and "Drama" not in row.top_genres
        assert row.top_directors == [plant["director"]]
        parts = row.label.split(" · ")
        assert len(parts) == 3 and set(parts[:2]) <= vocabulary and parts[2] in plant["genres"]


def test_top_terms_skip_genre_and_director_terms(catalog: dict[str, object]) -> None:
    labels = np.repeat([0, 1, 2], list(GROUP_SIZES.values()))
    table = label_clusters(
        labels, catalog["vectors"], catalog["terms"], catalog["term_labels"],
        catalog["genres"], catalog["directors"], n_terms=50,
    )
    shown = {term for terms in table["top_terms"] for term in terms}
    genre_or_director = {
        str(label) for term, label in zip(catalog["terms"], catalog["term_labels"])
        if term.startswith(("genres:", "directors:"))
    }
    assert shown and not shown & genre_or_director
    # Noise words are shared by all themes, so none reaches a theme's top 5 (chance
    # excesses may appear further down a 50-term list).
    assert all(set(terms[:5]).isdisjoint(NOISE) for terms in table["top_terms"])


def test_label_clusters_degenerate_inputs() -> None:
    vectors = planted_catalog()["vectors"][:4]
    terms = np.array([f"overview:t{i}" for i in range(vectors.shape[1])])
    labels = np.array([3, 3, 7, 7])
    table = label_clusters(labels, vectors, terms, terms, [None, [], ["Drama"], ["Drama"]], [[], [], [], []])
    assert table["cluster"].tolist() == [3, 7] and table["size"].tolist() == [2, 2]
    assert table.loc[0, "top_genres"] == [] and table.loc[1, "top_genres"] == ["Drama"]
    assert all(d == [] for d in table["top_directors"])
    # One cluster holding the whole catalog has nothing distinctive: a fallback label.
    whole = label_clusters(np.zeros(4, int), vectors, terms, terms, [[]] * 4, [[]] * 4)
    assert whole.loc[0, "label"] == "cluster 0" and whole.loc[0, "top_terms"] == []


def test_label_clusters_rejects_mismatched_lengths(catalog: dict[str, object]) -> None:
    n_rows = catalog["vectors"].shape[0]
    with pytest.raises(ArtifactError, match="genres has 3 entries"):
        label_clusters(np.zeros(n_rows, int), catalog["vectors"], catalog["terms"],
                       catalog["term_labels"], [[]] * 3, catalog["directors"])
    with pytest.raises(ArtifactError, match="same vectorizer"):
        label_clusters(np.zeros(n_rows, int), catalog["vectors"], catalog["terms"][:-1],
                       catalog["term_labels"][:-1], catalog["genres"], catalog["directors"])


def test_cluster_levels(catalog: dict[str, object]) -> None:
    svd = reduce_svd(catalog["vectors"], 10, seed=0)
    broad, fine, table = cluster_levels(
        svd, catalog["vectors"], catalog["terms"], catalog["term_labels"],
        catalog["genres"], catalog["directors"], ClusterSettings(broad=3, fine=6, label_terms=2), seed=0,
    )
    assert broad.shape == fine.shape == (54,)
    assert set(broad.tolist()) == {0, 1, 2} and len(set(fine.tolist())) == 6
    assert table.columns[0] == "level"
    for level, labels in (("broad", broad), ("fine", fine)):
        rows = table[table["level"] == level]
        assert rows["size"].sum() == 54
        assert rows["size"].tolist() == np.bincount(labels).tolist()
        assert all(len(terms) <= 2 for terms in rows["top_terms"])
    assert isinstance(table, pd.DataFrame) and table.index.tolist() == list(range(len(table)))


def test_labels_skip_tmdb_production_keywords(catalog: dict[str, object]) -> None:
    """A keyword about how a film was made ("duringcreditsstinger", "woman director")
    given to every film of one group is its most distinctive term, yet no label shows it."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    labels = np.repeat([0, 1, 2], list(GROUP_SIZES.values()))
    extra = np.zeros((len(labels), 2))
    extra[labels == 0, 0] = 5.0  # the heist films all have a mid-credits scene
    extra[labels == 1, 1] = 5.0  # the alien films are all by women
    vectors = normalize(sp.hstack([catalog["vectors"], sp.csr_matrix(extra)]).tocsr())
    terms = np.concatenate([catalog["terms"], ["keywords:duringcreditsstinger", "keywords:womandirector"]])
    term_labels = np.concatenate([catalog["term_labels"], ["duringcreditsstinger", "woman director"]])
    table = label_clusters(labels, vectors, terms, term_labels, catalog["genres"], catalog["directors"], n_terms=5)
    shown = {term for terms in table["top_terms"] for term in terms} | {p for label in table["label"] for p in label.split(" · ")}
    assert shown.isdisjoint({"duringcreditsstinger", "woman director"})
    assert "heist" in table.loc[0, "top_terms"]



def _presence_catalog(films: list[list[str]]) -> tuple:
    """Binary term vectors (L2-normalised rows) of films given as term lists."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    terms = sorted({t for film in films for t in film})
    column = {t: i for i, t in enumerate(terms)}
    rows = [r for r, film in enumerate(films) for _ in film]
    cols = [column[t] for film in films for t in film]
    vectors = normalize(sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(films), len(terms))))
    labels = np.array([t.split(":", 1)[1] for t in terms])
    return vectors, np.array(terms), labels


def test_story_words_used_side_by_side_become_a_phrase_in_their_order() -> None:
    # Ten films set in New York (their overviews say "... in new york ..."), ten on a farm.
    films = [["overview:new", "overview:york", "overview:city"]] * 10 + [["overview:farm", "overview:cow"]] * 10
    texts = ["A cop in new york city chases a thief."] * 10 + ["A farm girl raises a cow."] * 10
    vectors, terms, labels = _presence_catalog(films)
    clusters = np.repeat([0, 1], 10)
    table = label_clusters(clusters, vectors, terms, labels, [[]] * 20, [[]] * 20, n_terms=3, texts=texts)
    assert table.loc[0, "top_terms"] == ["new york", "city"]
    assert table.loc[0, "label"] == "new york · city"
    assert table.loc[1, "top_terms"] == ["cow", "farm"]  # not side by side: no phrase
    # Without the texts the words stay apart (no phrase is guessed).
    apart = label_clusters(clusters, vectors, terms, labels, [[]] * 20, [[]] * 20, n_terms=3)
    assert "new york" not in apart.loc[0, "label"]


def test_generic_story_words_studios_and_housekeeping_keywords_never_label() -> None:
    # 40 films in four groups; "young" and "man" are in every group's overviews
    # (generic), each group has its own keyword and studio, and one group's films all
    # have "based on novel". Group 3 has only generic words and a studio to offer.
    films = []
    for group in range(4):
        for movie in range(10):
            film = ["overview:young", "overview:man"] if movie % 2 == 0 else ["overview:man"]
            film += [f"companies:studio{group}"]
            if group < 3:
                film += [f"keywords:topic{group}"]
            if group == 1:
                film += ["keywords:basedonnovel"]
            if group == 3 and movie < 8:
                film += ["overview:young"] * (movie % 2)
            films.append(film)
    vectors, terms, labels = _presence_catalog(films)
    clusters = np.repeat(np.arange(4), 10)
    table = label_clusters(clusters, vectors, terms, labels, [[]] * 40, [[]] * 40, n_terms=5)
    for row in table.itertuples():
        assert not {"young", "man", "basedonnovel"} & set(row.top_terms)
        assert not any(term.startswith("studio") for term in row.top_terms)
    assert table.loc[1, "top_terms"] == ["topic1"]
    assert table.loc[3, "label"] == "cluster 3"  # nothing worth saying, rather than a studio


def test_label_terms_do_not_repeat_each_other() -> None:
    # "new york" and "new york city" (keywords) both mark the group: only the first shows.
    films = [["keywords:newyork", "keywords:newyorkcity", "keywords:taxi"]] * 10 + [["keywords:farm"]] * 10
    vectors, terms, _ = _presence_catalog(films)
    readable = np.array([{"keywords:newyork": "new york", "keywords:newyorkcity": "new york city"}.get(t, t.split(":")[1]) for t in terms])
    table = label_clusters(np.repeat([0, 1], 10), vectors, terms, readable, [[]] * 20, [[]] * 20, n_terms=3)
    assert table.loc[0, "top_terms"] == ["new york", "taxi"]


def test_era_language_and_rating_signals_never_label() -> None:
    # Two groups of ten films: each group's films share an era, a language and a rating
    # step (the most distinctive terms of all), plus one topic keyword. The similarity
    # signals describe pairs of films ("released close together"), not a topic.
    films = [["era:1990", "language:fr", "rating:7", "keywords:heist"]] * 10
    films += [["era:2010", "language:en", "rating:5", "keywords:alien"]] * 10
    vectors, terms, _ = _presence_catalog(films)
    readable = np.array(
        ["released close together" if t.startswith("era:") else "close weighted ratings" if t.startswith("rating:")
         else t.split(":", 1)[1] for t in terms]
    )
    table = label_clusters(np.repeat([0, 1], 10), vectors, terms, readable, [[]] * 20, [[]] * 20, n_terms=5)
    assert list(table["top_terms"]) == [["heist"], ["alien"]]
    assert all("released close together" not in label and "fr" not in label.split(" · ") for label in table["label"])
