"""Interactive maps of the person network, each one self-contained HTML page.

Pure rendering: every function takes a networkx person graph (node attributes as made by
:func:`kg.analysis.projection.person_attributes`, edges with ``weight``) plus optional metrics, and
returns an HTML string that opens offline (vis-network is inlined, nothing is fetched) and shows all
names as text. Pages have a legend that filters by group, a search box, a colour-by menu and
server-side layout with physics off.
"""

from kg.maps._build import SECTOR_COLOURS
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
]
