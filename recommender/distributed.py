"""Running the build's heavy steps on a Dask cluster (``build --dask ADDRESS|local``).

The single-machine build never imports this module or dask. With a cluster:

- tokenising (the slow, pure-Python part of vectorizing) runs on partitions of the
  catalog, one task per ``partition_rows`` films; the partitions' terms come back in
  catalog order and are counted here, so the vocabulary is the local build's;
- the neighbour search runs its row blocks as tasks: the vectors (and the truncated
  postings) are broadcast to every worker once, each task returns its block's top k;
- the maps' k-nearest-neighbour graph (``projection.knn_graph``) runs its row blocks
  the same way.

Each task runs the same function as the local build on the same inputs, so the
artifacts are identical (tested on a ``LocalCluster``). ``local`` starts a
``LocalCluster`` on this machine (useful to test, or to use every core in worker
processes); any other value is a scheduler address such as ``tcp://10.0.0.5:8786``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.errors import ConfigError
from recommender.features import FeatureSettings, MovieTokens, Stemmer, catalog_stop_words, tokenize_catalog

PARTITION_ROWS = 20_000


@contextmanager
def connect(address: str, local_workers: int = 2) -> Iterator[Any]:
    """A ``dask.distributed.Client`` for ``address`` ("local" starts a LocalCluster of
    ``local_workers`` single-threaded worker processes), closed on exit.

    Raises :class:`ConfigError` naming the address when dask is missing or the
    scheduler cannot be reached.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask is pinned in requirements.txt
        raise ConfigError(f"--dask {address}: dask[distributed] is not installed ({exc})") from exc
    if address == "local":
        with LocalCluster(
            n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"--dask {address}: cannot reach the Dask scheduler ({exc}); "
                          "give 'local' or an address such as tcp://host:8786") from exc
    try:
        yield client
    finally:
        client.close()


def block_runner(client: Any) -> Callable[[Callable, tuple, list[tuple[int, int]]], Iterator]:
    """A :data:`recommender.neighbours.BlockRunner` that runs each block as a task.

    Large arguments (sparse matrices and arrays) are broadcast to every worker once;
    results come back in block order.
    """

    def run(function: Callable, shared: tuple, blocks: list[tuple[int, int]]) -> Iterator:
        large = [i for i, value in enumerate(shared) if sp.issparse(value) or isinstance(value, np.ndarray)]
        scattered = client.scatter([shared[i] for i in large], broadcast=True)
        arguments = list(shared)
        for position, future in zip(large, scattered):
            arguments[position] = future
        futures = [client.submit(function, *arguments, start, stop, pure=False) for start, stop in blocks]
        try:
            for future in futures:
                yield future.result()
                future.release()
        finally:
            client.cancel(futures)
            client.cancel(scattered)

    return run


def tokenizer(client: Any, partition_rows: int = PARTITION_ROWS) -> Callable[..., MovieTokens]:
    """A replacement for :func:`recommender.features.tokenize_catalog` that tokenises
    partitions of ``partition_rows`` films as tasks and merges them in catalog order
    (each term keeps the label of its first film, as in the local build). The catalog's
    stop words are found here, on the whole catalog, and sent with every partition."""

    def tokenize(
        catalog: pd.DataFrame, ngram_range: tuple[int, int] = (1, 1), settings: FeatureSettings | None = None
    ) -> MovieTokens:
        settings = settings or FeatureSettings()
        stop = catalog_stop_words(catalog, settings, Stemmer())
        parts = [catalog.iloc[start : start + partition_rows] for start in range(0, len(catalog), partition_rows)]
        futures = [client.submit(tokenize_catalog, part, ngram_range, settings, stop, pure=False) for part in parts]
        docs: list[list[str]] = []
        labels: dict[str, str] = {}
        canonical: dict[str, str] = {}
        for future in futures:
            part = future.result()
            future.release()
            # One string object per distinct term, as tokenize_catalog keeps them.
            docs.extend([canonical.setdefault(term, term) for term in terms] for terms in part.docs)
            for term, label in part.labels.items():
                labels.setdefault(term, label)
        return MovieTokens(docs=docs, labels=labels)

    return tokenize
