"""What the pages say: labels, help texts, captions and the formula shown to a user.

The core (``recommender/``) names things by key ("tfidf", "rbo", "genre_overlap");
this module turns keys into the words and sentences a page shows, so wording changes
never touch the core. Plain strings only: nothing here draws.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from dashboard.text import without_folders
from recommender.config import AudienceSettings
from recommender.model import RecommenderModel
from recommender.popularity import RatingStats
from recommender.results import known_year

if TYPE_CHECKING:
    import pandas as pd

    from recommender.explorer import MapQuality

METHOD_LABELS: dict[str, str] = {"tsne": "t-SNE", "umap": "UMAP", "pca": "PCA"}
COLOR_LABELS: dict[str, str] = {
    "genre": "Genre (first)",
    "decade": "Decade",
    "cluster_broad": "Cluster (broad)",
    "cluster_fine": "Cluster (fine)",
    "weighted_rating": "Weighted rating",
    "rbo": "Vectorizer agreement (RBO)",
    "faithfulness": "Map faithfulness",
}

# A table column headed "Rating" (narrow tables): what the number is.
RATING_HELP = "IMDB-style weighted rating (0-10)"

VECTORIZER_LABELS: dict[str, str] = {"tfidf": "TF-IDF", "count": "Count"}

AGREEMENT_LABELS: dict[str, str] = {"jaccard": "Jaccard@k", "rbo": "RBO", "weighted_tau": "Weighted Kendall τ"}
AGREEMENT_HELP: dict[str, str] = {
    "jaccard": "Share of films in both lists among the films in either (order ignored); 1 = same films.",
    "rbo": "Rank-biased overlap (p = 0.9): overlap weighted towards the top of the lists; 1 = identical lists.",
    "weighted_tau": "Order agreement, swaps near the top weigh most; 1 = same order, 0 = unrelated, -1 = reversed.",
}

# metric -> (readable name, what it measures); which direction is better is the core's
# recommender.comparison.METRIC_DIRECTIONS.
METRIC_GUIDE: dict[str, tuple[str, str]] = {
    "genre_overlap": (
        "Genre overlap",
        "Share of recommendations sharing at least one genre with the film: a proxy for relevance.",
    ),
    "director_overlap": (
        "Director overlap",
        "Share of recommendations by one of the film's directors (films with a director only).",
    ),
    "cast_overlap": (
        "Cast overlap",
        "Share of recommendations sharing a cast member (films with credits only).",
    ),
    "keyword_jaccard": (
        "Keyword Jaccard",
        "Mean Jaccard overlap of keywords between the film and each recommendation.",
    ),
    "intra_list_diversity": (
        "Intra-list diversity",
        "Mean genre distance between the recommendations of one list: higher = more varied lists, "
        "usually at some cost in overlap.",
    ),
    "coverage": (
        "Catalog coverage",
        "Share of the catalog recommended at least once: low coverage means a few films are recommended everywhere.",
    ),
    "novelty": (
        "Novelty (bits)",
        "Mean self-information of the recommended films from their vote counts: higher = less popular films.",
    ),
}


READING_GUIDE = (
    "How to read this table: these metrics need no user data, so they are proxies. The overlap metrics "
    "(genre, director, cast, keywords) ask whether recommendations share something with the film: higher is better. "
    "Coverage asks how much of the catalog is ever recommended: higher is better. Diversity and novelty are "
    "trade-offs: higher means more varied or less popular recommendations, good for discovery but usually at some "
    "cost in overlap. \"Ahead\" names the vectorizer with the better value where a direction is better."
)




def metric_guide(directions: Mapping[str, str]) -> str:
    """A markdown bullet list: each metric's name, which direction is better, and what it
    measures; ``directions`` maps metric keys to "higher", "lower" or "trade-off" (e.g.
    :data:`recommender.comparison.METRIC_DIRECTIONS`), in the order shown."""
    lines = []
    for metric, better in directions.items():
        name, meaning = METRIC_GUIDE.get(metric, (metric, ""))
        direction = "a trade-off" if better == "trade-off" else f"{better} is better"
        lines.append(f"- **{name}** ({direction}): {meaning}")
    return "\n".join(lines)


def evaluation_view(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`recommender.comparison.evaluation_table` in words: readable metric names,
    the leading vectorizer's label and a ``meaning`` column."""
    return table.assign(
        metric=[METRIC_GUIDE.get(m, (m, ""))[0] for m in table["metric"]],
        leader=[VECTORIZER_LABELS.get(v, v) for v in table["leader"]],
        meaning=[METRIC_GUIDE.get(m, (m, ""))[1] for m in table["metric"]],
    )


FIND_FILM_HELP = (
    "Type part of a title to jump to a film; films sharing a title show their year. Accents are optional: "
    "a title with accents also lists its plain spelling (Amélie · Amelie)."
)
_YEAR_SUFFIX = re.compile(r"\s*\(\d{4}\)$")


def option_label(display_title: str) -> str:
    """A film as a select box lists it: its display title, followed by the title without
    accents when it has some ("Amélie · Amelie"), so typing without accents finds it (a
    select box filters its options in the browser, comparing characters as typed)."""
    title = str(display_title)
    decomposed = unicodedata.normalize("NFD", title)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if plain == title:
        return title
    return f"{title} · {_YEAR_SUFFIX.sub('', plain)}"


def missing_maps_message(manifest: dict) -> str:
    """What to tell a user whose artifacts were built without maps."""
    command = str(without_folders(manifest.get("build_command") or "python -m recommender build --out <artifacts folder>"))
    command = command.replace(" --skip-maps", "")
    return (
        "These artifacts were built with --skip-maps, so there are no maps to explore. "
        f"Rebuild them with maps (a few minutes): `{command}` — or use the Data page's build button "
        "with maps switched on."
    )


def movie_caption(model: RecommenderModel, movie_id: int) -> str:
    """One line about a movie: "1989 · Action, Crime · directed by Tim Burton · weighted
    rating 7.10" (unknown year, genres or director are said or left out)."""
    movie = model.movies.row(model.row_of(movie_id))
    year = known_year(movie["year"])
    parts = [str(year) if year is not None else "year unknown"]
    parts.append(", ".join(movie["genres"]) or "no genres")
    if len(movie["directors"]):
        parts.append("directed by " + ", ".join(movie["directors"]))
    if "weighted_rating" in movie:
        parts.append(f"weighted rating {float(movie['weighted_rating']):.2f}")
    return " · ".join(parts)


def audience_text(audience: AudienceSettings) -> str:
    """The audience signals the ranking adds to the similarity, in words, e.g. "the audience
    (agreement of vote averages, popularity, agreement of popularity, similar reception)";
    "" when none is on."""
    names = [
        name
        for weight, name in (
            (audience.rating_agreement, "agreement of vote averages"),
            (audience.popularity, "popularity"),
            (audience.popularity_agreement, "agreement of popularity"),
            (audience.reception, "similar reception"),
        )
        if weight > 0
    ]
    return f"the audience ({', '.join(names)})" if names else ""


def side_by_side_caption(audience: AudienceSettings) -> str:
    """What the comparison's two lists show and in which order: with audience signals on, a
    film of higher similarity can rank below another, and the caption says why."""
    signals = audience_text(audience)
    order = (
        f"Each list is in the recommender's order: the similarity plus {signals}, so a film can rank below "
        "one of lower similarity."
        if signals
        else "Each list is in order of similarity."
    )
    return (
        "Highlighted rows: films both vectorizers recommend. Similarity: the cosine similarity of each vectorizer's "
        f"vectors. {order}"
    )


def _latex_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "{,}")


def weighted_rating_formula(stats: RatingStats) -> str:
    """The IMDB weighted rating as LaTeX, with this catalog's C and m filled in.

    ``WR = v/(v+m)·R + m/(v+m)·C``; C is shown with two decimals, m as a whole
    number of votes (it is a quantile of vote counts, so usually whole).
    """
    m_decimals = 0 if float(stats.min_votes).is_integer() else 1
    return (
        r"\mathrm{WR} = \frac{v}{v+m}\,R + \frac{m}{v+m}\,C"
        r"\qquad C = " + _latex_number(stats.mean_vote, 2)
        + r",\; m = " + _latex_number(stats.min_votes, m_decimals)
    )


def map_quality_text(quality: MapQuality, k: int, trustworthiness: float) -> str:
    """What a map's faithfulness means for an analyst, in plain words."""
    if quality.films == 0:
        return "This map's faithfulness was not measured (no stored neighbours)."
    text = (
        f"How far to trust this map: a film's {k} most similar films are on average "
        f"{quality.mean:.0%} among its {k} nearest dots; {quality.share_trustworthy:.0%} of the films keep at "
        f"least half of them nearby, and {quality.share_lost:.0%} keep none. "
    )
    if quality.mean < 0.25:
        text += (
            "So read the map for regions (which kinds of films lie together), not for which film sits next to "
            "which: two nearby dots are often not each other's neighbours. To see why two films are similar, "
            "compare them on the Recommender page."
        )
    else:
        text += "Nearby dots are often, not always, similar films: colour by map faithfulness to see where."
    if trustworthiness == trustworthiness:
        text += f" (Trustworthiness {trustworthiness:.3f}: the nearest dots are rarely unrelated films.)"
    return text
