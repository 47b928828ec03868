"""The command line, run as a user runs it: exit codes, output, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BAD = REPO / "tests" / "bad_inputs"


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "recommender", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    from tests.conftest import TINY_CSV

    folder = tmp_path_factory.mktemp("cli")
    (folder / "tiny.csv").write_text(TINY_CSV)
    result = cli("build", "--catalog", str(folder / "tiny.csv"), "--out", str(folder / "art"), "--skip-maps", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "built 5 movies from tiny.csv" in result.stdout
    return folder / "art"


def test_recommend_table(artifacts):
    result = cli("recommend", "Space Wars", "--k", "2", "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Recommendations for Space Wars (id 1, tfidf):"
    assert lines[1].startswith("  1. Space Wars II  [id 2]")
    assert "Keywords: rebellion, space" in lines[2] and "Audience: both acclaimed" in lines[2]
    assert not any(line.startswith("  weak:") for line in lines)


def test_recommend_says_when_the_list_is_weak(artifacts):
    # Quiet Garden shares no word, name or keyword with another film: only its era and
    # rating link it to the others, far below the weak-similarity bound.
    result = cli("recommend", "Quiet Garden", "--k", "2", "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("  weak: the closest film has a similarity of 0.")
    as_json = json.loads(cli("recommend", "Quiet Garden", "--json", "--artifacts", str(artifacts)).stdout)
    assert as_json["weak"] is True
    assert json.loads(cli("recommend", "1", "--json", "--artifacts", str(artifacts)).stdout)["weak"] is False


def test_recommend_json_by_display_title(artifacts):
    result = cli("recommend", "Ghost House (2005)", "--json", "--vectorizer", "count", "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == {"id": 4, "title": "Ghost House (2005)"}
    assert data["vectorizer"] == "count"
    assert data["results"][0]["id"] == 3
    assert 0 < data["results"][0]["similarity"] <= 1


def test_ambiguous_title_is_a_clear_error(artifacts):
    result = cli("recommend", "Ghost House", "--artifacts", str(artifacts))
    assert result.returncode == 2
    assert "matches 2 movies" in result.stderr and "Traceback" not in result.stderr


def test_neighbours_json_lines_match_recommend(artifacts):
    result = cli("neighbours", "--k", "3", "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5]
    by_id = {r["id"]: r["neighbours"] for r in rows}
    assert by_id[1][0] == 2 and len(by_id[5]) == 3  # Quiet Garden: by era and rating alone
    for movie_id, neighbours in by_id.items():
        assert movie_id not in neighbours
    single = json.loads(cli("recommend", "1", "--k", "3", "--json", "--artifacts", str(artifacts)).stdout)
    assert [r["id"] for r in single["results"]] == by_id[1]


def test_top(artifacts):
    result = cli("top", "--n", "3", "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Top ")
    assert "C = " in result.stdout and "m = " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--catalog", str(BAD / "duplicate_ids.csv")], "duplicate id"),
        (["build", "--catalog", str(BAD / "not_utf8.csv")], "not UTF-8"),
        (["build", "--movies", str(BAD / "tmdb_movies_bad_json.csv")], "column 'genres': not valid JSON"),
        (["build", "--tmdb-dir", str(BAD)], "no tmdb_5000_movies.csv"),
        (["recommend", "Nope", "--artifacts", "/nonexistent/artifacts"], "no artifacts folder"),
        (["build", "--credits", str(BAD / "duplicate_ids.csv")], "--credits needs --movies"),
        (["build", "--catalog", str(BAD / "duplicate_ids.csv"), "--tmdb-dir", str(BAD)], "give only one of"),
        (["build", "--config", str(BAD / "no such settings.json")], "settings.json: file not found"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, args, message):
    if args[0] == "build":
        args = [*args, "--out", str(tmp_path / "out"), "--quiet", "--skip-maps"]
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_movie(artifacts):
    result = cli("recommend", "Space", "--artifacts", str(artifacts))
    assert result.returncode == 2
    assert "did you mean 'Space Wars'" in result.stderr


def test_queries_load_no_build_time_library(artifacts):
    """recommend, neighbours and top read a build with numpy and scipy alone."""
    code = (
        "import sys\n"
        "from recommender.cli import main\n"
        f"for argv in (['recommend', '1', '--artifacts', {str(artifacts)!r}], ['top', '--artifacts', {str(artifacts)!r}]):\n"
        "    assert main(argv) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'nltk', 'umap', 'pandas', 'pyarrow'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_build_of_a_large_catalog_reports_the_pruned_search_recall(tmp_path):
    settings = tmp_path / "settings.json"  # the demo catalog (442 films) counts as large here
    settings.write_text('{"search": {"exact_max_films": 100, "work_per_row": 200, "recall_sample": 50}}')
    result = cli("build", "--skip-maps", "--quiet", "--out", str(tmp_path / "out"), "--config", str(settings))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "neighbours: pruned search, recall@10 against the exact search on 50 sampled movies: tfidf " in out
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["neighbour_search"]["tfidf"]["recall_sample"] == 50
    assert 0 <= manifest["neighbour_search"]["count"]["recall"] <= 1
