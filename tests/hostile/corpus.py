"""A corpus of hostile inputs for the command line, each with the answer it must get.

Every :class:`Case` makes its files in a fresh folder (the big ones, such as archives
that inflate to 1 GB, are generated here at run time and never committed), gives
the command-line arguments to run, and says what must come back: exit code 2 and
one line on stderr matching ``expect``, or success (``ok``) with an optional check
of the output. :func:`run_case` runs a case and records what happened: the exit
code, the output, whether a traceback escaped, whether it timed out, its peak
memory, and any file outside the build's own output that was changed or removed
("damaged"). ``tests/test_hostile.py`` asserts every case; ``scripts/hostile_report.py``
runs them all and writes the figures into ``docs/HOSTILE_INPUT.md``.

Cases in the "environment" group (a read-only folder, a full disk) run the CLI in a
private mount namespace (``unshare -Urm``) on a small tmpfs; where the machine does
not allow that, they are reported as not run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GB = 1 << 30
HEADER = "id,title,year,genres,directors,cast,keywords,overview,original_language,runtime,vote_average,vote_count\n"
ROWS = [
    "1,Space Wars,1977,Science Fiction|Adventure,Ann Lee,Tom Hart|Mia Sol,space|rebellion,A farm boy joins rebels fighting an empire in space.,en,120,8.0,1000",
    "2,Space Wars II,1980,Science Fiction|Adventure,Ann Lee,Tom Hart|Mia Sol,space|rebellion,The rebels hide on an ice planet while the empire hunts them in space.,en,125,8.2,900",
    "3,Ghost House,1985,Horror,Bo Chan,Zoe Park,ghost|haunted house,A family moves into a haunted house where a ghost waits.,en,95,6.5,300",
    "4,Ghost Manor,2005,Horror|Mystery,Cy Dunn,Zoe Park,ghost|curse,A cursed house and its ghost torment new owners.,ko,100,5.9,50",
]
TMDB_HEADER = "id,title,overview,genres,keywords,release_date,vote_average,vote_count\n"


def catalog_text(*rows: str) -> str:
    """The four-film catalog plus ``rows`` (each a full CSV line of the catalog format)."""
    return HEADER + "\n".join([*ROWS, *rows]) + "\n"


def row(movie_id: str = "9", title: str = "Odd Film", **cells: str) -> str:
    """One catalog row; ``cells`` override columns by name."""
    values = {
        "id": movie_id, "title": title, "year": "1999", "genres": "Drama", "directors": "Di Ross", "cast": "Al Finch",
        "keywords": "garden", "overview": "An old gardener tends roses.", "original_language": "en",
        "runtime": "90", "vote_average": "7.1", "vote_count": "20",
    }
    values.update(cells)
    return ",".join(_csv_cell(values[name]) for name in HEADER.strip().split(","))


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if re.search(r'[",\r\n]', text) else text


@dataclass
class Workspace:
    """The folder a case works in, and a served build it must never damage."""

    root: Path
    served: Path

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return path

    def copy_served(self, name: str = "art") -> Path:
        """A copy of the served build that a case may alter."""
        target = self.root / name
        shutil.copytree(self.served, target)
        return target


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, and the answer it must get."""

    name: str
    group: str
    what: str
    make: Callable[[Workspace], list[str]]
    expect: str = ""  # regex on stderr (exit code 2) when not ok
    ok: bool = False  # the command must succeed
    check: Callable[[Workspace, Result], str | None] | None = None  # extra check: a problem or None
    output: str = ""  # a folder the command may write (not counted as damage)
    mount: str = ""  # "ro" or "full": run on a private tmpfs mounted at <root>/mnt
    slow: bool = False  # generates big files or runs a long build (marked slow in the tests)


@dataclass
class Result:
    """What running a case gave."""

    case: str
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float | None = None
    timed_out: bool = False
    traceback: bool = False
    damaged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def handled(self) -> bool:
        return not self.skipped and not self.problems


# --------------------------------------------------------------------------- big files
def _write_gzip_bomb(path: Path, size: int = GB) -> Path:
    """A gzip file of about 1 MB whose CSV inflates to ``size`` bytes."""
    block = b"1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" * 16384
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(b"id,title\n")
        for _ in range(size // len(block)):
            handle.write(block)
    return path


def _write_zip_bomb(path: Path, size: int = GB) -> Path:
    block = b"1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" * 16384
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("movies.csv", "w", force_zip64=True) as handle:
            handle.write(b"id,title\n")
            for _ in range(size // len(block)):
                handle.write(block)
    return path


def _write_lying_zip(path: Path) -> Path:
    """A zip whose member declares 100 bytes but inflates to 1 GB (its header lies)."""
    _write_zip_bomb(path)
    data = bytearray(path.read_bytes())
    # Patch the uncompressed size in the central directory (zip64 extra field) and
    # local header so that the archive claims a tiny member.
    with zipfile.ZipFile(path) as archive:
        real = archive.getinfo("movies.csv").file_size
    for width in (8, 4):  # zip64 extra fields and the 32-bit size fields
        data = data.replace(real.to_bytes(width, "little"), (100).to_bytes(width, "little"))
    path.write_bytes(bytes(data))
    return path


def _nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# --------------------------------------------------------------------------- cases
def _build(ws: Workspace, catalog: Path, *extra: str) -> list[str]:
    return ["build", "--catalog", str(catalog), "--out", str(ws.root / "out"), "--skip-maps", "--quiet", *extra]


def _catalog_case(text: str | bytes, name: str = "catalog.csv", *extra: str) -> Callable[[Workspace], list[str]]:
    return lambda ws: _build(ws, ws.write(name, text), *extra)


def _tmdb_case(movies: str, credits: str | None = None) -> Callable[[Workspace], list[str]]:
    def make(ws: Workspace) -> list[str]:
        args = ["build", "--movies", str(ws.write("tmdb_5000_movies.csv", movies))]
        if credits is not None:
            args += ["--credits", str(ws.write("tmdb_5000_credits.csv", credits))]
        return [*args, "--out", str(ws.root / "out"), "--skip-maps", "--quiet"]

    return make


def _config_case(settings: str | bytes) -> Callable[[Workspace], list[str]]:
    def make(ws: Workspace) -> list[str]:
        return _build(ws, ws.write("catalog.csv", catalog_text()), "--config", str(ws.write("settings.json", settings)))

    return make


def _manifest_case(change: Callable[[dict], object]) -> Callable[[Workspace], list[str]]:
    def make(ws: Workspace) -> list[str]:
        folder = ws.copy_served()
        manifest = json.loads((folder / "manifest.json").read_text())
        changed = change(manifest)
        data = changed if isinstance(changed, bytes) else (changed if isinstance(changed, str) else json.dumps(changed)).encode()
        (folder / "manifest.json").write_bytes(data)
        return ["recommend", "Space Wars", "--artifacts", str(folder)]

    return make


def _tmdb_movie(movie_id: str = "10", genres: str = '[{"id": 18, "name": "Drama"}]', **cells: str) -> str:
    values = {
        "id": movie_id, "title": "Odd Film", "overview": "An old gardener tends roses.", "genres": genres,
        "keywords": '[{"id": 1, "name": "garden"}]', "release_date": "1999-01-01", "vote_average": "7.1",
        "vote_count": "20",
    }
    values.update(cells)
    good = [
        ["1", "Space Wars", "Rebels fight an empire in space.", '[{"id": 878, "name": "Science Fiction"}]',
         '[{"id": 2, "name": "space"}]', "1977-05-25", "8.0", "1000"],
        ["2", "Space Wars II", "The rebels hide on an ice planet.", '[{"id": 878, "name": "Science Fiction"}]',
         '[{"id": 2, "name": "space"}]', "1980-05-21", "8.2", "900"],
    ]
    lines = [",".join(_csv_cell(c) for c in cells_) for cells_ in good]
    lines.append(",".join(_csv_cell(values[name]) for name in TMDB_HEADER.strip().split(",")))
    return TMDB_HEADER + "\n".join(lines) + "\n"


def _recommend_json(ws: Workspace, title: str) -> dict:
    import contextlib
    import io

    from recommender.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["recommend", title, "--artifacts", str(ws.root / "out"), "--json", "--k", "3"])
    if code != 0:
        return {}
    return json.loads(out.getvalue())


def _check_big_id(ws: Workspace, result: Result) -> str | None:
    answer = _recommend_json(ws, str(2**53 + 1))
    if answer.get("query", {}).get("id") != 2**53 + 1:
        return f"id {2**53 + 1} was not preserved: {answer.get('query')}"
    return None


def _check_no_escapes(ws: Workspace, result: Result) -> str | None:
    import contextlib
    import io

    from recommender.cli import main

    for args in (["recommend", "1", "--k", "4"], ["top", "--n", "10"], ["recommend", "1", "--json"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main([*args, "--artifacts", str(ws.root / "out")])
        text = out.getvalue()
        if not text:
            return f"{args[0]} printed nothing"
        if re.search(r"[\x1b\x07\x9b\r]", text):
            return f"{' '.join(args)} printed a control character: {text[:200]!r}"
    return None


def _check_short_warning(ws: Workspace, result: Result) -> str | None:
    longest = max((len(line) for line in result.stderr.splitlines()), default=0)
    return None if longest <= 1000 else f"a warning line of {longest:,} characters"


def _fifo(ws: Workspace) -> list[str]:
    path = ws.root / "pipe.csv"
    os.mkfifo(path)
    return _build(ws, path)


def _symlink_to(target: str) -> Callable[[Workspace], list[str]]:
    def make(ws: Workspace) -> list[str]:
        link = ws.root / "movies.csv"
        link.symlink_to(target)
        return _build(ws, link)

    return make


def _out_foreign(ws: Workspace) -> list[str]:
    ws.write("out/notes.txt", "my notes, not a build")
    return _build(ws, ws.write("catalog.csv", catalog_text()))


def _out_is_input(ws: Workspace) -> list[str]:
    path = ws.write("catalog.csv", catalog_text())
    return ["build", "--catalog", str(path), "--out", str(path), "--skip-maps", "--quiet"]


def _out_holds_input(ws: Workspace) -> list[str]:
    path = ws.write("data/catalog.csv", catalog_text())
    return ["build", "--catalog", str(path), "--out", str(ws.root / "data"), "--skip-maps", "--quiet"]


def _out_is_file(ws: Workspace) -> list[str]:
    ws.write("out", "a file, not a folder")
    return _build(ws, ws.write("catalog.csv", catalog_text()))


def _out_previous_build(ws: Workspace) -> list[str]:
    shutil.copytree(ws.served, ws.root / "out")
    return _build(ws, ws.write("catalog.csv", catalog_text()))


def _mounted_build(ws: Workspace) -> list[str]:
    catalog = ws.write("catalog.csv", catalog_text(*(row(str(i), f"Film {i}") for i in range(10, 400))))
    return ["build", "--catalog", str(catalog), "--out", str(ws.root / "mnt" / "out"), "--skip-maps", "--quiet"]


def _gzip_bomb(ws: Workspace) -> list[str]:
    return _build(ws, _write_gzip_bomb(ws.root / "movies.csv.gz"))


def _zip_bomb(ws: Workspace) -> list[str]:
    return _build(ws, _write_zip_bomb(ws.root / "movies.csv.zip"))


def _lying_zip(ws: Workspace) -> list[str]:
    return _build(ws, _write_lying_zip(ws.root / "movies.csv.zip"))


def _two_member_zip(ws: Workspace) -> list[str]:
    path = ws.root / "movies.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", catalog_text())
        archive.writestr("b.csv", catalog_text())
    return _build(ws, path)


def _corrupt_gzip(ws: Workspace) -> list[str]:
    data = gzip.compress(catalog_text().encode())
    return _build(ws, ws.write("movies.csv.gz", data[: len(data) // 2]))


def _not_gzip(ws: Workspace) -> list[str]:
    return _build(ws, ws.write("movies.csv.gz", catalog_text()))


def _deflate_garbage_zip(ws: Workspace) -> list[str]:
    path = ws.root / "movies.csv.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("movies.csv", catalog_text() * 50)
    data = bytearray(path.read_bytes())
    for i in range(60, 200):  # damage the compressed stream, keep the headers
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return _build(ws, path)


def _small_limit(ws: Workspace) -> list[str]:
    big = catalog_text(*(row(str(i), f"Film {i}", overview="x" * 2000) for i in range(10, 700)))
    settings = ws.write("settings.json", json.dumps({"max_input_mb": 1}))
    return _build(ws, ws.write("catalog.csv", big), "--config", str(settings))


def _many_rows(ws: Workspace) -> list[str]:
    text = "id,title\n" + "".join(f"{i},t\n" for i in range(300_001))
    return _build(ws, ws.write("catalog.csv", text))


def _many_columns(ws: Workspace) -> list[str]:
    extra = [f"extra{i}" for i in range(20_000)]
    header = HEADER.strip() + "," + ",".join(extra) + "\n"
    rows = [r + "," + ",".join("" for _ in extra) for r in ROWS]
    return _build(ws, ws.write("catalog.csv", header + "\n".join(rows) + "\n"))


CASES: list[Case] = [
    # --- the output folder
    Case("out-foreign-folder", "output folder", "--out names a folder holding other files",
         _out_foreign, r"out: is not a build of this project \(1 other item\(s\): 'notes.txt'\)"),
    Case("out-is-input", "output folder", "--out is the input file itself",
         _out_is_input, r"would replace the input file"),
    Case("out-holds-input", "output folder", "--out is the folder holding the input file",
         _out_holds_input, r"would replace the input file"),
    Case("out-is-file", "output folder", "--out is an existing file",
         _out_is_file, r"exists and is not a folder"),
    Case("out-previous-build", "output folder", "--out holds a previous build: replaced",
         _out_previous_build, ok=True, output="out"),
    Case("out-read-only", "environment", "--out on a read-only file system",
         _mounted_build, r"cannot write the build \(Read-only file system\)", mount="ro", slow=True),
    Case("out-disk-full", "environment", "--out on a full disk (a 4 kB tmpfs)",
         _mounted_build, r"cannot write the build \(No space left on device\); nothing in .* was changed", mount="full", slow=True),
    # --- decompression
    Case("gzip-bomb", "decompression", "a gzip of about 1 MB inflating to 1 GB",
         _gzip_bomb, r"more than 200 MB of CSV once decompressed, over the limit \(setting max_input_mb\)", slow=True),
    Case("zip-bomb", "decompression", "a zip of about 1 MB inflating to 1 GB",
         _zip_bomb, r"member 'movies.csv' declares more than 200 MB", slow=True),
    Case("zip-bomb-lying", "decompression", "a zip bomb whose header claims 100 bytes",
         _lying_zip, r"movies.csv.zip: (holds more than 200 MB|cannot be read as zip)", slow=True),
    Case("zip-two-members", "decompression", "a zip holding two CSV files",
         _two_member_zip, r"expected exactly one .csv inside the zip, found \['a.csv', 'b.csv'\]"),
    Case("gzip-truncated", "decompression", "a gzip cut in half",
         _corrupt_gzip, r"cannot be read as gzip"),
    Case("gzip-not-gzip", "decompression", "plain text named .gz",
         _not_gzip, r"cannot be read as gzip \(Not a gzipped file"),
    Case("zip-damaged-stream", "decompression", "a zip with a damaged compressed stream",
         _deflate_garbage_zip, r"cannot be read as zip"),
    Case("limit-setting", "decompression", "a 1.4 MB CSV with max_input_mb = 1",
         _small_limit, r"more than 1 MB of CSV once decompressed"),
    # --- not regular files
    Case("dev-zero", "not a regular file", "/dev/zero as the catalog",
         lambda ws: _build(ws, Path("/dev/zero")), r"/dev/zero: not a regular file"),
    Case("symlink-dev-zero", "not a regular file", "a .csv symlink to /dev/zero",
         _symlink_to("/dev/zero"), r"movies.csv: not a regular file"),
    Case("fifo", "not a regular file", "a named pipe as the catalog",
         _fifo, r"pipe.csv: not a regular file"),
    Case("folder-as-catalog", "not a regular file", "a folder as the catalog",
         lambda ws: _build(ws, ws.root), r"is a folder, expected a CSV file"),
    Case("missing-file", "not a regular file", "a catalog that does not exist",
         lambda ws: _build(ws, ws.root / "nope.csv"), r"nope.csv: file not found"),
    Case("missing-tmdb-dir", "not a regular file", "--tmdb-dir that does not exist",
         lambda ws: ["build", "--tmdb-dir", str(ws.root / "nope"), "--quiet"], r"nope: folder not found"),
    Case("movies-and-catalog", "not a regular file", "--movies and --catalog together",
         lambda ws: ["build", "--movies", "a.csv", "--catalog", "b.csv"], r"give only one of"),
    # --- ids
    Case("id-above-2-53", "ids", "an id of 2**53 + 1 (a float would change it)",
         _catalog_case(catalog_text(row(str(2**53 + 1)))), ok=True, check=_check_big_id, output="out"),
    Case("id-beyond-64-bits", "ids", "an id of 2**64",
         _catalog_case(catalog_text(row(str(2**64)))),
         r"data row 5, column 'id': 18446744073709551616 is out of range"),
    Case("id-fraction", "ids", "an id of 1.5",
         _catalog_case(catalog_text(row("1.5"))), r"data row 5, column 'id': '1.5' is not an integer"),
    Case("id-exponent", "ids", "an id of 1e3",
         _catalog_case(catalog_text(row("1e3"))), r"data row 5, column 'id': '1e3' is not an integer"),
    Case("tmdb-credits-id-beyond-64-bits", "ids", "a TMDB credits movie_id of 10**30",
         _tmdb_case(_tmdb_movie(), "movie_id,title,cast,crew\n" + f"{10**30},x,[],[]\n"),
         r"tmdb_5000_credits.csv: data row 1, column 'movie_id': 1000000000000000000000000000000 is out of range"),
    # --- numbers
    Case("votes-1e30", "numbers", "a vote count of 1e30",
         _catalog_case(catalog_text(row(vote_count="1e30"))), r"column 'vote_count': '1e30' is not an integer"),
    Case("votes-30-digits", "numbers", "a vote count of 10**30 in digits",
         _catalog_case(catalog_text(row(vote_count=str(10**30)))), r"column 'vote_count': 1000000000000000000000000000000 is out of range"),
    Case("votes-negative", "numbers", "a vote count of -5",
         _catalog_case(catalog_text(row(vote_count="-5"))), r"column 'vote_count': -5 is out of range"),
    Case("average-infinite", "numbers", "a vote average of inf",
         _catalog_case(catalog_text(row(vote_average="inf"))), r"column 'vote_average': 'inf' is not a finite number"),
    Case("average-1e308", "numbers", "a vote average of 1e308",
         _catalog_case(catalog_text(row(vote_average="1e308"))), r"column 'vote_average': 1e308 is out of range"),
    Case("tmdb-votes-1e30", "numbers", "a TMDB vote_count of 1e30",
         _tmdb_case(_tmdb_movie(vote_count="1e30")), r"tmdb_5000_movies.csv: data row 3, column 'vote_count': '1e30' is not an integer"),
    Case("year-99999", "numbers", "a year of 99999",
         _catalog_case(catalog_text(row(year="99999"))), r"column 'year': 99999 is not a plausible release year"),
    # --- JSON
    Case("json-nested-deep", "JSON", "a TMDB genres cell nested 40,000 deep",
         _tmdb_case(_tmdb_movie(genres=_nested_json(40_000))), r"column 'genres': JSON nested too deeply"),
    Case("json-object-not-list", "JSON", "a TMDB genres cell that is an object",
         _tmdb_case(_tmdb_movie(genres='{"name": "Drama"}')), r"column 'genres': expected a JSON list of objects"),
    Case("json-names-not-text", "JSON", "TMDB genre names that are objects: ignored",
         _tmdb_case(_tmdb_movie(genres='[{"name": {"a": 1}}, {"name": "Drama"}]')), ok=True, output="out"),
    # --- cells and shape
    Case("cell-140k", "cells", "a 140,000-character overview",
         _catalog_case(catalog_text(row(overview="w" * 140_000))), r"data row 5, column 'overview': cell of 140,000 characters"),
    Case("rows-over-limit", "cells", "300,001 one-cell films (over max_movies)",
         _many_rows, r"more than the limit of 300,000 films \(setting max_movies\)", slow=True),
    Case("columns-20k", "cells", "20,000 unknown columns: a short warning",
         _many_columns, ok=True, check=_check_short_warning, output="out", slow=True),
    Case("nul-bytes", "cells", "NUL bytes in the file",
         _catalog_case(catalog_text().encode() + b"\x00\x00"), r"binary data \(NUL bytes\)"),
    Case("not-utf8", "cells", "Latin-1 bytes",
         _catalog_case(catalog_text(row(title="Am\xe9lie")).encode("latin-1")), r"bytes that are not UTF-8 at byte \d+ \(line 6\)"),
    Case("terminal-escapes", "cells", "titles with terminal escapes, a bell, CSI and a bare CR: printed clean",
         _catalog_case(catalog_text(row("9", "\x1b]8;;http://x\x07Evil\x1b[2J\rFilm\x9b31m"))), ok=True,
         check=_check_no_escapes, output="out"),
    # --- settings files
    Case("settings-wrong-type", "settings", '{"top_cast": "5"}',
         _config_case('{"top_cast": "5"}'), r"settings.json: config.top_cast must be an integer, got '5' \(str\)"),
    Case("settings-bool-for-int", "settings", '{"tfidf": {"min_df": true}}',
         _config_case('{"tfidf": {"min_df": true}}'), r"config.tfidf.min_df must be an integer, got True"),
    Case("settings-list-for-mapping", "settings", '{"weights": []}',
         _config_case('{"weights": []}'), r"config.weights must be a mapping, got list"),
    Case("settings-not-object", "settings", "[1, 2]",
         _config_case("[1, 2]"), r"config must be a mapping, got list"),
    Case("settings-huge-int", "settings", '{"seed": 10**30}',
         _config_case('{"seed": 1000000000000000000000000000000}'), r"config.seed must be an integer of at most"),
    Case("settings-string-range", "settings", '{"tfidf": {"ngram_range": "ab"}}',
         _config_case('{"tfidf": {"ngram_range": "ab"}}'), r"config.tfidf.ngram_range must be a list"),
    Case("settings-nan", "settings", '{"rating_quantile": NaN}',
         _config_case('{"rating_quantile": NaN}'), r"config.rating_quantile must be a finite number"),
    Case("settings-nested-deep", "settings", "settings nested 100,000 deep",
         _config_case(_nested_json(100_000)), r"settings.json: settings file JSON nested too deeply"),
    Case("settings-not-json", "settings", "settings that are not JSON",
         _config_case("top_cast = 5"), r"settings.json: settings file not valid JSON"),
    Case("settings-dev-zero", "settings", "/dev/zero as the settings file",
         lambda ws: _build(ws, ws.write("catalog.csv", catalog_text()), "--config", "/dev/zero"),
         r"/dev/zero: not a regular file"),
    Case("settings-folder", "settings", "a folder as the settings file",
         lambda ws: _build(ws, ws.write("catalog.csv", catalog_text()), "--config", str(ws.root)),
         r"is a folder, expected a JSON file of settings"),
    # --- manifests
    Case("manifest-list", "manifests", "a manifest that is a JSON list",
         _manifest_case(lambda m: [m]), r"manifest.json: damaged \(not a JSON object\)"),
    Case("manifest-files-list", "manifests", "'files' is a list",
         _manifest_case(lambda m: {**m, "files": list(m["files"])}), r"'files' is not a JSON object"),
    Case("manifest-file-entry", "manifests", "a 'files' entry that is a number",
         _manifest_case(lambda m: {**m, "files": {**m["files"], "catalog.json.gz": 5}}), r"'files' entry 'catalog.json.gz' is not"),
    Case("manifest-path-escape", "manifests", "a 'files' name leaving the folder",
         _manifest_case(lambda m: {**m, "files": {**m["files"], "../../etc/passwd": {"bytes": 1, "sha256": "0"}}}),
         r"'files' names '../../etc/passwd', not a file of the build folder"),
    Case("manifest-schema-string", "manifests", "schema_version \"2\"",
         _manifest_case(lambda m: {**m, "schema_version": "2"}), r"artifacts of schema version '2', this code reads version 2"),
    Case("manifest-config-types", "manifests", "a config of the wrong types",
         _manifest_case(lambda m: {**m, "config": {**m["config"], "top_cast": "many"}}),
         r"incomplete or from another version \(config.top_cast must be an integer"),
    Case("manifest-stats-types", "manifests", "rating_stats of strings",
         _manifest_case(lambda m: {**m, "rating_stats": {"C": "x", "m": "y", "quantile": "z"}}),
         r"'rating_stats' must hold numbers"),
    Case("manifest-catalog-types", "manifests", "a catalog entry whose film count is a string",
         _manifest_case(lambda m: {**m, "catalog": {**m["catalog"], "movies": "many"}}),
         r"'catalog.movies' is not an integer"),
    Case("manifest-nested-deep", "manifests", "a manifest nested 100,000 deep",
         _manifest_case(lambda m: _nested_json(100_000)), r"manifest.json: damaged \(JSON nested too deeply\)"),
    Case("manifest-not-utf8", "manifests", "a manifest of Latin-1 bytes",
         _manifest_case(lambda m: json.dumps(m).replace('"built_at"', '"built\xe9"').encode("latin-1")), r"manifest.json: (damaged|cannot be read)"),
    Case("artifacts-is-file", "manifests", "--artifacts names a file",
         lambda ws: ["recommend", "x", "--artifacts", str(ws.write("file.txt", "x"))], r"file.txt: not a folder"),
    # --- command-line values
    Case("k-zero", "arguments", "recommend --k 0",
         lambda ws: ["recommend", "1", "--k", "0", "--artifacts", str(ws.served)], r"--k must be"),
    Case("k-huge", "arguments", "recommend --k 10**12",
         lambda ws: ["recommend", "1", "--k", str(10**12), "--artifacts", str(ws.served)], r"--k must be"),
    Case("top-negative", "arguments", "top --n -3",
         lambda ws: ["top", "--n", "-3", "--artifacts", str(ws.served)], r"--n must be"),
    Case("unknown-title-escapes", "arguments", "an unknown title with terminal escapes",
         lambda ws: ["recommend", "\x1b[2JNope\x07", "--artifacts", str(ws.served)],
         r"no movie titled '\\x1b\[2JNope\\x07'"),
]


# --------------------------------------------------------------------------- running
def _snapshot(root: Path, skip: Path | None) -> dict[str, str]:
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_file() and not path.is_symlink():
            files[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def mounts_available() -> bool:
    """Whether a private tmpfs can be mounted (``unshare -Urm``), for the environment cases."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=64k tmpfs /tmp"],
        capture_output=True, timeout=30,
    )
    return probe.returncode == 0


# Runs the CLI as ``python -m recommender`` does and writes the process's peak memory
# (kB, VmHWM: ru_maxrss would carry the parent's peak across exec) to
# $HOSTILE_PEAK_FILE when it exits, whatever the exit.
_LAUNCHER = (
    "import atexit, os, resource, runpy, sys\n"
    "atexit.register(lambda: open(os.environ['HOSTILE_PEAK_FILE'], 'w').write("
    "[l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]))\n"
    "sys.argv = ['recommender', *sys.argv[1:]]\n"
    "runpy.run_module('recommender', run_name='__main__', alter_sys=True)\n"
)


def _command(case: Case, ws: Workspace, args: list[str]) -> list[str]:
    python = [sys.executable, "-c", _LAUNCHER, *args]
    if not case.mount:
        return python
    mnt = ws.root / "mnt"
    mnt.mkdir(exist_ok=True)
    size = "4k" if case.mount == "full" else "16m"
    setup = f"mount -t tmpfs -o size={size} tmpfs {mnt}"
    if case.mount == "ro":
        setup += f" && mount -o remount,ro {mnt}"
    quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in python)
    return ["unshare", "-Urm", "sh", "-c", f"{setup} && exec {quoted}"]


def run_case(case: Case, ws: Workspace, *, timeout: float = 120, in_process: bool = False) -> Result:
    """Run ``case`` as a user would (``python -m recommender`` in a child process, or
    ``recommender.cli.main`` in this one with ``in_process``, much quicker) and judge
    the answer: exit code, one clear line, no traceback, nothing damaged."""
    if case.mount and not mounts_available():
        return Result(case.name, None, "", "", 0.0, skipped="private mounts (unshare -Urm) not allowed here")
    args = case.make(ws)
    output = ws.root / case.output if case.output else None
    before = _snapshot(ws.root, output)
    served_before = _snapshot(ws.served, None)
    if in_process and not case.mount:
        result = _run_in_process(case.name, args, ws.root)
    else:
        result = _run_child(case, ws, args, timeout)
    after = _snapshot(ws.root, output)
    result.damaged = sorted(name for name, digest in before.items() if after.get(name) != digest)
    served_after = _snapshot(ws.served, None)
    result.damaged += [f"served build: {n}" for n, d in served_before.items() if served_after.get(n) != d]
    result.problems = judge(case, ws, result)
    return result


def _run_in_process(name: str, args: list[str], cwd: Path) -> Result:
    import contextlib
    import io
    import traceback

    from recommender.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    escaped = False
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | None = main(args)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - what escapes is what a user would see as a traceback
            traceback.print_exc()
            code, escaped = 1, True
    result = Result(name, code, out.getvalue(), err.getvalue(), round(time.perf_counter() - start, 2))
    result.traceback = escaped
    return result


def _run_child(case: Case, ws: Workspace, args: list[str], timeout: float) -> Result:
    peak_file = ws.root.parent / f"{ws.root.name}.peak"
    target = os.environ.get("HOSTILE_TARGET_REPO", str(REPO))  # another checkout's code, for a before/after
    env = {**os.environ, "PYTHONPATH": target, "PYTHONDONTWRITEBYTECODE": "1", "HOSTILE_PEAK_FILE": str(peak_file)}
    start = time.perf_counter()
    process = subprocess.Popen(
        _command(case, ws, args), cwd=ws.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)  # the case's own process group (unshare and its child)
        stdout, stderr = process.communicate()
        timed_out = True
    seconds = time.perf_counter() - start
    usage = round(int(peak_file.read_text()) / 1024, 1) if peak_file.exists() else None
    result = Result(
        case.name, process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"),
        round(seconds, 2), peak_mb=usage, timed_out=timed_out,
    )
    result.traceback = "Traceback (most recent call last)" in result.stderr
    return result


def judge(case: Case, ws: Workspace, result: Result) -> list[str]:
    """What is wrong with ``result`` for ``case`` (empty when the answer is right)."""
    problems = []
    if result.timed_out:
        return ["timed out (hangs)"]
    if result.traceback:
        problems.append("a traceback")
    if result.damaged:
        problems.append(f"damaged {result.damaged[:3]}")
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stderr):
        problems.append(f"control characters on stderr: {result.stderr[:200]!r}")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if case.ok:
        if result.exit_code != 0:
            problems.append(f"exit code {result.exit_code}: {result.stderr.strip()[-300:]}")
        elif case.check is not None:
            problem = case.check(ws, result)
            if problem:
                problems.append(problem)
        return problems
    if result.exit_code != 2:
        problems.append(f"exit code {result.exit_code}, expected 2")
    errors = [line for line in lines if line.startswith("error: ")]
    if len(errors) != 1 or len(lines) != 1:
        problems.append(f"expected one 'error: ' line, got {len(lines)} line(s): {result.stderr.strip()[:300]!r}")
    elif "error: unexpected " in errors[0]:
        problems.append(f"an unexpected error: {errors[0][:300]}")
    elif not re.search(case.expect, errors[0]):
        problems.append(f"message does not match {case.expect!r}: {errors[0][:300]!r}")
    return problems


def build_served(folder: Path) -> Path:
    """The build every case runs beside (and that none may damage)."""
    from recommender.build import CatalogSource, build

    source = folder.parent / "served-catalog.csv"
    source.write_text(catalog_text(), encoding="utf-8")
    build(CatalogSource(catalog=source), folder, skip_maps=True)
    return folder
