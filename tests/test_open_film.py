"""dashboard.open_film.clicked_row: a click on one dot of the map, told apart from a box or lasso."""

from __future__ import annotations

from dashboard.open_film import clicked_row


def point(row, title: str = "Alien") -> dict:
    return {"curve_number": 0, "point_number": 3, "x": 1.0, "y": 2.0, "customdata": [row, title, "1979"]}


def test_one_clicked_dot_gives_its_catalog_row() -> None:
    assert clicked_row({"points": [point(7)], "box": [], "lasso": []}) == 7


def test_a_box_or_lasso_holding_one_film_is_not_a_click() -> None:
    box = {"xref": "x", "yref": "y", "x": [0, 1], "y": [0, 1]}
    assert clicked_row({"points": [point(7)], "box": [box], "lasso": []}) is None
    assert clicked_row({"points": [point(7)], "box": [], "lasso": [box]}) is None


def test_several_points_no_points_or_no_selection_open_nothing() -> None:
    assert clicked_row({"points": [point(7), point(8)], "box": [], "lasso": []}) is None
    assert clicked_row({"points": [], "box": [], "lasso": []}) is None
    assert clicked_row(None) is None
    assert clicked_row({}) is None


def test_points_without_a_catalog_row_do_not_count() -> None:
    star = {"curve_number": 9, "point_number": 0, "x": 1.0, "y": 2.0}  # the searched film's star
    line_end = {"curve_number": 10, "point_number": 0, "customdata": None}
    flag = {"customdata": [True]}
    assert clicked_row({"points": [star], "box": [], "lasso": []}) is None
    assert clicked_row({"points": [line_end, flag], "box": [], "lasso": []}) is None
    assert clicked_row({"points": [star, point(4)], "box": [], "lasso": []}) == 4
    # The same film reported twice (two traces of one dot) is still one click.
    assert clicked_row({"points": [point(4), point(4.0)], "box": [], "lasso": []}) == 4
