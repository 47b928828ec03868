"""Catalog text escaped for Streamlit markdown shows exactly as typed."""

import pytest

from dashboard.text import md


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Batman (1989)", "Batman (1989)"),
        ("Mission: Impossible", "Mission: Impossible"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("<b>Bold</b> & <i>Co</i>", "\\<b\\>Bold\\</b\\> \\& \\<i\\>Co\\</i\\>"),
        ("$9.99", "\\$9.99"),
        ("*batteries* _not_ `included`", "\\*batteries\\* \\_not\\_ \\`included\\`"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:\u200balert(1))"),
        (":red[alarm] :smile: Re:Zero", ":\u200bred\\[alarm\\] :\u200bsmile: Re:\u200bZero"),
        ("# Not a heading", "\\# Not a heading"),
        ("- not a list", "\\- not a list"),
        ("1917. A war film", "1917\\. A war film"),
        ("two\nlines", "two lines"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_md_escapes_markdown(text, escaped):
    assert md(text) == escaped


def test_md_accepts_any_object():
    assert md(42) == "42"
