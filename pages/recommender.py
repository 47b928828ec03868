"""Recommender page: films like a chosen film (or a mix of films), each with the reason.

Find a film by title, person or keyword (accents, case and "The" do not matter); mix
in more films to get films like all of them; compare the film with any other side by
side. Every setting lives in the URL (one browser history entry per change, so Back
returns to the previous film and a shared link shows the same list); one click on a
result, a search hit or a table row makes it the query. The cards need no pandas (the
catalog as columns, ``model.movies``): this is the page a first visitor waits for.
"""

from functools import partial

import streamlit as st

from dashboard import cache, film_picker, labels, shell, sidebar, state
from dashboard.text import md
from recommender.errors import RecommenderError
from recommender.languages import language_name
from recommender.ranking import RankingOptions, genres_of, languages_of
from recommender.results import (
    build_filters,
    export_name,
    is_weak,
    reasoned_results,
    results_csv,
    year_bounds,
)
from recommender.several import MAX_SEEDS, recommend_several, several_table

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

K_MAX = state.RECOMMENDER_K_MAX
SEARCH_LIMIT = 20

model = cache.get_model()
movies = model.movies
settings = model.config.ranking
full_years = year_bounds(movies)
has_year_range = full_years is not None and full_years[0] < full_years[1]
all_genres, all_languages = genres_of(movies), languages_of(movies)

SETTINGS = cache.recommender_settings(model)


def choose(movie_id: int) -> None:
    """Make ``movie_id`` the query (a result's button, a search hit or a table row)."""
    st.session_state["rec_movie"] = int(movie_id)
    st.session_state["rec_mix"] = [i for i in st.session_state.get("rec_mix", []) if i != int(movie_id)]
    if st.session_state.get("rec_compare") == int(movie_id):
        st.session_state["rec_compare"] = None


def choose_from_table(table_key: str, row_ids: list[int]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows:
        choose(row_ids[rows[0]])


def choose_hit(table_key: str, row_ids: list[int]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows:
        choose(row_ids[rows[0]])
        st.session_state["rec_query"] = ""


def clear_when_off(toggle_key: str, key: str, empty: object) -> None:
    """Switching a toggle off also clears what it showed (the mix, the second film)."""
    if not st.session_state[toggle_key]:
        st.session_state[key] = empty


def title_of(movie_id: int) -> str:
    return str(model.display_titles[model.row_of(movie_id)])


state.restore(SETTINGS)
if st.session_state.get("rec_years") is not None and not has_year_range:
    st.session_state["rec_years"] = None

st.title("Recommender")
query_text = st.text_input(
    "Search films by title, person or keyword", key="rec_query", persist_state="session",
    placeholder="e.g. Amelie, Tom Hanks, Nolan, heist",
    help="Accents, capitals and a leading \"The\" do not matter. People are cast and directors.",
)
hits = []
if query_text.strip():
    hits = cache.search_index(model).search(query_text, SEARCH_LIMIT)
    if hits:
        hit_key = f"rec_hits_{abs(hash(query_text))}"
        st.caption(f"{len(hits)} film{'s' if len(hits) != 1 else ''} found; select one to get its recommendations.")
        st.dataframe(
            {"Film": [h.display_title for h in hits], "Found by": [f"{h.matched} ({h.field})" for h in hits]},
            hide_index=True, key=hit_key, selection_mode="single-row",
            on_select=partial(choose_hit, hit_key, [h.movie_id for h in hits]),
            column_config={
                "Film": st.column_config.TextColumn("Film", width="medium"),
                "Found by": st.column_config.TextColumn("Found by", width="large"),
            },
            height=min(38 + 35 * len(hits), 300),
        )
    else:
        st.info("No film, person or keyword matches this search.")

pick = st.columns([4, 2], vertical_alignment="bottom")
# A large catalog's boxes list the chosen films and the searches' matches, not every film
# (dashboard.film_picker); the search box's matches are listed too.
hit_ids = [h.movie_id for h in hits]
movie_id = film_picker.film_selectbox(
    pick[0], "Find a film", model, "rec_movie", fallback=SETTINGS[0].default, extra=hit_ids, persist_state="session",
    help=None if film_picker.searched(model) else labels.FIND_FILM_HELP + " The search box above finds people and keywords too.",
)
k = pick[1].slider("Number of results", 1, K_MAX, key="rec_k", persist_state="session")
# The mix and the second film each list every film of the catalog, sent to the browser
# on every run: drawn only when switched on (a link with films to mix switches it on).
if st.session_state.get("rec_mix"):
    st.session_state["rec_mixing"] = True
mix = []
if st.toggle("Mix in more films", key="rec_mixing", on_change=partial(clear_when_off, "rec_mixing", "rec_mix", [])):
    mix = film_picker.film_multiselect(
        st, "Films to mix in", model, "rec_mix", exclude=[movie_id], extra=hit_ids,
        max_selections=MAX_SEEDS - 1, placeholder="Add films to get films like all of them together",
        persist_state="session",
    )

controls = st.columns([2, 2, 2, 1], vertical_alignment="center")
rating_weight = controls[0].slider(
    "Rating blend", 0.0, 1.0, step=0.05, key="rec_rating_weight",
    help="0 ranks by similarity and the audience signals only; higher values favour films with a high "
    "weighted rating (standardised, on the scale of this film's similarities, so 0.1 nudges and 1 ranks by rating).",
    persist_state="session",
)
mmr = controls[1].toggle(
    "Diversify (MMR)", key="rec_mmr", persist_state="session",
    help="Maximal marginal relevance: skip results too similar to those already shown.",
)
mmr_lambda = controls[2].slider(
    "Relevance vs diversity", 0.0, 1.0, step=0.05, key="rec_mmr_lambda",
    disabled=not mmr, persist_state="session", help="1 keeps the similarity order; lower values diversify more.",
)
as_table = controls[3].toggle("Table view", key="rec_table_view", persist_state="session")

# The filters' widgets run only while their box is open (a closed box sends none of them:
# the first page fetches less of the frontend). Their values are in the session before
# the widgets run (from the URL, or from the widgets' last change) and stay in the URL.
filters = build_filters(
    tuple(st.session_state["rec_years"]) if has_year_range and st.session_state.get("rec_years") else None,
    full_years, st.session_state.get("rec_genres") or [], int(st.session_state.get("rec_min_votes") or 0),
    st.session_state.get("rec_languages") or [],
)
filter_box = st.expander(
    "Filters", expanded=filters.active, key="rec_filters", on_change="rerun", icon=":material/filter_list:"
)
with filter_box:
    if filter_box.open:
        columns = st.columns(2)
        if has_year_range:
            columns[0].slider("Release years", *full_years, key="rec_years", persist_state="session")
        columns[1].number_input("Minimum votes", min_value=0, step=100, key="rec_min_votes", persist_state="session")
        columns[0].multiselect(
            "Genres", all_genres, key="rec_genres", placeholder="Any genre",
            help="Keep films having any of these genres.", persist_state="session",
        )
        columns[1].multiselect(
            "Original language", all_languages, format_func=language_name, key="rec_languages",
            placeholder="Any language", persist_state="session",
        )

if st.session_state.get("rec_compare") is not None:
    st.session_state["rec_comparing"] = True
compare_id = None
if st.toggle(
    "Compare with another film", key="rec_comparing", on_change=partial(clear_when_off, "rec_comparing", "rec_compare", None)
):
    compare_id = film_picker.film_selectbox(
        st, "Second film", model, "rec_compare", fallback=None, exclude=[movie_id], extra=hit_ids, index_none=True,
        placeholder="Choose a film to see why the two are (not) similar", persist_state="session",
    )

vectorizer = sidebar.vectorizer()
state.publish(SETTINGS, {"vectorizer": vectorizer})
options = RankingOptions.from_settings(
    settings, vectorizer=vectorizer, k=k, rating_weight=rating_weight, mmr=mmr, mmr_lambda=mmr_lambda, filters=filters
)
seeds = [movie_id, *mix]
try:
    if mix:
        results = several_table(model, recommend_several(model, seeds, options))
    else:
        results = reasoned_results(model, movie_id, options)
except RecommenderError as exc:
    st.error(f"No recommendations: {md(exc)}")
    st.stop()

query = movies.row(model.row_of(movie_id))
if mix:
    st.header(f"Recommendations for {md(query['display_title'])} + {len(mix)} more")
    st.caption(md("Films like all of: " + ", ".join(title_of(i) for i in seeds)))
else:
    st.header(f"Recommendations for {md(query['display_title'])}")
    st.caption(md(labels.movie_caption(model, movie_id)))
    if query["overview"]:
        st.markdown(md(query["overview"]))

if compare_id is not None:
    from dashboard import pair_view  # the comparison loads the maps (pandas): only when asked

    pair_view.draw(model, movie_id, compare_id, vectorizer)

blended = rating_weight > 0
method = labels.VECTORIZER_LABELS.get(vectorizer, vectorizer)
audience = labels.audience_text(model.audience.settings)
st.caption(
    f"Ranked by {method} similarity"
    + (
        " to the mix of the chosen films" if mix
        else " (story, genres, keywords, people, studio, era, language, rating)"
    )
    + (f" and {audience}" if audience else "")
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

if not mix and is_weak(results, settings.weak_similarity):
    st.warning(
        f"Weak recommendations: the closest film has a similarity of {max(results['similarity']):.2f}, below "
        f"{settings.weak_similarity:.2f}. {md(query['display_title'])} shares little with any other film here, "
        "so these are loose suggestions.",
        icon=":material/info:",
    )

export_settings = {
    "films": "; ".join(f"{title_of(i)} (id {i})" for i in seeds),
    "vectorizer": vectorizer, "k": k, "rating blend": rating_weight, "MMR": mmr,
    "MMR lambda": mmr_lambda if mmr else "off", "filters": filters, "link": "?" + "&".join(
        f"{name}={value}" for name, values in state.current_url().items() for value in values
    ),
}
st.download_button(
    "Download these results (CSV)", results_csv(results, settings=export_settings),
    file_name=export_name("recommendations", query["display_title"], movie_id),
    mime="text/csv", on_click="ignore", icon=":material/download:",
)

if as_table:
    table_key = f"rec_table_{movie_id}_{'-'.join(map(str, mix))}"
    st.caption("Select a row to get recommendations for that film.")
    st.dataframe(
        results.to_frame(),
        hide_index=True,
        key=table_key,
        on_select=partial(choose_from_table, table_key, [int(i) for i in results["id"]]),
        selection_mode="single-row",
        # Fits the main column of a 1280 px window (about 780 px beside the row checkboxes):
        # genres and directors are in the cards, the CSV and often the "why"; a cell's whole
        # text shows on hover. Wider windows stretch the columns.
        column_order=["rank", "heading", "similarity", "weighted_rating"]
        + (["score"] if blended or mmr or not mix else []) + (["closest"] if mix else []) + ["why"],
        column_config={
            "rank": st.column_config.NumberColumn("#", width=36),
            "heading": st.column_config.TextColumn("Film", width=190),
            "similarity": st.column_config.ProgressColumn(
                "Similarity", format="%.2f", min_value=0.0, max_value=1.0, width=90
            ),
            "weighted_rating": st.column_config.NumberColumn("Rating", format="%.2f", width=64, help=labels.RATING_HELP),
            "score": st.column_config.NumberColumn(
                "Score", format="%.3f", width=60,
                help="What the list is ordered by: similarity plus the audience signals, blended with the rating",
            ),
            "closest": st.column_config.TextColumn("Closest to", width=130),
            "why": st.column_config.TextColumn("Why", width=200 if mix else 330),
        },
        row_height=56,
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
                    + (f" · score {result.score:.3f}" if blended or mmr or not mix else "")
                    + (f" · closest to {md(result.closest)}" if mix else "")
                )
                st.caption(f"**Why:** {md(result.why)}")
