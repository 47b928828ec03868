"""Tables as plain columns: what serving recommendations reads, without pandas.

A :class:`ColumnTable` holds one Python list per column plus each column's kind
(``int``, ``nullable_int``, ``float``, ``bool``, ``str`` or ``list`` of strings).
The catalog is stored in this form (gzipped JSON, see
:meth:`recommender.artifacts.ArtifactWriter.columns`) because reading Parquet needs
pyarrow and pandas, about a second of imports before the first recommendations a
visitor sees; ranking, the reasons and the recommender page need only lists and numpy.
:meth:`ColumnTable.to_frame` gives the pandas DataFrame the analysis pages use, with
the same dtypes a Parquet round trip gives (``year`` as nullable ``Int64``, list cells
as Python lists); :meth:`ColumnTable.from_frame` goes the other way.
"""

from __future__ import annotations

import json
import math
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# The catalog's columns (recommender.catalog makes them) and those holding lists of names.
CATALOG_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "display_title",
    "year",
    "overview",
    "tagline",
    "genres",
    "keywords",
    "cast",
    "directors",
    "companies",
    "original_language",
    "runtime",
    "vote_average",
    "vote_count",
    "popularity",
    "has_credits",
)
LIST_COLUMNS: tuple[str, ...] = ("genres", "keywords", "cast", "directors", "companies")

KINDS = ("int", "nullable_int", "float", "bool", "str", "list")
FORMAT = "movie-explorer/columns-1"


class ColumnTable:
    """Equal-length columns, each a list of Python values of one kind.

    Missing values: ``None`` in ``nullable_int`` columns, NaN in ``float`` columns.
    ``list`` cells are lists of strings (an empty list when there are none).
    """

    def __init__(self, columns: Mapping[str, Sequence[Any]], kinds: Mapping[str, str]) -> None:
        if set(columns) != set(kinds):
            raise ValueError(f"columns {sorted(columns)} and kinds {sorted(kinds)} name different columns")
        unknown = {name: kind for name, kind in kinds.items() if kind not in KINDS}
        if unknown:
            raise ValueError(f"unknown column kind(s) {unknown}; accepted: {', '.join(KINDS)}")
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns of different lengths: {lengths}")
        self._columns = {name: list(values) for name, values in columns.items()}
        self.kinds = dict(kinds)
        self._length = next(iter(lengths.values()), 0)
        self._arrays: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return self._length

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> list[Any]:
        """The column's values (do not modify: the table is read-only once made)."""
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError(f"no column {name!r}; columns: {', '.join(self._columns)}") from None

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def empty(self) -> bool:
        return self._length == 0

    def array(self, name: str) -> np.ndarray:
        """A numeric column as a numpy array (cached): int64, bool, or float64 with NaN
        for missing values (``nullable_int`` columns become float64)."""
        if name not in self._arrays:
            kind = self.kinds.get(name)
            if kind == "int":
                array = np.asarray(self[name], dtype=np.int64)
            elif kind == "bool":
                array = np.asarray(self[name], dtype=bool)
            elif kind in ("float", "nullable_int"):
                array = np.asarray([np.nan if v is None else v for v in self[name]], dtype=np.float64)
            else:
                raise TypeError(f"column {name!r} holds {kind} values, not numbers")
            array.flags.writeable = False
            self._arrays[name] = array
        return self._arrays[name]

    def row(self, index: int) -> dict[str, Any]:
        """One row as a dict of column name to value."""
        return {name: values[index] for name, values in self._columns.items()}

    def records(self) -> Iterator[dict[str, Any]]:
        """The rows in order, as dicts."""
        for index in range(self._length):
            yield self.row(index)

    def tuples(self) -> Iterator[tuple[Any, ...]]:
        """The rows in order, as named tuples (``row.title``), like ``DataFrame.itertuples``."""
        row_type = namedtuple("Row", self.columns)  # type: ignore[misc]
        for values in zip(*self._columns.values()):
            yield row_type(*values)

    # ----------------------------------------------------------- derived tables
    def take(self, rows: Sequence[int] | np.ndarray, columns: Sequence[str] | None = None) -> ColumnTable:
        """The given rows (in that order) of the given columns (all by default)."""
        names = list(columns) if columns is not None else self.columns
        positions = [int(r) for r in rows]
        return ColumnTable({n: [self[n][r] for r in positions] for n in names}, {n: self.kinds[n] for n in names})

    def with_column(self, name: str, kind: str, values: Sequence[Any], position: int | None = None) -> ColumnTable:
        """A copy with column ``name`` added (at ``position``, else last) or replaced."""
        names = [n for n in self.columns if n != name]
        names.insert(len(names) if position is None else position, name)
        columns = {**self._columns, name: list(values)}
        kinds = {**self.kinds, name: kind}
        return ColumnTable({n: columns[n] for n in names}, {n: kinds[n] for n in names})

    def select(self, columns: Sequence[str]) -> ColumnTable:
        """These columns, in this order."""
        return ColumnTable({n: self[n] for n in columns}, {n: self.kinds[n] for n in columns})

    # ------------------------------------------------------------------ pandas
    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ColumnTable:
        """The columns of a DataFrame; each column's kind follows from its dtype (object
        columns whose cells are lists or arrays are ``list``, other object columns ``str``)."""
        columns: dict[str, list[Any]] = {}
        kinds: dict[str, str] = {}
        for name in frame.columns:
            kinds[str(name)], columns[str(name)] = column_values(frame[name])
        return cls(columns, kinds)

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame with one column per column, in order (imports pandas)."""
        import pandas as pd

        data: dict[str, Any] = {}
        for name, values in self._columns.items():
            kind = self.kinds[name]
            if kind == "nullable_int":
                data[name] = pd.array(values, dtype="Int64")
            elif kind in ("int", "float", "bool"):
                data[name] = self.array(name).copy()
            elif kind == "str":
                data[name] = pd.array(values, dtype="str")
            else:
                data[name] = pd.Series([list(v) for v in values], dtype=object)
        return pd.DataFrame(data, index=pd.RangeIndex(self._length))

    # ---------------------------------------------------------------- storage
    def to_json(self) -> bytes:
        """UTF-8 JSON: format, row count, and per column its kind and values (NaN as null)."""
        return "".join(self.json_chunks()).encode("utf-8")

    def json_chunks(self) -> Iterator[str]:
        """:meth:`to_json`'s text in pieces (their concatenation), so a writer can stream it."""
        return json_chunks(self._length, ((name, self.kinds[name], values) for name, values in self._columns.items()))

    @classmethod
    def from_json(cls, raw: bytes) -> ColumnTable:
        """The table :meth:`to_json` wrote; :class:`ValueError` naming what is wrong."""
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"not JSON ({exc})") from exc
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            found = body.get("format") if isinstance(body, dict) else type(body).__name__
            raise ValueError(f"not a {FORMAT} table (format {found!r})")
        try:
            columns = {c["name"]: _restored(c["kind"], c["values"]) for c in body["columns"]}
            kinds = {c["name"]: c["kind"] for c in body["columns"]}
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed column entry ({exc!r})") from exc
        table = cls(columns, kinds)
        if len(table) != body.get("rows"):
            raise ValueError(f"{len(table)} rows, the header says {body.get('rows')!r}")
        return table


def column_values(series: pd.Series) -> tuple[str, list[Any]]:
    """One DataFrame column as (kind, Python values), as :meth:`ColumnTable.from_frame`
    stores it: the kind follows from the dtype (object columns whose cells are lists or
    arrays are ``list``, other object columns ``str``)."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool", [bool(v) for v in series]
    if pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return "nullable_int", [None if pd.isna(v) else int(v) for v in series]
    if pd.api.types.is_integer_dtype(dtype):
        return "int", [int(v) for v in series]
    if pd.api.types.is_float_dtype(dtype):
        return "float", [float(v) for v in series]
    if any(isinstance(v, (list, tuple, np.ndarray)) for v in series):
        return "list", [[str(x) for x in v] if v is not None else [] for v in series]
    return "str", ["" if pd.isna(v) else str(v) for v in series]


def frame_json_chunks(frame: pd.DataFrame) -> Iterator[str]:
    """The text of ``ColumnTable.from_frame(frame).to_json()`` in pieces, one column
    converted at a time: a build writes its catalog without a second copy of it in
    Python objects (0.9 GB at 1,000,000 films) nor the whole text at once."""
    return json_chunks(len(frame), ((str(name), *column_values(frame[name])) for name in frame.columns))


# Rows per piece of a column's values: pieces of a few MB.
_JSON_ROWS = 16_384


def json_chunks(rows: int, columns: Iterable[tuple[str, str, list[Any]]], piece_rows: int = _JSON_ROWS) -> Iterator[str]:
    """Pieces of ``{"format", "rows", "columns": [{"name", "kind", "values"}, ...]}`` as
    ``json.dumps(..., ensure_ascii=False, separators=(",", ":"), allow_nan=False)``
    writes it whole (the same text: a list's items are joined by "," with nothing
    around them); ``columns`` yields (name, kind, values), each column's values are
    encoded ``piece_rows`` at a time."""
    yield f'{{"format":{_dumps(FORMAT)},"rows":{_dumps(rows)},"columns":['
    for position, (name, kind, values) in enumerate(columns):
        yield f'{"," if position else ""}{{"name":{_dumps(name)},"kind":{_dumps(kind)},"values":['
        for start in range(0, len(values), piece_rows):
            piece = _dumps(_jsonable(kind, values[start : start + piece_rows]))
            yield ("," if start else "") + piece[1:-1]
        yield "]}"
    yield "]}"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _jsonable(kind: str, values: list[Any]) -> list[Any]:
    if kind == "float":
        return [None if math.isnan(v) else v for v in values]
    return values


def _restored(kind: str, values: list[Any]) -> list[Any]:
    if kind == "float":
        return [math.nan if v is None else float(v) for v in values]
    if kind == "list":
        return [list(v) for v in values]
    return list(values)
