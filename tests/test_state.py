"""URL settings (dashboard/state.py): each kind of value to the URL's strings and back,
and bad values refused; the pages' AppTests drive restore/publish with real widgets."""

import pytest

from dashboard.state import Setting


@pytest.mark.parametrize(
    ("setting", "value", "text"),
    [
        (Setting("k", "k", 10, "int", low=1, high=50), 7, ["7"]),
        (Setting("w", "blend", 0.0, "float", low=0.0, high=1.0), 0.35, ["0.35"]),
        (Setting("m", "mmr", False, "bool"), True, ["true"]),
        (Setting("g", "genre", [], "list", choices={"Drama", "War"}), ["War", "Drama"], ["War", "Drama"]),
        (Setting("w", "with", [], "int_list", choices={1, 2, 3}), [3, 1], ["3", "1"]),
        (Setting("y", "years", (1900, 2020), "range", low=1900, high=2020), (1990, 2005), ["1990-2005"]),
        (Setting("q", "q", "", "str"), "Amélie", ["Amélie"]),
    ],
)
def test_round_trip(setting, value, text):
    assert setting.encode(value) == text
    assert setting.decode(text) == value


def test_none_and_empty_lists_leave_the_parameter_out():
    assert Setting("c", "compare", None, "int").encode(None) == []
    assert Setting("g", "genre", [], "list").encode([]) == []


@pytest.mark.parametrize(
    ("setting", "text"),
    [
        (Setting("k", "k", 10, "int", low=1, high=50), ["0"]),
        (Setting("k", "k", 10, "int", low=1, high=50), ["many"]),
        (Setting("w", "blend", 0.0, "float", low=0.0, high=1.0), ["nan"]),
        (Setting("w", "blend", 0.0, "float", low=0.0, high=1.0), ["2"]),
        (Setting("m", "mmr", False, "bool"), ["yes"]),
        (Setting("g", "genre", [], "list", choices={"Drama"}), ["Drama", "<b>x</b>"]),
        (Setting("y", "years", (1900, 2020), "range", low=1900, high=2020), ["2005-1990"]),
        (Setting("y", "years", (1900, 2020), "range", low=1900, high=2020), ["1800-1900"]),
        (Setting("m", "map", "tsne", "str", choices=("tsne", "pca")), ["mds"]),
    ],
)
def test_bad_values_are_refused(setting, text):
    with pytest.raises(ValueError):
        setting.decode(text)


def test_repeated_values_count_once():
    assert Setting("w", "with", [], "int_list", choices={1, 2}).decode(["2", "2", "1"]) == [2, 1]


def test_region_setting_round_trips_and_rejects_bad_values() -> None:
    import pytest

    from dashboard.state import Setting

    zoom = Setting("exp_zoom", "zoom", None, "region")
    assert zoom.encode(None) == []
    text = zoom.encode((-3.25, 2.0, 0.5, 4.125))
    assert text == ["-3.25,2,0.5,4.125"]
    assert zoom.decode(text) == (-3.25, 2.0, 0.5, 4.125)
    for bad in ("1,2,3", "2,1,0,1", "0,1,1,1", "0,1,0,inf", "a,b,c,d", "0,1,0,nan"):
        with pytest.raises(ValueError):
            zoom.decode([bad])
