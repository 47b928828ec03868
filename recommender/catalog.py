"""Catalog loading: TMDB 5000 files or the project's own catalog CSV into one table.

Both sources become the same normalised table (see :data:`CATALOG_COLUMNS`): one row
per movie, list fields as Python lists, ``display_title`` unique (the year, then the id,
is added where a title repeats). Movies and credits are joined on the movie id, never
on the title, and credits are optional per movie. Every problem with an input file
raises :class:`~recommender.errors.CatalogError` naming the file and the row, column or
value at fault; degenerate but legal rows (no overview, no credits) are kept and
counted in :class:`LoadReport` warnings.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import sys
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from recommender.columns import CATALOG_COLUMNS
from recommender.config import InputLimits
from recommender.errors import CatalogError
from recommender.inputs import check_regular_file
from recommender.inputs import reason as _reason

TMDB_MOVIES_REQUIRED = ("id", "title", "overview", "genres", "keywords", "release_date", "vote_average", "vote_count")
TMDB_CREDITS_REQUIRED = ("movie_id", "cast", "crew")
OWN_REQUIRED = ("id", "title")
OWN_OPTIONAL = (
    "year", "overview", "tagline", "genres", "keywords", "cast", "directors",
    "production_companies", "original_language", "runtime", "vote_average",
    "vote_count", "popularity",
)
MAX_CELL_CHARS = 100_000  # a cell longer than this is a damaged file, not a movie


@dataclass
class LoadReport:
    """What loading found worth telling: the sources and warnings with counts."""

    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    movies: int = 0
    without_overview: int = 0
    without_credits: int = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)


# --------------------------------------------------------------------------- reading
def read_csv_file(path: str | Path, limits: InputLimits | None = None) -> pd.DataFrame:
    """Read a plain, ``.gz`` or ``.zip`` CSV as strings, strictly UTF-8.

    Every cell is a ``str`` (empty string for a missing value) so that conversion
    errors can name their row and column. Raises :class:`CatalogError` for a missing,
    empty, non-UTF-8 or malformed file, for anything that is not a regular file, and
    for a file whose content (after decompression) is beyond ``limits``: the content
    is read as a stream and reading stops at the limit, so that a small archive that
    inflates to gigabytes costs no more memory than the limit.
    """
    path = Path(path)
    limits = limits or InputLimits()
    check_regular_file(path, "a CSV file (.csv, .csv.gz or .csv.zip)")
    try:
        raw = _read_bytes(path, limits.max_bytes)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise CatalogError(f"{path}: cannot be read as {_kind(path)} ({_reason(exc)})") from None
    if not raw.strip():
        raise CatalogError(f"{path}: file is empty; expected a CSV with a header line")
    if b"\x00" in raw[:65536]:
        raise CatalogError(f"{path}: binary data (NUL bytes), not a CSV text file")
    _check_utf8(raw, path)
    _check_size(raw, path, limits)
    _check_not_truncated(raw, path)
    try:
        # Parsed from the bytes, into Python strings: a decoded copy of the text, the
        # UCS-4 buffer of a StringIO and Arrow-backed string columns would each cost
        # several times the file's size at the peak of a build.
        frame = pd.read_csv(
            io.BytesIO(raw), dtype=object, keep_default_na=False, na_filter=False, engine="c", encoding="utf-8-sig"
        )
    except pd.errors.ParserError as exc:
        raise CatalogError(f"{path}: not a well-formed CSV (truncated or unbalanced quotes?): {exc}") from None
    except pd.errors.EmptyDataError:
        raise CatalogError(f"{path}: file is empty; expected a CSV with a header line") from None
    del raw
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise CatalogError(f"{path}: has a header but no rows")
    for column in frame.columns:
        lengths = frame[column].str.len()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            row = int(lengths.idxmax())
            raise CatalogError(
                f"{path}: data row {row + 1}, column {column!r}: cell of {int(lengths.max()):,} characters "
                f"(limit {MAX_CELL_CHARS:,}); the file looks damaged"
            )
    return frame


def _check_size(raw: bytes, path: Path, limits: InputLimits) -> None:
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    # Lines after the header: an upper bound on the films (a quoted cell may span lines).
    if lines - 1 > limits.max_rows:
        raise CatalogError(
            f"{path}: {lines - 1:,} lines after the header, more than the limit of {limits.max_rows:,} films "
            "(setting max_movies)"
        )
    cells = lines + raw.count(b",")
    if cells > limits.max_cells:
        raise CatalogError(
            f"{path}: about {cells:,} cells, more than the limit of {limits.max_cells:,} "
            f"(25 per film, setting max_movies = {limits.max_rows:,})"
        )


def _check_utf8(raw: bytes, path: Path, chunk: int = 1 << 20) -> None:
    """Raise :class:`CatalogError` at the first byte that is not UTF-8, decoding in
    chunks so that no decoded copy of the whole file is kept."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(raw), chunk):
            decoder.decode(raw[start:start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        try:
            raw.decode("utf-8")  # again in one piece, only to name the byte at fault
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise CatalogError(
                f"{path}: bytes that are not UTF-8 at byte {exc.start} (line {line}): "
                f"{raw[exc.start:exc.start + 4]!r}; save the file as UTF-8"
            ) from exc


def _check_not_truncated(raw: bytes, path: Path) -> None:
    """Reject a file cut off inside a quoted cell or in the middle of its last row.

    pandas would silently close an unbalanced quote at the end of the file or pad a
    short last row with empty cells, turning a damaged file into wrong data.
    """
    if raw.count(b'"') % 2:
        text = raw.decode("utf-8-sig")
        in_quote, opened = False, 0
        for match in re.finditer('"', text):
            if not in_quote:
                opened = match.start()
            in_quote = not in_quote
        line = text.count("\n", 0, opened) + 1
        raise CatalogError(
            f"{path}: truncated or damaged: the quoted cell opened on line {line} is never closed"
        )
    if not raw.endswith((b"\n", b"\r")):
        text = raw.decode("utf-8-sig")
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error:  # e.g. a cell over the csv module's limit: pandas reads it and says which
            return
        header, last = rows[0], rows[-1]
        if len(rows) > 1 and len(last) < len(header):
            raise CatalogError(
                f"{path}: truncated: the last row (data row {len(rows) - 1}) has {len(last)} of {len(header)} "
                "columns and the file does not end with a newline"
            )


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".gz": "gzip", ".zip": "zip"}.get(suffix, "a text file")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's content, decompressed for ``.gz`` and ``.zip``, read in chunks and
    refused as soon as it passes ``max_bytes``."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        import gzip

        with gzip.open(path, "rb") as handle:
            return _read_bounded(handle, path, max_bytes)
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
            if len(members) != 1:
                shown = [_printable(n) for n in members[:5]]
                raise CatalogError(f"{path}: expected exactly one .csv inside the zip, found {shown or 'none'}")
            info = archive.getinfo(members[0])
            if info.file_size > max_bytes:
                raise CatalogError(_too_big(path, max_bytes, f"its member {_printable(members[0])!r} declares"))
            with archive.open(info) as handle:
                return _read_bounded(handle, path, max_bytes)
    with open(path, "rb") as handle:
        return _read_bounded(handle, path, max_bytes)


def _read_bounded(handle: Any, path: Path, max_bytes: int, chunk: int = 1 << 20) -> bytes:
    data = io.BytesIO()  # getvalue() hands over its buffer without a copy
    while block := handle.read(chunk):
        if data.tell() + len(block) > max_bytes:
            raise CatalogError(_too_big(path, max_bytes, "holds"))
        data.write(block)
    return data.getvalue()


def _too_big(path: Path, max_bytes: int, verb: str) -> str:
    return (
        f"{path}: {verb} more than {max_bytes / 2**20:,.0f} MB of CSV once decompressed, "
        "over the limit (setting max_input_mb); reading stopped there"
    )


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:80]


def _require_columns(frame: pd.DataFrame, required: Iterable[str], path: Path | str, what: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise CatalogError(
            f"{path}: missing column(s) {missing} for a {what}; found {list(frame.columns)[:25]}"
        )


# --------------------------------------------------------------------------- cells
_INTEGER = re.compile(r"[+-]?\d{1,40}(?:\.0*)?")
INT64 = (-(2**63), 2**63 - 1)
# Plausible ranges: beyond them a value is a damaged cell, and it would overflow the
# arithmetic of the weighted rating or the int64 columns.
INT_RANGES = {"id": INT64, "movie_id": INT64, "vote_count": (0, 10**12)}
FLOAT_RANGES = {"vote_average": (0.0, 100.0), "runtime": (0.0, 100_000.0), "popularity": (0.0, 1e12)}


def _cell(path: Path, row: int, column: str) -> str:
    return f"{path}: data row {row + 1}, column {column!r}"


def _parse_int(value: str, path: Path, row: int, column: str, *, required: bool) -> int | None:
    """An integer read exactly from its digits (never through a float, so ids above
    2**53 keep every digit), within the column's range."""
    text = value.strip()
    if not text:
        if required:
            raise CatalogError(f"{_cell(path, row, column)}: empty, expected an integer")
        return None
    if not _INTEGER.fullmatch(text):
        raise CatalogError(f"{_cell(path, row, column)}: {text[:60]!r} is not an integer (digits only, e.g. 1977)")
    number = int(text.split(".")[0])
    low, high = INT_RANGES.get(column, INT64)
    if not low <= number <= high:
        raise CatalogError(
            f"{_cell(path, row, column)}: {text[:60]} is out of range; accepted: {low:,} to {high:,}"
        )
    return number


def _parse_float(value: str, path: Path, row: int, column: str) -> float:
    text = value.strip()
    if not text:
        return math.nan
    try:
        number = float(text)
    except ValueError:
        raise CatalogError(f"{_cell(path, row, column)}: {text[:60]!r} is not a number") from None
    if not math.isfinite(number):
        raise CatalogError(f"{_cell(path, row, column)}: {text[:60]!r} is not a finite number")
    low, high = FLOAT_RANGES.get(column, (-math.inf, math.inf))
    if not low <= number <= high:
        raise CatalogError(f"{_cell(path, row, column)}: {text[:60]} is out of range; accepted: {low:g} to {high:g}")
    return number


def _parse_json_list(value: str, path: Path, row: int, column: str) -> list[dict[str, Any]]:
    text = value.strip()
    if not text:
        return []
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise CatalogError(
            f"{_cell(path, row, column)}: JSON nested too deeply; expected a flat JSON list such as "
            '[{"id": 28, "name": "Action"}]'
        ) from None
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{path}: data row {row + 1}, column {column!r}: not valid JSON ({exc.msg} at character {exc.pos}); "
            f'expected a JSON list such as [{{"id": 28, "name": "Action"}}], got {text[:80]!r}'
        ) from None
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise CatalogError(
            f"{path}: data row {row + 1}, column {column!r}: expected a JSON list of objects, got {text[:80]!r}"
        )
    return parsed


def _names(items: list[dict[str, Any]]) -> list[str]:
    names = (item.get("name") for item in items)
    return [str(name).strip() for name in names if isinstance(name, (str, int, float)) and str(name).strip()]


def _split_list(value: str) -> list[str]:
    # Interned: a genre, studio or actor is one string object however many films name
    # it (at 1,000,000 films the list columns otherwise hold ~25 million copies).
    return [sys.intern(part.strip()) for part in value.split("|") if part.strip()]


def _check_unique_ids(ids: list[int], path: Path) -> None:
    counts = Counter(ids)
    duplicates = [i for i, n in counts.items() if n > 1]
    if duplicates:
        rows = [r + 1 for r, i in enumerate(ids) if i == duplicates[0]]
        raise CatalogError(
            f"{path}: duplicate id(s) {sorted(duplicates)[:10]} (id {duplicates[0]} is on data rows {rows}); "
            "every movie needs a unique id"
        )


# --------------------------------------------------------------------------- TMDB
def load_tmdb(
    movies_path: str | Path,
    credits_path: str | Path | None = None,
    *,
    top_cast: int = 5,
    limits: InputLimits | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Load the TMDB 5000 movies file and, optionally, its credits file.

    Returns the normalised catalog and a :class:`LoadReport`. Credits are joined on
    ``movie_id == id``; movies without a credits row keep empty cast/directors.
    Raises :class:`CatalogError` for missing files or columns, bad JSON cells,
    duplicate ids or non-UTF-8 bytes.
    """
    movies_path = Path(movies_path)
    report = LoadReport(sources=[str(movies_path)])
    movies = read_csv_file(movies_path, limits)
    _require_columns(movies, TMDB_MOVIES_REQUIRED, movies_path, "TMDB movies file (tmdb_5000_movies.csv)")

    records: list[dict[str, Any]] = []
    for row, cells in enumerate(movies.to_dict("records")):
        movie_id = _parse_int(cells["id"], movies_path, row, "id", required=True)
        title = cells["title"].strip()
        if not title:
            raise CatalogError(f"{movies_path}: data row {row + 1} (id {movie_id}), column 'title': empty")
        date = cells["release_date"].strip()
        year = int(date[:4]) if len(date) >= 4 and date[:4].isdigit() else None
        records.append(
            {
                "id": movie_id,
                "title": title,
                "year": year,
                "overview": cells["overview"].strip(),
                "tagline": cells.get("tagline", "").strip(),
                "genres": _names(_parse_json_list(cells["genres"], movies_path, row, "genres")),
                "keywords": _names(_parse_json_list(cells["keywords"], movies_path, row, "keywords")),
                "companies": _names(
                    _parse_json_list(cells.get("production_companies", ""), movies_path, row, "production_companies")
                ),
                "original_language": cells.get("original_language", "").strip(),
                "runtime": _parse_float(cells.get("runtime", ""), movies_path, row, "runtime"),
                "vote_average": _parse_float(cells["vote_average"], movies_path, row, "vote_average"),
                "vote_count": _parse_int(cells["vote_count"], movies_path, row, "vote_count", required=False) or 0,
                "popularity": _parse_float(cells.get("popularity", ""), movies_path, row, "popularity"),
                "cast": [],
                "directors": [],
                "has_credits": False,
            }
        )
    _check_unique_ids([r["id"] for r in records], movies_path)

    if credits_path is not None:
        credits_path = Path(credits_path)
        report.sources.append(str(credits_path))
        _join_credits(records, credits_path, top_cast, report, limits)
    return _finish(pd.DataFrame.from_records(records), report), report


def _join_credits(
    records: list[dict[str, Any]], credits_path: Path, top_cast: int, report: LoadReport, limits: InputLimits | None
) -> None:
    credits = read_csv_file(credits_path, limits)
    _require_columns(credits, TMDB_CREDITS_REQUIRED, credits_path, "TMDB credits file (tmdb_5000_credits.csv)")
    by_id = {record["id"]: record for record in records}
    seen: set[int] = set()
    unknown: list[int] = []
    for row, cells in enumerate(credits.to_dict("records")):
        movie_id = _parse_int(cells["movie_id"], credits_path, row, "movie_id", required=True)
        if movie_id in seen:
            raise CatalogError(f"{credits_path}: data row {row + 1}: duplicate movie_id {movie_id}")
        seen.add(movie_id)
        cast = _parse_json_list(cells["cast"], credits_path, row, "cast")
        crew = _parse_json_list(cells["crew"], credits_path, row, "crew")
        record = by_id.get(movie_id)
        if record is None:
            unknown.append(movie_id)
            continue
        billed = sorted(cast, key=lambda member: _order(member.get("order")))
        record["cast"] = _names(billed)[:top_cast]
        record["directors"] = _names([m for m in crew if m.get("job") == "Director"])
        record["has_credits"] = True
    if unknown:
        report.warn(
            f"{credits_path}: {len(unknown)} credits row(s) name a movie_id that is not in the movies file "
            f"(e.g. {unknown[:5]}); they were ignored"
        )


def _order(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.inf


# --------------------------------------------------------------------------- own CSV
def load_catalog_csv(path: str | Path, limits: InputLimits | None = None) -> tuple[pd.DataFrame, LoadReport]:
    """Load a catalog in the project's own CSV format (see the README).

    Required columns: ``id`` (unique integer) and ``title``. Optional: ``year``,
    ``overview``, ``tagline``, ``genres``, ``keywords``, ``cast``, ``directors``,
    ``production_companies`` (list fields ``|``-separated), ``original_language``,
    ``runtime``, ``vote_average``, ``vote_count``, ``popularity``.
    """
    path = Path(path)
    report = LoadReport(sources=[str(path)])
    frame = read_csv_file(path, limits)
    _require_columns(frame, OWN_REQUIRED, path, "catalog CSV")
    unknown = [c for c in frame.columns if c not in OWN_REQUIRED + OWN_OPTIONAL]
    if unknown:
        shown = ", ".join(repr(c[:40]) for c in unknown[:10]) + (f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else "")
        report.warn(f"{path}: column(s) {shown} are not part of the catalog format and were ignored")
    records: list[dict[str, Any]] = []
    for row, cells in enumerate(frame.to_dict("records")):
        get: Callable[[str], str] = lambda name: cells.get(name, "")  # noqa: E731
        movie_id = _parse_int(cells["id"], path, row, "id", required=True)
        title = cells["title"].strip()
        if not title:
            raise CatalogError(f"{path}: data row {row + 1} (id {movie_id}), column 'title': empty")
        year = _parse_int(get("year"), path, row, "year", required=False)
        if year is not None and not 1870 <= year <= 2100:
            raise CatalogError(f"{path}: data row {row + 1}, column 'year': {year} is not a plausible release year")
        cast, directors = _split_list(get("cast")), _split_list(get("directors"))
        records.append(
            {
                "id": movie_id,
                "title": title,
                "year": year,
                "overview": get("overview").strip(),
                "tagline": get("tagline").strip(),
                "genres": _split_list(get("genres")),
                "keywords": _split_list(get("keywords")),
                "cast": cast,
                "directors": directors,
                "companies": _split_list(get("production_companies")),
                "original_language": get("original_language").strip(),
                "runtime": _parse_float(get("runtime"), path, row, "runtime"),
                "vote_average": _parse_float(get("vote_average"), path, row, "vote_average"),
                "vote_count": _parse_int(get("vote_count"), path, row, "vote_count", required=False) or 0,
                "popularity": _parse_float(get("popularity"), path, row, "popularity"),
                "has_credits": bool(cast or directors),
            }
        )
    _check_unique_ids([r["id"] for r in records], path)
    return _finish(pd.DataFrame.from_records(records), report), report


# --------------------------------------------------------------------------- folders
def find_tmdb_files(folder: str | Path) -> tuple[Path, Path | None]:
    """Find ``tmdb_5000_movies.csv[.gz|.zip]`` and a credits file in ``folder``.

    The credits file is optional (``tmdb_5000_credits*.csv[.gz|.zip]``); the movies
    file is required and its absence raises :class:`CatalogError`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogError(f"{folder}: folder not found; expected a folder holding tmdb_5000_movies.csv")

    def first(pattern: str) -> Path | None:
        matches = sorted(p for p in folder.glob(pattern) if p.suffix.lower() in {".csv", ".gz", ".zip"})
        return matches[0] if matches else None

    movies = first("tmdb_5000_movies.csv*")
    if movies is None:
        raise CatalogError(
            f"{folder}: no tmdb_5000_movies.csv (.csv, .csv.gz or .csv.zip) in this folder; "
            "download the TMDB 5000 dataset from Kaggle (tmdb/tmdb-movie-metadata)"
        )
    return movies, first("tmdb_5000_credits*.csv*")


# --------------------------------------------------------------------------- finish
def _finish(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Types, display titles and degenerate-row counts, shared by both sources."""
    frame["year"] = pd.array(frame["year"], dtype="Int64")
    for column in ("runtime", "vote_average", "popularity"):
        frame[column] = frame[column].astype("float64")
    frame["vote_count"] = frame["vote_count"].astype("int64")
    frame["id"] = frame["id"].astype("int64")
    frame["has_credits"] = frame["has_credits"].astype(bool)
    frame["display_title"] = display_titles(frame)
    frame = frame.loc[:, list(CATALOG_COLUMNS)].reset_index(drop=True)

    report.movies = len(frame)
    report.without_overview = int((frame["overview"].str.len() == 0).sum())
    report.without_credits = int((~frame["has_credits"]).sum())
    if report.without_overview:
        report.warn(f"{report.without_overview} movie(s) have no overview; they are matched on their other fields")
    if report.without_credits:
        report.warn(
            f"{report.without_credits} of {len(frame)} movie(s) have no credits (cast/director); "
            "they are matched on their other fields"
        )
    return frame


def display_titles(frame: pd.DataFrame) -> list[str]:
    """Unique display titles: the title, plus the year where a title repeats, plus the
    id where title and year both repeat (e.g. "Batman (1989)")."""
    keys = frame["title"].str.casefold()
    title_counts = Counter(keys)
    pair_counts = Counter(zip(keys, frame["year"].tolist()))
    result: list[str] = []
    for key, title, year, movie_id in zip(keys, frame["title"], frame["year"], frame["id"]):
        if title_counts[key] == 1:
            result.append(title)
        elif year is None or pd.isna(year) or pair_counts[(key, year)] > 1:
            label = f"{year}, " if year is not None and not pd.isna(year) else ""
            result.append(f"{title} ({label}id {movie_id})")
        else:
            result.append(f"{title} ({year})")
    return result
