"""Catalog files uploaded on the data page: saved, validated, given a build folder.

This is the app's only file write besides the build itself. Uploaded bytes go to a
fresh temporary folder that is removed when the ``with`` block ends (after the
build has read them); they are validated with the core loaders, whose
:class:`~recommender.errors.CatalogError` messages are reworded to name the file
the user uploaded rather than the temporary copy. Each upload builds into a new
folder under :func:`uploads_root`, never over the demo catalog's artifacts; only
the newest ``KEEP_BUILDS`` upload builds are kept.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from recommender.artifacts import default_artifacts_dir
from recommender.build import CatalogSource
from recommender.catalog import LoadReport
from recommender.config import RecommenderConfig
from recommender.errors import CatalogError, ConfigError

UPLOADS_ENV = "MOVIE_UPLOADS_DIR"
FILE_TYPES = ["csv", "gz", "zip"]
KINDS = {"tmdb": "TMDB 5000 files (movies + credits)", "catalog": "My own catalog CSV"}
# Upload builds kept under the uploads root (the newest; older ones are removed when a
# new upload is built), so repeated uploads do not fill the disk.
KEEP_BUILDS = 5
_BUILD_NAME = re.compile(r"[a-z0-9-]{1,40}-\d{8}-\d{6}(?:-\d+)?")


class UploadedFileLike(Protocol):
    """What is needed of ``st.file_uploader``'s ``UploadedFile``."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass
class SavedUpload:
    """Uploaded files saved on disk, the source to build them from, and their names."""

    folder: Path
    source: CatalogSource
    original_names: dict[str, str] = field(default_factory=dict)  # saved path -> uploaded name

    def reword(self, message: str) -> str:
        """``message`` with each temporary path replaced by the uploaded file's name."""
        for saved, original in sorted(self.original_names.items(), key=lambda item: -len(item[0])):
            message = message.replace(saved, original)
        return message.replace(str(self.folder) + os.sep, "")


def uploads_root() -> Path:
    """Where uploaded catalogs are built: ``$MOVIE_UPLOADS_DIR``, else a folder next to
    the default artifacts named ``<artifacts>-uploads``."""
    configured = os.environ.get(UPLOADS_ENV)
    if configured:
        return Path(configured)
    default = default_artifacts_dir()
    return default.with_name(default.name + "-uploads")


def slug(name: str) -> str:
    """A short, filesystem-safe folder name from a file name ("My Films.csv" -> "my-films")."""
    stem = Path(name).name
    for suffix in (".zip", ".gz", ".csv"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    text = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return text[:40].strip("-") or "catalog"


def prune_builds(keep: int, protect: Iterable[Path] = ()) -> list[Path]:
    """Remove all but the ``keep`` newest upload builds under :func:`uploads_root`;
    return the folders removed.

    Only folders named as :func:`new_build_folder` names them are touched, and never
    one in ``protect`` (the build the session is looking at).
    """
    root = uploads_root()
    if not root.is_dir():
        return []
    protected = {Path(p).resolve() for p in protect}
    builds = [p for p in root.iterdir() if p.is_dir() and _BUILD_NAME.fullmatch(p.name)]
    builds.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    removed = []
    for folder in builds[max(keep, 0) :]:
        if folder.resolve() not in protected:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def new_build_folder(name: str, protect: Iterable[Path] = ()) -> Path:
    """A folder under :func:`uploads_root` that does not exist yet, e.g.
    ``.../artifacts-uploads/my-films-20250101-120000``. Older upload builds beyond
    the newest ``KEEP_BUILDS - 1`` are removed first (except ``protect``)."""
    prune_builds(KEEP_BUILDS - 1, protect)
    root = uploads_root()
    base = f"{slug(name)}-{time.strftime('%Y%m%d-%H%M%S')}"
    folder, n = root / base, 2
    while folder.exists():
        folder, n = root / f"{base}-{n}", n + 1
    if folder.resolve() == default_artifacts_dir().resolve():  # pragma: no cover - defensive
        raise ConfigError(f"{folder}: refusing to build an upload over the demo catalog's artifacts")
    return folder


def _safe_file_name(name: str) -> str:
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".")
    return base[:120] or "upload.csv"


def _save(folder: Path, role: str, upload: UploadedFileLike, names: dict[str, str]) -> Path:
    target = folder / role
    target.mkdir()
    path = target / _safe_file_name(upload.name)
    path.write_bytes(upload.getvalue())
    names[str(path)] = upload.name
    return path


@contextmanager
def saved_uploads(
    kind: str,
    *,
    movies: UploadedFileLike | None = None,
    credits: UploadedFileLike | None = None,
    catalog: UploadedFileLike | None = None,
) -> Iterator[SavedUpload]:
    """Save the uploaded files into a temporary folder for the duration of the block.

    ``kind`` is ``"tmdb"`` (``movies`` required, ``credits`` optional) or
    ``"catalog"`` (``catalog`` required). The folder and its files are removed when
    the block ends, also on error or on a Streamlit rerun. Raises
    :class:`CatalogError` when a required file is missing.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown upload kind {kind!r}; accepted: {', '.join(KINDS)}")
    if kind == "tmdb" and movies is None:
        raise CatalogError("upload the TMDB movies file (tmdb_5000_movies.csv); the credits file is optional")
    if kind == "catalog" and catalog is None:
        raise CatalogError("upload a catalog CSV (columns id,title,year,genres,directors,cast,keywords,overview,...)")
    folder = Path(tempfile.mkdtemp(prefix="movie-upload-"))
    try:
        names: dict[str, str] = {}
        if kind == "tmdb":
            assert movies is not None
            movies_path = _save(folder, "movies", movies, names)
            credits_path = _save(folder, "credits", credits, names) if credits is not None else None
            source = CatalogSource(movies=movies_path, credits=credits_path)
        else:
            assert catalog is not None
            source = CatalogSource(catalog=_save(folder, "catalog", catalog, names))
        yield SavedUpload(folder=folder, source=source, original_names=names)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def validate(upload: SavedUpload, config: RecommenderConfig | None = None) -> LoadReport:
    """Load the uploaded files with the core loaders, as the build will.

    Returns the :class:`LoadReport` (its warnings name the uploaded files). Raises
    :class:`CatalogError` with the loader's message, naming the uploaded file.
    """
    config = config or RecommenderConfig()
    try:
        _, report = upload.source.load(config.top_cast, config.input_limits())
    except CatalogError as exc:
        raise CatalogError(upload.reword(str(exc))) from None
    report.warnings = [upload.reword(w) for w in report.warnings]
    return report


_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"/movie-upload-[^/\s]+/(?:movies|credits|catalog)/")


def without_upload_paths(message: str) -> str:
    """A build message (e.g. a manifest warning) without the temporary upload folder,
    so that it names the file as uploaded ("my_films.csv: ...")."""
    return _TEMP_PATH.sub("", message)
