"""The demo partnership: a realistic generated bundle and the structure planted in it.

``generate_bundle(out, size=..., seed=...)`` writes a bundle in format v1 and ``truth.json``.

``truth.json`` holds what analysis should find, so it can be scored:

- ``silos``: ``{"sector": [...], "organisation": [...]}``, groups planted to keep ties inside,
  most closed first;
- ``brokers``: ``[{"id", "organisation", "sector", "role", "left"}]``, the hybrid middle managers
  planted to bridge acute, community, mental health and social care (``left`` is the date a broker
  left in the top-down reversal, or null);
- ``communities``: ``[{"id", "kind", "members"}]``, a partition of every person into their team
  (kind ``organisational_cluster``) or the community of practice whose core they belong to (kind
  ``community_of_practice``, id = the forum id);
- ``phases``, ``counts`` and ``turnover``.
"""

from kg.demo.generator import SIZES, generate_bundle

__all__ = ["SIZES", "generate_bundle"]
