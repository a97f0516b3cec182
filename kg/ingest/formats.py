"""The partnership bundle format, version 1: which files, which columns, and one example row each.

A bundle is a folder of CSV files, or one ``.xlsx`` workbook with one sheet per file (sheet names
without ``.csv``). Headers are required; optional files may be absent; optional columns may be
blank. Columns not listed here are kept as properties of the node or relationship.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FORMAT_VERSION", "FILES", "FileSpec"]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FileSpec:
    name: str  # without .csv
    required: tuple[str, ...]
    optional: tuple[str, ...]
    example: tuple[str, ...]  # one example row, in column order
    about: str

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
        ("start", "end"),
        ("P0001", "ORG-ACUTE-W", "OT team lead", "hybrid", "middle", "2014-04-01", ""),
        "Roles people hold at organisations, over time.",
    ),
    FileSpec(
        "forums",
        ("id", "name", "kind"),
        ("organisation_id", "cadence"),
        ("F-DISCHARGE", "Discharge Forum", "mdt", "ORG-ACUTE-W", "monthly"),
        "Forums: boards, MDTs, communities of practice, learning communities, events.",
    ),
    FileSpec(
        "attendance",
        ("person_id", "forum_id"),
        ("start", "end", "count"),
        ("P0001", "F-DISCHARGE", "2014-05-01", "2016-03-31", "18"),
        "Who attends or is a member of which forum; count = meetings attended.",
    ),
    FileSpec(
        "assets",
        ("id", "title", "kind"),
        ("forum_id", "created"),
        ("A-MIN-001", "Discharge Forum minutes, May 2014", "minutes", "F-DISCHARGE", "2014-05-14"),
        "Knowledge assets: minutes, pathways, protocols, agreements, training packs.",
    ),
    FileSpec(
        "asset_links",
        ("person_id", "asset_id", "relation"),
        ("date",),
        ("P0001", "A-MIN-001", "authored", "2014-05-14"),
        "Who authored or uses which asset (relation: authored or uses).",
    ),
    FileSpec(
        "ties",
        ("source_id", "target_id", "kind"),
        ("weight", "start", "end"),
        ("P0001", "P0002", "advice", "2", "2014-06-01", ""),
        "Direct person-to-person ties, from source to target (advice goes from seeker to giver).",
    ),
    FileSpec(
        "phases",
        ("id", "name", "start", "end"),
        (),
        ("PH1", "Formal commissioning", "2013-01-01", "2014-06-30"),
        "Optional named periods, so analyses can say --phase NAME.",
    ),
)
