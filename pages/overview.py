"""Overview page: what is in the catalog, and its IMDB-style weighted-rating top chart."""

import streamlit as st

from dashboard import analysis_cache, cache, labels, open_film, shell, state
from dashboard.text import md
from recommender.ranking import genres_of

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

model = cache.get_model()
charts = analysis_cache.overview_charts(model, cache.build_stamp(model))  # made once per build
facts = charts.facts
stats = model.stats
catalog_name = model.manifest.get("catalog", {}).get("name", "catalog")

st.title("Catalog overview")
st.caption(f"What is in the {md(catalog_name)}, and which films the audience rates highest.")

years_text = f"{facts['first_year']}–{facts['last_year']}" if facts["first_year"] is not None else "unknown"
tiles = st.columns([1, 1.5, 1, 1, 1])
tiles[0].metric("Films", f"{facts['films']:,}", border=True)
undated = f"{facts['undated']:,} films without a year" if facts["undated"] else None
tiles[1].metric("Years", years_text, border=True, help=undated)
tiles[2].metric("Genres", f"{facts['genres']:,}", border=True)
tiles[3].metric("Languages", f"{facts['languages']:,}", border=True)
tiles[4].metric("Directors", f"{facts['directors']:,}", border=True)

# Only the open tab runs and is sent (overview_tab= in the URL): the charts load plotly, about
# 0.4 s of the page's load in Chromium on a 2-core machine, so they wait for their tab.
TABS = ("Top rated films", "The catalog in charts")
all_genres = genres_of(model.movies)
full = (facts["first_year"], facts["last_year"]) if facts["first_year"] is not None else None
has_years = full is not None and full[0] < full[1]
SETTINGS = [
    state.Setting("top_genres", "top_genre", [], "list", choices=frozenset(all_genres)),
    state.Setting("top_n", "top_n", 20, "int", low=5, high=100),
    state.Setting("overview_tab", "overview_tab", TABS[0], "str", choices=TABS),
]
if has_years:
    SETTINGS.append(state.Setting("top_years", "top_years", full, "range", low=full[0], high=full[1]))
state.restore(SETTINGS)

top_tab, charts_tab = st.tabs(TABS, key="overview_tab", on_change="rerun")
state.publish(SETTINGS)  # every setting is in the session before the run, the hidden tab's filters too
with top_tab:
    if top_tab.open:
        st.latex(labels.weighted_rating_formula(stats))
        st.caption(
            f"R is a film's average vote and v its number of votes; C = {stats.mean_vote:.2f} is the mean vote over this "
            f"catalog and m = {stats.min_votes:,.0f} votes is its {stats.quantile:.0%} quantile of vote counts. A film needs "
            "at least m votes to enter the chart, and its own average counts more the more votes it has."
        )

        filters = st.columns([3, 3, 2])
        chosen_genres = filters[0].multiselect(
            "Genres", all_genres, key="top_genres", placeholder="Any genre",
            help="Keep films having any of these genres.", persist_state="session",
        )
        years = None
        if has_years:
            chosen_years = filters[1].slider("Release years", *full, key="top_years", persist_state="session")
            years = None if tuple(chosen_years) == full else tuple(chosen_years)
        n = filters[2].slider("Films shown", 5, 100, step=5, key="top_n", persist_state="session")

        chart = cache.cached_top_chart(model, cache.build_stamp(model), tuple(sorted(chosen_genres)), years, n)
        if chart.empty:
            st.info(
                f"No film with at least {stats.min_votes:,.0f} votes matches these genres and years. "
                "Widen the year range or choose other genres."
            )
        else:
            st.caption("Select a row to open that film in the recommender.")
            picked = st.dataframe(
                chart,
                hide_index=True,
                key="top_chart",
                on_select="rerun",
                selection_mode="single-row",
                column_order=["rank", "display_title", "year", "genres", "vote_average", "vote_count", "weighted_rating"],
                column_config={
                    "rank": st.column_config.NumberColumn("#", width=40),
                    "display_title": st.column_config.TextColumn("Film", width=210),
                    "year": st.column_config.NumberColumn("Year", format="%d", width=56),
                    "genres": st.column_config.ListColumn("Genres", width=200),
                    "vote_average": st.column_config.NumberColumn("R", format="%.1f", help="Average vote", width=48),
                    "vote_count": st.column_config.NumberColumn("v", format="localized", help="Number of votes", width=72),
                    "weighted_rating": st.column_config.ProgressColumn(
                        "Weighted rating", format="%.2f", min_value=0.0, max_value=10.0, width=140
                    ),
                },
            )
            open_film.open_selected_row(picked, chart["id"].tolist())

with charts_tab:
    if charts_tab.open:
        left, right = st.columns([3, 2])
        with left:
            if charts.decades is None:
                st.info("No film of this catalog has a release year, so there is no timeline.")
            else:
                st.plotly_chart(charts.decades, key="decades_chart")
        with right:
            st.plotly_chart(charts.languages, key="languages_chart")

        st.plotly_chart(charts.genres, key="genres_chart")
