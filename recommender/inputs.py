"""Input files checked before anything reads them (no pandas, so serving may use it).

A path given for an input must be an existing regular file: a folder, a device such
as /dev/zero (endless), a named pipe (blocks) or a socket is refused with a message
naming the path and what was expected. Small JSON files (settings, a build's manifest)
are read through one bounded reader that says in a few words what is wrong with them.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from recommender.errors import CatalogError


def check_regular_file(path: Path, expected: str) -> None:
    """Raise :class:`CatalogError` unless ``path`` is an existing regular file (not a
    folder, a device such as /dev/zero, a pipe or a socket)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found; expected {expected}") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be opened ({reason(exc)}); expected {expected}") from None
    if stat.S_ISDIR(mode):
        raise CatalogError(f"{path}: is a folder, expected {expected}")
    if not stat.S_ISREG(mode):
        raise CatalogError(f"{path}: not a regular file (a device, pipe or socket), expected {expected}")


def reason(exc: BaseException) -> str:
    """An exception's own words, without a path repeated by the caller's message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class JsonFileError(ValueError):
    """A small JSON file that cannot be used; ``problem`` says why in a few words
    ("not valid JSON (...)", "over 1 MB", ...) and ``unreadable`` is true when the
    file could not be read at all (so the caller does not call it damaged)."""

    def __init__(self, path: Path, problem: str, *, unreadable: bool = False) -> None:
        super().__init__(f"{path}: {problem}")
        self.problem = problem
        self.unreadable = unreadable


def read_small_json(path: Path, max_bytes: int) -> object:
    """The JSON value in ``path``, read without trusting its size or its shape.

    At most ``max_bytes + 1`` bytes are read, so an endless or huge file costs no
    more than that. Raises :class:`JsonFileError` for an unreadable file, one over
    ``max_bytes``, bytes that are not UTF-8, text that is not JSON, or JSON nested
    too deeply for the parser.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise JsonFileError(path, f"cannot be read ({reason(exc)})", unreadable=True) from None
    if len(raw) > max_bytes:
        limit = f"{max_bytes >> 20} MB" if max_bytes >= 1 << 20 else f"{max_bytes:,} bytes"
        raise JsonFileError(path, f"over {limit}")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JsonFileError(path, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonFileError(path, f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise JsonFileError(path, "JSON nested too deeply") from None
