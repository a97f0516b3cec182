"""The Mann-Whitney U test against scipy.stats.mannwhitneyu (two-sided, method "auto"), on
samples with and without ties, small (exact) and large (normal approximation)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kg.analysis.rank_tests import mann_whitney_u
from kg.errors import InvalidParameter


@pytest.mark.parametrize("n1,n2,ties", [
    (3, 5, False), (8, 40, False), (9, 9, False), (30, 200, False),
    (4, 6, True), (12, 700, True), (250, 3000, True),
])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_scipy(n1, n2, ties, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.exponential(1.0, n1) + 0.3, rng.exponential(1.0, n2)
    if ties:  # betweenness-like: many zeros and repeated values
        x, y = np.round(x, 1) * (rng.random(n1) > 0.3), np.round(y, 1) * (rng.random(n2) > 0.3)
    u, p = mann_whitney_u(x, y)
    expected = stats.mannwhitneyu(x, y, alternative="two-sided")
    assert u == pytest.approx(float(expected.statistic), abs=1e-9)
    assert p == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-15)


def test_u_counts_the_pairs_where_x_is_larger():
    x, y = [1.0, 2.0, 2.0], [2.0, 0.5]
    # By hand: 1 > 0.5; 2 > 0.5 twice; 2 = 2 twice (half each).
    assert mann_whitney_u(x, y)[0] == 1 + 2 + 2 * 0.5


def test_identical_samples_are_not_told_apart():
    assert mann_whitney_u([0.0] * 20, [0.0] * 30) == (300.0, 1.0)


@pytest.mark.parametrize("x,y", [([], [1.0]), ([1.0], [np.nan]), ([np.inf], [1.0])])
def test_refuses_empty_or_infinite_samples(x, y):
    with pytest.raises(InvalidParameter):
        mann_whitney_u(x, y)
