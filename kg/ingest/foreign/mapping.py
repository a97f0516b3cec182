"""Which attribute of a foreign file is which field of the bundle, and what to assume when absent.

A network file names its attributes as its author chose (``club``, ``Organization``, ``grade``).
Attributes named like the bundle's fields are used as they are (a few common spellings too: a
node's ``label``, ``organization``; an edge's ``strength``, ``relation``); a :class:`Mapping`
says which other attribute is which, recodes values into the closed vocabularies, and gives
defaults for what the file does not say.

Written on the command line (``--map``, ``--default``) or in a TOML mapping file::

    [map]                 # attribute in the file = field (or "-" to leave it out)
    club = "organisation"
    "advice_*" = "advice" # survey answer columns (or VNA tie columns) of one tie kind

    [values.sector]       # recode a field's values (case ignored)
    Hospital = "acute"

    [defaults]            # for every node or edge whose file gives no value
    sector = "other"
    kind = "advice"
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InvalidParameter
from kg.model import RoleKind, RoleLevel, Sector, TieKind

__all__ = [
    "DEFAULTABLE",
    "DROP",
    "EDGE_FIELDS",
    "NODE_FIELDS",
    "TIE_KINDS",
    "Mapping",
    "norm",
]

# What a node can say about a person (role_kind, level, title, start and end describe the role
# at the organisation or team), and what an edge can say about a tie.
NODE_FIELDS = (
    "id", "name", "organisation", "team", "sector", "profession", "band", "title", "role_kind",
    "level", "start", "end",
)
EDGE_FIELDS = ("source", "target", "kind", "weight", "start", "end")
SURVEY_FIELDS = ("respondent",)
TIE_KINDS = tuple(m.value for m in TieKind)  # as a target: a column of ties of that kind
DROP = "-"
DEFAULTABLE = ("organisation", "team", "sector", "profession", "band", "title", "role_kind",
               "level", "kind", "weight")
_VOCABULARY = {"sector": Sector, "role_kind": RoleKind, "level": RoleLevel, "kind": TieKind}

# Spellings used as they are, in order of preference (the field's own name first).
_NODE_ALIASES = {
    "name": ("name", "label", "full_name", "fullname"),
    "organisation": ("organisation", "organization", "org"),
    "team": ("team",),
    "sector": ("sector",),
    "profession": ("profession",),
    "band": ("band",),
    "title": ("title", "job_title", "role_title"),
    "role_kind": ("role_kind",),
    "level": ("level",),
}
_EDGE_ALIASES = {
    "kind": ("kind", "tie_kind", "relation"),
    "weight": ("weight", "strength", "value"),
    "start": ("start",),
    "end": ("end",),
    "source": ("source", "source_id", "from", "ego", "sender"),
    "target": ("target", "target_id", "to", "alter", "receiver"),
}


def norm(name: str) -> str:
    """An attribute name as mappings compare it: lower case, runs of other characters as ``_``.

    >>> norm("Role Kind"), norm("Organization "), norm("advice_*")
    ('role_kind', 'organization', 'advice_*')
    """
    return re.sub(r"[^0-9a-z*?]+", "_", str(name).casefold()).strip("_")


@dataclass
class Mapping:
    """Attribute renames, value recodings and defaults for one import.

    Parameters
    ----------
    attributes : dict
        Attribute name (or glob pattern such as ``advice_*``) -> field, tie kind or ``"-"``.
    values : dict
        Field -> {value as the file writes it -> value of the vocabulary}.
    defaults : dict
        Field -> value used where the file gives none.
    """

    attributes: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.attributes = {norm(k): str(v).strip().lower() for k, v in self.attributes.items()}
        self.values = {
            str(f).strip().lower(): {str(k).strip().casefold(): str(v).strip()
                                     for k, v in m.items()}
            for f, m in self.values.items()
        }
        self.defaults = {str(k).strip().lower(): str(v).strip() for k, v in self.defaults.items()}
        self._check()

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_options(
        cls,
        maps: Iterable[str] = (),
        defaults: Iterable[str] = (),
        file: str | Path | None = None,
    ) -> Mapping:
        """Build a mapping from ``--map`` and ``--default`` options and an optional TOML file.

        ``--map ATTR=FIELD`` renames an attribute; ``--map FIELD:VALUE=NEW`` recodes a value;
        ``--default FIELD=VALUE`` fills a missing value. Options override the file.

        Raises
        ------
        InvalidParameter
            An option is malformed, or names an unknown field or a value outside a vocabulary.

        Examples
        --------
        >>> m = Mapping.from_options(["club=organisation", "kind:friendship=other"],
        ...                          ["sector=other"])
        >>> m.attributes, m.values, m.defaults
        ({'club': 'organisation'}, {'kind': {'friendship': 'other'}}, {'sector': 'other'})
        """
        attributes: dict[str, str] = {}
        values: dict[str, dict[str, str]] = {}
        default_values: dict[str, str] = {}
        if file is not None:
            a, v, d = _read_file(Path(file))
            attributes.update(a)
            for f, m in v.items():
                values.setdefault(f, {}).update(m)
            default_values.update(d)
        for option in maps:
            left, sep, right = str(option).partition("=")
            if not sep or not left.strip() or not right.strip():
                raise InvalidParameter(
                    f"--map {option!r}: write ATTRIBUTE=FIELD (e.g. club=organisation) or "
                    "FIELD:VALUE=NEW (e.g. sector:Hospital=acute)"
                )
            if ":" in left:
                f, _, raw = left.partition(":")
                values.setdefault(f.strip().lower(), {})[raw.strip()] = right.strip()
            else:
                attributes[left.strip()] = right.strip()
        for option in defaults:
            left, sep, right = str(option).partition("=")
            if not sep or not left.strip() or not right.strip():
                raise InvalidParameter(
                    f"--default {option!r}: write FIELD=VALUE, e.g. sector=other"
                )
            default_values[left.strip()] = right.strip()
        return cls(attributes, values, default_values)

    def _check(self) -> None:
        targets = set(NODE_FIELDS) | set(EDGE_FIELDS) | set(SURVEY_FIELDS) | set(TIE_KINDS)
        for attr, target in self.attributes.items():
            if not attr:
                raise InvalidParameter("a mapping names an empty attribute")
            if target != DROP and target not in targets:
                raise InvalidParameter(
                    f"mapping {attr}={target}: unknown field {target!r}; node fields: "
                    f"{', '.join(NODE_FIELDS)}; edge fields: {', '.join(EDGE_FIELDS)}; survey: "
                    f"respondent or a tie kind ({', '.join(TIE_KINDS)}); or - to leave it out"
                )
        for fld, recode in self.values.items():
            if fld not in set(NODE_FIELDS) | set(EDGE_FIELDS):
                raise InvalidParameter(f"recoding {fld}:...: unknown field {fld!r}")
            for new in recode.values():
                self._check_value(fld, new, f"recoding {fld}:...={new}")
        for fld, value in self.defaults.items():
            if fld not in DEFAULTABLE:
                raise InvalidParameter(
                    f"--default {fld}={value}: {fld!r} cannot have a default; choose from "
                    f"{', '.join(DEFAULTABLE)}"
                )
            self._check_value(fld, value, f"--default {fld}={value}")

    @staticmethod
    def _check_value(fld: str, value: str, where: str) -> None:
        enum = _VOCABULARY.get(fld)
        if enum is not None and value.lower() not in {m.value for m in enum}:
            allowed = ", ".join(m.value for m in enum)
            raise InvalidParameter(f"{where}: unknown {fld} {value!r}; allowed: {allowed}")
        if fld == "weight":
            try:
                ok = float(value) >= 0
            except ValueError:
                ok = False
            if not ok:
                raise InvalidParameter(f"{where}: a weight is a number, zero or more")

    # -- reading ----------------------------------------------------------------------------
    def target(self, attribute: str, scope: str) -> tuple[str | None, int]:
        """The field ``attribute`` feeds in ``scope`` ("node", "edge" or "survey"), and its rank.

        Rank 0 is an explicit mapping, then the field's own name, then other spellings; ``None``
        means the attribute is kept as a property, ``"-"`` that it is left out.
        """
        key = norm(attribute)
        explicit = self.attributes.get(key)
        if explicit is None:
            for pattern, target in self.attributes.items():
                if ("*" in pattern or "?" in pattern) and fnmatch.fnmatchcase(key, pattern):
                    explicit = target
                    break
        if explicit is not None:
            return explicit, 0
        aliases = _EDGE_ALIASES if scope == "edge" else _NODE_ALIASES
        for fld, names in aliases.items():
            if key in names:
                return fld, 1 + names.index(key)
        return None, 0

    def recode(self, fld: str, value: str | None) -> str | None:
        """``value`` recoded for ``fld``; the default when blank; ``None`` when still blank."""
        value = (value or "").strip()
        if not value:
            return self.defaults.get(fld) or None
        recode = self.values.get(fld)
        return recode.get(value.casefold(), value) if recode else value


def _read_file(path: Path) -> tuple[dict, dict, dict]:
    """Read a TOML mapping file: ``[map]``, ``[values.FIELD]`` and ``[defaults]`` tables."""
    try:
        if path.stat().st_size > 1 << 20:
            raise InvalidParameter(f"mapping file {path.name}: larger than 1 MB; no real mapping")
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InvalidParameter(f"mapping file {path}: cannot read it ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidParameter(f"mapping file {path.name}: not valid TOML ({exc})") from None
    unknown = set(doc) - {"map", "values", "defaults"}
    if unknown:
        raise InvalidParameter(
            f"mapping file {path.name}: unknown table(s) {', '.join(sorted(unknown))}; "
            "use [map], [values.FIELD] and [defaults]"
        )

    def table(value, where: str) -> dict[str, str]:
        if not isinstance(value, MappingABC) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value.values()
        ):
            raise InvalidParameter(f"mapping file {path.name}: [{where}] holds name = \"value\"")
        return {str(k): str(v) for k, v in value.items()}

    values = doc.get("values", {})
    if not isinstance(values, MappingABC):
        raise InvalidParameter(f"mapping file {path.name}: write [values.FIELD] tables")
    return (
        table(doc.get("map", {}), "map"),
        {f: table(m, f"values.{f}") for f, m in values.items()},
        table(doc.get("defaults", {}), "defaults"),
    )
