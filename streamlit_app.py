"""Movie Explorer: the app shell. Page config, navigation and the shared sidebar."""

import streamlit as st

import serve

serve.wait_for_warm_imports()  # started by `python serve.py`; a no-op under plain `streamlit run`

from dashboard import cache, sidebar  # noqa: E402 - after the warm imports (see serve.py)

st.set_page_config(page_title="Movie Explorer", page_icon="🎬", layout="wide")

# Streamlit serves the default page at "/" only; its url_path is just its key and a
# link to it shows "Page not found". So the overview is registered twice: as the
# default page (the menu entry, at "/") and, hidden from the menu, at "/overview" so
# that link works too. The default comes first: st.switch_page and st.page_link on
# "pages/overview.py" pick the first page registered for a file.
pages = [
    st.Page("pages/overview.py", title="Overview", icon="📊", url_path="home", default=True),
    st.Page("pages/overview.py", title="Overview", icon="📊", url_path="overview", visibility="hidden"),
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
