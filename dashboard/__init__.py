"""App-side helpers shared by the Streamlit pages: caching, URL state, sidebar, build UI.

This is the only app module that loads artifacts; pages call it and the
``recommender`` core, and never open files themselves.
"""
