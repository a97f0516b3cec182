"""The data model of a care partnership: node labels, relationship types, closed vocabularies.

Closed vocabularies are string enums; :func:`parse_enum` turns a raw value into a member or raises
``ValueError`` with the allowed values, so an import can say exactly what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

__all__ = [
    "AssetKind",
    "AssetRelation",
    "ForumKind",
    "InterventionKind",
    "InterventionTarget",
    "Node",
    "NodeLabel",
    "REL_ENDPOINTS",
    "RelType",
    "Relationship",
    "RoleKind",
    "RoleLevel",
    "Sector",
    "TieKind",
    "parse_enum",
]


class NodeLabel(StrEnum):
    PERSON = "Person"
    ROLE = "Role"
    ORGANISATION = "Organisation"
    FORUM = "Forum"
    ASSET = "KnowledgeAsset"
    PHASE = "Phase"  # a named period of the partnership (optional phases.csv)
    INTERVENTION = "Intervention"  # a dated change to the partnership (optional interventions.csv)


class RelType(StrEnum):
    HOLDS_ROLE = "HOLDS_ROLE"  # Person -> Role (start, end)
    AT_ORGANISATION = (
        "AT_ORGANISATION"  # Role -> Organisation: the person works for it in that role
    )
    ATTENDS = "ATTENDS"  # Person -> Forum (start, end, count)
    CONVENED_BY = "CONVENED_BY"  # Forum -> Organisation
    AUTHORED = "AUTHORED"  # Person -> KnowledgeAsset
    USES = "USES"  # Person -> KnowledgeAsset
    PRODUCED = "PRODUCED"  # Forum -> KnowledgeAsset
    PART_OF = "PART_OF"  # Organisation -> Organisation (team within an organisation)
    TIE = "TIE"  # Person -> Person, props.kind in TieKind, weight
    # Intervention -> what it targets. One type per target label, so every type keeps one
    # (source, target) pair and the Neo4j queries stay built from the allow-list below.
    TARGETS_PERSON = "TARGETS_PERSON"
    TARGETS_FORUM = "TARGETS_FORUM"
    TARGETS_ORGANISATION = "TARGETS_ORGANISATION"


# The allow-list of (source label, target label) per relationship type. Backends build queries
# only from these names, never from caller input.
REL_ENDPOINTS: dict[RelType, tuple[NodeLabel, NodeLabel]] = {
    RelType.HOLDS_ROLE: (NodeLabel.PERSON, NodeLabel.ROLE),
    RelType.AT_ORGANISATION: (NodeLabel.ROLE, NodeLabel.ORGANISATION),
    RelType.ATTENDS: (NodeLabel.PERSON, NodeLabel.FORUM),
    RelType.CONVENED_BY: (NodeLabel.FORUM, NodeLabel.ORGANISATION),
    RelType.AUTHORED: (NodeLabel.PERSON, NodeLabel.ASSET),
    RelType.USES: (NodeLabel.PERSON, NodeLabel.ASSET),
    RelType.PRODUCED: (NodeLabel.FORUM, NodeLabel.ASSET),
    RelType.PART_OF: (NodeLabel.ORGANISATION, NodeLabel.ORGANISATION),
    RelType.TIE: (NodeLabel.PERSON, NodeLabel.PERSON),
    RelType.TARGETS_PERSON: (NodeLabel.INTERVENTION, NodeLabel.PERSON),
    RelType.TARGETS_FORUM: (NodeLabel.INTERVENTION, NodeLabel.FORUM),
    RelType.TARGETS_ORGANISATION: (NodeLabel.INTERVENTION, NodeLabel.ORGANISATION),
}


class Sector(StrEnum):
    ACUTE = "acute"
    COMMUNITY = "community"
    MENTAL_HEALTH = "mental_health"
    PRIMARY_CARE = "primary_care"
    SOCIAL_CARE = "social_care"
    VOLUNTARY = "voluntary"
    COMMISSIONER = "commissioner"
    OTHER = "other"


class RoleKind(StrEnum):
    CLINICAL = "clinical"
    MANAGERIAL = "managerial"
    HYBRID = "hybrid"  # hybrid clinical-managerial
    ADMINISTRATIVE = "administrative"
    SUPPORT = "support"


class RoleLevel(StrEnum):
    FRONTLINE = "frontline"
    MIDDLE = "middle"
    SENIOR = "senior"
    EXECUTIVE = "executive"


class ForumKind(StrEnum):
    BOARD = "board"
    MDT = "mdt"
    COMMUNITY_OF_PRACTICE = "community_of_practice"
    LEARNING_COMMUNITY = "learning_community"
    PEER_LEARNING = "peer_learning"
    ENGAGEMENT_EVENT = "engagement_event"
    NETWORK = "network"
    PROJECT = "project"


class AssetKind(StrEnum):
    MINUTES = "minutes"
    GUIDELINE = "guideline"
    PATHWAY = "pathway"
    PROTOCOL = "protocol"
    CASE_STUDY = "case_study"
    TRAINING = "training"
    AGREEMENT = "agreement"
    REPORT = "report"


class TieKind(StrEnum):
    ADVICE = "advice"
    REFERRAL = "referral"
    INFORMATION = "information"
    COLLABORATION = "collaboration"
    SUPERVISION = "supervision"
    OTHER = "other"


class InterventionKind(StrEnum):
    NEW_FORUM = "new_forum"
    INTRODUCTION = "introduction"
    RESTRUCTURE = "restructure"
    TRAINING = "training"
    CO_LOCATION = "co_location"
    ROLE_CHANGE = "role_change"
    OTHER = "other"


class InterventionTarget(StrEnum):
    """What an intervention's ``targets`` column lists."""

    PEOPLE = "people"
    FORUMS = "forums"
    ORGANISATIONS = "organisations"
    BOUNDARY = "boundary"  # e.g. sector:acute|community


class AssetRelation(StrEnum):
    AUTHORED = "authored"
    USES = "uses"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str) -> E:
    """Return the member of ``enum`` named by ``value`` (case and surrounding space ignored).

    Raises ``ValueError`` naming the allowed values.
    """
    key = value.strip().lower()
    for member in enum:
        if member.value == key:
            return member
    allowed = ", ".join(m.value for m in enum)
    raise ValueError(f"unknown value {value!r}; allowed: {allowed}")


@dataclass(slots=True)
class Node:
    """A node: its label, its id (unique within the label) and its properties."""

    label: NodeLabel
    id: str
    props: dict = field(default_factory=dict)
    source: str | None = None  # provenance: the file it was imported from
    imported_at: str | None = None  # provenance: when this version was written


@dataclass(slots=True)
class Relationship:
    """A relationship between two nodes, identified by ``(type, key)``.

    ``key`` is the natural key built from the identifying fields of the source row, so importing the
    same row again updates the relationship in place instead of adding a second one.
    """

    type: RelType
    key: str
    source: str
    target: str
    start: date | None = None
    end: date | None = None
    weight: float | None = None
    props: dict = field(default_factory=dict)
    source_file: str | None = None
    imported_at: str | None = None

    def active_in(self, lo: date | None, hi: date | None) -> bool:
        """True when the relationship's dates overlap the closed window ``[lo, hi]``."""
        if hi is not None and self.start is not None and self.start > hi:
            return False
        if lo is not None and self.end is not None and self.end < lo:
            return False
        return True
