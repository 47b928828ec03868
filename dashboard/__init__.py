"""App side of Movie Explorer: everything Streamlit, over the ``recommender`` core.

``shell`` (page config, navigation, sidebar), ``cache`` (the one module that loads
artifacts), ``state`` (URL state), ``figures`` and ``labels`` (what pages draw and say),
``uploads``, and ``server``/``api`` (server start-up and the JSON API of ``st.App``).
Pages call these and the core, and never open files themselves.
"""
