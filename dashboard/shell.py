"""The app shell: page config, navigation over ``pages/``, the shared sidebar.

``streamlit_app.py`` calls :func:`run` on every script run. Every page file calls
:func:`page_in_shell` first, for one case the framework decides on its own: an
entrypoint with a ``pages/`` folder beside it is run as an old-style (v1) multipage
app until ``st.navigation`` first runs in the process, so a deep link opened first
after a server start (``/recommender?movie=...``) runs ``pages/recommender.py``
alone, without this shell. The page then runs the shell, which runs the page through
``st.navigation`` (and switches the process to navigation for good), and stops the
lone run. Public API only; the cost is one extra page compile on that first request.
"""

from __future__ import annotations

import threading

import streamlit as st

from dashboard import cache, session, sidebar

# No emoji icons: Streamlit checks an emoji icon against its emoji catalog, whose first
# import compiles a regex over ~4,000 emoji during the first visitor's wait. The menu
# uses Material icons (the font is served with the app); the favicon is the 🎬 emoji
# as the same inline SVG Streamlit would make of it (a Material favicon would be
# fetched from Google's font CDN).
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 100 100'%3E"
    "%3Ctext y='.9em' font-size='90'%3E%F0%9F%8E%AC%3C/text%3E%3C/svg%3E"
)

# Set while a page runs inside the shell, per script thread (one per session).
_inside = threading.local()


def run() -> None:
    """Page config, navigation, the sidebar (not on the data page), then the chosen page."""
    st.set_page_config(page_title="Movie Explorer", page_icon=FAVICON, layout="wide")

    # Streamlit serves the default page at "/" only: its url_path is just a key, and a link
    # to it shows "Page not found". So /overview (the page's name in links) and /home (a
    # common guess) are hidden pages that switch to the overview at "/", where its menu
    # entry is highlighted; the default's own url_path is one nobody types.
    overview = st.Page(
        "pages/overview.py", title="Overview", icon=":material/leaderboard:", url_path="default", default=True
    )

    def to_overview() -> None:
        st.switch_page(overview, query_params=st.query_params.to_dict())

    pages = [
        overview,
        st.Page(to_overview, title="Overview", url_path="overview", visibility="hidden"),
        st.Page(to_overview, title="Overview", url_path="home", visibility="hidden"),
        st.Page("pages/recommender.py", title="Recommender", icon=":material/recommend:", url_path="recommender"),
        st.Page("pages/explorer.py", title="Embedding explorer", icon=":material/scatter_plot:", url_path="explorer"),
        st.Page("pages/compare.py", title="TF-IDF vs Count", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
    ]
    navigation = st.navigation(pages)
    st.sidebar.title("🎬 Movie Explorer")
    session.banner()  # "your own build", and the way back to the served one
    if navigation.url_path != "data":
        with st.sidebar:
            session.poll_build()  # a build started on the data page stays visible everywhere
        sidebar.draw(cache.get_model(), navigation.url_path)
    _inside.active = True
    try:
        navigation.run()
    finally:
        _inside.active = False


def page_in_shell() -> None:
    """Called first by every page: when the page runs alone (see the module docstring),
    run the whole app instead and stop this run; otherwise return at once."""
    if not getattr(_inside, "active", False):
        run()
        st.stop()
