"""The one home of the words and colours people see for the codes in the data.

Codes (``occupational_therapist``, ``community_of_practice``, ``mental_health``) stay in JSON,
exports and the store; pages, maps and the board report show :func:`label` of them, and colour
every value of an attribute with :func:`colours`, so "orange is acute" holds on every map and
in the report.

- :func:`label` -- the words for a value of an attribute (``label("profession",
  "occupational_therapist")`` is ``"Occupational therapist"``); an unknown code is made
  readable (underscores to spaces, first letter capitalised), a name is left as it is.
- :func:`attribute_label` -- the words for an attribute (``"role_kind"`` is ``"Kind of role"``).
- :func:`in_sentence` and :func:`plural` -- the same words inside a sentence.
- :func:`colours` -- one colour per value: closed vocabularies (sectors, role kinds, levels,
  forum kinds, ...) have fixed colours; open ones (organisations, professions, communities)
  take palette colours biggest group first, so the same counts give the same colours.

Examples
--------
>>> label("sector", "mental_health")
'Mental health'
>>> label("profession", "gp"), label("profession", "occupational_therapist")
('GP', 'Occupational therapist')
>>> label("profession", "art_therapist")  # not in the table: made readable
'Art therapist'
>>> label("hybrid", True), label("sector", None)
('Hybrid middle manager', 'Not recorded')
>>> in_sentence("sector", "community"), plural("community_kind", "community_of_practice")
('community health services', 'communities of practice')
>>> colours("sector", ["acute", "hospice"])["acute"]
'#d55e00'
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Hashable, Iterable, Mapping

from kg.measures import MEASURES, find

__all__ = [
    "ATTRIBUTE_LABELS",
    "FIXED_COLOURS",
    "MISSING_COLOUR",
    "PALETTE",
    "SECTOR_COLOURS",
    "UNKNOWN_LABEL",
    "VALUE_LABELS",
    "attribute_label",
    "colours",
    "in_sentence",
    "label",
    "measure",
    "palette_colour",
    "plural",
]

#: What a missing value reads as (a person with no recorded profession, say).
UNKNOWN_LABEL = "Not recorded"

ATTRIBUTE_LABELS = {
    "organisation": "Organisation",
    "team": "Team",
    "sector": "Sector",
    "profession": "Profession",
    "band": "Band",
    "role_kind": "Kind of role",
    "level": "Level",
    "hybrid": "Hybrid middle manager",
    "community": "Community",
    "community_kind": "Kind of community",
    "forum_kind": "Kind of forum",
    "asset_kind": "Kind of knowledge asset",
    "tie_kind": "Kind of tie",
    "layer": "Layer",
    "relation": "Relation",
    "side": "Side",
    "distance": "Distance from the person",
    "group": "Group",
}

VALUE_LABELS: dict[str, dict] = {
    "sector": {
        "acute": "Acute",
        "community": "Community health",
        "mental_health": "Mental health",
        "primary_care": "Primary care",
        "social_care": "Social care",
        "voluntary": "Voluntary sector",
        "commissioner": "Commissioning",
        "other": "Other",
    },
    "role_kind": {
        "clinical": "Clinical",
        "managerial": "Managerial",
        "hybrid": "Hybrid clinical-managerial",
        "administrative": "Administrative",
        "support": "Support",
    },
    "level": {
        "frontline": "Front line",
        "middle": "Middle manager",
        "senior": "Senior manager",
        "executive": "Executive",
    },
    # the rule is kg.analysis.projection.person_attributes: hybrid clinical-managerial, middle level
    "hybrid": {True: "Hybrid middle manager", False: "Not a hybrid middle manager"},
    "forum_kind": {
        "board": "Board",
        "mdt": "Multidisciplinary team (MDT)",
        "community_of_practice": "Community of practice",
        "learning_community": "Learning community",
        "peer_learning": "Peer learning",
        "engagement_event": "Engagement event",
        "network": "Network",
        "project": "Project",
    },
    "asset_kind": {
        "minutes": "Minutes",
        "guideline": "Guideline",
        "pathway": "Pathway",
        "protocol": "Protocol",
        "case_study": "Case study",
        "training": "Training",
        "agreement": "Agreement",
        "report": "Report",
    },
    "tie_kind": {
        "advice": "Advice",
        "referral": "Referral",
        "information": "Information",
        "collaboration": "Collaboration",
        "supervision": "Supervision",
        "other": "Other",
    },
    "community_kind": {
        "community_of_practice": "Community of practice",
        "organisational_cluster": "Organisational cluster",
        "cross_boundary_network": "Cross-boundary network",
    },
    "layer": {
        "ties": "Direct ties",
        "forums": "Shared forums",
        "assets": "Shared knowledge assets",
        "teams": "Same team",
    },
    "relation": {"authored": "Authored", "uses": "Uses"},
    # Professions are an open list; these are the ones whose readable form is not simply the
    # code with spaces (acronyms), plus the common ones for completeness.
    "profession": {
        "gp": "GP",
        "nurse": "Nurse",
        "district_nurse": "District nurse",
        "practice_nurse": "Practice nurse",
        "mental_health_nurse": "Mental health nurse",
        "hospice_nurse": "Hospice nurse",
        "community_matron": "Community matron",
        "consultant": "Consultant",
        "doctor": "Doctor",
        "psychiatrist": "Psychiatrist",
        "psychologist": "Psychologist",
        "physiotherapist": "Physiotherapist",
        "occupational_therapist": "Occupational therapist",
        "pharmacist": "Pharmacist",
        "healthcare_assistant": "Healthcare assistant",
        "social_worker": "Social worker",
        "care_manager": "Care manager",
        "home_care_worker": "Home care worker",
        "support_worker": "Support worker",
        "administrator": "Administrator",
        "receptionist": "Receptionist",
        "manager": "Manager",
        "commissioning_manager": "Commissioning manager",
        "analyst": "Analyst",
        "volunteer_coordinator": "Volunteer coordinator",
        "ahp": "Allied health professional (AHP)",
    },
}

# How a value reads inside a sentence, where the lower-cased label would not do.
_IN_SENTENCE = {
    "sector": {
        "acute": "acute care",
        "community": "community health services",
        "mental_health": "mental health services",
        "primary_care": "primary care",
        "social_care": "social care",
        "voluntary": "the voluntary sector",
        "commissioner": "commissioning",
        "other": "other services",
    },
}
_PLURALS = {
    "community_kind": {
        "community_of_practice": "communities of practice",
        "organisational_cluster": "organisational clusters",
        "cross_boundary_network": "cross-boundary networks",
    },
    "forum_kind": {"community_of_practice": "communities of practice", "mdt": "MDTs"},
}

# -- colours -------------------------------------------------------------------------------

#: Colour-blind-aware categorical colours (Okabe-Ito, then Tableau 10) for open vocabularies;
#: past the end, golden-angle hues.
PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#b8a100", "#4e79a7",
    "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#e15759", "#ff9da7", "#555555",
)  # fmt: skip
MISSING_COLOUR = "#bdbdbd"

#: Sectors keep one colour everywhere (Okabe-Ito), so "orange is acute" is learnt once.
SECTOR_COLOURS = {
    "acute": "#d55e00", "community": "#0072b2", "mental_health": "#cc79a7",
    "primary_care": "#009e73", "social_care": "#e69f00", "voluntary": "#56b4e9",
    "commissioner": "#555555", "other": "#999999",
}  # fmt: skip

FIXED_COLOURS: dict[str, dict] = {
    "sector": SECTOR_COLOURS,
    "role_kind": {
        "clinical": "#0072b2", "managerial": "#e69f00", "hybrid": "#cc79a7",
        "administrative": "#009e73", "support": "#56b4e9",
    },
    # Levels are ordered: light to dark blue, front line to executive.
    "level": {
        "frontline": "#9ecae1", "middle": "#4a90c8", "senior": "#1f5a99", "executive": "#0b2e59",
    },
    "hybrid": {True: "#cc79a7", False: "#8fa3b8"},
    "forum_kind": {
        "board": "#555555", "mdt": "#0072b2", "community_of_practice": "#009e73",
        "learning_community": "#56b4e9", "peer_learning": "#e69f00",
        "engagement_event": "#b8a100", "network": "#cc79a7", "project": "#d55e00",
    },
    "community_kind": {
        "community_of_practice": "#009e73", "organisational_cluster": "#999999",
        "cross_boundary_network": "#0072b2",
    },
    "asset_kind": {
        "minutes": "#999999", "guideline": "#0072b2", "pathway": "#009e73",
        "protocol": "#56b4e9", "case_study": "#cc79a7", "training": "#e69f00",
        "agreement": "#d55e00", "report": "#555555",
    },
    "tie_kind": {
        "advice": "#0072b2", "referral": "#d55e00", "information": "#56b4e9",
        "collaboration": "#009e73", "supervision": "#cc79a7", "other": "#999999",
    },
}  # fmt: skip

_WORD_SPLIT = re.compile(r"[_\-\s]+")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _readable(value) -> str:
    """An unknown code made readable: ``art_therapist`` -> ``Art therapist``. Text that already
    has capitals (a name, "NHS Trust") is left as it is."""
    text = str(value).strip()
    if not text.islower():
        return text
    words = _WORD_SPLIT.sub(" ", text).strip()
    return words[:1].upper() + words[1:]


def _table(attribute: str, value) -> dict:
    table = VALUE_LABELS.get(attribute, {})
    if attribute == "hybrid" and isinstance(value, str):
        return {"true": table[True], "false": table[False]}
    return table


def label(attribute: str, value) -> str:
    """The words for ``value`` of ``attribute`` (see the module docstring).

    Missing values read :data:`UNKNOWN_LABEL`; booleans of ``hybrid`` read "Hybrid middle
    manager" and "Not a hybrid middle manager"; codes of the closed vocabularies and known
    professions read their table entry (case-insensitively); anything else is made readable.
    """
    if _is_missing(value):
        return UNKNOWN_LABEL
    table = _table(attribute, value)
    if isinstance(value, Hashable) and value in table:
        return table[value]
    if isinstance(value, str):
        key = value.strip().lower()
        if key in table:
            return table[key]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return _readable(value)


def attribute_label(attribute: str) -> str:
    """The words for an attribute name: ``role_kind`` -> ``Kind of role``."""
    return ATTRIBUTE_LABELS.get(attribute) or _readable(attribute)


def _lower_words(text: str) -> str:
    # Keep acronyms (GP, MDT, NHS) and words that were capitalised inside the label.
    words = text.split(" ")
    if words and words[0][:1].isupper() and not words[0].isupper():
        words[0] = words[0][:1].lower() + words[0][1:]
    return " ".join(words)


def in_sentence(attribute: str, value) -> str:
    """The words for ``value`` inside a sentence: ``in_sentence("sector", "acute")`` is
    ``"acute care"``; otherwise the label with its first word lower-cased (acronyms kept)."""
    phrase = _IN_SENTENCE.get(attribute, {}).get(value)
    if phrase:
        return phrase
    if attribute in ("organisation", "team"):
        return label(attribute, value)
    return _lower_words(label(attribute, value))


def plural(attribute: str, value) -> str:
    """The plural, in a sentence: ``plural("community_kind", "organisational_cluster")`` is
    ``"organisational clusters"``."""
    special = _PLURALS.get(attribute, {}).get(value)
    if special:
        return special
    words = in_sentence(attribute, value)
    if words.endswith(("s", "x", "ch", "sh")):
        return words + "es"
    if words.endswith("y") and not words.endswith(("ay", "ey", "oy", "uy")):
        return words[:-1] + "ies"
    return words + "s"


def palette_colour(index: int) -> str:
    """The ``index``-th colour of the open palette (golden-angle hues past its end)."""
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.45, 0.6)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _fixed(attribute: str, value) -> str | None:
    table = FIXED_COLOURS.get(attribute)
    if not table:
        return None
    if isinstance(value, Hashable) and value in table:
        return table[value]
    if isinstance(value, str):
        key = value.strip().lower()
        if attribute == "hybrid" and key in ("true", "false"):
            return table[key == "true"]
        return table.get(key)
    return None


def colours(attribute: str, values: Iterable | Mapping) -> dict:
    """One colour per value of ``attribute``.

    Parameters
    ----------
    attribute : str
        ``sector``, ``role_kind``, ``level``, ``hybrid``, ``forum_kind``, ``community_kind``,
        ``asset_kind`` and ``tie_kind`` have fixed colours; any other attribute is open.
    values : mapping value -> headcount, or iterable of values
        Every value to colour. Open values take the palette in order of headcount (biggest
        first, then by label) when counts are given, else in the order given; values outside a
        fixed table take palette colours the table does not use (a "hospice" sector never
        looks like a real sector). Missing values are grey.

    Returns
    -------
    dict value -> "#rrggbb"

    Examples
    --------
    >>> colours("organisation", {"O1": 3, "O2": 10})
    {'O2': '#0072b2', 'O1': '#e69f00'}
    >>> colours("level", ["senior", None])
    {'senior': '#1f5a99', None: '#bdbdbd'}
    """
    if isinstance(values, Mapping):
        ordered = sorted(values, key=lambda v: (-values[v], label(attribute, v), str(v)))
    else:
        ordered = list(dict.fromkeys(values))
    taken = {c.lower() for c in FIXED_COLOURS.get(attribute, {}).values()}
    free = (c for i in range(10**6) if (c := palette_colour(i)).lower() not in taken)
    out = {}
    for value in ordered:
        if _is_missing(value):
            out[value] = MISSING_COLOUR
        else:
            out[value] = _fixed(attribute, value) or next(free)
    return out


#: The measures maps and reports size or rank people by: (label, what it means in plain words).
def measure(name: str | None) -> tuple[str, str]:
    """(label, plain words) for a measure name, e.g. ``measure("betweenness")``; an unknown
    name is made readable and has no explanation.

    Measures are defined once, in :mod:`kg.measures`.

    >>> measure("between_groups")[0]
    'Share of paths between the two groups'
    """
    if not name:
        return ("Measure", "")
    code = find(name)
    if code is None:
        return (_readable(name), "")
    return (MEASURES[code].name, MEASURES[code].meaning)
