"""Command line: ``python -m recommender build | recommend | neighbours | top``.

A thin front end over the core: it parses arguments, shows progress bars (tqdm) for
long steps and prints errors as one clear line (exit code 2) instead of a traceback.
Everything printed passes through :func:`printable`, so a catalog's titles or a file
name cannot send escape sequences to the terminal.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from recommender.artifacts import default_artifacts_dir
from recommender.config import VECTORIZERS, RecommenderConfig
from recommender.errors import ConfigError, RecommenderError
from recommender.loading import load_model
from recommender.popularity import top_chart
from recommender.ranking import RankingOptions, neighbour_ids
from recommender.results import is_weak, reasoned_results

if TYPE_CHECKING:
    from recommender.build import CatalogSource


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m recommender", description="Content-based movie recommender.")
    commands = parser.add_subparsers(dest="command", required=True)

    b = commands.add_parser("build", help="build the artifacts the app and the other commands read")
    b.add_argument("--movies", type=Path, help="tmdb_5000_movies.csv[.gz|.zip]")
    b.add_argument("--credits", type=Path, help="tmdb_5000_credits.csv[.gz|.zip] (optional)")
    b.add_argument("--tmdb-dir", type=Path, help="folder holding the TMDB movies (and credits) files")
    b.add_argument("--catalog", type=Path, help="a catalog CSV in the project's own format (default: the demo catalog)")
    b.add_argument("--out", type=Path, default=None, help="artifacts folder (default: $MOVIE_ARTIFACTS or ./artifacts)")
    b.add_argument("--config", type=Path, help="JSON file of settings overriding the defaults")
    b.add_argument("--skip-maps", action="store_true", help="skip projections and clusters (core build only)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run the heavy steps on a Dask cluster: a scheduler address (tcp://host:8786) or 'local'")

    for name, helptext in (("recommend", "recommendations for one movie"), ("neighbours", "JSON lines of every movie's ranked neighbours")):
        c = commands.add_parser(name, help=helptext)
        if name == "recommend":
            c.add_argument("movie", help='a title, a display title such as "Batman (1989)", or an id')
        c.add_argument("--k", type=int, default=None, help="number of results (default 10 for recommend, 300 for neighbours)")
        c.add_argument("--vectorizer", choices=VECTORIZERS, default="tfidf")
        c.add_argument("--artifacts", type=Path, default=None)
        if name == "recommend":
            c.add_argument("--json", action="store_true", help="print JSON instead of a table")

    t = commands.add_parser("top", help="weighted-rating top chart")
    t.add_argument("--genre", action="append", default=[], help="keep movies of this genre (repeatable)")
    t.add_argument("--n", type=int, default=20)
    t.add_argument("--artifacts", type=Path, default=None)
    return parser


# C0 and C1 control characters and DEL (terminal escapes start with ESC or CSI);
# tabs and newlines of the CLI's own layout are added after cleaning.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# JSON escapes C0 itself; C1 characters (e.g. CSI, U+009B) it leaves raw.
_C1 = re.compile(r"[\x7f-\x9f]")
MAX_SETTINGS_BYTES = 1 << 20


def printable(text: object) -> str:
    """``text`` with control characters (terminal escape sequences, bare carriage
    returns, bells...) replaced by "?", safe to print on a terminal."""
    return _CONTROL.sub("?", str(text))


def _json_text(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _source(args: argparse.Namespace) -> CatalogSource:
    from recommender.build import CatalogSource

    given = [x for x in (args.movies, args.tmdb_dir, args.catalog) if x is not None]
    if len(given) > 1:
        raise ConfigError("give only one of --movies/--credits, --tmdb-dir or --catalog")
    if args.credits is not None and args.movies is None:
        raise ConfigError("--credits needs --movies")
    if args.tmdb_dir is not None:
        return CatalogSource.tmdb_dir(args.tmdb_dir)
    if args.movies is not None:
        return CatalogSource(movies=args.movies, credits=args.credits)
    if args.catalog is not None:
        return CatalogSource(catalog=args.catalog)
    return CatalogSource.demo()


def _config(path: Path | None) -> RecommenderConfig:
    if path is None:
        return RecommenderConfig()
    from recommender.errors import CatalogError
    from recommender.inputs import JsonFileError, check_regular_file, read_small_json

    try:
        check_regular_file(path, "a JSON file of settings")
    except CatalogError as exc:
        raise ConfigError(str(exc)) from None
    try:
        data = read_small_json(path, MAX_SETTINGS_BYTES)
    except JsonFileError as exc:
        raise ConfigError(f"{path}: settings file {exc.problem}; expected a small JSON object of settings") from None
    try:
        return RecommenderConfig.from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _cmd_build(args: argparse.Namespace) -> int:
    # Only building needs the pipeline (scikit-learn, NLTK, UMAP, pandas): the query
    # commands below load a build with numpy and scipy alone.
    from recommender.build import build

    source = _source(args)
    out = args.out or default_artifacts_dir()
    config = _config(args.config)
    bar = None
    progress = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=1000, unit="‰", bar_format="{l_bar}{bar}| {elapsed}", file=sys.stderr)

        def progress(fraction: float, message: str) -> None:
            bar.set_description_str(message[:40].ljust(40))
            bar.n = int(fraction * 1000)
            bar.refresh()

    try:
        manifest = build(source, out, config, skip_maps=args.skip_maps, progress=progress, dask=args.dask)
    finally:
        if bar is not None:
            bar.close()
    catalog = manifest["catalog"]
    for warning in catalog["warnings"]:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in manifest["timings_s"].items())
    print(printable(f"built {catalog['movies']:,} movies from {catalog['name']} into {out} ({timings})"))
    pruned = {n: s for n, s in (manifest.get("neighbour_search") or {}).items() if s.get("method") == "pruned"}
    if pruned:
        recalls = ", ".join(f"{n} {s['recall']:.3f}" for n, s in pruned.items())
        print(f"neighbours: pruned search, recall@{next(iter(pruned.values()))['recall_k']} against the exact "
              f"search on {next(iter(pruned.values()))['recall_sample']:,} sampled movies: {recalls}")
    return 0


MAX_K = 10_000


def _check_count(name: str, value: int | None, high: int = MAX_K) -> None:
    if value is not None and not 1 <= value <= high:
        raise ConfigError(f"{name} must be between 1 and {high:,}, got {value}")


def _cmd_recommend(args: argparse.Namespace) -> int:
    _check_count("--k", args.k)
    model = load_model(args.artifacts or default_artifacts_dir())
    movie_id = model.resolve(args.movie)
    options = RankingOptions.from_settings(model.config.ranking, vectorizer=args.vectorizer, **({"k": args.k} if args.k else {}))
    table = reasoned_results(model, movie_id, options)  # the recommender page's list, reasons included
    query_row = model.row_of(movie_id)
    weak = is_weak(table, model.config.ranking.weak_similarity)
    if args.json:
        records = [
            {
                "rank": int(r.rank),
                "id": int(r.id),
                "title": r.display_title,
                "similarity": round(float(r.similarity), 4),
                "weighted_rating": round(float(r.weighted_rating), 3),
                "why": r.why,
            }
            for r in table.tuples()
        ]
        print(_json_text({"query": {"id": movie_id, "title": model.display_titles[query_row]}, "vectorizer": args.vectorizer, "weak": weak, "results": records}))
        return 0
    print(printable(f"Recommendations for {model.display_titles[query_row]} (id {movie_id}, {args.vectorizer}):"))
    if weak:
        best = max(table["similarity"], default=0.0)
        print(f"  weak: the closest film has a similarity of {best:.2f}, below {model.config.ranking.weak_similarity:.2f}; loose suggestions")
    for r in table.tuples():
        print(printable(f"{r.rank:>3}. {r.display_title}  [id {r.id}]  similarity {r.similarity:.3f}  WR {r.weighted_rating:.2f}"))
        print(f"     why: {printable(r.why)}")
    return 0


def _cmd_neighbours(args: argparse.Namespace) -> int:
    _check_count("--k", args.k)
    model = load_model(args.artifacts or default_artifacts_dir())
    options = RankingOptions.from_settings(model.config.ranking, vectorizer=args.vectorizer, k=args.k or 300)
    out = sys.stdout
    for movie_id in model.ids:
        out.write(json.dumps({"id": int(movie_id), "neighbours": neighbour_ids(model, int(movie_id), options)}) + "\n")
    return 0


def _cmd_top(args: argparse.Namespace) -> int:
    _check_count("--n", args.n)
    model = load_model(args.artifacts or default_artifacts_dir())
    chart = top_chart(model.movies, model.stats, genres=tuple(args.genre), n=args.n)
    s = model.stats
    print(f"Top {len(chart)} by weighted rating (C = {s.mean_vote:.2f}, m = {s.min_votes:.0f} votes)")
    for r in chart.tuples():
        print(printable(f"{r.rank:>3}. {r.display_title}  WR {r.weighted_rating:.2f}  ({r.vote_average:.1f} from {r.vote_count:,} votes)"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (2 for bad input, with a one-line message)."""
    args = _parser().parse_args(argv)
    handlers = {"build": _cmd_build, "recommend": _cmd_recommend, "neighbours": _cmd_neighbours, "top": _cmd_top}
    try:
        return handlers[args.command](args)
    except RecommenderError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `neighbours | head`
        return 0
    except OSError as exc:  # the environment: a file that vanished, no permission, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {printable(where)}{printable(exc.strerror or exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except (MemoryError, RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # Every known failure is a RecommenderError above; this is the last guard so that
        # a user still gets one line (and the hostile-input corpus counts it as unhandled).
        print(f"error: unexpected {type(exc).__name__}: {printable(exc)[:300]}", file=sys.stderr)
        return 2
