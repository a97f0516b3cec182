"""Arrangements on top of the force layout, for views where a plain force layout misleads:

- :func:`separate` pushes overlapping circles apart (organisation and community bubbles);
- :func:`radial` puts an ego network's person in the middle, each step out on a wider ring;
- :func:`sides` lays the bridges map out in three columns: one group on the left, the other on
  the right, brokers between them, each group's boundary spanners on its inner edge.

All take and return positions in screen pixels (numpy arrays, one row per node).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["lean", "radial", "separate", "sides"]


def separate(
    xy: np.ndarray, radii: Sequence[float], *, gap: float = 6.0, iterations: int = 300
) -> np.ndarray:
    """Move circles (centres ``xy``, ``radii``) apart until none overlap (``gap`` pixels between
    them), each pair pushed along the line between their centres; the drawing keeps its shape.

    >>> out = separate(np.array([[0.0, 0.0], [1.0, 0.0]]), [10, 10], gap=0)
    >>> round(float(np.hypot(*(out[1] - out[0]))), 1) >= 20.0
    True
    """
    xy = np.array(xy, dtype=float)
    n = len(xy)
    if n < 2:
        return xy
    r = np.asarray(radii, dtype=float)
    need = r[:, None] + r[None, :] + gap
    np.fill_diagonal(need, 0.0)
    # Coincident centres get a tiny deterministic nudge so they have a direction to move apart.
    xy += np.stack([np.cos(np.arange(n)), np.sin(np.arange(n))], axis=1) * 1e-3
    for _ in range(iterations):
        d = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(dist, np.inf)
        overlap = need - dist
        if overlap.max() <= 0.0:
            break
        # Half a pixel more than needed, so a pair converges to touching, not to almost.
        overlap = np.where(overlap > 0, overlap + 0.5, 0.0)
        push = (overlap / np.maximum(dist, 1e-6) / 2.0)[..., None] * d
        xy += push.sum(axis=1) * 0.9
    return xy


def radial(xy: np.ndarray, steps: Sequence[int], *, ring: float = 120.0, centre: int) -> np.ndarray:
    """Put node ``centre`` at the origin and every node ``steps[i]`` rings out from it, keeping
    the angle the force layout gave it (so friends stay near friends). Within a ring, nodes are
    spread over a band so a crowded ring does not become a line."""
    xy = np.array(xy, dtype=float)
    n = len(xy)
    if n == 0:
        return xy
    rel = xy - xy[centre]
    angle = np.arctan2(rel[:, 1], rel[:, 0])
    radius = np.hypot(rel[:, 0], rel[:, 1])
    steps = np.asarray(steps, dtype=float)
    out = np.zeros_like(xy)
    for step in sorted(set(steps.tolist())):
        if step == 0:
            continue
        members = np.flatnonzero(steps == step)
        count = len(members)
        # Rings grow with the people on them, so about 40 px of arc per person.
        base = max(ring * step, 40.0 * count / (2 * math.pi) * (0.6 if count > 60 else 1.0))
        band = 0.45 * ring if count > 12 else 0.0
        order = np.argsort(radius[members], kind="stable")
        depth = np.empty(count)
        depth[order] = np.linspace(0.0, 1.0, count) if count > 1 else 0.0
        # Spread the angles evenly in the order the layout gave, so no two sit on one spot.
        by_angle = members[np.argsort(angle[members], kind="stable")]
        spread = np.linspace(-math.pi, math.pi, count, endpoint=False) + math.pi / max(count, 1)
        theta = np.empty(n)
        theta[by_angle] = spread
        r = base + band * depth
        out[members, 0] = r * np.cos(theta[members])
        out[members, 1] = r * np.sin(theta[members])
    out[centre] = 0.0
    return out


def _normalised(values: np.ndarray) -> np.ndarray:
    """Ranks scaled to -1..1 (evenly spread whatever the original spacing)."""
    n = len(values)
    if n <= 1:
        return np.zeros(n)
    ranks = np.empty(n)
    ranks[np.argsort(values, kind="stable")] = np.arange(n)
    return ranks / (n - 1) * 2.0 - 1.0


def sides(
    xy: np.ndarray,
    side: Sequence[str],
    towards: Sequence[float],
    *,
    brokers: Sequence[int] = (),
    width: float,
    height: float,
) -> np.ndarray:
    """Three columns: ``side[i]`` is ``"a"`` (left), ``"b"`` (right) or ``"mid"`` (between).

    ``towards[i]`` in 0..1 is how much of a group member's ties lead across (to the other group
    or to the people between): 0 stays on the far edge, 1 comes to its group's inner edge. For
    people between, it is their lean from group a (0) to group b (1). ``brokers`` (indices, best
    first) are placed down the middle column in rank order, #1 at the top, evenly spaced so
    their labels have room and read as a list. Heights elsewhere follow the force layout
    (ranked), so people who work together stay near each other.
    """
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    out = np.zeros((n, 2))
    side = np.asarray(side)
    towards = np.clip(np.asarray(towards, dtype=float), 0.0, 1.0)
    half_w, half_h = width / 2.0, height / 2.0
    for name in ("a", "b", "mid"):
        members = np.flatnonzero(side == name)
        if not len(members):
            continue
        y = _normalised(xy[members, 1])
        jitter = _normalised(xy[members, 0]) * 0.06
        t = towards[members]
        if name == "a":
            x = -1.0 + 0.62 * np.sqrt(t) + jitter
        elif name == "b":
            x = 1.0 - 0.62 * np.sqrt(t) + jitter
        else:
            x = (t - 0.5) * 0.36 + jitter * 0.5
        out[members, 0] = x * half_w
        out[members, 1] = y * half_h
    brokers = list(brokers)
    if brokers:
        ys = np.linspace(-0.85, 0.85, len(brokers)) if len(brokers) > 1 else np.zeros(1)
        for i, y in zip(brokers, ys, strict=True):
            out[i, 0] = (
                (towards[i] - 0.5) * 0.22 * half_w
                if side[i] == "mid"
                else (-0.1 * half_w if side[i] == "a" else 0.1 * half_w)
            )
            out[i, 1] = y * half_h
    return out


def lean(a: float, b: float) -> float:
    """Where between group a (0) and group b (1) someone with ``a`` and ``b`` ties sits."""
    return 0.5 if a + b <= 0 else b / (a + b)
