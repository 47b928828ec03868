"""Artifacts on disk: Parquet tables, ``.npz`` arrays, gzipped JSON columns and a ``manifest.json``.

What serving recommendations reads (the catalog, each vocabulary's terms) is stored
as gzipped JSON columns (:class:`~recommender.columns.ColumnTable`), not Parquet:
reading Parquet imports pyarrow and pandas, about a second of the first visitor's
wait, and serving needs neither. The analysis tables (clusters, agreement,
evaluation) stay Parquet; only the pages that use them load pandas.

A build writes into a temporary folder next to the destination and swaps it into
place only when complete, so a build killed half way leaves the previous artifacts
intact. The manifest records the schema version, settings, package versions, the
input files' sha256 and the sha256 of every artifact file; loading checks all of
them and raises :class:`~recommender.errors.ArtifactError` with the command that
rebuilds. Nothing is pickled: arrays load with ``allow_pickle=False``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.columns import LIST_COLUMNS, ColumnTable
from recommender.errors import ArtifactError
from recommender.inputs import JsonFileError, read_small_json

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

# 2: the catalog and the terms as gzipped JSON columns (were Parquet).
SCHEMA_VERSION = 2
MANIFEST = "manifest.json"
PACKAGES = ("numpy", "scipy", "scikit-learn", "pandas", "pyarrow", "nltk", "umap-learn")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_CATALOG = REPO_ROOT / "data" / "demo_catalog.csv"
# The demo catalog's name in a build's manifest (``catalog.name``).
DEMO_CATALOG_NAME = "demo catalog"


def default_artifacts_dir() -> Path:
    """``$MOVIE_ARTIFACTS`` if set, else ``artifacts/`` at the project root."""
    return Path(os.environ.get("MOVIE_ARTIFACTS") or REPO_ROOT / "artifacts")


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of the packages whose output the artifacts depend on."""
    from importlib import metadata  # ~0.1 s to import; only a build writes versions

    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


# --------------------------------------------------------------------------- writing
class ArtifactWriter:
    """Writes files into a folder and records each one's size and sha256."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, dict[str, Any]] = {}

    def _record(self, name: str) -> None:
        path = self.folder / name
        self.files[name] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}

    def table(self, name: str, frame: pd.DataFrame) -> None:
        """A table as ``name.parquet``."""
        frame.to_parquet(self.folder / f"{name}.parquet", index=False, compression="zstd", compression_level=9)
        self._record(f"{name}.parquet")

    def columns(self, name: str, table: ColumnTable) -> None:
        """A column table as ``name.json.gz`` (read without pandas: see the module doc)."""
        self.json_gz(name, table.json_chunks())

    def json_gz(self, name: str, pieces: Iterable[str]) -> None:
        """Text given in ``pieces`` as ``name.json.gz``, compressed as it comes: the same
        bytes as ``gzip.compress(text, 9, mtime=0)`` of the whole text (zlib's output does
        not depend on how its input is cut), without the text or its UTF-8 bytes in memory
        at once (with the JSON encoder's pieces, 3 GB for a 1,000,000-film catalog)."""
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header, mtime 0
        with open(self.folder / f"{name}.json.gz", "wb") as out:
            for piece in pieces:
                out.write(compressor.compress(piece.encode("utf-8")))
            out.write(compressor.flush())
        self._record(f"{name}.json.gz")

    def arrays(self, name: str, **arrays: np.ndarray) -> None:
        """Numeric arrays as ``name.npz`` (compressed; object arrays are refused)."""
        for key, array in arrays.items():
            if np.asarray(array).dtype == object:
                raise TypeError(f"array {name}/{key} has dtype object; it would need pickle")
        np.savez_compressed(self.folder / f"{name}.npz", **arrays)
        self._record(f"{name}.npz")

    def sparse(self, name: str, matrix: sp.csr_matrix) -> None:
        """A CSR matrix as ``name.npz`` (data, indices, indptr, shape), with the
        smallest integer types that hold its values (term counts fit in 8 or 16 bits)."""
        import scipy.sparse as sp

        matrix = sp.csr_matrix(matrix)
        data = matrix.data
        if np.issubdtype(data.dtype, np.integer):
            data = data.astype(smallest_uint(int(data.max(initial=0))))
        self.arrays(
            name,
            data=data,
            indices=matrix.indices.astype(smallest_uint(matrix.shape[1])),
            indptr=matrix.indptr.astype(smallest_uint(int(matrix.indptr[-1]))),
            shape=np.asarray(matrix.shape, dtype=np.int64),
        )

    def index(self, name: str, index: np.ndarray) -> None:
        """Row indices with -1 padding, as the smallest unsigned type (padding = its max)."""
        n_max = int(index.max(initial=0)) + 1
        dtype = smallest_uint(n_max)
        self.arrays(name, index=np.where(index >= 0, index, np.iinfo(dtype).max).astype(dtype))


def smallest_uint(largest: int) -> type:
    """The smallest unsigned numpy type holding 0..largest (and a sentinel above it)."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if largest < np.iinfo(dtype).max:
            return dtype
    return np.uint64


@contextmanager
def atomic_folder(destination: str | Path) -> Iterator[ArtifactWriter]:
    """Yield a writer on a temporary folder; on success swap it into ``destination``.

    On any error the temporary folder is removed and ``destination`` is untouched.
    """
    destination = Path(destination).resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(destination)
    staging = destination.parent / f".{destination.name}.building-{os.getpid()}-{int(time.time())}"
    staging.mkdir()
    try:
        yield ArtifactWriter(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = destination.parent / f".{destination.name}.previous"
    if backup.exists():
        shutil.rmtree(backup)
    if destination.exists():
        os.replace(destination, backup)
    os.replace(staging, destination)
    shutil.rmtree(backup, ignore_errors=True)


def check_destination(destination: str | Path, inputs: list[Path]) -> None:
    """Refuse to build into ``destination`` unless it is new, empty or a previous build.

    A build replaces the whole folder, so a folder holding anything else (or the input
    files themselves, or a folder above them) would lose it. A previous build is a
    folder whose files are ``manifest.json`` and files its manifest lists. Raises
    :class:`ArtifactError` naming the folder and what it holds.
    """
    destination = Path(destination)
    target = destination.resolve()
    for item in inputs:
        source = Path(item).resolve()
        if source == target or target in source.parents:
            raise ArtifactError(
                f"{destination}: the output folder would replace the input file {item}; "
                "give --out a new folder, e.g. --out artifacts"
            )
    if not destination.exists() and not destination.is_symlink():
        return
    if not destination.is_dir():
        raise ArtifactError(f"{destination}: exists and is not a folder; give --out a new or empty folder")
    try:
        entries = sorted(p.name for p in destination.iterdir())
    except OSError as exc:
        raise ArtifactError(f"{destination}: cannot be listed ({exc.strerror}); give --out a folder you can write") from None
    if not entries:
        return
    listed: set[str] = set()
    if MANIFEST in entries:
        try:
            manifest = json.loads((destination / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            manifest = None
        if isinstance(manifest, dict) and "schema_version" in manifest and isinstance(manifest.get("files"), dict):
            listed = {MANIFEST, *manifest["files"]}
    foreign = [name for name in entries if name not in listed]
    if foreign:
        shown = ", ".join(repr(name) for name in foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        what = "is not a build of this project" if not listed else "holds files that are not part of its build"
        raise ArtifactError(
            f"{destination}: {what} ({len(foreign)} other item(s): {shown}); a build replaces the whole folder, "
            "so give --out a new or empty folder, or one holding a previous build"
        )


def _remove_abandoned_staging(destination: Path) -> None:
    """Delete staging folders left by builds that were killed (their process is gone)."""
    for leftover in destination.parent.glob(f".{destination.name}.building-*"):
        try:
            pid = int(leftover.name.rsplit("-", 2)[1])
            os.kill(pid, 0)  # still running: leave it alone
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except (ValueError, IndexError, PermissionError):
            continue


def write_manifest(writer: ArtifactWriter, manifest: dict[str, Any]) -> dict[str, Any]:
    """Complete ``manifest`` with schema, packages and files and write it last."""
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "packages": package_versions(),
        **manifest,
        "files": writer.files,
    }
    (writer.folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=_json_default))
    return manifest


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (tuple, set)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --------------------------------------------------------------------------- reading
def rebuild_hint(manifest: dict[str, Any] | None, folder: Path) -> str:
    command = (manifest or {}).get("build_command")
    if not isinstance(command, str) or not command or len(command) > 1000:
        command = f"python -m recommender build --out {folder}"
    return f"rebuild with: {command}"


MAX_MANIFEST_BYTES = 16 << 20


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of an artifacts folder, checked for its schema version and shape.

    Raises :class:`ArtifactError` for a missing, damaged, oversized or misshapen
    manifest, naming what is wrong and the command that rebuilds.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.exists():
        raise ArtifactError(f"{folder}: no artifacts folder; build it with: python -m recommender build --out {folder}")
    if not folder.is_dir():
        raise ArtifactError(f"{folder}: not a folder; an artifacts folder is built with: python -m recommender build --out DIR")
    if not path.exists():
        raise ArtifactError(f"{path}: missing, so {folder} holds no complete build; {rebuild_hint(None, folder)}")
    if not path.is_file():
        raise ArtifactError(f"{path}: not a regular file; {rebuild_hint(None, folder)}")
    try:
        manifest = read_small_json(path, MAX_MANIFEST_BYTES)
    except JsonFileError as exc:
        state = exc.problem if exc.unreadable else f"damaged ({exc.problem})"
        raise ArtifactError(f"{path}: {state}; {rebuild_hint(None, folder)}") from None
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{path}: damaged (not a JSON object); {rebuild_hint(None, folder)}")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        shown = repr(version)[:40]
        raise ArtifactError(
            f"{path}: artifacts of schema version {shown}, this code reads version {SCHEMA_VERSION}; "
            f"{rebuild_hint(manifest, folder)}"
        )
    problem = _manifest_shape_problem(manifest)
    if problem:
        raise ArtifactError(f"{path}: damaged ({problem}); {rebuild_hint(None, folder)}")
    return manifest


def _manifest_shape_problem(manifest: dict[str, Any]) -> str | None:
    """What is wrong with the manifest's shape, or None: the keys that loading and the
    pages read must have the types the build writes."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return "'files' is not a JSON object"
    for name, entry in files.items():
        if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith(".") or not name:
            return f"'files' names {str(name)[:60]!r}, not a file of the build folder"
        if not isinstance(entry, dict) or not isinstance(entry.get("bytes"), int) or not isinstance(entry.get("sha256"), str):
            return f"'files' entry {name[:60]!r} is not {{\"bytes\": int, \"sha256\": str}}"
    expected: dict[str, type | tuple[type, ...]] = {
        "built_at": str, "config": dict, "rating_stats": dict, "catalog": dict, "build_command": str,
        "inputs": list, "maps": dict, "maps_built": bool, "timings_s": dict, "packages": dict,
    }
    for key, kind in expected.items():
        if key in manifest and not isinstance(manifest[key], kind):
            return f"{key!r} is a {type(manifest[key]).__name__}, expected a {kind.__name__}"  # type: ignore[union-attr]
    for item in manifest.get("inputs", []):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not isinstance(item.get("sha256"), str):
            return "'inputs' entries must be {\"path\": str, \"sha256\": str}"
    stats = manifest.get("rating_stats", {})
    if any(not isinstance(stats.get(k), (int, float)) or isinstance(stats.get(k), bool) for k in ("C", "m", "quantile")):
        return "'rating_stats' must hold numbers C, m and quantile"
    catalog = manifest.get("catalog", {})
    if not isinstance(catalog.get("warnings", []), list):
        return "'catalog.warnings' is not a list"
    if not isinstance(catalog.get("name", ""), str):
        return "'catalog.name' is not a string"
    for key in ("movies", "without_overview", "without_credits"):
        if key in catalog and (not isinstance(catalog[key], int) or isinstance(catalog[key], bool)):
            return f"'catalog.{key}' is not an integer"
    return None


class ArtifactReader:
    """Reads files listed in a manifest, checking each one's size and sha256."""

    def __init__(self, folder: str | Path, manifest: dict[str, Any] | None = None, verify: bool = True) -> None:
        self.folder = Path(folder)
        self.manifest = manifest if manifest is not None else read_manifest(folder)
        self.verify = verify

    def has(self, name: str) -> bool:
        return name in self.manifest.get("files", {})

    def path(self, name: str) -> Path:
        path = self.folder / name
        expected = self.manifest.get("files", {}).get(name)
        hint = rebuild_hint(self.manifest, self.folder)
        if expected is None:
            raise ArtifactError(f"{path}: not listed in the manifest (incomplete build); {hint}")
        if not path.exists():
            raise ArtifactError(f"{path}: missing artifact file; {hint}")
        if self.verify:
            size = path.stat().st_size
            if size != expected["bytes"]:
                raise ArtifactError(f"{path}: {size} bytes, expected {expected['bytes']} (truncated?); {hint}")
            if sha256_file(path) != expected["sha256"]:
                raise ArtifactError(f"{path}: content differs from the build (altered or damaged); {hint}")
        return path

    def table(self, name: str) -> pd.DataFrame:
        import pandas as pd

        path = self.path(f"{name}.parquet")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise ArtifactError(f"{path}: cannot be read ({exc}); {rebuild_hint(self.manifest, self.folder)}") from exc
        for column in LIST_COLUMNS:
            if column in frame.columns:
                frame[column] = [list(v) if v is not None else [] for v in frame[column]]
        return frame

    def columns(self, name: str) -> ColumnTable:
        """The column table :meth:`ArtifactWriter.columns` wrote as ``name.json.gz``."""
        path = self.path(f"{name}.json.gz")
        try:
            return ColumnTable.from_json(gzip.decompress(path.read_bytes()))
        except (OSError, EOFError, ValueError) as exc:  # gzip raises BadGzipFile (OSError) or EOFError
            raise ArtifactError(f"{path}: cannot be read ({exc}); {rebuild_hint(self.manifest, self.folder)}") from exc

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        path = self.path(f"{name}.npz")
        try:
            with np.load(path, allow_pickle=False) as data:
                return {key: data[key] for key in data.files}
        except Exception as exc:  # zipfile/ValueError for damaged files
            raise ArtifactError(f"{path}: cannot be read ({exc}); {rebuild_hint(self.manifest, self.folder)}") from exc

    def sparse(self, name: str) -> sp.csr_matrix:
        import scipy.sparse as sp

        parts = self.arrays(name)
        shape = tuple(int(x) for x in parts["shape"])
        data = parts["data"].astype(np.int32) if np.issubdtype(parts["data"].dtype, np.integer) else parts["data"]
        index_type = np.int32 if int(parts["indptr"][-1]) < np.iinfo(np.int32).max else np.int64
        return sp.csr_matrix(
            (data, parts["indices"].astype(index_type), parts["indptr"].astype(index_type)), shape=shape
        )

    def index(self, name: str) -> np.ndarray:
        """Row indices written by :meth:`ArtifactWriter.index`, as int32 with -1 padding."""
        stored = self.arrays(name)["index"]
        sentinel = np.iinfo(stored.dtype).max
        index = stored.astype(np.int32)  # widen first: -1 does not fit the unsigned type
        index[stored == sentinel] = -1
        return index


def changed_inputs(manifest: dict[str, Any]) -> list[str]:
    """Input files that still exist but whose sha256 differs from the build's."""
    changed = []
    for item in manifest.get("inputs", []):
        path = Path(item["path"])
        # Only regular files are hashed: a manifest naming /dev/zero must not hang the app.
        if path.is_file() and sha256_file(path) != item["sha256"]:
            changed.append(str(path))
    return changed
