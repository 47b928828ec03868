"""BASELINE ONLY: the classic hobby recipe, reproduced as the yardstick of the benchmark.

This is the content-based recommender found in countless tutorials and notebooks
(TMDB 5000, "tags", PorterStemmer, CountVectorizer(5000), dense cosine similarity,
two pickles). It is reproduced faithfully, habits that the project avoids
included, so that it can be measured: the join on title, ``ast.literal_eval``,
stemming every word of every row with no memo, a dense N x N similarity matrix,
``pickle.dump`` of that matrix and of the movies frame, and a query that looks the
movie up by title and sorts a Python list of N pairs.

Nothing outside ``benchmarks/`` may import this module. It is the only place in the
project that unpickles anything, and it unpickles only the files that its own
``build`` wrote a moment earlier into the benchmark's temporary folder, to time the
load step of the recipe. The recommender itself never loads pickles.

Two variants of the join (``--join``):

- ``title``: the recipe as written, ``movies.merge(credits, on='title')``, an inner
  join, so movies without a credits row (3,804 of 4,803 with the partial credits
  file) drop out and a repeated title is duplicated.
- ``id``: the only change is a left join on the movie id, with missing credits
  read as empty lists (``'[]'``), so that the recipe sees as many movies as the
  recommender and size-dependent costs can be compared fairly.

Run as ``python -m benchmarks.classic build|serve ...``; each prints one JSON object.
"""

from __future__ import annotations

import argparse
import ast
import json
import pickle  # baseline only: the recipe being measured stores its model as pickles
import sys
import time
from pathlib import Path

import pandas as pd
from nltk.stem.porter import PorterStemmer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics.pairwise import cosine_similarity

MOVIES_PICKLE = "movies.pkl"
SIMILARITY_PICKLE = "similarity.pkl"
PICKLES = (MOVIES_PICKLE, SIMILARITY_PICKLE)


# --------------------------------------------------------------------------- the recipe
def convert(obj):
    L = []
    for i in ast.literal_eval(obj):
        L.append(i["name"])
    return L


def convert3(obj):
    L = []
    counter = 0
    for i in ast.literal_eval(obj):
        if counter != 3:
            L.append(i["name"])
            counter += 1
        else:
            break
    return L


def fetch_director(obj):
    L = []
    for i in ast.literal_eval(obj):
        if i["job"] == "Director":
            L.append(i["name"])
            break
    return L


ps = PorterStemmer()


def stem(text):
    y = []
    for i in text.split():
        y.append(ps.stem(i))
    return " ".join(y)


def build_recipe(movies_path: Path, credits_path: Path, out: Path, join: str) -> dict:
    """Run the recipe and pickle its model into ``out``; return counts and phase times (s)."""
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(now - clock, 3)
        clock = now

    movies = pd.read_csv(movies_path)
    credits = pd.read_csv(credits_path)
    lap("read csv")
    if join == "title":
        movies = movies.merge(credits, on="title")
    elif join == "id":
        # The one change of this variant: a left join on the id, missing credits as empty lists.
        movies = movies.merge(credits.drop(columns=["title"]), left_on="id", right_on="movie_id", how="left")
        movies["movie_id"] = movies["id"]
        movies["cast"] = movies["cast"].fillna("[]")
        movies["crew"] = movies["crew"].fillna("[]")
    else:
        raise ValueError(f"join must be 'title' or 'id', got {join!r}")
    rows_after_join = len(movies)
    movies = movies[["movie_id", "title", "overview", "genres", "keywords", "cast", "crew"]]
    movies.dropna(inplace=True)
    lap("merge")

    movies["genres"] = movies["genres"].apply(convert)
    movies["keywords"] = movies["keywords"].apply(convert)
    movies["cast"] = movies["cast"].apply(convert3)
    movies["crew"] = movies["crew"].apply(fetch_director)
    lap("literal_eval")

    movies["overview"] = movies["overview"].apply(lambda x: x.split())
    movies["genres"] = movies["genres"].apply(lambda x: [i.replace(" ", "") for i in x])
    movies["keywords"] = movies["keywords"].apply(lambda x: [i.replace(" ", "") for i in x])
    movies["cast"] = movies["cast"].apply(lambda x: [i.replace(" ", "") for i in x])
    movies["crew"] = movies["crew"].apply(lambda x: [i.replace(" ", "") for i in x])
    movies["tags"] = movies["overview"] + movies["genres"] + movies["keywords"] + movies["cast"] + movies["crew"]
    new_df = movies[["movie_id", "title", "tags"]]
    new_df["tags"] = new_df["tags"].apply(lambda x: " ".join(x))
    new_df["tags"] = new_df["tags"].apply(lambda x: x.lower())
    lap("tags")

    new_df["tags"] = new_df["tags"].apply(stem)
    lap("stem")

    cv = CountVectorizer(max_features=5000, stop_words="english")
    vectors = cv.fit_transform(new_df["tags"]).toarray()
    lap("vectorize")
    similarity = cosine_similarity(vectors)
    lap("cosine_similarity")

    out.mkdir(parents=True, exist_ok=True)
    pickle.dump(new_df, open(out / MOVIES_PICKLE, "wb"))
    pickle.dump(similarity, open(out / SIMILARITY_PICKLE, "wb"))
    lap("pickle.dump")

    labels = new_df.index.to_numpy()
    n = len(new_df)
    return {
        "join": join,
        "rows_after_join": rows_after_join,
        "movies": n,
        "vocabulary": len(cv.vocabulary_),
        "similarity_shape": list(similarity.shape),
        "similarity_dtype": str(similarity.dtype),
        # The recipe looks rows up by index label but reads similarity rows by position:
        # after dropna the two differ, so these movies get another movie's neighbours...
        "label_not_position": int((labels != range(n)).sum()),
        # ...and these raise IndexError (label >= N).
        "label_out_of_range": int((labels >= n).sum()),
        "repeated_titles": int(new_df["title"].duplicated().sum()),
        "rows": [[int(i), str(t), int(label)] for i, t, label in zip(new_df["movie_id"], new_df["title"], labels)],
        "phases_s": phases,
    }


# --------------------------------------------------------------------------- serving
def load_recipe(folder: Path):
    """The recipe's load step: unpickle the files its own build wrote (baseline only)."""
    movies = pickle.load(open(folder / MOVIES_PICKLE, "rb"))
    similarity = pickle.load(open(folder / SIMILARITY_PICKLE, "rb"))
    return movies, similarity


def recommend(movies, similarity, title):
    index = movies[movies["title"] == title].index[0]
    distances = sorted(list(enumerate(similarity[index])), reverse=True, key=lambda x: x[1])
    return [movies.iloc[i[0]].title for i in distances[1:6]]


def serve(folder: Path, titles: list[str], warmup: int) -> dict:
    """Time the load, then one query per title (ns each), after ``warmup`` untimed ones."""
    start = time.perf_counter()
    movies, similarity = load_recipe(folder)
    load_s = time.perf_counter() - start
    for title in titles[:warmup]:
        recommend(movies, similarity, title)
    latencies = []
    for title in titles:
        t0 = time.perf_counter_ns()
        recommend(movies, similarity, title)
        latencies.append(time.perf_counter_ns() - t0)
    return {"load_s": load_s, "latencies_ns": latencies, "example": {titles[0]: recommend(movies, similarity, titles[0])}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classic", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build")
    b.add_argument("--movies", type=Path, required=True)
    b.add_argument("--credits", type=Path, required=True)
    b.add_argument("--join", choices=("title", "id"), default="title")
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--rows-json", type=Path, help="write [movie_id, title, index label] per movie here")
    s = commands.add_parser("serve")
    s.add_argument("--dir", type=Path, required=True)
    s.add_argument("--titles-json", type=Path, required=True)
    s.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command == "build":
        result = build_recipe(args.movies, args.credits, args.out, args.join)
        rows = result.pop("rows")
        if args.rows_json:
            args.rows_json.write_text(json.dumps(rows))
    else:
        result = serve(args.dir, json.loads(args.titles_json.read_text()), args.warmup)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
