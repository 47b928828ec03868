"""Benchmarks of the recommender: the classic hobby recipe against the core, and scale.

Not part of the recommender: nothing in ``recommender/`` imports this package. The
driver is ``scripts/benchmark.py``; every measured build or query run happens in a
fresh subprocess started by :mod:`benchmarks.measure` so that its peak memory is its
own.
"""
