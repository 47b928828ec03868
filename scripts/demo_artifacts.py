#!/usr/bin/env python3
"""`make artifacts`: the demo catalog's build, made when the folder has none this code serves.

    python scripts/demo_artifacts.py [DIR]        (default: $MOVIE_ARTIFACTS or ./artifacts)

- no build in DIR: build the demo catalog into it;
- a build this code loads (any catalog): keep it;
- a demo-catalog build this code no longer loads (an older schema after an update, a
  damaged or half-deleted file): say why, and build the demo catalog again;
- a build of another catalog that no longer loads: say why and how to rebuild it, and
  stop with status 2. `make run` never replaces a build of the user's own catalog.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from the Makefile
    sys.path.insert(0, str(REPO))

from recommender.artifacts import DEMO_CATALOG_NAME, MANIFEST, MAX_MANIFEST_BYTES, default_artifacts_dir  # noqa: E402
from recommender.errors import RecommenderError  # noqa: E402
from recommender.inputs import JsonFileError, read_small_json  # noqa: E402
from recommender.loading import load_model  # noqa: E402

KEEP, BUILD = "keep", "build"


class ForeignBuildError(Exception):
    """The folder holds a build of another catalog that this code cannot serve."""


def _catalog_name(folder: Path) -> str | None:
    """The catalog named by the folder's manifest, or None when the manifest does not say."""
    try:
        manifest = read_small_json(folder / MANIFEST, MAX_MANIFEST_BYTES)
    except JsonFileError:
        return None
    catalog = manifest.get("catalog") if isinstance(manifest, dict) else None
    name = catalog.get("name") if isinstance(catalog, dict) else None
    return name if isinstance(name, str) else None


def decide(folder: Path) -> tuple[str, str]:
    """What ``make artifacts`` does with ``folder``: ``(KEEP | BUILD, why)``.

    Raises :class:`ForeignBuildError` for a build of another catalog that no longer loads.
    """
    if not (folder / MANIFEST).exists():
        return BUILD, f"no build in {folder}"
    try:
        load_model(folder)
    except RecommenderError as exc:
        name = _catalog_name(folder)
        if name in (DEMO_CATALOG_NAME, None):
            return BUILD, f"the demo build in {folder} does not load ({exc})"
        raise ForeignBuildError(
            f"{exc}\n{folder} holds a build of {name!r}, which `make run` does not replace: rebuild it with the "
            f"command above, or give another folder (make run ARTIFACTS=DIR)"
        ) from None
    return KEEP, f"artifacts present in {folder}"


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: demo_artifacts.py [DIR]", file=sys.stderr)
        return 2
    folder = Path(argv[0]) if argv else default_artifacts_dir()
    try:
        action, why = decide(folder)
    except ForeignBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(why if action == KEEP else f"{why}: building the demo catalog")
    if action == KEEP:
        return 0
    from recommender.cli import main as cli_main

    return cli_main(["build", "--out", str(folder)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
