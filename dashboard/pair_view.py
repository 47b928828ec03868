"""Two films side by side: why they are similar (shared terms by field) and where each
map puts them. Drawn by the recommender page when a second film is chosen; the
numbers come from :mod:`recommender.pair`."""

from __future__ import annotations

import streamlit as st

from dashboard import cache, labels
from dashboard.text import md
from recommender import explorer
from recommender.model import RecommenderModel
from recommender.pair import compare_pair, map_placement


def _rank_text(rank: int | None) -> str:
    return "shares nothing with it" if rank is None else f"its no. {rank:,} most similar film"


def draw(model: RecommenderModel, first_id: int, second_id: int, vectorizer: str) -> None:
    """The comparison of two films in ``vectorizer``'s space, in a bordered box."""
    first_title = str(model.display_titles[model.row_of(first_id)])
    second_title = str(model.display_titles[model.row_of(second_id)])
    pair = compare_pair(model, first_id, second_id, vectorizer)
    method = labels.VECTORIZER_LABELS.get(vectorizer, vectorizer)
    with st.container(border=True):
        st.subheader(f"{md(first_title)} and {md(second_title)}")
        st.markdown(
            f"{method} similarity **{pair.similarity:.3f}**: for {md(first_title)}, "
            f"{md(second_title)} is {_rank_text(pair.rank_of_second)}."
        )
        if pair.shared:
            st.dataframe(
                {
                    "Field": [f.title for f in pair.shared],
                    "Share of the similarity": [f.share / pair.similarity if pair.similarity else 0.0 for f in pair.shared],
                    "Shared terms (heaviest first)": [", ".join(f.terms) for f in pair.shared],
                },
                hide_index=True, key="rec_pair_fields",
                column_config={
                    "Field": st.column_config.TextColumn(width=110),
                    "Share of the similarity": st.column_config.ProgressColumn(
                        format="percent", min_value=0.0, max_value=1.0, width=170
                    ),
                    "Shared terms (heaviest first)": st.column_config.TextColumn(width=520),
                },
            )
        else:
            st.info("The two films share no genre, keyword, person, studio or story word.")
        sides = st.columns(2)
        for side, title, terms in ((sides[0], first_title, pair.only_first), (sides[1], second_title, pair.only_second)):
            side.markdown(f"**Only {md(title)} has**")
            side.caption(md(" · ".join(terms)) if terms else "nothing the other lacks")
        _maps(model, first_id, second_id, vectorizer, pair.rank_of_second)


def _maps(model: RecommenderModel, first_id: int, second_id: int, vectorizer: str, true_rank: int | None) -> None:
    analysis = cache.get_analysis()
    maps = explorer.available_maps(analysis, vectorizer)
    if not maps:
        st.caption("This build has no maps (built with --skip-maps).")
        return
    first, second = model.row_of(first_id), model.row_of(second_id)
    names, ranks, shares = [], [], []
    for method, dims in maps:
        placed = map_placement(explorer.stored_map(analysis, vectorizer, method, dims).coords, first, second, true_rank)
        names.append(f"{labels.METHOD_LABELS.get(method, method)} {dims}-D")
        ranks.append(placed.map_rank)
        shares.append(placed.fraction_nearer)
    st.markdown("**Where each map puts the second film, seen from the first**")
    st.dataframe(
        {"Map": names, "Nearest dots rank": ranks, "Films drawn nearer": shares},
        hide_index=True, key="rec_pair_maps",
        column_config={
            "Map": st.column_config.TextColumn(width=110),
            "Nearest dots rank": st.column_config.NumberColumn(
                format="%d", width=150, help="1 = the map draws it as the first film's nearest dot"
            ),
            "Films drawn nearer": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0, width=170,
                help="Share of the catalog the map draws nearer to the first film than the second",
            ),
        },
    )
    truth = "shares no term with the first" if true_rank is None else f"is the first film's no. {true_rank:,} by similarity"
    st.caption(
        f"By the vectors the second film {truth}. A map that draws it much further down than that "
        "has moved the pair apart: distances on that map are not to be read for these two films."
    )
