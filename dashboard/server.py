"""Server-level setup for ``st.App``: the JSON API's routes, the static files
(:mod:`dashboard.assets`) and the start-up hook.

``streamlit_app.py`` builds ``st.App(..., routes=ROUTES, lifespan=lifespan)``, which
``streamlit run streamlit_app.py`` picks up. When the server starts, :func:`lifespan`
loads the served build in a worker thread while the server already answers: the first
visitor's browser fetches Streamlit's frontend meanwhile, and the first script run
finds the model loaded (:func:`recommender.loading.shared_model` keeps it for the
process; the pages' cache and the API share it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dashboard import api, assets

LOG = logging.getLogger(__name__)
ROUTES = api.routes() + assets.ROUTES


def preload_build() -> None:
    """Load the served build (``$MOVIE_ARTIFACTS`` or ``artifacts/``) into the process,
    with the recommender page's core modules, then make its film search.

    A build that cannot be loaded is logged, not raised: the app's first page says what
    is wrong and offers to build, in the visitor's words.
    """
    # The recommender page's core too: imported here, the first script run finds them loaded.
    import recommender.languages  # noqa: F401
    import recommender.results  # noqa: F401
    from recommender.artifacts import default_artifacts_dir
    from recommender.errors import RecommenderError
    from recommender.loading import shared_model

    folder = default_artifacts_dir()
    try:
        model = shared_model(folder)
    except RecommenderError as exc:
        LOG.warning("the build in %s was not preloaded: %s", folder, exc)
        return
    # Then the film search, which a large catalog's select boxes and the search box use
    # (about 0.2 s for 5,000 films, 12 s for 100,000 at load 5): not on the first search's clock.
    api.search_index_of(model)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Start loading the build in the background, and serve at once."""
    loading = asyncio.create_task(asyncio.to_thread(preload_build))
    yield None
    if not loading.done():
        LOG.info("server stopping while the build was still loading")
