"""TF-IDF vs Count: how the two vectorizers differ, for one film and across the catalog.

For a chosen film, both top-k lists side by side (films found by both highlighted),
three agreement measures and each vectorizer's heaviest terms; then the catalog-wide
distribution of agreement, the films where they disagree most, their proxy quality
metrics and their similarity scores. The view (movie, k) lives in the URL.
"""

import streamlit as st

from dashboard import analysis_cache, cache, figures, film_picker, labels, open_film, shell, state
from dashboard.text import md
from recommender import comparison
from recommender.agreement import agreement_summary
from recommender.errors import RecommenderError
from recommender.loading import AGREEMENT_K
from recommender.results import default_movie_id

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

K_MAX = 50
TERMS_SHOWN = 12
LABELS = labels.VECTORIZER_LABELS
NOT_LISTED = "–"  # shown for a missing value (a film absent from the other list), as highlight_in_both does

model = cache.get_model()
analysis = cache.get_analysis()


# Only the open section runs and is sent to the browser (lazy tabs): the catalog-wide
# charts and tables cost about a third of the page's load when all were drawn.
SECTIONS = ("This film", "Across the catalog", "Quality and scores")


def title_of(movie_id: int) -> str:
    return str(model.display_titles[model.row_of(movie_id)])


SETTINGS = [
    state.Setting("cmp_movie", "movie", default_movie_id(model.movies, model.config.ranking.default_movie), "int", choices=frozenset(model.ids.tolist())),
    state.Setting("cmp_k", "k", min(model.config.ranking.k, K_MAX), "int", low=1, high=K_MAX),
    state.Setting("cmp_worst_n", "worst", 15, "int", low=5, high=50),
    state.Setting("cmp_section", "section", SECTIONS[0], "str", choices=SECTIONS),
]
state.restore(SETTINGS)  # a link, or Back/Forward, sets the view; otherwise the session keeps it

st.title("TF-IDF vs Count")
st.caption(
    "Both vectorizers turn a film's overview, genres, keywords and credits into a vector; TF-IDF down-weights terms "
    "many films share, Count keeps raw term counts. Here is where that changes the recommendations."
)
pick = st.columns([4, 2], vertical_alignment="bottom")
movie_id = film_picker.film_selectbox(
    pick[0], "Film", model, "cmp_movie", fallback=SETTINGS[0].default, persist_state="session",
    help=None if film_picker.searched(model) else labels.FIND_FILM_HELP,
)
k = pick[1].slider("Neighbours compared (k)", 1, K_MAX, key="cmp_k", persist_state="session")
state.publish(SETTINGS)  # widget values are in the session before the run: the slider further down too

try:
    lists = comparison.side_by_side(model, movie_id, k)
    agreement = comparison.movie_agreement(lists, k)
    terms = comparison.movie_top_terms(model, movie_id, TERMS_SHOWN)
except RecommenderError as exc:
    st.error(f"These films cannot be compared: {md(exc)}")
    st.stop()

film_tab, catalog_tab, quality_tab = st.tabs(SECTIONS, key="cmp_section", on_change="rerun")
with film_tab:
    if film_tab.open:
        st.caption(md(labels.movie_caption(model, movie_id)))
        shared = int(next(iter(lists.values()))["in_both"].sum())
        tiles = st.columns(4)
        tiles[0].metric("Films in both lists", f"{shared} of {k}", border=True)
        for tile, (metric, label) in zip(tiles[1:], labels.AGREEMENT_LABELS.items()):
            value = agreement[metric]
            tile.metric(label, "n/a" if value != value else f"{value:.2f}", border=True, help=labels.AGREEMENT_HELP[metric])

        columns = st.columns(2)
        for column, (name, table) in zip(columns, lists.items()):
            with column:
                st.subheader(f"{LABELS.get(name, name)} top {k}")
                if table.empty:
                    st.info(f"No film shares a term with {md(title_of(movie_id))} under {LABELS.get(name, name)}.")
                    continue
                st.dataframe(
                    figures.highlight_in_both(table), hide_index=True, key=f"cmp_list_{name}", placeholder=NOT_LISTED,
                    column_order=["rank", "display_title", "year", "similarity", "other_rank"],
                    column_config={
                        # 380 px in all: the two lists side by side fit at 1280 px.
                        "rank": st.column_config.NumberColumn("#", width=36, format="%d"),
                        "display_title": st.column_config.TextColumn("Film", width=140),
                        "year": st.column_config.NumberColumn("Year", width=52, format="%d"),
                        "similarity": st.column_config.NumberColumn("Similarity", width=76, format="%.3f"),
                        "other_rank": st.column_config.NumberColumn(
                            "Other rank", width=76, format="%d",
                            help=f"Its rank in the other vectorizer's list ({NOT_LISTED}: not in that list).",
                        ),
                    },
                )
        st.caption(labels.side_by_side_caption(model.audience.settings))

        st.subheader("What each vectorizer sees in this film")
        st.caption(
            "The film's heaviest terms: a term many films share weighs less under TF-IDF than under Count. The era and "
            "the rating are bands of terms (films close in time or in rating share some of them), each one row with its "
            "terms' combined weight."
        )
        # Tables with bars, not plotly bar charts: the tab then loads no plotly (about 0.15 s of
        # the page's load in Chromium, measured side by side), and the terms are already a table.
        for column, (name, top) in zip(st.columns(2), terms.items()):
            if top.empty:
                column.info(f"{LABELS.get(name, name)}: this film has no terms.")
                continue
            column.dataframe(
                top, hide_index=True, key=f"cmp_terms_{name}", column_order=["display", "weight"],
                height=38 + 35 * len(top),  # every term, no scrolling
                column_config={
                    # 370 px in all: the two tables side by side fit at 1280 px, as the lists do.
                    "display": st.column_config.TextColumn(f"{LABELS.get(name, name)}: top {len(top)} terms", width=250),
                    "weight": st.column_config.ProgressColumn(
                        "Weight", format="%.3f", min_value=0.0, max_value=max(float(top["weight"].max()), 1e-9),
                        width=120, help="The term's weight in the film's vector.",
                    ),
                },
            )
with catalog_tab:
    if catalog_tab.open:
        if analysis.agreement is None or analysis.agreement.empty:
            st.info("The artifacts hold no agreement table; rebuild them to compare the vectorizers across the catalog.")
        else:
            summary = agreement_summary(analysis.agreement)
            st.caption(f"Agreement of every film's TF-IDF and Count top {AGREEMENT_K}, computed when the artifacts were built.")
            tiles = st.columns(3)
            for tile, (metric, label) in zip(tiles, labels.AGREEMENT_LABELS.items()):
                stats = summary[metric]
                tile.metric(
                    f"Median {label}", "n/a" if stats["median"] != stats["median"] else f"{stats['median']:.2f}", border=True,
                    help=f"{labels.AGREEMENT_HELP[metric]} "
                    f"Middle half of the films: {stats['q25']:.2f}–{stats['q75']:.2f}.",
                )
            st.plotly_chart(figures.agreement_figure(analysis.agreement), key="cmp_agreement_hist")

            n_worst = st.slider("Films where they disagree most", 5, 50, step=5, key="cmp_worst_n", persist_state="session")
            worst = comparison.disagreement_table(model.catalog, analysis.agreement, n_worst)
            st.caption("Select a row to open that film in the recommender.")
            picked = st.dataframe(
                worst, hide_index=True, key="cmp_worst", on_select="rerun", selection_mode="single-row",
                placeholder=NOT_LISTED,
                # Fits the main column of a 1280 px window (about 780 px beside the row checkboxes):
                # the film's id is what a selected row opens, not a column to read.
                column_order=["display_title", "year", "genres", "jaccard", "rbo", "weighted_tau", "rbo_deep"],
                column_config={
                    "display_title": st.column_config.TextColumn("Film", width=200),
                    "year": st.column_config.NumberColumn("Year", width=52, format="%d"),
                    "genres": st.column_config.TextColumn("Genres", width=170),
                    "jaccard": st.column_config.NumberColumn("Jaccard", width=76, format="%.2f"),
                    "rbo": st.column_config.NumberColumn("RBO", width=64, format="%.2f"),
                    "weighted_tau": st.column_config.NumberColumn(
                        "Weighted τ", width=96, format="%.2f",
                        help="Empty when the two lists share fewer than two films: there is no common order to compare.",
                    ),
                    "rbo_deep": st.column_config.NumberColumn(
                        "RBO, deep", width=100, format="%.3f",
                        help="Rank-biased overlap over every stored neighbour (not just the top): lists that share "
                        "nothing at the top still differ in how far down they meet. Orders the films at RBO 0.",
                    ),
                },
            )
            open_film.open_selected_row(picked, worst["id"].tolist())
with quality_tab:
    if quality_tab.open:
        st.subheader("Proxy quality of the recommendations")
        if analysis.evaluation is None or analysis.evaluation.empty:
            st.info("The artifacts hold no evaluation table; rebuild them to see the quality metrics.")
        else:
            try:
                evaluation = labels.evaluation_view(comparison.evaluation_table(analysis.evaluation))
            except RecommenderError as exc:
                st.warning(f"The evaluation table cannot be shown: {md(exc)}")
            else:
                st.dataframe(
                    evaluation, hide_index=True, key="cmp_evaluation",
                    column_order=["metric", "tfidf", "count", "better", "leader"],
                    column_config={
                        "metric": "Metric",
                        "tfidf": st.column_config.NumberColumn("TF-IDF", format="%.3f"),
                        "count": st.column_config.NumberColumn("Count", format="%.3f"),
                        "better": "Better when",
                        "leader": "Ahead",
                    },
                )
                st.caption(md(labels.READING_GUIDE))
                with st.expander("What each metric measures"):
                    st.markdown(labels.metric_guide(comparison.METRIC_DIRECTIONS))

        st.subheader("Similarity scores")
        scores = analysis_cache.score_distribution(model, cache.build_stamp(model))
        st.caption(
            "How similar each film's nearest and k-th nearest neighbours are under each vectorizer. Count scores run higher "
            "because shared common words count in full; compare the shapes, not the absolute values."
        )
        st.plotly_chart(figures.scores_figure(scores), key="cmp_scores")
        st.dataframe(
            comparison.score_summary(scores).replace({"vectorizer": LABELS}), hide_index=True, key="cmp_score_summary",
            column_config={
                "neighbour": "Neighbour",
                "vectorizer": "Vectorizer",
                "median": st.column_config.NumberColumn("Median", format="%.3f"),
                "mean": st.column_config.NumberColumn("Mean", format="%.3f"),
                "count": st.column_config.NumberColumn("Films", format="%d"),
            },
        )
