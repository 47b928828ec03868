"""The embedding explorer's data: one row per movie on a 2-D/3-D map, and its figure.

A :class:`MovieMap` is one drawn map of one vectorizer's space: coordinates, the
per-movie share of true top-k neighbours kept close on the map (``preservation``)
and the map's trustworthiness. It comes precomputed from the artifacts
(:func:`stored_map`) or is recomputed with custom settings (:func:`custom_map`).
:func:`map_frame` joins a map with the catalog, the clusters and the vectorizer
agreement into the table the page draws, with a ``color`` column for the chosen
colouring; :func:`neighbour_segments` gives the lines from a movie to its true
neighbours, marking those the map put far away; :func:`cluster_centroids` places
cluster labels; :func:`selected_rows` and :func:`selection_table` turn a box/lasso
selection into a table of films. :func:`map_figure` draws all of it with plotly
(WebGL for 2-D), every movie included. Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from recommender.build import Analysis
from recommender.config import ProjectionSettings
from recommender.errors import ArtifactError, ConfigError
from recommender.model import RecommenderModel
from recommender.projection import DIMENSIONS, METHODS, custom_projection, map_far_neighbours, neighbour_preservation

METHOD_LABELS: dict[str, str] = {"tsne": "t-SNE", "umap": "UMAP", "pca": "PCA"}
CLUSTER_LEVELS: tuple[str, ...] = ("broad", "fine")
COLOR_OPTIONS: dict[str, str] = {
    "genre": "Genre (first)",
    "decade": "Decade",
    "cluster_broad": "Cluster (broad)",
    "cluster_fine": "Cluster (fine)",
    "weighted_rating": "Weighted rating",
    "rbo": "Vectorizer agreement (RBO)",
    "faithfulness": "Map faithfulness",
}
CONTINUOUS: frozenset[str] = frozenset({"weighted_rating", "rbo", "faithfulness"})
UNKNOWN = "unknown"
NO_VALUE = "no value"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class MovieMap:
    """One map of one vectorizer's space.

    ``coords`` is float (N, dims); ``preservation`` float (N,) in [0, 1] (NaN for a
    movie without stored neighbours); ``trustworthiness`` in [0, 1] measured on
    ``trust_points`` movies (NaN if unknown); ``custom`` is True for a map recomputed
    with user settings, described by ``description``.
    """

    method: str
    dims: int
    coords: np.ndarray
    preservation: np.ndarray
    trustworthiness: float
    trust_points: int
    custom: bool = False
    description: str = ""

    @property
    def n_points(self) -> int:
        return int(self.coords.shape[0])


def available_maps(analysis: Analysis, vectorizer: str) -> list[tuple[str, int]]:
    """The (method, dims) maps stored for ``vectorizer``, in :data:`METHODS` order."""
    arrays = analysis.maps.get(vectorizer, {})
    return [(m, d) for m in METHODS for d in DIMENSIONS if f"{m}_{d}" in arrays]


def stored_map(analysis: Analysis, vectorizer: str, method: str, dims: int) -> MovieMap:
    """The precomputed map ``method``/``dims`` of ``vectorizer``.

    Raises :class:`ConfigError` for an unknown method or dims and
    :class:`ArtifactError` when the artifacts lack that map (built with
    ``--skip-maps``, or with other ``projection.methods``).
    """
    _check_method(method, dims)
    arrays = analysis.maps.get(vectorizer)
    if not arrays:
        raise ArtifactError(
            f"the artifacts hold no maps for the {vectorizer!r} vectorizer (built with --skip-maps?); "
            "rebuild without --skip-maps"
        )
    key = f"{method}_{dims}"
    if key not in arrays:
        have = ", ".join(f"{m}/{d}-D" for m, d in available_maps(analysis, vectorizer)) or "none"
        raise ArtifactError(
            f"the artifacts hold no {METHOD_LABELS[method]} {dims}-D map of {vectorizer!r}; available: {have}"
        )
    coords = np.asarray(arrays[key], dtype=np.float64)
    preservation = arrays.get(f"preservation_{key}")
    preservation = np.full(len(coords), np.nan) if preservation is None else np.asarray(preservation, dtype=np.float64)
    quality = analysis.quality.get(f"{vectorizer}/{method}/{dims}", {})
    return MovieMap(
        method=method,
        dims=dims,
        coords=coords,
        preservation=preservation,
        trustworthiness=float(quality.get("trustworthiness", np.nan)),
        trust_points=int(quality.get("points", 0)),
    )


def custom_map(
    model: RecommenderModel,
    vectorizer: str,
    method: str,
    dims: int,
    settings: ProjectionSettings,
    seed: int,
    progress: Progress | None = None,
) -> MovieMap:
    """Recompute a map of ``vectorizer``'s vectors with ``settings`` (perplexity,
    n_neighbors, min_dist...), with its trustworthiness and per-movie preservation.

    Deterministic for equal inputs, so callers may cache it. Raises
    :class:`ConfigError` for bad settings and what
    :func:`recommender.projection.custom_projection` raises.
    """
    _check_method(method, dims)
    settings.validate()
    space = model.space(vectorizer)
    result = custom_projection(space.vectors.matrix, method, dims, settings, seed, progress)
    coords = np.asarray(result["coords"], dtype=np.float64)
    preservation = neighbour_preservation(space.neighbours, coords, settings.faithfulness_k).astype(np.float64)
    return MovieMap(
        method=method,
        dims=dims,
        coords=coords,
        preservation=preservation,
        trustworthiness=float(result["trustworthiness"]),
        trust_points=int(result["trust_points"]),
        custom=True,
        description=describe_settings(method, settings),
    )


def map_options(analysis: Analysis, vectorizer: str) -> tuple[list[str], list[int]]:
    """The map types and the dimensions stored for ``vectorizer`` (empty without maps)."""
    pairs = available_maps(analysis, vectorizer)
    return list(dict.fromkeys(m for m, _ in pairs)), sorted({d for _, d in pairs})


def map_metrics(frame: pd.DataFrame, movie_map: MovieMap) -> dict[str, float]:
    """Numbers shown above the map: points drawn, trustworthiness (and the number of
    movies it was measured on), mean faithfulness, and movies without a colour value."""
    colour = frame["color"]
    missing = int(colour.isna().sum()) if colour.dtype.kind == "f" else int((colour.astype(str) == UNKNOWN).sum())
    faithfulness = frame["faithfulness"].to_numpy(dtype=np.float64)
    return {
        "points": int(len(frame)),
        "trustworthiness": float(movie_map.trustworthiness),
        "trust_points": int(movie_map.trust_points),
        "mean_faithfulness": float(np.nanmean(faithfulness)) if np.isfinite(faithfulness).any() else float("nan"),
        "without_colour": missing,
    }


def describe_settings(method: str, settings: ProjectionSettings) -> str:
    """The settings that shape a ``method`` map, as short text ("perplexity 30")."""
    if method == "tsne":
        return f"perplexity {settings.tsne_perplexity:g}"
    if method == "umap":
        return f"n_neighbors {settings.umap_n_neighbors}, min_dist {settings.umap_min_dist:g}"
    return "no settings"


def map_frame(
    catalog: pd.DataFrame,
    analysis: Analysis,
    vectorizer: str,
    movie_map: MovieMap,
    color_by: str,
) -> pd.DataFrame:
    """One row per catalog movie, in catalog order, ready to draw.

    Columns: row, id, display_title, year (Int64), decade ("1990s" or "unknown"),
    genre (first genre or "unknown"), genres and director (text), weighted_rating,
    cluster_broad / cluster_fine (int, -1 if unknown) with *_label ("3: heist ·
    Crime"), rbo (NaN without agreement), faithfulness (``movie_map.preservation``),
    x, y (and z for 3-D) and ``color``: the ``color_by`` column (text for
    categories, float for continuous values). Raises :class:`ConfigError` for an
    unknown ``color_by`` and :class:`ArtifactError` if the map, clusters or
    agreement do not match the catalog.
    """
    if color_by not in COLOR_OPTIONS:
        raise ConfigError(f"unknown colouring {color_by!r}; accepted: {', '.join(COLOR_OPTIONS)}")
    n = len(catalog)
    if movie_map.coords.shape != (n, movie_map.dims):
        raise ArtifactError(
            f"the map has shape {movie_map.coords.shape} but the catalog has {n} movies; rebuild the artifacts"
        )
    years = pd.array(catalog["year"].to_numpy(), dtype="Int64")
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "id": catalog["id"].to_numpy(dtype=np.int64),
            "display_title": catalog["display_title"].to_numpy(dtype=object),
            "year": years,
            "decade": decades(years),
            "genre": [_first(g) for g in catalog["genres"]],
            "genres": [", ".join(g) for g in catalog["genres"]],
            "director": [", ".join(d) for d in catalog["directors"]],
            "weighted_rating": catalog["weighted_rating"].to_numpy(dtype=np.float64),
        }
    )
    arrays = analysis.maps.get(vectorizer, {})
    table = analysis.clusters.get(vectorizer)
    for level in CLUSTER_LEVELS:
        ids = arrays.get(f"cluster_{level}")
        ids = np.full(n, -1, dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64)
        if len(ids) != n:
            raise ArtifactError(f"cluster_{level} has {len(ids)} entries but the catalog has {n} movies; rebuild")
        frame[f"cluster_{level}"] = ids
        frame[f"cluster_{level}_label"] = cluster_labels(ids, table, level)
    frame["rbo"] = _agreement_column(analysis.agreement, n, "rbo")
    preservation = np.asarray(movie_map.preservation, dtype=np.float64)
    frame["faithfulness"] = preservation if len(preservation) == n else np.full(n, np.nan)
    for axis, name in enumerate("xyz"[: movie_map.dims]):
        frame[name] = movie_map.coords[:, axis]
    frame["color"] = frame[f"{color_by}_label"] if color_by.startswith("cluster_") else frame[color_by]
    return frame


def decades(years: Iterable[object]) -> list[str]:
    """"1990s" for 1994; "unknown" for a missing year."""
    return [UNKNOWN if year is None or pd.isna(year) else f"{int(year) // 10 * 10}s" for year in years]


def cluster_labels(ids: np.ndarray, table: pd.DataFrame | None, level: str) -> list[str]:
    """Readable label per movie ("3: heist · Crime") from a clusters table's ``level`` rows.

    A movie in a cluster the table does not describe gets "3"; -1 gets "unknown".
    """
    names: dict[int, str] = {}
    if table is not None and len(table):
        part = table[table["level"] == level]
        names = {int(c): f"{int(c)}: {label}" for c, label in zip(part["cluster"], part["label"])}
    return [UNKNOWN if i < 0 else names.get(int(i), str(int(i))) for i in ids]


def cluster_table(table: pd.DataFrame | None, level: str) -> pd.DataFrame:
    """The clusters of one ``level`` for display: cluster, size, label, top terms,
    genres and directors as text. Empty when there is no table."""
    columns = ["cluster", "size", "label", "top_terms", "top_genres", "top_directors"]
    if table is None or not len(table):
        return pd.DataFrame(columns=columns)
    part = table[table["level"] == level].sort_values("cluster")
    result = pd.DataFrame(
        {
            "cluster": part["cluster"].to_numpy(dtype=np.int64),
            "size": part["size"].to_numpy(dtype=np.int64),
            "label": part["label"].astype(str).to_numpy(),
        }
    )
    for column in columns[3:]:
        values = part[column] if column in part.columns else [[]] * len(part)
        result[column] = [", ".join(str(v) for v in _as_list(x)) for x in values]
    return result


def cluster_centroids(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Label position of each cluster of ``level`` on the map: the median of its points.

    Median rather than mean, so that a few stray members do not pull the label out
    of the cluster. Columns cluster, label, size, x, y (and z). Unknown (-1) left out.
    """
    if level not in CLUSTER_LEVELS:
        raise ConfigError(f"unknown cluster level {level!r}; accepted: {', '.join(CLUSTER_LEVELS)}")
    axes = [a for a in ("x", "y", "z") if a in frame.columns]
    column = f"cluster_{level}"
    known = frame[frame[column] >= 0]
    grouped = known.groupby(column, sort=True)
    centroids = grouped[axes].median()
    centroids["size"] = grouped.size()
    centroids["label"] = grouped[f"{column}_label"].first()
    centroids = centroids.reset_index().rename(columns={column: "cluster"})
    return centroids.loc[:, ["cluster", "label", "size", *axes]]


def neighbour_segments(
    frame: pd.DataFrame, neighbours_row: np.ndarray, scores_row: np.ndarray, movie_row: int, k: int
) -> pd.DataFrame:
    """Lines from ``movie_row`` to its first ``k`` true (stored) neighbours.

    ``far`` marks the neighbours that are not among the movie's ``k`` nearest points
    on the map (:func:`recommender.projection.map_far_neighbours`). Columns rank,
    row, display_title, similarity, far, and x0, y0[, z0] (the movie) / x1, y1[, z1]
    (the neighbour). -1 padding is skipped. Raises :class:`ConfigError` for ``k < 1``
    and :class:`ArtifactError` for a row outside the map.
    """
    if k < 1:
        raise ConfigError(f"number of neighbours must be >= 1, got {k}")
    axes = [a for a in ("x", "y", "z") if a in frame.columns]
    coords = frame[axes].to_numpy(dtype=np.float64)
    if not 0 <= movie_row < len(coords):
        raise ArtifactError(f"movie row {movie_row} is not in the map; accepted 0..{len(coords) - 1}")
    neighbours = np.asarray(neighbours_row)[:k]
    scores = np.asarray(scores_row, dtype=np.float64)[:k]
    valid = neighbours >= 0
    far = map_far_neighbours(neighbours, coords, movie_row, k)
    rows = neighbours[valid].astype(np.int64)
    segments = pd.DataFrame(
        {
            "rank": np.flatnonzero(valid) + 1,
            "row": rows,
            "display_title": frame["display_title"].to_numpy()[rows],
            "similarity": scores[valid],
            "far": far[valid],
        }
    )
    for axis in axes:
        segments[f"{axis}0"] = coords[movie_row, axes.index(axis)]
        segments[f"{axis}1"] = coords[rows, axes.index(axis)]
    return segments


def selected_rows(points: Sequence[dict]) -> list[int]:
    """Catalog rows of the selected map points (plotly selection ``points``).

    Movie markers carry their row as ``customdata[0]``; points of other traces
    (the highlighted movie, neighbour lines) carry none and are ignored. Order of
    first selection, without repeats.
    """
    rows: dict[int, None] = {}
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], (int, float, np.integer)):
            rows[int(data[0])] = None
    return list(rows)


SELECTION_COLUMNS = [
    "display_title", "year", "genres", "director", "weighted_rating",
    "cluster_broad_label", "cluster_fine_label", "faithfulness", "rbo", "id",
]


def selection_table(frame: pd.DataFrame, rows: Sequence[int]) -> pd.DataFrame:
    """The selected films with their metadata (:data:`SELECTION_COLUMNS`), in ``rows``
    order; rows outside the frame are ignored."""
    wanted = [int(r) for r in rows if 0 <= int(r) < len(frame)]
    by_row = frame.set_index("row", drop=False)
    return by_row.loc[wanted, SELECTION_COLUMNS].reset_index(drop=True)


def missing_maps_message(manifest: dict) -> str:
    """What to tell a user whose artifacts were built without maps."""
    command = str(manifest.get("build_command") or "python -m recommender build --out <artifacts folder>")
    command = command.replace(" --skip-maps", "")
    return (
        "These artifacts were built with --skip-maps, so there are no maps to explore. "
        f"Rebuild them with maps (a few minutes): `{command}` — or use the Data page's build button "
        "with maps switched on."
    )


# --------------------------------------------------------------------------- figure
# Mid-tone colours, readable on the app's dark theme and on a light one; greys left
# out because grey means "no value".
PALETTE: tuple[str, ...] = tuple(
    colour
    for palette in (qualitative.Plotly, qualitative.T10, qualitative.Bold, qualitative.Vivid, qualitative.Pastel)
    for colour in palette
    if colour not in ("#BAB0AC", "rgb(165, 170, 153)", "rgb(179, 179, 179)")
)
CONTINUOUS_SCALES: dict[str, str] = {"weighted_rating": "Viridis", "rbo": "Cividis", "faithfulness": "RdYlGn"}
NEAR_COLOUR = "#1a9850"
FAR_COLOUR = "#d7301f"
GREY = "#bbbbbb"


def map_figure(
    frame: pd.DataFrame,
    color_by: str,
    *,
    focus_row: int | None = None,
    segments: pd.DataFrame | None = None,
    centroids: pd.DataFrame | None = None,
    height: int = 720,
) -> go.Figure:
    """The map: every row of ``frame`` as a marker coloured by ``color_by``.

    Categories become one trace each (legend, hidden by a click), continuous values
    one trace with a colour bar; movies without a value are drawn grey, never
    dropped. Each movie marker's ``customdata[0]`` is its catalog row (for
    :func:`selected_rows`). ``focus_row`` adds a star for the searched movie,
    ``segments`` (:func:`neighbour_segments`) the lines to its true neighbours
    (solid green: close on the map too; dashed red: placed far away), ``centroids``
    (:func:`cluster_centroids`) text labels. 2-D uses WebGL (``Scattergl``).
    """
    three_d = "z" in frame.columns
    figure = go.Figure()
    label = COLOR_OPTIONS.get(color_by, color_by)
    if color_by in CONTINUOUS:
        values = frame["color"].astype("float64")
        has_value = values.notna().to_numpy()
        if (~has_value).any():
            figure.add_trace(_markers(frame[~has_value], three_d, f"{label}: {NO_VALUE}", GREY, label, None))
        low, high = (0.0, 1.0) if color_by in ("rbo", "faithfulness") else (values.min(), values.max())
        marker_colour = dict(
            color=values[has_value].to_numpy(),
            colorscale=CONTINUOUS_SCALES.get(color_by, "Viridis"),
            cmin=low,
            cmax=high,
            colorbar=dict(title=dict(text=label, side="right"), thickness=14, len=0.75),
            showscale=True,
        )
        figure.add_trace(_markers(frame[has_value], three_d, label, None, label, marker_colour))
    else:
        for position, (category, group) in enumerate(_categories(frame, color_by)):
            colour = GREY if category in (UNKNOWN, NO_VALUE) else PALETTE[position % len(PALETTE)]
            figure.add_trace(_markers(group, three_d, _escape(category), colour, label, None))
    if segments is not None and len(segments):
        for far, name, colour, dash in ((False, "true neighbour, close on the map", NEAR_COLOUR, "solid"),
                                        (True, "true neighbour, far on the map", FAR_COLOUR, "dash")):
            part = segments[segments["far"] == far]
            if len(part):
                figure.add_trace(_segment_lines(part, three_d, name, colour, dash))
                figure.add_trace(_segment_ends(part, three_d, name, colour))
    annotations = _annotations(centroids, three_d) if centroids is not None else []
    if focus_row is not None and 0 <= focus_row < len(frame):
        focus = frame.iloc[[focus_row]]
        figure.add_trace(_focus_marker(focus, three_d))
        annotations.append(_focus_annotation(focus, three_d))
    layout: dict = dict(
        height=height,
        margin=dict(l=0, r=0, t=30, b=0),
        legend=dict(title=dict(text=label), itemsizing="constant", font=dict(size=11)),
        hoverlabel=dict(align="left"),
        uirevision="movie-map",
    )
    if three_d:
        axis = dict(showticklabels=False, title="", showbackground=False)
        layout["scene"] = dict(xaxis=axis, yaxis=axis, zaxis=dict(axis), annotations=annotations)
    else:
        layout["xaxis"] = dict(showticklabels=False, title="", zeroline=False, showgrid=False)
        layout["yaxis"] = dict(showticklabels=False, title="", zeroline=False, showgrid=False, scaleanchor="x")
        layout["annotations"] = annotations
        layout["dragmode"] = "lasso"
    figure.update_layout(**layout)
    return figure


def _categories(frame: pd.DataFrame, color_by: str) -> list[tuple[str, pd.DataFrame]]:
    """Groups of ``color`` in a stable readable order: clusters by number, decades
    in time order, other categories most frequent first; unknown last."""
    colour = frame["color"].astype(str)
    counts = colour.value_counts(sort=False)
    if color_by.startswith("cluster_"):
        cluster_of = dict(zip(colour, frame[color_by]))
        key = {c: (int(cluster_of[c]), c) for c in counts.index}
    elif color_by == "decade":
        key = {c: (0, c) for c in counts.index}
    else:
        key = {c: (-int(counts[c]), c) for c in counts.index}
    order = sorted(counts.index, key=lambda c: (c in (UNKNOWN, NO_VALUE), key[c]))
    groups = dict(tuple(frame.groupby(colour, sort=False)))
    return [(str(c), groups[c]) for c in order]


def _hover(label: str) -> str:
    return (
        "<b>%{customdata[1]}</b> (%{customdata[2]})<br>"
        "%{customdata[3]}<br>"
        "Director: %{customdata[4]}<br>"
        f"{label}: %{{customdata[5]}}<extra></extra>"
    )


def _customdata(group: pd.DataFrame) -> np.ndarray:
    colour = group["color"]
    shown = [
        (f"{v:.2f}" if np.isfinite(v) else NO_VALUE) if isinstance(v, float) else str(v) for v in colour
    ]
    years = [UNKNOWN if pd.isna(y) else str(int(y)) for y in group["year"]]
    return np.column_stack(
        [
            group["row"].to_numpy(dtype=np.int64).astype(object),
            np.asarray([_escape(t) for t in group["display_title"]], dtype=object),
            np.asarray(years, dtype=object),
            np.asarray([_escape(g) or UNKNOWN for g in group["genres"]], dtype=object),
            np.asarray([_escape(d) or UNKNOWN for d in group["director"]], dtype=object),
            np.asarray([_escape(v) for v in shown], dtype=object),
        ]
    ) if len(group) else np.empty((0, 6), dtype=object)


def _markers(group: pd.DataFrame, three_d: bool, name: str, colour: str | None, label: str, marker: dict | None):
    """Movie markers; a fixed ``colour`` (a category) or a colour-scale ``marker``."""
    marker = dict(marker or {}, **({"color": colour} if colour else {}))
    common = dict(
        name=name,
        mode="markers",
        customdata=_customdata(group),
        hovertemplate=_hover(label),
        legendgroup=name,
        showlegend=colour is not None,  # a colour bar explains a colour scale
    )
    if three_d:
        marker3d = dict(marker, size=3, opacity=0.85)
        return go.Scatter3d(x=group["x"], y=group["y"], z=group["z"], marker=marker3d, **common)
    return go.Scattergl(x=group["x"], y=group["y"], marker=dict(marker, size=6, opacity=0.8), **common)


def _segment_lines(part: pd.DataFrame, three_d: bool, name: str, colour: str, dash: str):
    def path(axis: str) -> list[float | None]:
        values: list[float | None] = []
        for start, end in zip(part[f"{axis}0"], part[f"{axis}1"]):
            values += [float(start), float(end), None]
        return values

    common = dict(name=name, mode="lines", legendgroup=name, hoverinfo="skip", showlegend=True)
    line = dict(color=colour, width=2, dash=dash)
    if three_d:
        return go.Scatter3d(x=path("x"), y=path("y"), z=path("z"), line=line, **common)
    return go.Scattergl(x=path("x"), y=path("y"), line=line, **common)


def _segment_ends(part: pd.DataFrame, three_d: bool, name: str, colour: str):
    text = [
        f"#{rank} {_escape(title)}<br>similarity {sim:.3f}"
        for rank, title, sim in zip(part["rank"], part["display_title"], part["similarity"])
    ]
    common = dict(
        name=name,
        mode="markers",
        legendgroup=name,
        showlegend=False,  # the line of the same group stands for it in the legend
        text=text,
        hovertemplate="%{text}<extra>" + name + "</extra>",
    )
    symbol = "circle-open" if three_d else "circle"
    marker = dict(color="rgba(0,0,0,0)", line=dict(color=colour, width=2), symbol=symbol)
    if three_d:
        return go.Scatter3d(x=part["x1"], y=part["y1"], z=part["z1"], marker=dict(marker, size=6), **common)
    return go.Scattergl(x=part["x1"], y=part["y1"], marker=dict(marker, size=12), **common)


def _focus_marker(row: pd.DataFrame, three_d: bool):
    title = str(row["display_title"].iloc[0])
    common = dict(
        name=f"★ {_escape(title)}",
        mode="markers",
        hovertemplate="<b>%{text}</b><extra>searched film</extra>",
        text=[_escape(title)],
    )
    marker = dict(color="#ffd700", line=dict(color="#111111", width=1.5))
    if three_d:
        return go.Scatter3d(x=row["x"], y=row["y"], z=row["z"], marker=dict(marker, size=8, symbol="diamond"), **common)
    return go.Scattergl(x=row["x"], y=row["y"], marker=dict(marker, size=18, symbol="star"), **common)


def _focus_annotation(row: pd.DataFrame, three_d: bool) -> dict:
    """The searched film's title in a yellow box above its star."""
    note = dict(
        x=float(row["x"].iloc[0]),
        y=float(row["y"].iloc[0]),
        text=_escape(str(row["display_title"].iloc[0])),
        showarrow=True,
        arrowhead=0,
        arrowcolor="#ffd700",
        ax=0,
        ay=-36,
        font=dict(size=13, color="#111111"),
        bgcolor="#ffd700",
        borderpad=3,
    )
    if three_d:
        note["z"] = float(row["z"].iloc[0])
    return note


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in annotation text; show catalog text literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _annotations(centroids: pd.DataFrame, three_d: bool) -> list[dict]:
    notes = []
    for record in centroids.to_dict("records"):
        text = _wrap(_escape(str(record["label"])))
        note = dict(
            x=record["x"],
            y=record["y"],
            text=text,
            showarrow=False,
            font=dict(size=11, color="#111111"),
            bgcolor="rgba(255,255,255,0.75)",
            bordercolor="rgba(0,0,0,0.25)",
            borderwidth=1,
            borderpad=2,
        )
        if three_d:
            note["z"] = record["z"]
        notes.append(note)
    return notes


def _wrap(label: str, width: int = 28) -> str:
    """Break a cluster label on its " · " separators so it stays narrow."""
    parts, lines, current = label.split(" · "), [], ""
    for part in parts:
        candidate = f"{current} · {part}" if current else part
        if current and len(candidate) > width:
            lines.append(current)
            current = part
        else:
            current = candidate
    lines.append(current)
    return "<br>".join(lines)


# --------------------------------------------------------------------------- helpers
def _check_method(method: str, dims: int) -> None:
    if method not in METHODS:
        raise ConfigError(f"unknown map type {method!r}; accepted: {', '.join(METHODS)}")
    if dims not in DIMENSIONS:
        raise ConfigError(f"map dimensions must be one of {DIMENSIONS}, got {dims!r}")


def _first(values: object) -> str:
    items = _as_list(values)
    return str(items[0]) if items else UNKNOWN


def _as_list(values: object) -> list:
    if values is None or (isinstance(values, float) and values != values):
        return []
    if isinstance(values, str):
        return [values] if values else []
    return list(values)  # type: ignore[arg-type]


def _agreement_column(agreement: pd.DataFrame | None, n: int, column: str) -> np.ndarray:
    values = np.full(n, np.nan)
    if agreement is None or column not in agreement.columns:
        return values
    rows = agreement["row"].to_numpy(dtype=np.int64)
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        raise ArtifactError(
            f"agreement table refers to rows up to {rows.max()} but the catalog has {n} movies; rebuild"
        )
    values[rows] = agreement[column].to_numpy(dtype=np.float64)
    return values
