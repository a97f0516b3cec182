"""Interactive maps of the person network, each one self-contained HTML page.

Pure rendering: every function takes a networkx person graph (node attributes as made by
:func:`kg.analysis.projection.person_attributes`, edges with ``weight``) plus optional metrics, and
returns an HTML string that opens offline (vis-network is inlined, nothing is fetched) and shows all
names as text. Pages have a legend that filters by group, a search box, a colour-by menu, labels
that never overlap (the people who matter first, the rest on zoom), a side panel with a person's
roles, forums, ties and measures, and a server-side layout with physics off.

:func:`to_pyvis` gives researchers the same map as a :class:`pyvis.network.Network`. Words and
colours come from :mod:`kg.labels`.
"""

from kg.labels import SECTOR_COLOURS
from kg.maps._notebook import page_data, to_pyvis
from kg.maps.aggregate import communities_map, organisations_map
from kg.maps.bridges import bridges_map
from kg.maps.network import ego_map, network_map

__all__ = [
    "SECTOR_COLOURS",
    "bridges_map",
    "communities_map",
    "ego_map",
    "network_map",
    "organisations_map",
    "page_data",
    "to_pyvis",
]
