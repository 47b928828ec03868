"""Catalog text (titles, names, keywords) made safe to put inside Streamlit markdown.

Titles come from user files, so they must show as typed: "<b>Bold</b>" stays
visible tags, "$9.99" is not LaTeX, "*batteries*" is not italic, "[x](y)" is not a
link. No page ever passes user data with ``unsafe_allow_html``; this escape makes
markdown elements (headers, captions, card titles) show the characters literally.
"""

from __future__ import annotations

import re

# Characters that start markdown syntax, LaTeX ($), Streamlit colour/directive
# brackets or raw HTML (<, >, &). Backslash-escaping is valid CommonMark for every
# ASCII punctuation character, so escaped text renders exactly as the original.
_ALWAYS = re.compile(r"([\\`*_{}\[\]<>#|$~&])")


def md(text: object) -> str:
    """``text`` with every markdown-significant character backslash-escaped.

    Parentheses, hyphens, dots and colons are only escaped where they could start
    syntax (a leading list marker, a colon glued to a word), so ordinary titles such as
    "Batman (1989)" keep their exact characters in the element's text. Newlines
    become spaces (a title is one line).
    """
    value = str(text)
    value = _ALWAYS.sub(r"\\\1", value)
    value = re.sub(r"^(\s*)([-+])", r"\1\\\2", value, flags=re.MULTILINE)
    value = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", value, flags=re.MULTILINE)
    # A colon glued to a word starts a Streamlit directive (":red[...]", ":name") or
    # an emoji (":smile:") even when backslash-escaped; a zero-width space breaks both.
    value = re.sub(r":(?=[A-Za-z0-9_+-])", ":\u200b", value)
    # A bare URL or e-mail address becomes a live link (GFM autolinks) even with every
    # punctuation escaped: a zero-width space after "://", "www" and "@" keeps it text.
    value = re.sub(r":(?=//)", ":\u200b", value)
    value = re.sub(r"(?i)\bwww(?=\.)", "www\u200b", value)
    value = value.replace("@", "@\u200b")
    return _CONTROLS.sub(" ", value)


# Line breaks (a bare carriage return too) and other control characters: a title is
# one line, and a control character has nothing to show.
_CONTROLS = re.compile(r"\r\n|[\x00-\x1f\x7f-\x9f]")


# An absolute path's folders (POSIX or Windows), not those of a URL ("https://host/a/b")
# or of a relative path ("data/movies.csv").
_FOLDERS = re.compile(r"(?<![\w.:/~-])/(?:[^\s/\\\"'`]+/)+|\b[A-Za-z]:\\(?:[^\s\\/\"'`]+\\)+")


def without_folders(value: object) -> object:
    """``value`` (a manifest: strings, lists and dicts) with every absolute path cut to its
    last part: "--movies /srv/data/movies.csv.gz" reads "--movies movies.csv.gz". The
    app shows a build's provenance to every visitor, not the server's folders; the
    manifest file keeps them."""
    if isinstance(value, str):
        return _FOLDERS.sub("", value)
    if isinstance(value, dict):
        return {key: without_folders(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_folders(item) for item in value]
    return value
