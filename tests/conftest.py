"""Shared fixtures: a tiny hand-checkable catalog, demo artifacts built once per
session, and the path of the real TMDB data (``TMDB_DATA_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recommender.config import AudienceSettings, FieldWeights, ProjectionSettings, RecommenderConfig

REPO = Path(__file__).resolve().parent.parent
TMDB_DIR = Path(os.environ.get("TMDB_DATA_DIR", REPO.parent / "shared" / "data" / "tmdb5000"))

# The default settings with the signals beyond words turned off (no era, language or
# rating terms, no audience terms): what two films share is then only their words,
# names and keywords, which the tiny catalog's hand-checked expectations are about.
WORDS_ONLY = RecommenderConfig(
    weights=FieldWeights(era=0.0, language=0.0, rating=0.0),
    audience=AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0, reception=0.0),
)

TINY_CSV = """id,title,year,genres,directors,cast,keywords,overview,original_language,runtime,vote_average,vote_count
1,Space Wars,1977,Science Fiction|Adventure,Ann Lee,Tom Hart|Mia Sol,space|rebellion,A farm boy joins rebels fighting an empire in space.,en,120,8.0,1000
2,Space Wars II,1980,Science Fiction|Adventure,Ann Lee,Tom Hart|Mia Sol,space|rebellion,The rebels hide on an ice planet while the empire hunts them in space.,en,125,8.2,900
3,Ghost House,1985,Horror,Bo Chan,Zoe Park,ghost|haunted house,A family moves into a haunted house where a ghost waits.,en,95,6.5,300
4,Ghost House,2005,Horror|Mystery,Cy Dunn,Zoe Park,ghost|curse,A remake: a cursed house and its ghost torment new owners.,ko,100,5.9,50
5,Quiet Garden,1999,Drama,Di Ross,Al Finch,garden|grief,An old gardener tends roses after his wife dies.,fr,90,7.1,20
"""


@pytest.fixture
def tiny_catalog_csv(tmp_path: Path) -> Path:
    """A five-movie catalog in the project's own CSV format (two share a title)."""
    path = tmp_path / "tiny.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    return path


# The fast set's maps: t-SNE and PCA. UMAP (numba compiling for a minute on this
# machine) is built only by the slow tests that need it (demo_artifacts_with_umap).
FAST_PROJECTION = ProjectionSettings(methods=("tsne", "pca"))


@pytest.fixture(scope="session")
def demo_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Artifacts of the shipped demo catalog, built once per session, with t-SNE and PCA
    maps (no UMAP).

    Set ``MOVIE_TEST_ARTIFACTS`` to reuse an existing build while developing.
    """
    reuse = os.environ.get("MOVIE_TEST_ARTIFACTS")
    if reuse:
        return Path(reuse)
    from recommender.build import CatalogSource, build

    out = tmp_path_factory.mktemp("demo") / "artifacts"
    build(CatalogSource.demo(), out, RecommenderConfig(projection=FAST_PROJECTION))
    return out


@pytest.fixture(scope="session")
def demo_artifacts_with_umap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalog with every map of the default settings, UMAP included (slow tests)."""
    from recommender.build import CatalogSource, build

    out = tmp_path_factory.mktemp("demo-umap") / "artifacts"
    build(CatalogSource.demo(), out)
    return out


@pytest.fixture(scope="session")
def tmdb_dir() -> Path:
    """The real TMDB 5000 files; the test fails (not skips) in CI when they are absent."""
    if not (TMDB_DIR / "tmdb_5000_movies.csv.gz").exists() and not any(TMDB_DIR.glob("tmdb_5000_movies.csv*")):
        if os.environ.get("CI"):
            pytest.fail(f"TMDB data not found in {TMDB_DIR}; set TMDB_DATA_DIR")
        pytest.skip(f"TMDB data not found in {TMDB_DIR}; set TMDB_DATA_DIR")
    return TMDB_DIR
