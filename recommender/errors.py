"""Exceptions of the recommender core.

Every message names the file, row, column or value at fault and says what would be
accepted, so that the CLI can print it and the app can show it with ``st.error``
without a traceback. All are ``ValueError`` or ``KeyError`` subclasses.
"""

from __future__ import annotations


class RecommenderError(Exception):
    """Base class of every error the core raises on purpose."""


class ConfigError(RecommenderError, ValueError):
    """A setting has a value that is not accepted."""


class CatalogError(RecommenderError, ValueError):
    """An input file cannot be read as a catalog (missing, empty, bad column, bad cell...)."""


class ArtifactError(RecommenderError, ValueError):
    """Built artifacts are missing, damaged, stale or from another schema version."""


class UnknownMovieError(RecommenderError, KeyError):
    """A movie id or title is not in the catalog."""

    def __str__(self) -> str:  # KeyError would otherwise print the repr with quotes
        return str(self.args[0]) if self.args else "unknown movie"
