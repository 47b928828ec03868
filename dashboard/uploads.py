"""Catalog files uploaded on the data page: saved, validated, built in the visitor's own space.

The app never writes over the build it serves (that changes only through the CLI).
Uploaded bytes go to a fresh temporary folder; they are validated with the core
loaders, whose :class:`~recommender.errors.CatalogError` messages are reworded to
name the file the user uploaded rather than the temporary copy; the build goes into
a new folder in the session's own space under :func:`uploads_root`
(``session-<id>/<name>-<time>``), seen by that session only. Old builds are removed
by count (per session and in all), total size and age (:class:`UploadSettings`, from
environment variables, so that a deployment can also turn uploads off).
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
from typing import TYPE_CHECKING, Protocol

from recommender.artifacts import default_artifacts_dir
from recommender.config import RecommenderConfig
from recommender.errors import CatalogError, ConfigError

if TYPE_CHECKING:  # build-time code (pandas, scikit-learn, NLTK): imported when an upload is saved
    from recommender.build import CatalogSource
    from recommender.catalog import LoadReport

UPLOADS_ENV = "MOVIE_UPLOADS_DIR"
FILE_TYPES = ["csv", "gz", "zip"]
KINDS = {"tmdb": "TMDB 5000 files (movies + credits)", "catalog": "My own catalog CSV"}
_BUILD_NAME = re.compile(r"[a-z0-9-]{1,40}-\d{8}-\d{6}(?:-\d+)?")
_SESSION_NAME = re.compile(r"session-[0-9a-f]{8,32}")


@dataclass(frozen=True)
class UploadSettings:
    """What a deployment allows visitors to build (environment variables, read at use).

    ``MOVIE_UPLOADS=off`` turns uploads and builds from the app off. The rest bound
    the uploads space: builds kept per session and in all, their total size, their
    age, how many builds run at once, and the films an uploaded catalog may hold.
    """

    def config(self) -> RecommenderConfig:
        """The build settings of an upload: the defaults, with at most ``max_films`` films
        (the loaders refuse a larger file before parsing it)."""
        return RecommenderConfig(max_movies=self.max_films)

    enabled: bool = True
    keep_per_session: int = 2
    keep_total: int = 20
    max_total_mb: int = 2048
    max_age_hours: float = 24.0
    max_running: int = 2
    # A build costs about 11 kB per film (BENCHMARKS.md): 50,000 films stay near 0.6 GB.
    max_films: int = 50_000

    ENV = {
        "keep_per_session": "MOVIE_UPLOADS_KEEP_PER_SESSION",
        "keep_total": "MOVIE_UPLOADS_KEEP_TOTAL",
        "max_total_mb": "MOVIE_UPLOADS_MAX_MB",
        "max_age_hours": "MOVIE_UPLOADS_MAX_AGE_HOURS",
        "max_running": "MOVIE_BUILDS_AT_ONCE",
        "max_films": "MOVIE_UPLOADS_MAX_FILMS",
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "UploadSettings":
        """Settings from the environment; raises :class:`ConfigError` naming the
        variable whose value is not accepted."""
        environ = dict(os.environ if environ is None else environ)
        switch = environ.get("MOVIE_UPLOADS", "on").strip().lower()
        if switch not in {"on", "off", "1", "0", "true", "false", "yes", "no"}:
            raise ConfigError(f"MOVIE_UPLOADS={switch[:40]!r} is not accepted; use on or off")
        values: dict[str, object] = {"enabled": switch in {"on", "1", "true", "yes"}}
        defaults = cls()
        for name, variable in cls.ENV.items():
            raw = environ.get(variable)
            if raw is None or not raw.strip():
                continue
            kind = type(getattr(defaults, name))
            try:
                value = kind(raw.strip())
            except ValueError:
                raise ConfigError(f"{variable}={raw[:40]!r} is not a number") from None
            if not 0 < value <= 1_000_000:
                raise ConfigError(f"{variable}={raw[:40]!r} must be a number from 1 to 1,000,000")
            values[name] = value
        return cls(**values)  # type: ignore[arg-type]


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


def session_space(session: str) -> Path:
    """The folder holding one session's builds."""
    if not re.fullmatch(r"[0-9a-f]{8,32}", session):
        raise ConfigError(f"session id {session[:40]!r} is not accepted (hex, 8 to 32 characters)")
    return uploads_root() / f"session-{session}"


def is_upload_build(folder: str | Path) -> bool:
    """Whether ``folder`` is a build in some session's space (not the served build)."""
    folder = Path(folder).resolve()
    root = uploads_root().resolve()
    return folder.parent.parent == root and bool(_SESSION_NAME.fullmatch(folder.parent.name))


def slug(name: str) -> str:
    """A short, filesystem-safe folder name from a file name ("My Films.csv" -> "my-films")."""
    stem = Path(name).name
    for suffix in (".zip", ".gz", ".csv"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    text = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return text[:40].strip("-") or "catalog"


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total


def prune_builds(
    settings: UploadSettings, protect: Iterable[Path] = (), now: float | None = None, room_for: int = 0
) -> list[Path]:
    """Remove old builds from every session's space; return the folders removed.

    In order: builds older than ``max_age_hours``; the oldest beyond
    ``keep_per_session`` in each session and beyond ``keep_total`` in all (leaving
    ``room_for`` places for builds about to start); the oldest while the total size is
    over ``max_total_mb``. Only folders named as :func:`new_build_folder` names them
    are touched, and never one in ``protect`` (being built, or being looked at).
    """
    root = uploads_root()
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    protected = {Path(p).resolve() for p in protect}
    builds: list[tuple[float, Path]] = []
    for space in root.iterdir():
        if not (space.is_dir() and _SESSION_NAME.fullmatch(space.name)):
            continue
        for folder in space.iterdir():
            if folder.is_dir() and _BUILD_NAME.fullmatch(folder.name):
                builds.append((folder.stat().st_mtime, folder))
    builds.sort(key=lambda item: (item[0], item[1].name), reverse=True)  # newest first
    removed: list[Path] = []

    def remove(folder: Path) -> bool:
        if folder.resolve() in protected or folder in removed:
            return False
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
        return True

    for mtime, folder in builds:
        if now - mtime > settings.max_age_hours * 3600:
            remove(folder)
    kept = [(m, f) for m, f in builds if f not in removed]
    per_session: dict[Path, int] = {}
    total = 0
    for _, folder in kept:
        per_session[folder.parent] = per_session.get(folder.parent, 0) + 1
        total += 1
        if per_session[folder.parent] > settings.keep_per_session - room_for or total > settings.keep_total - room_for:
            if remove(folder):
                total -= 1
    kept = [(m, f) for m, f in kept if f not in removed]
    sizes = {f: _folder_bytes(f) for _, f in kept}
    size = sum(sizes.values())
    for _, folder in reversed(kept):  # oldest first
        if size <= settings.max_total_mb * 1024 * 1024:
            break
        if remove(folder):
            size -= sizes[folder]
    for space in {f.parent for f in removed}:
        try:
            space.rmdir()  # only when empty
        except OSError:
            pass
    return removed


def new_build_folder(
    session: str, name: str, settings: UploadSettings | None = None, protect: Iterable[Path] = ()
) -> Path:
    """A folder in ``session``'s space that does not exist yet, e.g.
    ``.../artifacts-uploads/session-1a2b.../my-films-20250101-120000``. Old builds are
    removed first (see :func:`prune_builds`), except those in ``protect``."""
    settings = settings or UploadSettings()
    prune_builds(settings, protect, room_for=1)
    space = session_space(session)
    base = f"{slug(name)}-{time.strftime('%Y%m%d-%H%M%S')}"
    folder, n = space / base, 2
    while folder.exists():
        folder, n = space / f"{base}-{n}", n + 1
    if folder.resolve() == default_artifacts_dir().resolve():  # pragma: no cover - defensive
        raise ConfigError(f"{folder}: refusing to build an upload over the served artifacts")
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


def save_uploads(
    kind: str,
    *,
    movies: UploadedFileLike | None = None,
    credits: UploadedFileLike | None = None,
    catalog: UploadedFileLike | None = None,
) -> SavedUpload:
    """Save the uploaded files into a new temporary folder; the caller removes
    ``folder`` when done (a background build does, when it ends). Raises
    :class:`CatalogError` when a required file is missing."""
    if kind not in KINDS:
        raise ConfigError(f"unknown upload kind {kind!r}; accepted: {', '.join(KINDS)}")
    if kind == "tmdb" and movies is None:
        raise CatalogError("upload the TMDB movies file (tmdb_5000_movies.csv); the credits file is optional")
    if kind == "catalog" and catalog is None:
        raise CatalogError("upload a catalog CSV (columns id,title,year,genres,directors,cast,keywords,overview,...)")
    from recommender.build import CatalogSource

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
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return SavedUpload(folder=folder, source=source, original_names=names)


def remove(upload: SavedUpload) -> None:
    """Remove the saved files of ``upload``."""
    shutil.rmtree(upload.folder, ignore_errors=True)


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
    upload = save_uploads(kind, movies=movies, credits=credits, catalog=catalog)
    try:
        yield upload
    finally:
        shutil.rmtree(upload.folder, ignore_errors=True)


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
