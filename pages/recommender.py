"""Recommender page: films like a chosen film, each with the reason, as cards or a table.

The view (movie id, vectorizer, k) lives in the URL, so a link restores it; one
click on a result makes it the new query. The cards need no pandas (the catalog as
columns, ``model.movies``): this is the page a first visitor waits for.
"""

from functools import partial

import streamlit as st

from dashboard import cache, labels, shell, sidebar, state
from dashboard.text import md
from recommender.errors import RecommenderError
from recommender.languages import language_name
from recommender.ranking import RankingOptions, genres_of, languages_of
from recommender.results import (
    build_filters,
    default_movie_id,
    reasoned_results,
    results_csv,
    year_bounds,
)

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

K_MAX = 50

model = cache.get_model()
movies = model.movies
settings = model.config.ranking


def choose(movie_id: int) -> None:
    """Make ``movie_id`` the query (a result's button or table row)."""
    st.session_state["rec_movie"] = int(movie_id)


def choose_from_table(table_key: str, ids: list[int]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows:
        choose(ids[rows[0]])


def title_of(movie_id: int) -> str:
    return str(model.display_titles[model.row_of(movie_id)])


# Restore the view from the URL once per session (a bad value warns and falls back);
# afterwards the widgets own it and write it back to the URL.
if "rec_movie" not in st.session_state or not model.has_id(st.session_state["rec_movie"]):
    st.session_state["rec_movie"] = state.movie_param(model, default_movie_id(movies))
if "rec_k" not in st.session_state:
    st.session_state["rec_k"] = state.int_param("k", 1, K_MAX, min(settings.k, K_MAX))

st.title("Recommender")
pick = st.columns([4, 2], vertical_alignment="bottom")
movie_id = pick[0].selectbox(
    "Find a film", model.ids.tolist(), format_func=title_of, key="rec_movie",
    help="Type part of a title to search. Films sharing a title show their year.", persist_state="session",
)
k = pick[1].slider("Number of results", 1, K_MAX, key="rec_k", persist_state="session")

controls = st.columns([2, 2, 2, 1], vertical_alignment="center")
rating_weight = controls[0].slider(
    "Rating blend", 0.0, 1.0, float(settings.rating_weight), step=0.05, key="rec_rating_weight",
    help="0 ranks by similarity only; higher values favour films with a high weighted rating.",
    persist_state="session",
)
mmr = controls[1].toggle(
    "Diversify (MMR)", value=settings.mmr, key="rec_mmr", persist_state="session",
    help="Maximal marginal relevance: skip results too similar to those already shown.",
)
mmr_lambda = controls[2].slider(
    "Relevance vs diversity", 0.0, 1.0, float(settings.mmr_lambda), step=0.05, key="rec_mmr_lambda",
    disabled=not mmr, persist_state="session", help="1 keeps the similarity order; lower values diversify more.",
)
as_table = controls[3].toggle("Table view", key="rec_table_view", persist_state="session")

with st.expander("Filters", icon=":material/filter_list:"):
    columns = st.columns(2)
    full_years = year_bounds(movies)
    years = None
    if full_years is not None and full_years[0] < full_years[1]:
        years = columns[0].slider(
            "Release years", *full_years, value=full_years, key="rec_years", persist_state="session"
        )
    min_votes = columns[1].number_input(
        "Minimum votes", min_value=0, value=0, step=100, key="rec_min_votes", persist_state="session"
    )
    genres = columns[0].multiselect(
        "Genres", genres_of(movies), key="rec_genres", placeholder="Any genre",
        help="Keep films having any of these genres.", persist_state="session",
    )
    languages = columns[1].multiselect(
        "Original language", languages_of(movies), format_func=language_name, key="rec_languages",
        placeholder="Any language", persist_state="session",
    )

vectorizer = sidebar.vectorizer()
state.set_params(movie=movie_id, vectorizer=vectorizer, k=k)
filters = build_filters(tuple(years) if years else None, full_years, genres, int(min_votes), languages)
options = RankingOptions.from_settings(
    settings, vectorizer=vectorizer, k=k, rating_weight=rating_weight, mmr=mmr, mmr_lambda=mmr_lambda, filters=filters
)
try:
    results = reasoned_results(model, movie_id, options)
except RecommenderError as exc:
    st.error(f"No recommendations: {exc}")
    st.stop()

query = movies.row(model.row_of(movie_id))
st.header(f"Recommendations for {md(query['display_title'])}")
st.caption(md(labels.movie_caption(model, movie_id)))
if query["overview"]:
    st.markdown(md(query["overview"]))

blended = rating_weight > 0
method = labels.VECTORIZER_LABELS.get(vectorizer, vectorizer)
st.caption(
    f"Ranked by {method} cosine similarity"
    + (f", blended {rating_weight:.0%} with the weighted rating" if blended else "")
    + (", diversified with MMR" if mmr else "")
    + (". Filters are on." if filters.active else ".")
)

if results.empty:
    if filters.active:
        st.info(
            f"No film similar to {md(query['display_title'])} passes these filters. Widen the year range, "
            "remove some genres or languages, or lower the minimum votes."
        )
    else:
        st.info(f"{md(query['display_title'])} shares no genre, keyword, person or overview word with another film.")
    st.stop()

st.download_button(
    "Download these results (CSV)", results_csv(results), file_name=f"recommendations-{movie_id}.csv",
    mime="text/csv", on_click="ignore", icon=":material/download:",
)

if as_table:
    table_key = f"rec_table_{movie_id}"
    st.caption("Select a row to get recommendations for that film.")
    st.dataframe(
        results.to_frame(),
        hide_index=True,
        key=table_key,
        on_select=partial(choose_from_table, table_key, [int(i) for i in results["id"]]),
        selection_mode="single-row",
        column_order=["rank", "heading", "similarity", "weighted_rating"]
        + (["score"] if blended or mmr else []) + ["why", "genres", "directors"],
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "heading": st.column_config.TextColumn("Film", width="medium"),
            "genres": st.column_config.ListColumn("Genres"),
            "directors": st.column_config.ListColumn("Director"),
            "similarity": st.column_config.ProgressColumn("Similarity", format="%.2f", min_value=0.0, max_value=1.0),
            "weighted_rating": st.column_config.NumberColumn("Weighted rating", format="%.2f"),
            "score": st.column_config.NumberColumn("Score", format="%.3f", help="Similarity blended with the rating"),
            "why": st.column_config.TextColumn("Why", width="large"),
        },
    )
else:
    cards = list(results.tuples())
    for start in range(0, len(cards), 2):
        for column, result in zip(st.columns(2), cards[start : start + 2]):
            with column.container(border=True):
                head = st.columns([4, 2], vertical_alignment="top")
                head[0].markdown(f"**{result.rank}\\. {md(result.heading)}**")
                head[1].button(
                    "More like this", key=f"rec_more_{result.id}", on_click=choose, args=(int(result.id),),
                    icon=":material/arrow_forward:", help="Recommend films like this one",
                )
                st.caption(
                    md(", ".join(result.genres) or "no genres")
                    + (f" · directed by {md(', '.join(result.directors))}" if len(result.directors) else "")
                )
                st.progress(float(min(max(result.similarity, 0.0), 1.0)), text=f"Similarity {result.similarity:.2f}")
                st.markdown(
                    f"⭐ Weighted rating **{result.weighted_rating:.2f}**"
                    + (f" · score {result.score:.3f}" if blended or mmr else "")
                )
                st.caption(f"**Why:** {md(result.why)}")
