"""Audience signals of the ranking: agreement of vote averages and popularity.

A content similarity says what two films are about; what real viewers co-rate also
depends on how well each film was received and how widely it was seen. :class:`AudienceTerms` adds, to the
similarity of a query q and a candidate c,
``rating_agreement * z(q) * z(c)`` (z: the vote average standardised over the
catalog, films with fewer than ``min_votes`` votes counted as average; both acclaimed
or both panned gain) and ``popularity * p(c)`` (p: the standardised
``log(1 + vote count)``) and ``popularity_agreement * p(q) * p(c)`` and
``reception * max(0, 1 - |z(q) - z(c)| / reception_span)`` (similarly received: the
closer the two receptions, the more; nothing beyond ``reception_span``).
:meth:`AudienceTerms.reason` words the agreements for a result's "why". Weights come from
:class:`~recommender.config.AudienceSettings`. Pure numpy: it is on the serving path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.config import AudienceSettings


def standardised(values: np.ndarray) -> np.ndarray:
    """(x - mean) / standard deviation, NaN taken as the mean; zeros when constant."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0 or np.isnan(values).all():
        return np.zeros(len(values))
    values = np.where(np.isnan(values), np.nanmean(values), values)
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros(len(values))


@dataclass(frozen=True)
class AudienceTerms:
    """Per-movie standardised vote average and popularity, and their weights."""

    rating_z: np.ndarray  # (N,) z of the vote average (movies without votes: 0)
    popularity_z: np.ndarray  # (N,) z of log(1 + vote count)
    settings: AudienceSettings

    @classmethod
    def from_votes(cls, vote_average: np.ndarray, vote_count: np.ndarray, settings: AudienceSettings) -> AudienceTerms:
        """Terms of a catalog from its vote averages and counts (float arrays, NaN = unknown)."""
        average = np.asarray(vote_average, dtype=np.float64).copy()
        count = np.nan_to_num(np.asarray(vote_count, dtype=np.float64), nan=0.0)
        average[count < settings.min_votes] = np.nan  # an average of so few votes says nothing
        return cls(standardised(average), standardised(np.log1p(np.maximum(count, 0.0))), settings)

    @property
    def active(self) -> bool:
        s = self.settings
        return s.rating_agreement > 0 or s.popularity > 0 or s.popularity_agreement > 0 or s.reception > 0

    def reception_kernel(self, rows: np.ndarray | slice, others: np.ndarray | slice) -> np.ndarray:
        """How alike the receptions of ``rows`` and ``others`` are, (len(rows), len(others)):
        ``max(0, 1 - |z(q) - z(c)| / reception_span)`` on the standardised vote averages."""
        gap = np.abs(np.subtract.outer(self.rating_z[rows], self.rating_z[others]))
        return np.maximum(0.0, 1.0 - gap / self.settings.reception_span)

    def of(self, row: int, rows: np.ndarray) -> np.ndarray:
        """What the audience adds to the score of each of ``rows`` for query ``row`` (float64)."""
        rows = np.asarray(rows, dtype=np.int64)
        s = self.settings
        added = (
            s.rating_agreement * self.rating_z[row] * self.rating_z[rows]
            + s.popularity * self.popularity_z[rows]
            + s.popularity_agreement * self.popularity_z[row] * self.popularity_z[rows]
        )
        if s.reception > 0:
            added = added + s.reception * self.reception_kernel(np.array([row]), rows)[0]
        return added

    def reason(self, row: int, other: int) -> str | None:
        """The agreements worth telling ("both acclaimed, both widely seen"): those whose
        standardised product is at least 0.5 (half a standard deviation squared), and
        "similarly received" when the reception kernel is at least 0.75 and the rating
        agreement has not already said it; else None."""
        parts = []
        for weight, z, high, low in (
            (self.settings.rating_agreement, self.rating_z, "both acclaimed", "both panned"),
            (self.settings.popularity_agreement, self.popularity_z, "both widely seen", "both little seen"),
        ):
            if weight > 0 and z[row] * z[other] >= 0.5:
                parts.append(high if z[row] > 0 else low)
        if (
            self.settings.reception > 0
            and not (self.settings.rating_agreement > 0 and self.rating_z[row] * self.rating_z[other] >= 0.5)
            and self.reception_kernel(np.array([row]), np.array([other]))[0, 0] >= 0.75
        ):
            parts.insert(0, "similarly received")
        return ", ".join(parts) or None

    def pairs(self, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
        """:meth:`block`'s values for the pairs (``rows[i]``, ``others[i, j]``) only: an
        array shaped like ``others`` (int, -1 entries give meaningless values). The same
        arithmetic as :meth:`block`, so the same values; O(pairs), not O(rows x N)."""
        s = self.settings
        others = np.where(others >= 0, others, 0)
        query_rating, query_popularity = self.rating_z[rows][:, None], self.popularity_z[rows][:, None]
        rating, popularity = self.rating_z[others], self.popularity_z[others]
        added = (
            s.rating_agreement * (query_rating * rating)
            + s.popularity * popularity
            + s.popularity_agreement * (query_popularity * popularity)
        )
        if s.reception > 0:
            added += s.reception * np.maximum(0.0, 1.0 - np.abs(query_rating - rating) / s.reception_span)
        return added

    def block(self, start: int, stop: int) -> np.ndarray:
        """:meth:`of` for query rows ``start:stop`` against every movie, (stop - start, N)."""
        s = self.settings
        added = (
            s.rating_agreement * np.outer(self.rating_z[start:stop], self.rating_z)
            + s.popularity * self.popularity_z[None, :]
            + s.popularity_agreement * np.outer(self.popularity_z[start:stop], self.popularity_z)
        )
        if s.reception > 0:
            added += s.reception * self.reception_kernel(slice(start, stop), slice(None))
        return added
