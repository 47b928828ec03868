"""Embedding explorer: every film on a 2-D/3-D map of the vectorizer's space.

Precomputed t-SNE, UMAP and PCA maps show at once; a custom map can be recomputed
with other settings. Films are coloured by genre, decade, cluster, rating, vectorizer
agreement or how faithfully the map keeps their neighbours; a searched film is
linked to its true neighbours; a box/lasso selection lists the chosen films. The view
(map, dims, colour, movie) lives in the URL.
"""

import streamlit as st

from dashboard import analysis_cache, cache, figures, film_picker, labels, map_chart, open_film, shell, sidebar, state
from dashboard.text import md
from recommender import explorer
from recommender.errors import RecommenderError
from recommender.results import results_csv

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

NEIGHBOURS_MAX = 30

model = cache.get_model()
# A click on one dot (the chart's callback, before this run) opens that film.
clicked = st.session_state.pop("exp_clicked_row", None)
if clicked is not None and 0 <= clicked < len(model.ids):
    open_film.open_in_recommender(int(model.ids[clicked]))
analysis = cache.get_analysis()
vectorizer = sidebar.vectorizer()
vectorizer_label = labels.VECTORIZER_LABELS.get(vectorizer, vectorizer)

st.title("Embedding explorer")
st.caption(
    f"Each dot is a film, placed so that films with similar {vectorizer_label} vectors land close together. "
    "Every film is drawn; hover for details, click a dot to open its film, drag a box or lasso to list films, "
    "search a film to see its true neighbours."
)
if not analysis.has_maps:
    st.info(labels.missing_maps_message(model.manifest))
    st.stop()

methods, dimensions = explorer.map_options(analysis, vectorizer)
if not methods:
    st.warning(f"The artifacts hold no map of the {vectorizer_label} vectors. Pick another vectorizer or rebuild.")
    st.stop()


def set_zoom(region: tuple[float, float, float, float] | None) -> None:
    """Zoom the map to ``region`` (x_min, x_max, y_min, y_max), or show it whole (None)."""
    st.session_state["exp_zoom"] = region


def title_of(movie_id: int) -> str:
    return str(model.display_titles[model.row_of(movie_id)])


TABS = ("Selected films", "Clusters")
stored_k = int(model.space(vectorizer).neighbours.shape[1])
k_max = max(2, min(NEIGHBOURS_MAX, stored_k))
SETTINGS = [
    state.Setting("exp_map", "map", methods[0], "str", choices=methods),
    state.Setting("exp_dims", "dims", dimensions[0], "int", choices=dimensions),
    state.Setting("exp_color", "color", "genre", "str", choices=list(explorer.COLORINGS)),
    state.Setting("exp_movie", "movie", None, "int", choices=frozenset(model.ids.tolist())),
    state.Setting("exp_k", "k", min(model.config.projection.faithfulness_k, k_max), "int", low=1, high=k_max),
    state.Setting("exp_labels", "labels", "broad", "str", choices=("broad", "fine", "none")),
    state.Setting("exp_cluster_level", "level", "broad", "str", choices=explorer.CLUSTER_LEVELS),
    state.Setting("exp_zoom", "zoom", None, "region"),
    state.Setting("exp_tab", "tab", TABS[0], "str", choices=TABS),
]
ZOOM = next(setting for setting in SETTINGS if setting.key == "exp_zoom")
# The URL (a link, or Back/Forward) sets the view; otherwise the session keeps it.
state.restore(SETTINGS)
for name, allowed in (("exp_map", methods), ("exp_dims", dimensions)):
    if st.session_state.get(name) not in allowed:  # another vectorizer's maps, or a rebuild
        st.session_state[name] = allowed[0]
if isinstance(st.session_state.get("exp_movie"), int) and not model.has_id(st.session_state["exp_movie"]):
    st.session_state["exp_movie"] = None  # a rebuild dropped the film

# The view, as the widgets below will show it: the URL or the session set their values
# (state.restore; a widget's change is in the session before the run), and typed text
# in the film box is resolved first. The map is computed and sent before the widgets are
# drawn, into its place below them: the browser starts loading and drawing it while it
# lays out the controls (paired page loads in docs/BROWSER_BENCHMARK.md, seventh round).
film_picker.resolve_typed(model, "exp_movie", None)
method = st.session_state["exp_map"]
dims = st.session_state["exp_dims"]
color_by = st.session_state["exp_color"]
movie_id = st.session_state["exp_movie"]
k = st.session_state["exp_k"]
custom = bool(st.session_state.get("exp_custom", False))
# Labels follow the colouring: coloured by fine clusters, the map names fine clusters.
label_level = st.session_state["exp_labels"]
if label_level != "none" and color_by in ("cluster_broad", "cluster_fine"):
    label_level = color_by.removeprefix("cluster_")
custom_view = (vectorizer, method, dims)  # a custom map's settings apply to this map only


def compute_custom_map(view: tuple[str, str, int]) -> None:
    """Compute map (the form's button, a callback before the run): keep the form's settings for
    ``view`` (vectorizer, method, dims)."""
    method = view[1]
    projection = model.config.projection
    perplexity, n_neighbors, min_dist = projection.tsne_perplexity, projection.umap_n_neighbors, projection.umap_min_dist
    if method == "tsne":
        perplexity = float(st.session_state.get("exp_perplexity", perplexity))
    else:
        n_neighbors = int(st.session_state.get("exp_n_neighbors", n_neighbors))
        min_dist = float(st.session_state.get("exp_min_dist", min_dist))
    st.session_state.setdefault("exp_custom_settings", {})[view] = (perplexity, n_neighbors, min_dist)


controls_box = st.container()
summary_box = st.container()
map_box = st.container()

stamp = cache.build_stamp(model)
# The custom map's settings, when one is drawn: another map type, dims or vectorizer shows
# its stored map until Compute map is pressed for it.
chosen = st.session_state.get("exp_custom_settings", {}).get(custom_view) if custom and method != "pca" else None
try:
    movie_map = explorer.stored_map(analysis, vectorizer, method, dims)
    if chosen is not None:
        movie_map = analysis_cache.custom_map(model, stamp, vectorizer, method, dims, *chosen)
    view = analysis_cache.MapView(stamp, vectorizer, method, dims, chosen if movie_map.custom else None)
    frame = analysis_cache.map_frame(model, analysis, movie_map, view, color_by)
    focus_row = None if movie_id is None else model.row_of(movie_id)
    segments = None
    if focus_row is not None:
        space = model.space(vectorizer)
        segments = explorer.neighbour_segments(
            frame, space.neighbours[focus_row], space.scores_of(focus_row), focus_row, k
        )
    region = st.session_state.get("exp_zoom") if dims == 2 else None
    in_view = None if region is None else explorer.in_region(frame, region)
    if in_view is not None and not in_view.any():  # another map type or vectorizer: nothing there
        region = in_view = st.session_state["exp_zoom"] = None
    if in_view is not None and label_level == "broad" and color_by != "cluster_broad":
        label_level = "fine"  # zoomed in, finer labels (unless the colours are the broad clusters)
    centroids = None
    if label_level != "none":
        centroids = explorer.cluster_centroids(frame if in_view is None else frame[in_view], label_level)
    figure = analysis_cache.map_figure(
        frame, segments, centroids, view, color_by, focus_row, k if segments is not None else None, label_level, region
    )
except RecommenderError as exc:
    st.error(f"This map cannot be drawn: {md(exc)}")
    st.stop()


def remember_click(row: int) -> None:
    """A click on one dot: open its film at the top of the next run."""
    st.session_state["exp_clicked_row"] = row


def show_selection(rows: list[int]) -> None:
    """A box or lasso: show the films it holds."""
    if rows:
        st.session_state["exp_tab"] = TABS[0]


selectable = dims == 2
# A zoomed view is a new map: the selection that asked for it does not carry over.
chart_key = f"exp_chart_{dims}" + ("" if region is None else f"_zoom_{abs(hash(region))}")
with map_box:
    selected_rows = map_chart.draw(
        figure, key=chart_key, config=figures.MAP_CONFIG, selectable=selectable, films=len(frame),
        on_click=remember_click, on_select=show_selection,
    )

with controls_box:
    # Two rows that fit a 1280 px window: the map itself (type, dims, labels, custom settings), then
    # what is shown on it (colours, a film and its true neighbours).
    controls = st.columns([7, 4, 7, 6], vertical_alignment="bottom")
    controls[0].radio(
        "Map type", methods, format_func=labels.METHOD_LABELS.get, key="exp_map", horizontal=True,
        persist_state="session",
        help="t-SNE and UMAP keep close films close; PCA keeps the broad directions of variation (less faithful locally).",
    )
    controls[1].radio(
        "Dimensions", dimensions, format_func=lambda d: f"{d}-D", key="exp_dims", horizontal=True,
        persist_state="session",
    )
    controls[2].radio(
        "Cluster labels", ("broad", "fine", "none"), key="exp_labels", horizontal=True, persist_state="session",
        help="Labels at the middle of each k-means cluster of the vectors, named by their most distinctive terms. "
        "Coloured by clusters, the map names the clusters of its colours (broad or fine), unless this is none.",
    )
    controls[3].toggle("Custom map settings", key="exp_custom", persist_state="session")
    options = st.columns([3, 5, 4], vertical_alignment="bottom")
    options[0].selectbox(
        "Colour by", list(explorer.COLORINGS), format_func=labels.COLOR_LABELS.get, key="exp_color",
        persist_state="session",
        help="Vectorizer agreement: rank-biased overlap of the film's TF-IDF and Count top 10. "
        "Map faithfulness: share of its true top-10 neighbours that stay among its 10 nearest dots.",
    )
    film_picker.film_selectbox(
        options[1], "Find a film", model, "exp_movie", fallback=None, index_none=True,
        placeholder="Search a film to draw lines to its true neighbours", persist_state="session",
        help=None if film_picker.searched(model) else labels.FIND_FILM_HELP,
    )
    options[2].slider(
        "True neighbours to draw", 1, k_max,
        key="exp_k", disabled=movie_id is None, persist_state="session",
        help="A neighbour is drawn dashed red when the map does not place it among the film's k nearest dots.",
    )
    if custom and method == "pca":
        st.info("PCA has no settings to change: the stored PCA map is already the exact one.")
    elif custom:
        projection = model.config.projection
        with st.form("exp_custom_form", border=True):
            method_label = labels.METHOD_LABELS[method]
            st.markdown(f"**Custom {method_label} {dims}-D map** of the {vectorizer_label} vectors")
            if method == "tsne":
                st.slider(
                    "Perplexity", 2.0, 100.0, float(projection.tsne_perplexity), step=1.0, key="exp_perplexity",
                    help="About how many neighbours each film tries to keep close; "
                    "larger values show more global structure.",
                )
            else:
                st.slider(
                    "n_neighbors", 2, 200, int(projection.umap_n_neighbors), key="exp_n_neighbors",
                    help="Size of the neighbourhood UMAP preserves: small = local detail, large = global layout.",
                )
                st.slider(
                    "min_dist", 0.0, 1.0, float(projection.umap_min_dist), step=0.05, key="exp_min_dist",
                    help="How tightly films may pack: small values give dense clumps.",
                )
            st.form_submit_button("Compute map", type="primary", on_click=compute_custom_map, args=(custom_view,))
        if chosen is None:
            st.caption("Showing the stored map until you press Compute map.")

state.publish(SETTINGS, {"vectorizer": vectorizer})

numbers = explorer.map_metrics(frame, movie_map)
quality = explorer.map_quality(frame["faithfulness"].to_numpy(dtype="float64"))
faithfulness_k = model.config.projection.faithfulness_k
with summary_box:
    tiles = st.columns([4, 5, 4, 4])  # the longest label fits a 1280 px window
    tiles[0].metric(
        "Films drawn", f"{numbers['points']:,}", border=True,
        help="Every film of the catalog is drawn (WebGL); nothing is sampled.",
    )
    tiles[1].metric(
        "Neighbours kept nearby", "n/a" if quality.mean != quality.mean else f"{quality.mean:.0%}", border=True,
        help=f"On average, of a film's {faithfulness_k} most similar films (by the vectors), this share is among "
        f"its {faithfulness_k} nearest dots on the map. The rest are drawn further away.",
    )
    tiles[2].metric(
        "Well-placed films",
        "n/a" if quality.share_trustworthy != quality.share_trustworthy else f"{quality.share_trustworthy:.0%}",
        border=True,
        help=f"Films keeping at least half of their {faithfulness_k} true neighbours among their nearest dots. "
        "Colour by map faithfulness to see where they are.",
    )
    tiles[3].metric(
        "Custom map" if movie_map.custom else "Map", f"{labels.METHOD_LABELS[method]} {dims}-D", border=True,
        delta=movie_map.description if movie_map.custom else None, delta_color="off", delta_arrow="off",
        help="Recomputed with your settings." if movie_map.custom else "Precomputed when the artifacts were built.",
    )
    st.caption(labels.map_quality_text(quality, faithfulness_k, numbers["trustworthiness"]))
    if region is not None:
        zoom_note = st.columns([5, 1], vertical_alignment="center")
        zoom_note[0].caption(
            f"**Zoomed in** on {int(in_view.sum()):,} films: the labels name the {label_level} clusters of the films in "
            "view, placed for this view, so more of them fit. Every film is still drawn (zoom out with a double-click "
            "on the map). Zooming re-sends the whole map to the browser, about as long as changing the colouring."
        )
        zoom_note[1].button(
            "Whole map", key="exp_unzoom", icon=":material/zoom_out_map:",
            on_click=set_zoom, args=(None,),
        )
    elif centroids is not None and len(centroids):
        shown = figure.labels_shown
        st.caption(
            f"Showing {shown} of {len(centroids)} {label_level} cluster labels: the largest clusters' labels that do not "
            "overlap. Every label is in the Clusters tab below; the fine level names more, smaller clusters."
        )
    if numbers["points"] > figures.LIGHT_HOVER_FILMS:
        st.caption(
            f"All {numbers['points']:,} films are drawn (WebGL, none sampled). Above {figures.LIGHT_HOVER_FILMS:,} films "
            "a dot's hover shows its title and year only, to keep the map light: click it to open the film, or select "
            "films to list their details."
        )
    if numbers["without_colour"]:
        colouring = labels.COLOR_LABELS[color_by].lower()
        st.caption(f"{numbers['without_colour']:,} films have no {colouring} value and are drawn grey.")


with map_box:
    if selectable:
        st.caption(
            "Click a dot to open that film in the recommender. Drag to zoom (double-click to zoom out): that zoom "
            "only magnifies. The box and lasso tools (top right) list the films inside them, and *Zoom to these "
            "films* redraws the map on them with the labels of the clusters in view."
        )
    else:
        st.caption("3-D maps can be turned and zoomed; clicking and selecting films work on 2-D maps.")

if segments is not None:
    far = int(segments["far"].sum())
    st.markdown(
        f"**{md(title_of(movie_id))}**: lines to its {len(segments)} most similar films by {vectorizer_label} cosine "
        f"similarity. {far} of them {'is' if far == 1 else 'are'} placed far away on this map (dashed red): "
        "the map distorts those relations."
    )
    with st.expander("Its true neighbours", expanded=False):
        st.dataframe(
            segments, hide_index=True, key="exp_segments",
            column_order=["rank", "display_title", "similarity", "far"],
            column_config={
                "rank": st.column_config.NumberColumn("#", width=40),
                "display_title": st.column_config.TextColumn("Film"),
                "similarity": st.column_config.NumberColumn("Similarity", format="%.3f"),
                "far": st.column_config.CheckboxColumn("Far on the map"),
            },
        )

# Only the open tab runs and is sent (the clusters table loads the grid only when asked for).
selection_tab, cluster_tab = st.tabs(TABS, key="exp_tab", on_change="rerun")
with selection_tab:
    if selection_tab.open:
        rows = selected_rows if selectable else []
        if not selectable:
            st.caption("Box and lasso selection work on 2-D maps: switch Dimensions to 2-D to select films.")
        elif not rows:
            st.caption(
                "Choose the box or lasso tool (top right of the map) and drag it over the map to list the films "
                "inside; a row of that list opens its film in the recommender."
            )
        else:
            selected = explorer.selection_table(frame, rows)
            bounds = explorer.selection_bounds(frame, rows)
            if bounds is not None:
                st.button(
                    "Zoom to these films", key="exp_zoom_in", icon=":material/zoom_in:",
                    on_click=set_zoom, args=(ZOOM.decode(ZOOM.encode(bounds)),),
                    help="Redraw the map on the region of the selection, with labels for the clusters in view.",
                )
            st.markdown(f"**{len(selected):,} films selected**: select a row to open that film in the recommender.")
            map_name = f"{labels.METHOD_LABELS[method]} {dims}-D"
            st.download_button(
                "Download the selection (CSV)",
                results_csv(selected, settings={
                    "map": f"{map_name} of the {vectorizer_label} vectors" + (f" ({movie_map.description})" if movie_map.custom else ""),
                    "colour": labels.COLOR_LABELS.get(color_by, color_by), "films": len(selected),
                    "link": "?" + "&".join(f"{n}={v}" for n, vs in state.current_url().items() for v in vs),
                }),
                file_name=f"selected-films-{method}-{dims}d-{vectorizer}-{len(selected)}.csv", mime="text/csv",
                on_click="ignore", icon=":material/download:",
            )
            picked = st.dataframe(
                selected, hide_index=True, key="exp_selection", on_select="rerun", selection_mode="single-row",
                # Fits the main column of a 1280 px window (about 780 px beside the row checkboxes);
                # agreement, broad cluster and id are in the CSV. Wider windows stretch the columns.
                column_order=["display_title", "year", "genres", "director", "weighted_rating", "cluster_fine_label",
                              "faithfulness"],
                column_config={
                    "display_title": st.column_config.TextColumn("Film", width=190),
                    "year": st.column_config.NumberColumn("Year", format="%d", width=50),
                    "genres": st.column_config.TextColumn("Genres", width=120),
                    "director": st.column_config.TextColumn("Director", width=110),
                    "weighted_rating": st.column_config.NumberColumn(
                        "Rating", format="%.2f", width=64, help=labels.RATING_HELP
                    ),
                    "cluster_fine_label": st.column_config.TextColumn("Fine cluster", width=140),
                    "faithfulness": st.column_config.NumberColumn(
                        "Faithful", format="%.2f", width=70,
                        help="Share of the film's true neighbours among its nearest dots on this map",
                    ),
                },
            )
            open_film.open_selected_row(picked, selected["id"].tolist())
with cluster_tab:
    if cluster_tab.open:
        level = st.radio(
            "Level", explorer.CLUSTER_LEVELS, key="exp_cluster_level", horizontal=True, persist_state="session"
        )
        table = explorer.cluster_table(analysis.clusters.get(vectorizer), level)
        st.caption(
            f"{len(table)} k-means clusters of the {vectorizer_label} vectors (computed on the SVD, not on the map, so a "
            "cluster can appear split on the map). Labels: the most distinctive terms and the most over-represented genre."
        )
        st.dataframe(
            table, hide_index=True, key="exp_clusters",
            # Fits the main column of a 1280 px window (about 810 px); a cell's whole text shows on hover.
            column_config={
                "cluster": st.column_config.NumberColumn("#", width=40),
                "size": st.column_config.NumberColumn("Films", width=60),
                "label": st.column_config.TextColumn("Label", width=190),
                "top_terms": st.column_config.TextColumn("Distinctive terms", width=240),
                "top_genres": st.column_config.TextColumn("Over-represented genres", width=130),
                "top_directors": st.column_config.TextColumn("Recurring directors", width=140),
            },
        )
