"""Movie Explorer: the app shell. Page config, navigation and the shared sidebar."""

import streamlit as st

import serve

# Waits for the imports `python serve.py` started (at once under plain `streamlit run`)
# and tells it a run is in progress: it holds back importing pandas until none is.
serve.begin_script_run()
try:
    from dashboard import cache, sidebar

    # No emoji icons: Streamlit checks an emoji icon against its emoji catalog, whose first
    # import compiles a regex over ~4,000 emoji during the first visitor's wait. The menu
    # uses Material icons (the font is served with the app); the favicon is the 🎬 emoji
    # as the same inline SVG Streamlit would make of it (a Material favicon would be
    # fetched from Google's font CDN).
    FAVICON = (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 100 100'%3E"
        "%3Ctext y='.9em' font-size='90'%3E%F0%9F%8E%AC%3C/text%3E%3C/svg%3E"
    )
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
    if navigation.url_path != "data":
        sidebar.draw(cache.get_model())
    navigation.run()
finally:
    serve.end_script_run()
