"""Cluster labels placed without overlap (dashboard/label_layout.py), on hand-made boxes."""

import pandas as pd

from dashboard.label_layout import Box, label_box, place_labels


def test_box_size_follows_text_and_scale():
    box = label_box(0.0, 0.0, "abc<br>abcdef", (1.0, 2.0))
    width = 6 * 6.6 + 12
    height = 2 * 15.0 + 12
    assert (box.right - box.left) == width and (box.top - box.bottom) == 2 * height
    assert box.left == -width / 2


def test_overlap():
    assert Box(0, 2, 0, 2).overlaps(Box(1, 3, 1, 3))
    assert not Box(0, 2, 0, 2).overlaps(Box(2, 3, 0, 2))  # touching is fine


def test_larger_cluster_wins_and_far_labels_all_show():
    # A 100-unit map drawn at 100 px: 1 unit per px. Clusters 0 and 1 sit 10 px apart
    # (their 12-char labels are ~90 px wide): only the larger (1) shows; 2 is far away.
    centroids = pd.DataFrame({"x": [10.0, 20.0, 80.0], "y": [50.0, 50.0, 10.0], "size": [5, 50, 7]})
    texts = ["twelve chars"] * 3
    shown = place_labels(centroids, texts, (0.0, 100.0, 0.0, 100.0), (100, 100))
    assert shown == [False, True, True]


def test_many_crowded_labels_keep_only_what_fits():
    centroids = pd.DataFrame({"x": [50.0 + i * 0.1 for i in range(40)], "y": [50.0] * 40, "size": range(40, 0, -1)})
    shown = place_labels(centroids, ["label"] * 40, (0.0, 100.0, 0.0, 100.0), (1000, 700))
    assert shown[0] and sum(shown) == 1
    assert place_labels(centroids.iloc[:0], [], (0, 1, 0, 1), (10, 10)) == []


def test_a_reserved_label_keeps_cluster_labels_off_it() -> None:
    import pandas as pd

    from dashboard.label_layout import place_labels

    centroids = pd.DataFrame({"x": [-60.0, 60.0], "y": [0.0, 0.0], "size": [10, 5]})
    texts = ["crime · heist", "space · alien"]
    extent, size = (-100.0, 100.0, -100.0, 100.0), (200, 200)  # one unit per pixel
    assert place_labels(centroids, texts, extent, size) == [True, True]
    # The searched film's title 36 px above a point at (-60, -36) covers the first label.
    assert place_labels(centroids, texts, extent, size, reserved=[(-60.0, -36.0, "The Dark Knight", 36.0)]) == [
        False, True,
    ]


def test_inside_leaves_out_a_label_the_edge_would_cut():
    centroids = pd.DataFrame({"x": [50.0, 2.0], "y": [20.0, 60.0], "size": [5, 9]})
    texts = ["middle", "at the left edge"]
    # 1 map unit per pixel: the second label's box reaches 56 px left of its centre at x=2.
    assert place_labels(centroids, texts, (0.0, 100.0, 0.0, 100.0), (100, 100)) == [True, True]
    assert place_labels(centroids, texts, (0.0, 100.0, 0.0, 100.0), (100, 100), inside=True) == [True, False]


def test_same_scale_places_labels_as_a_square_map_shows_them():
    # A map 100 units wide and 10 tall in a 1000 x 700 px plot. Drawn at the same scale
    # across as up (plotly's scaleanchor), a unit is 10 px both ways: two one-line labels
    # 2 units apart vertically are 20 px apart, closer than a label's 27 px height.
    centroids = pd.DataFrame({"x": [50.0, 50.0], "y": [4.0, 6.0], "size": [9, 5]})
    texts = ["crime · heist", "space · alien"]
    extent, size = (0.0, 100.0, 0.0, 10.0), (1000, 700)
    assert place_labels(centroids, texts, extent, size) == [True, True]  # stretched: 140 px apart
    assert place_labels(centroids, texts, extent, size, same_scale=True) == [True, False]


def test_same_scale_on_a_flat_map_takes_the_scale_from_its_width():
    # Every film on one line (no height): 1 unit per px across, so labels 60 units apart fit.
    centroids = pd.DataFrame({"x": [20.0, 80.0], "y": [0.0, 0.0], "size": [9, 5]})
    assert place_labels(centroids, ["crime", "comedy"], (0.0, 100.0, 0.0, 0.0), (100, 100), same_scale=True) == [
        True, True,
    ]
