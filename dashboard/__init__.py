"""App-side helpers shared by the Streamlit pages: caching, URL state, sidebar, build UI.

This is the only app module that loads artifacts; pages call it and the
``recommender`` core, and never open files themselves.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

# Streamlit runs an app that has a ``pages/`` folder as a v1 multipage app until the
# entrypoint first calls ``st.navigation`` (a process-wide flag). A deep link opened
# before that (the first visitor after a start opens ``/recommender?movie=...``)
# would run ``pages/recommender.py`` alone: no shell, no sidebar, no page config,
# and v1 navigation listing every file. Every page imports this package, so the first
# import clears the flag and reruns through the entrypoint.
if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
    PagesManager.uses_pages_directory = False
    st.rerun()
