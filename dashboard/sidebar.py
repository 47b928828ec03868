"""The sidebar shared by every page: the loaded catalog and, on the pages whose results
depend on it (:data:`VECTORIZER_PAGES`), the vectorizer in use."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.labels import VECTORIZER_LABELS
from dashboard.text import md
from recommender.config import VECTORIZERS
from recommender.model import RecommenderModel


def vectorizer() -> str:
    """The vectorizer chosen in the sidebar (kept across pages in session state)."""
    return st.session_state.get("vectorizer", VECTORIZERS[0])


# The pages drawn from one vectorizer's vectors. The overview ranks by rating and the
# comparison shows both vectorizers: a selector there would change nothing on the page.
VECTORIZER_PAGES = frozenset({"recommender", "explorer"})


def draw(model: RecommenderModel, page: str) -> None:
    """Catalog name, number of films, build date, and on :data:`VECTORIZER_PAGES` the
    vectorizer selector (elsewhere the session keeps its choice, and a link's still applies)."""
    manifest = model.manifest
    catalog = manifest.get("catalog", {})
    with st.sidebar:
        st.markdown(f"**Catalog:** {md(catalog.get('name', 'unknown'))}")
        st.caption(f"{model.n_movies:,} films · built {md(str(manifest.get('built_at', '?')).replace('T', ' '))}")
        # A link, or the browser's Back/Forward to an older URL, sets the vectorizer
        # (see dashboard.state); otherwise the session keeps its choice.
        linked = st.query_params.get("vectorizer") is not None and state.url_changed_outside()
        if "vectorizer" not in st.session_state or linked:
            wanted = st.query_params.get("vectorizer")
            st.session_state["vectorizer"] = wanted if wanted in VECTORIZERS else VECTORIZERS[0]
            if wanted is not None and wanted not in VECTORIZERS:
                st.warning(f"Ignored the link's vectorizer={md(repr(wanted))}; accepted: {', '.join(VECTORIZERS)}.")
        if page not in VECTORIZER_PAGES:
            return
        st.radio(
            "Vectorizer",
            VECTORIZERS,
            format_func=VECTORIZER_LABELS.get,
            key="vectorizer",
            horizontal=True,
            help="Which text representation drives similarity on every page.",
            persist_state="session",  # the data page draws no sidebar; keep the choice across it
        )
