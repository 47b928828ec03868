"""A content-based movie recommender: catalog loading, features, vectors, neighbours,
popularity, ranking, explanations, evaluation, maps, clusters and artifacts.

A plain Python package that never imports Streamlit; the app pages, the CLI
(``python -m recommender``) and the tests are front ends over it.
"""

__version__ = "0.1.0"
