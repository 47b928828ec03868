"""Uploaded files: saved to a temporary folder, validated with the core loaders
(messages name the uploaded file), and given a fresh build folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboard import uploads
from recommender.errors import CatalogError, ConfigError
from tests.conftest import TINY_CSV

BAD = Path(__file__).resolve().parent / "bad_inputs"


@dataclass
class Uploaded:
    """Stands in for Streamlit's UploadedFile."""

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def test_good_catalog_is_saved_validated_then_removed():
    with uploads.saved_uploads("catalog", catalog=Uploaded("My Films.csv", TINY_CSV.encode())) as upload:
        path = upload.source.catalog
        assert path.exists() and path.read_text() == TINY_CSV
        assert path.name == "My_Films.csv" and path.is_relative_to(upload.folder)
        report = uploads.validate(upload)
        assert report.movies == 5 and report.warnings == []
    assert not upload.folder.exists()


def test_folder_is_removed_on_error_too():
    with pytest.raises(RuntimeError):
        with uploads.saved_uploads("catalog", catalog=Uploaded("a.csv", b"id,title\n1,A\n")) as upload:
            raise RuntimeError("boom")
    assert not upload.folder.exists()


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("missing_title_column.csv", "missing column(s) ['title']"),
        ("not_utf8.csv", "not UTF-8"),
        ("bad_year.csv", "year"),
        ("binary.csv", "binary data"),
    ],
)
def test_bad_catalog_message_names_the_uploaded_file(file, expected):
    with uploads.saved_uploads("catalog", catalog=Uploaded(file, (BAD / file).read_bytes())) as upload:
        with pytest.raises(CatalogError) as error:
            uploads.validate(upload)
    message = str(error.value)
    assert message.startswith(f"{file}: ")
    assert expected in message
    assert str(upload.folder) not in message


def test_tmdb_pair_and_reworded_credits_error():
    movies = Uploaded("tmdb_movies_ok.csv", (BAD / "tmdb_movies_ok.csv").read_bytes())
    credits = Uploaded("credits.csv", (BAD / "tmdb_credits_bad_json.csv").read_bytes())
    with uploads.saved_uploads("tmdb", movies=movies) as upload:
        assert upload.source.kind == "tmdb" and upload.source.credits is None
        assert uploads.validate(upload).movies == 1
    with uploads.saved_uploads("tmdb", movies=movies, credits=credits) as upload:
        with pytest.raises(CatalogError, match=r"^credits\.csv: .*JSON"):
            uploads.validate(upload)


def test_same_file_name_twice_is_kept_apart():
    same = Uploaded("tmdb.csv", (BAD / "tmdb_movies_ok.csv").read_bytes())
    with uploads.saved_uploads("tmdb", movies=same, credits=same) as upload:
        assert upload.source.movies != upload.source.credits


def test_missing_files_and_unknown_kind():
    with pytest.raises(CatalogError, match="movies file"):
        with uploads.saved_uploads("tmdb", credits=Uploaded("c.csv", b"x")):
            pass
    with pytest.raises(CatalogError, match="catalog CSV"):
        with uploads.saved_uploads("catalog"):
            pass
    with pytest.raises(ConfigError, match="unknown upload kind"):
        with uploads.saved_uploads("excel", catalog=Uploaded("c.xlsx", b"x")):
            pass


def test_uploaded_names_cannot_escape_the_folder():
    evil = Uploaded("../../etc/passwd.csv", b"id,title\n1,A\n")
    with uploads.saved_uploads("catalog", catalog=evil) as upload:
        assert upload.source.catalog.parent.parent == upload.folder
        assert upload.source.catalog.name == "passwd.csv"
    hidden = Uploaded("..", b"id,title\n1,A\n")
    with uploads.saved_uploads("catalog", catalog=hidden) as upload:
        assert upload.source.catalog.parent.parent == upload.folder


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My Films.csv", "my-films"),
        ("tmdb_5000_movies.csv.gz", "tmdb-5000-movies"),
        ("???.zip", "catalog"),
        ("", "catalog"),
    ],
)
def test_slug(name, expected):
    assert uploads.slug(name) == expected


def test_build_folders_are_new_and_under_the_uploads_root(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "up"))
    first = uploads.new_build_folder("My Films.csv")
    assert first.parent == tmp_path / "up" and first.name.startswith("my-films-")
    first.mkdir(parents=True)
    second = uploads.new_build_folder("My Films.csv")
    assert second != first and not second.exists()


def test_default_uploads_root_is_next_to_the_artifacts(monkeypatch, tmp_path):
    monkeypatch.delenv("MOVIE_UPLOADS_DIR", raising=False)
    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "artifacts"))
    assert uploads.uploads_root() == tmp_path / "artifacts-uploads"


def test_without_upload_paths():
    with uploads.saved_uploads("catalog", catalog=Uploaded("films.csv", b"id,title\n1,A\n")) as upload:
        message = f"{upload.source.catalog}: column(s) ['x'] are not part of the catalog format"
    assert uploads.without_upload_paths(message) == "films.csv: column(s) ['x'] are not part of the catalog format"
    assert uploads.without_upload_paths("/data/films.csv: fine") == "/data/films.csv: fine"


def test_old_upload_builds_are_pruned_but_not_the_one_in_use(monkeypatch, tmp_path):
    import os

    root = tmp_path / "up"
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(root))
    names = [f"films-2026010{day}-120000" for day in range(1, 8)]  # oldest first
    for age, name in enumerate(reversed(names)):
        (root / name).mkdir(parents=True)
        (root / name / "manifest.json").write_text("{}")
        stamp = 1_700_000_000 - age * 3600
        os.utime(root / name, (stamp, stamp))
    (root / "notes").mkdir()  # not an upload build: never touched
    in_use = root / names[0]  # the oldest, but a session is looking at it

    folder = uploads.new_build_folder("films.csv", protect=[in_use])

    left = sorted(p.name for p in root.iterdir())
    # KEEP_BUILDS - 1 newest stay (the new build makes KEEP_BUILDS), plus the protected one.
    assert left == sorted([*names[-(uploads.KEEP_BUILDS - 1):], names[0], "notes"])
    assert not folder.exists() and folder.parent == root


def test_pruning_without_an_uploads_root_is_a_no_op(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "absent"))
    assert uploads.prune_builds(2) == []
