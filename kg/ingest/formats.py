"""The partnership bundle format, version 1: which files, which columns, and one example row each.

A bundle is a folder of CSV files, or one ``.xlsx`` workbook with one sheet per file (sheet names
without ``.csv``). Headers are required; optional files may be absent; optional columns may be
blank. Columns not listed here are kept as properties of the node or relationship.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

from kg.model import (
    AssetKind,
    AssetRelation,
    ForumKind,
    InterventionKind,
    InterventionTarget,
    RoleKind,
    RoleLevel,
    Sector,
    TieKind,
)

__all__ = [
    "BOUNDARY_ATTRIBUTES",
    "FILES",
    "FORMAT_VERSION",
    "MAX_COUNT",
    "MAX_WEIGHT",
    "FileSpec",
    "parse_boundary",
    "parse_date",
]

FORMAT_VERSION = 1
# A tie's weight is how strong it is, not a measurement: anything above this is a mistake, and an
# astronomic weight would swamp every other tie in the network (each person its own community).
MAX_WEIGHT = 1e6
MAX_COUNT = 1_000_000  # meetings attended; also keeps the number within 64 bits for every store

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@lru_cache(maxsize=1 << 16)  # a bundle repeats a few thousand dates over a million rows
def parse_date(text: str) -> date:
    """The date written ``YYYY-MM-DD``, exactly; raises ``ValueError`` otherwise.

    ``date.fromisoformat`` alone also takes ``20140601`` and ``2014-W23-1``: two spellings of one
    date would give one row two identities.
    """
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not YYYY-MM-DD")
    return date.fromisoformat(text)


#: What an intervention's boundary may split people by (``sector:acute|community``), with each
#: attribute's closed vocabulary; None: organisation or team ids, or free text (profession).
BOUNDARY_ATTRIBUTES: dict[str, type[StrEnum] | None] = {
    "sector": Sector,
    "organisation": None,
    "team": None,
    "profession": None,
    "role_kind": RoleKind,
    "level": RoleLevel,
}


def parse_boundary(text: str) -> tuple[str, tuple[str, ...]]:
    """``ATTRIBUTE:GROUP|GROUP[|GROUP...]`` as ``(attribute, groups)``; ``ValueError`` otherwise.

    Groups keep their order, each once; at least two are needed for a boundary between them.
    """
    attribute, sep, rest = text.partition(":")
    attribute = attribute.strip().lower()
    if not sep or attribute not in BOUNDARY_ATTRIBUTES:
        allowed = ", ".join(BOUNDARY_ATTRIBUTES)
        raise ValueError(f"a boundary is ATTRIBUTE:GROUP|GROUP (e.g. sector:acute|community), "
                         f"ATTRIBUTE one of {allowed}")
    groups = tuple(dict.fromkeys(g.strip() for g in rest.split("|") if g.strip()))
    if len(groups) < 2:
        raise ValueError("a boundary needs two different groups, e.g. sector:acute|community")
    return attribute, groups


@dataclass(frozen=True)
class FileSpec:
    name: str  # without .csv
    required: tuple[str, ...]
    optional: tuple[str, ...]
    example: tuple[str, ...]  # one example row, in column order
    about: str
    # the columns with a closed vocabulary, and which
    vocabularies: dict[str, type[StrEnum]] = field(default_factory=dict, hash=False)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


# Listed in import order: a file may refer only to ids defined above it (or already stored).
FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "organisations",
        ("id", "name", "sector"),
        ("parent_id",),
        ("ORG-ACUTE-W", "Westbridge Hospitals NHS Trust", "acute", ""),
        "Organisations and their teams (a team names its organisation in parent_id).",
        {"sector": Sector},
    ),
    FileSpec(
        "people",
        ("id", "name"),
        ("profession", "band"),
        ("P0001", "Alex Morgan", "occupational_therapist", "7"),
        "People. profession and band are free text.",
    ),
    FileSpec(
        "roles",
        ("person_id", "organisation_id", "title", "kind", "level"),
        ("start", "end", "id"),
        ("P0001", "ORG-ACUTE-W", "OT team lead", "hybrid", "middle", "2014-04-01", "", ""),
        "Roles people hold at organisations, over time (an id lets a start date be corrected).",
        {"kind": RoleKind, "level": RoleLevel},
    ),
    FileSpec(
        "forums",
        ("id", "name", "kind"),
        ("organisation_id", "cadence"),
        ("F-DISCHARGE", "Discharge Forum", "mdt", "ORG-ACUTE-W", "monthly"),
        "Forums: boards, MDTs, communities of practice, learning communities, events.",
        {"kind": ForumKind},
    ),
    FileSpec(
        "attendance",
        ("person_id", "forum_id"),
        ("start", "end", "count", "id"),
        ("P0001", "F-DISCHARGE", "2014-05-01", "2016-03-31", "18", ""),
        "Who attends or is a member of which forum; count = meetings attended.",
    ),
    FileSpec(
        "assets",
        ("id", "title", "kind"),
        ("forum_id", "created"),
        ("A-MIN-001", "Discharge Forum minutes, May 2014", "minutes", "F-DISCHARGE", "2014-05-14"),
        "Knowledge assets: minutes, pathways, protocols, agreements, training packs.",
        {"kind": AssetKind},
    ),
    FileSpec(
        "asset_links",
        ("person_id", "asset_id", "relation"),
        ("date",),
        ("P0001", "A-MIN-001", "authored", "2014-05-14"),
        "Who authored or uses which asset (relation: authored or uses).",
        {"relation": AssetRelation},
    ),
    FileSpec(
        "ties",
        ("source_id", "target_id", "kind"),
        ("weight", "start", "end", "id"),
        ("P0001", "P0002", "advice", "2", "2014-06-01", "", ""),
        "Direct person-to-person ties, from source to target (advice goes from seeker to giver).",
        {"kind": TieKind},
    ),
    FileSpec(
        "phases",
        ("id", "name", "start", "end"),
        (),
        ("PH1", "Formal commissioning", "2013-01-01", "2014-06-30"),
        "Optional named periods, so analyses can say --phase NAME.",
    ),
    FileSpec(
        "interventions",
        ("id", "name", "kind", "date", "target_kind", "targets"),
        ("description",),
        ("INT-DF", "Discharge Forum launched", "new_forum", "2014-03-01", "forums",
         "F-DISCHARGE", ""),
        "Optional dated interventions, so kg analyse impact can ask what worked. targets: ids "
        "separated by ';' (people, forums or organisations), or for a boundary "
        "ATTRIBUTE:GROUP|GROUP, e.g. sector:acute|community.",
        {"kind": InterventionKind, "target_kind": InterventionTarget},
    ),
)
