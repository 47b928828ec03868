"""Every chart and table style the pages draw: plotly figures and pandas Stylers.

The core returns frames (:mod:`recommender.explorer`, :mod:`recommender.comparison`,
:mod:`recommender.summary`); the functions here turn them into figures, with the
colours, hover templates and label layout of the app. Nothing here needs a running
Streamlit, so every figure is unit-tested as plain data.

Catalog text reaches plotly only through :func:`escape`: plotly renders a subset of
HTML in hover and annotation text.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from dashboard.label_layout import place_labels
from dashboard.labels import AGREEMENT_LABELS, COLOR_LABELS, VECTORIZER_LABELS
from recommender.explorer import CONTINUOUS, NO_VALUE, UNKNOWN

VECTORIZER_COLOURS: dict[str, str] = {"tfidf": "#1f77b4", "count": "#ff7f0e"}
IN_BOTH_STYLE = "background-color: rgba(44, 160, 44, 0.18)"


# --------------------------------------------------------------------------- overview and data pages
def decades_figure(decades: pd.DataFrame) -> go.Figure:
    """Bars of :func:`recommender.summary.decade_counts`."""
    return px.bar(decades, x="label", y="films", title="Films per decade", labels={"label": "Decade", "films": "Films"})


def languages_figure(languages: pd.DataFrame) -> go.Figure:
    """Horizontal bars of :func:`recommender.summary.language_counts`, most films at the top."""
    figure = px.bar(
        _escaped(languages, ["name", "language"]), x="films", y="name", orientation="h", title="Top original languages",
        labels={"name": "Language", "films": "Films"}, hover_data={"language": True, "share": ":.1%"},
    )
    figure.update_yaxes(autorange="reversed")
    return figure


def genres_figure(genres: pd.DataFrame) -> go.Figure:
    """Bars of :func:`recommender.summary.genre_counts`."""
    return px.bar(
        _escaped(genres, ["genre"]), x="genre", y="films", title="Films per genre (a film counts once per genre)",
        labels={"genre": "Genre", "films": "Films"},
    )


# --------------------------------------------------------------------------- TF-IDF vs Count
def highlight_in_both(table: pd.DataFrame) -> "pd.io.formats.style.Styler":
    """A Styler of a :func:`recommender.comparison.side_by_side` table shading the rows
    found by both vectorizers, with display formats (similarity to 3 decimals, missing "–")."""
    in_both = table["in_both"].to_numpy(dtype=bool)
    styler = table.style.apply(lambda row: [IN_BOTH_STYLE if in_both[row.name] else ""] * len(row), axis=1)
    return styler.format({"similarity": "{:.3f}", "year": "{:d}", "other_rank": "{:d}"}, na_rep="–")


def agreement_figure(agreement: pd.DataFrame, bins: int = 20) -> go.Figure:
    """Histograms of Jaccard, RBO and weighted tau over the catalog, side by side."""
    metrics = list(AGREEMENT_LABELS)
    figure = make_subplots(rows=1, cols=len(metrics), subplot_titles=[AGREEMENT_LABELS[m] for m in metrics])
    for column, metric in enumerate(metrics, start=1):
        values = agreement[metric].dropna()
        low = -1.0 if metric == "weighted_tau" else 0.0
        figure.add_trace(
            go.Histogram(
                x=values,
                xbins=dict(start=low, end=1.0 + 1e-9, size=(1.0 - low) / bins),
                marker_color="#4c78a8",
                name=AGREEMENT_LABELS[metric],
                hovertemplate="%{x}: %{y} films<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(range=[low, 1.0], row=1, col=column)
    figure.update_yaxes(title_text="films", row=1, col=1)
    figure.update_layout(showlegend=False, height=300, margin=dict(l=10, r=10, t=40, b=10), bargap=0.05)
    return figure


def scores_figure(scores: pd.DataFrame) -> go.Figure:
    """Overlaid histograms of the stored neighbour scores, one panel per neighbour position."""
    positions = list(dict.fromkeys(scores.sort_values("position")["neighbour"]))
    figure = make_subplots(rows=1, cols=max(len(positions), 1), subplot_titles=[f"{p} neighbour" for p in positions])
    for column, neighbour in enumerate(positions, start=1):
        part = scores[scores["neighbour"] == neighbour]
        for name, group in part.groupby("vectorizer", sort=False):
            figure.add_trace(
                go.Histogram(
                    x=group["score"],
                    xbins=dict(start=0.0, end=1.0 + 1e-9, size=0.025),
                    name=VECTORIZER_LABELS.get(name, name),
                    legendgroup=name,
                    showlegend=column == 1,
                    marker_color=VECTORIZER_COLOURS.get(name),
                    opacity=0.6,
                    hovertemplate="similarity %{x}: %{y} films<extra></extra>",
                ),
                row=1,
                col=column,
            )
        figure.update_xaxes(title_text="cosine similarity", range=[0, 1], row=1, col=column)
    figure.update_yaxes(title_text="films", row=1, col=1)
    figure.update_layout(barmode="overlay", height=320, margin=dict(l=10, r=10, t=40, b=10))
    return figure


# --------------------------------------------------------------------------- embedding map
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
FOCUS_COLOUR = "#ffd700"
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
    region: tuple[float, float, float, float] | None = None,
    positions: str = "movie-map",
) -> go.Figure:
    """The map: every row of ``frame`` as a marker coloured by ``color_by``.

    All films are one trace: categories are colour codes on a stepped colour scale,
    named by the map's key (:func:`_key`, a text right of the plot); continuous values
    are one trace with a colour bar. One WebGL trace per category cost
    the browser about 0.5-1 s per drawing of the 4,803-film map (20 traces), one trace
    about 0.1 s. Movies without a value are drawn grey, never dropped. Coordinates and
    colours are float32 arrays, which plotly sends as binary (base64) arrays. Each movie
    marker's ``customdata[0]`` is its catalog row (the map's clicks and selections,
    ``dashboard/map_chart.js``). ``focus_row`` adds a star for the searched movie,
    ``segments`` (:func:`recommender.explorer.neighbour_segments`) the lines to its true neighbours
    (solid green: close on the map too; dashed red: placed far away), ``centroids``
    (:func:`recommender.explorer.cluster_centroids`) text labels, those that would overlap a
    larger cluster's label left out (:func:`visible_labels`). ``region`` (x_min, x_max,
    y_min, y_max) zooms a 2-D map to that part (every film is still in the figure; the
    labels are placed for that view); ``positions`` names where the dots are (plotly keeps
    a user's zoom and turn of the map while it and the region stay the same). 2-D uses WebGL (``Scattergl``): on the 4,803-film
    map in this app, SVG (``Scatter``) was slower to draw (2.98 s against 2.29 s per page
    load, measured side by side). Above
    :data:`LIGHT_HOVER_FILMS` films the hover shows title and year only.
    """
    three_d = "z" in frame.columns
    light = len(frame) > LIGHT_HOVER_FILMS
    figure = go.Figure()
    label = COLOR_LABELS.get(color_by, color_by)
    key: list[tuple[str, str, str]] = []  # (symbol, colour, text) lines of the map's key
    continuous = color_by in CONTINUOUS
    if continuous:
        values = frame["color"].astype("float64")
        has_value = values.notna().to_numpy()
        if (~has_value).any():
            figure.add_trace(_markers(frame[~has_value], three_d, f"{label}: {NO_VALUE}", GREY, label, None, light))
            key.append(("●", GREY, escape(f"{label}: {NO_VALUE}")))
        low, high = (0.0, 1.0) if color_by in ("rbo", "faithfulness") else (values.min(), values.max())
        marker_colour = dict(
            color=values[has_value].to_numpy(dtype=np.float32),
            colorscale=CONTINUOUS_SCALES.get(color_by, "Viridis"),
            cmin=low,
            cmax=high,
            # At the top right, the key (if any) below it.
            colorbar=dict(title=dict(text=label, side="right"), thickness=14, len=0.55, y=1, yanchor="top"),
            showscale=True,
        )
        figure.add_trace(_markers(frame[has_value], three_d, label, None, label, marker_colour, light))
    else:
        groups = _categories(frame, color_by)
        colours = [GREY if category in (UNKNOWN, NO_VALUE) else PALETTE[position % len(PALETTE)]
                   for position, (category, _) in enumerate(groups)]
        # Drawn in the order of the legend, as one trace per category was: the last on top.
        everyone = pd.concat([group for _, group in groups]) if groups else frame.iloc[:0]
        codes = np.concatenate([np.full(len(group), position + 0.5, dtype=np.float32)
                                for position, (_, group) in enumerate(groups)]) if groups else np.empty(0, np.float32)
        steps = max(len(groups), 1)
        scale = [pair for position, colour in enumerate(colours)
                 for pair in ([position / steps, colour], [(position + 1) / steps, colour])]
        marker_colour = dict(color=codes, colorscale=scale or [[0, GREY], [1, GREY]], cmin=0, cmax=steps,
                             showscale=False)
        figure.add_trace(_markers(everyone, three_d, label, None, label, marker_colour, light))
        key += [("●", colour, escape(category)) for (category, _), colour in zip(groups, colours)]
    if segments is not None and len(segments):
        for far, name, colour, dash, symbol in (
            (False, "true neighbour, close on the map", NEAR_COLOUR, "solid", "—"),
            (True, "true neighbour, far on the map", FAR_COLOUR, "dash", "- -"),
        ):
            part = segments[segments["far"] == far]
            if len(part):
                figure.add_trace(_segment_lines(part, three_d, name, colour, dash))
                figure.add_trace(_segment_ends(part, three_d, name, colour))
                key.append((symbol, colour, name))
    focus_notes = []
    if focus_row is not None and 0 <= focus_row < len(frame):
        focus = frame.iloc[[focus_row]]
        figure.add_trace(_focus_marker(focus, three_d))
        focus_notes.append(_focus_annotation(focus, three_d))
        key.append(("★", FOCUS_COLOUR, escape(str(focus["display_title"].iloc[0]))))
    # Placed once the key is whole: its width is the plot's right margin.
    annotations = (
        _annotations(
            centroids, three_d,
            visible_labels(
                centroids, frame, height, None if three_d else region, None if three_d else focus_row,
                key_px=_key_width(key), same_scale=not three_d,
            ),
        )
        if centroids is not None
        else []
    ) + focus_notes
    # Under a colour bar, only what else the map shows; else the colouring's name first.
    map_key = _key(None if continuous else label, key, top=0.4 if continuous else 1.0) if key else None
    layout: dict = dict(
        height=height,
        margin=dict(l=0, r=_key_width(key), t=MAP_TOP_PX, b=0),
        showlegend=False,
        hoverlabel=dict(align="left"),
        # A new region is a new view: plotly must not keep the user's own zoom over it.
        uirevision=positions if region is None or three_d else f"{positions}-{region}",
    )
    if three_d:
        axis = dict(showticklabels=False, title="", showbackground=False)
        layout["scene"] = dict(xaxis=axis, yaxis=axis, zaxis=dict(axis), annotations=annotations)
        layout["annotations"] = [map_key] if map_key else []
    else:
        layout["xaxis"] = dict(showticklabels=False, title="", zeroline=False, showgrid=False)
        layout["yaxis"] = dict(showticklabels=False, title="", zeroline=False, showgrid=False, scaleanchor="x")
        if region is not None:
            layout["xaxis"]["range"] = [region[0], region[1]]
            layout["yaxis"]["range"] = [region[2], region[3]]
        layout["annotations"] = annotations + ([map_key] if map_key else [])
        # A drag zooms and a click opens one dot's film (dashboard/map_chart.js); box and
        # lasso stay in the modebar.
        layout["dragmode"] = "zoom"
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


# The map's plotly config. Its WebGL is drawn at the screen's resolution: map_chart.js sets
# plotGlPixelRatio to the browser's device pixel ratio, at most 2 (plotly's default is 2
# everywhere: every WebGL canvas at twice the width and height even on an ordinary screen).
# Without a GPU (software WebGL, as on this project's 2-core test machine) the 4,803-film map
# took 473 ms to draw at 2 against 213 ms at 1, and a 10-point plot 370 against 136 ms
# (Chromium, blank page, median of 5). No "Share chart" button: plotly's own (shown by default
# since plotly.js 3) uploads the figure, every film of the catalog, to Plotly's cloud.
MAP_CONFIG: dict = {"scrollZoom": True, "displaylogo": False, "showSendToCloud": False}


# Above this many films a dot's hover shows its title and year only: the full hover
# (genres, director, the colouring's value) is most of the figure's bytes, about 11 MB at
# 100,000 films; the rest is one click (the recommender) or a selection (the table) away.
LIGHT_HOVER_FILMS = 20_000


def _hover(label: str, light: bool = False) -> str:
    if light:
        return "<b>%{customdata[1]}</b> (%{customdata[2]})<extra></extra>"
    return (
        "<b>%{customdata[1]}</b> (%{customdata[2]})<br>"
        "%{customdata[3]}<br>"
        "Director: %{customdata[4]}<br>"
        f"{label}: %{{customdata[5]}}<extra></extra>"
    )


def _customdata(group: pd.DataFrame, light: bool = False) -> np.ndarray:
    if light:
        years = [UNKNOWN if pd.isna(y) else str(int(y)) for y in group["year"]]
        return np.column_stack(
            [
                group["row"].to_numpy(dtype=np.int64).astype(object),
                np.asarray([escape(t) for t in group["display_title"]], dtype=object),
                np.asarray(years, dtype=object),
            ]
        ) if len(group) else np.empty((0, 3), dtype=object)
    colour = group["color"]
    shown = [
        (f"{v:.2f}" if np.isfinite(v) else NO_VALUE) if isinstance(v, float) else str(v) for v in colour
    ]
    years = [UNKNOWN if pd.isna(y) else str(int(y)) for y in group["year"]]
    return np.column_stack(
        [
            group["row"].to_numpy(dtype=np.int64).astype(object),
            np.asarray([escape(t) for t in group["display_title"]], dtype=object),
            np.asarray(years, dtype=object),
            np.asarray([escape(g) or UNKNOWN for g in group["genres"]], dtype=object),
            np.asarray([escape(d) or UNKNOWN for d in group["director"]], dtype=object),
            np.asarray([escape(v) for v in shown], dtype=object),
        ]
    ) if len(group) else np.empty((0, 6), dtype=object)


def _markers(
    group: pd.DataFrame, three_d: bool, name: str, colour: str | None, label: str, marker: dict | None,
    light: bool = False,
):
    """Movie markers; a fixed ``colour`` (a category) or a colour-scale ``marker``; ``light``:
    title and year only in the hover (:data:`LIGHT_HOVER_FILMS`)."""
    marker = dict(marker or {}, **({"color": colour} if colour else {}))
    common = dict(
        name=name,
        mode="markers",
        customdata=_customdata(group, light),
        hovertemplate=_hover(label, light),
    )
    x, y = group["x"].to_numpy(dtype=np.float32), group["y"].to_numpy(dtype=np.float32)
    if three_d:
        marker3d = dict(marker, size=3, opacity=0.85)
        return go.Scatter3d(x=x, y=y, z=group["z"].to_numpy(dtype=np.float32), marker=marker3d, **common)
    return go.Scattergl(x=x, y=y, marker=dict(marker, size=6, opacity=0.8), **common)


def _key(title: str | None, entries: list[tuple[str, str, str]], top: float) -> dict:
    """The map's key: one text annotation right of the plot, ``title`` in bold then a line
    per (symbol, colour, text) entry (the text already escaped). Not plotly's legend, which
    needs a trace per entry: the 20-odd empty traces of a genre key cost about 36 ms of
    every drawing of the 4,803-film map with software WebGL (245 against 209 ms, blank
    page, median of 5). Being part of the figure, the key is in an exported PNG too."""
    lines = ([f"<b>{escape(title)}</b>"] if title else []) + [
        f'<span style="color:{colour};font-size:15px">{symbol}</span> {_shortened(text)}'
        for symbol, colour, text in entries
    ]
    return dict(
        name="key", text="<br>".join(lines), x=1.02, y=top, xref="paper", yref="paper", xanchor="left",
        yanchor="top", align="left", showarrow=False, font=dict(size=11),
    )


# The key's width in pixels: about this much per character of 11 px text, plus its symbol;
# a longer entry (a fine cluster's label) is cut there, whole in its hover and in the
# Clusters tab.
KEY_CHAR_PX = 6.2
KEY_CHARS = 40


def _shown(text: str) -> list[str]:
    """The characters of ``text`` (escaped) as shown: an entity is one."""
    return re.findall(r"&\w+;|.", text)


def _shortened(text: str) -> str:
    """``text`` (escaped) cut to :data:`KEY_CHARS` characters as shown."""
    shown = _shown(text)
    return text if len(shown) <= KEY_CHARS else "".join(shown[: KEY_CHARS - 1]).rstrip() + "…"


def _key_width(entries: list[tuple[str, str, str]]) -> int:
    """The right margin the key takes (an annotation does not widen the margin as a legend does)."""
    if not entries:
        return 0
    longest = max(len(_shown(_shortened(text))) + 2 for _, _, text in entries)
    return int(30 + KEY_CHAR_PX * max(longest, 14))


def _segment_lines(part: pd.DataFrame, three_d: bool, name: str, colour: str, dash: str):
    def path(axis: str) -> list[float | None]:
        values: list[float | None] = []
        for start, end in zip(part[f"{axis}0"], part[f"{axis}1"]):
            values += [float(start), float(end), None]
        return values

    common = dict(name=name, mode="lines", hoverinfo="skip")
    line = dict(color=colour, width=2, dash=dash)
    if three_d:
        return go.Scatter3d(x=path("x"), y=path("y"), z=path("z"), line=line, **common)
    return go.Scattergl(x=path("x"), y=path("y"), line=line, **common)


def _segment_ends(part: pd.DataFrame, three_d: bool, name: str, colour: str):
    text = [
        f"#{rank} {escape(title)}<br>similarity {sim:.3f}"
        for rank, title, sim in zip(part["rank"], part["display_title"], part["similarity"])
    ]
    common = dict(
        name=name,
        mode="markers",
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
        name=f"★ {escape(title)}",
        mode="markers",
        hovertemplate="<b>%{text}</b><extra>searched film</extra>",
        text=[escape(title)],
    )
    marker = dict(color=FOCUS_COLOUR, line=dict(color="#111111", width=1.5))
    if three_d:
        return go.Scatter3d(x=row["x"], y=row["y"], z=row["z"], marker=dict(marker, size=8, symbol="diamond"), **common)
    return go.Scattergl(x=row["x"], y=row["y"], marker=dict(marker, size=18, symbol="star"), **common)


def _focus_annotation(row: pd.DataFrame, three_d: bool) -> dict:
    """The searched film's title in a yellow box above its star."""
    note = dict(
        x=float(row["x"].iloc[0]),
        y=float(row["y"].iloc[0]),
        text=escape(str(row["display_title"].iloc[0])),
        showarrow=True,
        arrowhead=0,
        arrowcolor=FOCUS_COLOUR,
        ax=0,
        ay=-36,
        font=dict(size=13, color="#111111"),
        bgcolor=FOCUS_COLOUR,
        borderpad=3,
    )
    if three_d:
        note["z"] = float(row["z"].iloc[0])
    return note


def escape(text: object) -> str:
    """Plotly renders a subset of HTML in labels, legends, axis categories, hovers and
    annotations (``<a href>``, ``<b>``, ``<span style>``, ``<br>``): catalog text shows
    as typed, with ``&``, ``<`` and ``>`` as entities and control characters (a bare
    carriage return) as spaces."""
    value = _CONTROLS.sub(" ", str(text))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_CONTROLS = re.compile(r"\r\n|[\x00-\x1f\x7f-\x9f]")


def _escaped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` whose text ``columns`` passed through :func:`escape` (plotly
    express takes axis categories and hovers from the frame's values)."""
    frame = frame.copy()
    for column in columns:
        frame[column] = [escape(v) for v in frame[column]]
    return frame


# The main column's width in pixels in the narrowest window the app is made for (1280 px,
# sidebar open). Cluster labels are placed for the map's plot area there: this width less
# the key's margin. A wider window gives the map more room, never less, so labels that do not
# overlap at 1280 px do not overlap wider.
MAIN_COLUMN_PX = 820
MAP_TOP_PX = 30  # the map figure's top margin (map_figure's layout)
# Cluster labels' annotations are named so (a page counts what the map shows).
CLUSTER_LABEL = "cluster label"


def visible_labels(
    centroids: pd.DataFrame,
    frame: pd.DataFrame,
    height: int = 720,
    region: tuple[float, float, float, float] | None = None,
    focus_row: int | None = None,
    key_px: int = 0,
    same_scale: bool = True,
) -> list[bool]:
    """Which cluster labels the map shows (one bool per row of ``centroids``): the
    largest clusters' labels, skipping any that would overlap one already shown or the
    searched film's title (``focus_row``) (:func:`dashboard.label_layout.place_labels`),
    on the whole map or on ``region`` (a zoomed view: the same labels take less of it,
    so more fit; a label its edge would cut is left out). Placed for the plot area of a
    1280 px window (:data:`MAIN_COLUMN_PX` less the key's ``key_px``); with ``same_scale``
    (a 2-D map's axes: ``scaleanchor``), at the same scale across as up."""
    if centroids is None or not len(centroids):
        return []
    texts = [_wrap(escape(str(label))) for label in centroids["label"]]
    if region is not None:
        extent = region
    else:
        x, y = frame["x"].astype("float64"), frame["y"].astype("float64")
        pad_x, pad_y = 0.05 * float(x.max() - x.min()), 0.05 * float(y.max() - y.min())
        extent = (float(x.min()) - pad_x, float(x.max()) + pad_x, float(y.min()) - pad_y, float(y.max()) + pad_y)
    reserved = None
    if focus_row is not None and 0 <= focus_row < len(frame):
        focus = frame.iloc[focus_row]
        # The title box sits 36 px above the star (_focus_annotation), 13 px type.
        reserved = [(float(focus["x"]), float(focus["y"]), escape(str(focus["display_title"])), 36.0)]
    size = (MAIN_COLUMN_PX - key_px, height - MAP_TOP_PX)
    return place_labels(centroids, texts, extent, size, reserved, inside=region is not None, same_scale=same_scale)


def cluster_labels_shown(figure: go.Figure) -> int:
    """How many cluster labels a map figure (:func:`map_figure`) shows, 2-D or 3-D."""
    notes = [*(figure.layout.annotations or ()), *(figure.layout.scene.annotations or ())]
    return sum(1 for note in notes if note.name == CLUSTER_LABEL)


def _annotations(centroids: pd.DataFrame, three_d: bool, shown: list[bool] | None = None) -> list[dict]:
    notes = []
    for position, record in enumerate(centroids.to_dict("records")):
        if shown is not None and not shown[position]:
            continue
        text = _wrap(escape(str(record["label"])))
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
            name=CLUSTER_LABEL,
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
