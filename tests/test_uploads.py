"""Uploaded files: saved to a temporary folder, validated with the core loaders
(messages name the uploaded file), and given a fresh build folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboard import uploads
from dashboard.text import without_folders
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


SESSION = "0123456789abcdef"


def test_build_folders_are_new_and_in_the_session_space(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "up"))
    first = uploads.new_build_folder(SESSION, "My Films.csv")
    assert first.parent == tmp_path / "up" / f"session-{SESSION}" and first.name.startswith("my-films-")
    first.mkdir(parents=True)
    second = uploads.new_build_folder(SESSION, "My Films.csv")
    assert second != first and not second.exists()
    assert uploads.is_upload_build(first) and not uploads.is_upload_build(tmp_path / "up")
    with pytest.raises(ConfigError, match="session id"):
        uploads.session_space("../../etc")


def test_default_uploads_root_is_next_to_the_artifacts(monkeypatch, tmp_path):
    monkeypatch.delenv("MOVIE_UPLOADS_DIR", raising=False)
    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "artifacts"))
    assert uploads.uploads_root() == tmp_path / "artifacts-uploads"


def test_an_upload_path_reads_as_the_file_name():
    with uploads.saved_uploads("catalog", catalog=Uploaded("films.csv", b"id,title\n1,A\n")) as upload:
        message = f"{upload.source.catalog}: column(s) ['x'] are not part of the catalog format"
    assert without_folders(message) == "films.csv: column(s) ['x'] are not part of the catalog format"


def _builds(root, session: str, count: int, start: float, size: int = 10) -> list:
    import os

    folders = []
    for i in range(count):  # oldest first, an hour apart
        folder = root / f"session-{session}" / f"films-2026010{i}-120000"
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_bytes(b"x" * size)
        stamp = start + i * 3600
        os.utime(folder, (stamp, stamp))
        folders.append(folder)
    return folders


def test_pruning_bounds_count_per_session_and_in_all(monkeypatch, tmp_path):
    root = tmp_path / "up"
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(root))
    now = 1_700_000_000 + 10 * 3600
    mine = _builds(root, "a" * 16, 4, 1_700_000_000)
    theirs = _builds(root, "b" * 16, 3, 1_700_000_000 + 1800)
    (root / "notes").mkdir()  # not an uploads space: never touched
    settings = uploads.UploadSettings(keep_per_session=2, keep_total=3)
    removed = uploads.prune_builds(settings, protect=[mine[0]], now=now)
    left = {p for p in root.rglob("films-*")}
    # Two newest per session, three in all (newest first: mine[3], theirs[2], mine[2]),
    # and the protected one (a session is looking at it).
    assert left == {mine[3], theirs[2], mine[2], mine[0]}
    assert set(removed) == {mine[1], theirs[0], theirs[1]}
    assert (root / "notes").exists()


def test_pruning_bounds_age_and_size(monkeypatch, tmp_path):
    root = tmp_path / "up"
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(root))
    start = 1_700_000_000
    folders = _builds(root, "c" * 16, 4, start, size=600 * 1024)
    settings = uploads.UploadSettings(keep_per_session=10, max_age_hours=2.5, max_total_mb=1)
    uploads.prune_builds(settings, now=start + 4 * 3600)
    # Age: the two older than 2.5 h go; size: 2 x 600 kB is over 1 MB, so the older goes.
    assert [f.exists() for f in folders] == [False, False, False, True]
    uploads.prune_builds(uploads.UploadSettings(max_age_hours=0.1), now=start + 10 * 3600)
    assert not (root / f"session-{'c' * 16}").exists()  # an emptied space is removed too


def test_upload_settings_from_the_environment():
    assert uploads.UploadSettings.from_env({}) == uploads.UploadSettings()
    off = uploads.UploadSettings.from_env({"MOVIE_UPLOADS": "off", "MOVIE_BUILDS_AT_ONCE": "3"})
    assert not off.enabled and off.max_running == 3
    assert uploads.UploadSettings.from_env({"MOVIE_UPLOADS_MAX_AGE_HOURS": "0.5"}).max_age_hours == 0.5
    with pytest.raises(ConfigError, match="MOVIE_UPLOADS='maybe' is not accepted"):
        uploads.UploadSettings.from_env({"MOVIE_UPLOADS": "maybe"})
    with pytest.raises(ConfigError, match="MOVIE_UPLOADS_KEEP_TOTAL='many' is not a number"):
        uploads.UploadSettings.from_env({"MOVIE_UPLOADS_KEEP_TOTAL": "many"})
    with pytest.raises(ConfigError, match="MOVIE_BUILDS_AT_ONCE='0' must be a number from 1"):
        uploads.UploadSettings.from_env({"MOVIE_BUILDS_AT_ONCE": "0"})


def test_pruning_without_an_uploads_root_is_a_no_op(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "absent"))
    assert uploads.prune_builds(uploads.UploadSettings()) == []


def test_uploads_are_read_with_the_deployments_film_limit():
    settings = uploads.UploadSettings.from_env({"MOVIE_UPLOADS_MAX_FILMS": "3"})
    assert settings.config().max_movies == 3
    with uploads.saved_uploads("catalog", catalog=Uploaded("films.csv", TINY_CSV.encode())) as upload:
        with pytest.raises(CatalogError, match=r"^films\.csv: 5 lines after the header, more than the limit of 3 films"):
            uploads.validate(upload, settings.config())
