"""Movie Explorer: the app shell. Page config, navigation and the shared sidebar."""

import streamlit as st

import serve

serve.wait_for_warm_imports()  # started by `python serve.py`; a no-op under plain `streamlit run`

from dashboard import cache, sidebar  # noqa: E402 - after the warm imports (see serve.py)

st.set_page_config(page_title="Movie Explorer", page_icon="🎬", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon="📊", url_path="overview", default=True),
    st.Page("pages/recommender.py", title="Recommender", icon="🎯", url_path="recommender"),
    st.Page("pages/explorer.py", title="Embedding explorer", icon="🗺️", url_path="explorer"),
    st.Page("pages/compare.py", title="TF-IDF vs Count", icon="⚖️", url_path="compare"),
    st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data"),
]
navigation = st.navigation(pages)
st.sidebar.title("🎬 Movie Explorer")
if navigation.url_path != "data":
    sidebar.draw(cache.get_model())
navigation.run()
