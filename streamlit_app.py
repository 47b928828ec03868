"""Movie Explorer: the app's entrypoint, started with ``streamlit run streamlit_app.py``.

``app`` is the server (``st.App``, which ``streamlit run`` picks up): the Streamlit app
plus the read-only JSON API (``/api/movies``, ``/api/recommend``), and a start-up hook
that loads the served build while the first browser loads the page
(``dashboard/server.py``). Each script run draws the app: page config, navigation, the
shared sidebar and the chosen page (``dashboard/shell.py``).
"""

import streamlit as st

from dashboard import server

app = st.App("streamlit_app.py", routes=server.ROUTES, lifespan=server.lifespan)

if __name__ == "__main__":  # a script run (Streamlit runs this file as __main__), not the server's import
    from dashboard import shell

    shell.run()
