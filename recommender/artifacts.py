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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.columns import LIST_COLUMNS, ColumnTable
from recommender.errors import ArtifactError

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

# 2: the catalog and the terms as gzipped JSON columns (were Parquet).
SCHEMA_VERSION = 2
MANIFEST = "manifest.json"
PACKAGES = ("numpy", "scipy", "scikit-learn", "pandas", "pyarrow", "nltk", "umap-learn")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_CATALOG = REPO_ROOT / "data" / "demo_catalog.csv"


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
        (self.folder / f"{name}.json.gz").write_bytes(gzip.compress(table.to_json(), compresslevel=9, mtime=0))
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
    command = (manifest or {}).get("build_command") or f"python -m recommender build --out {folder}"
    return f"rebuild with: {command}"


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of an artifacts folder, checked for its schema version."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.exists():
        raise ArtifactError(f"{folder}: no artifacts folder; build it with: python -m recommender build --out {folder}")
    if not path.exists():
        raise ArtifactError(f"{path}: missing, so {folder} holds no complete build; {rebuild_hint(None, folder)}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path}: damaged ({exc}); {rebuild_hint(None, folder)}") from exc
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{path}: damaged (not a JSON object); {rebuild_hint(None, folder)}")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ArtifactError(
            f"{path}: artifacts of schema version {version!r}, this code reads version {SCHEMA_VERSION}; "
            f"{rebuild_hint(manifest, folder)}"
        )
    return manifest


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
        if path.exists() and sha256_file(path) != item["sha256"]:
            changed.append(str(path))
    return changed
