"""Input files checked before anything reads them (no pandas, so serving may use it).

A path given for an input must be an existing regular file: a folder, a device such
as /dev/zero (endless), a named pipe (blocks) or a socket is refused with a message
naming the path and what was expected.
"""

from __future__ import annotations

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
