"""What worked: the interventions in the store, and each one's effect, as JSON-ready dicts.

``kg analyse impact`` and ``GET /analysis/impact/{id}`` call :func:`impact`;
``kg analyse interventions`` and ``GET /interventions`` call :func:`interventions`. Answers are
cached by the store's revision and the options, like every answer of
:mod:`kg.queries.analyses`.

The two windows compared are, by default, the phases either side of the intervention's date
(:func:`default_windows`); ``before`` and ``after`` choose others, each a phase (id or name) or
a ``START:END`` window, as ``--from``/``--to`` of ``kg analyse change``. The networks are the
person networks of those windows (:func:`kg.analysis.projection.person_network`), by default
of **direct ties only**: a new forum's co-membership would otherwise count as ties it formed.
"""

from __future__ import annotations

from datetime import date, timedelta

from kg.analysis import projection
from kg.analysis.impact import LEVEL, MIN_EFFECT, N_BOOT, Boundary, intervention_impact
from kg.errors import InvalidParameter, NotFound
from kg.model import NodeLabel, RelType
from kg.queries.analyses import check_by, person_graph
from kg.queries.period import LOOKBACK_DAYS, parse_date, phases
from kg.queries.snapshot import cached, current_period, load_snapshot
from kg.store.base import GraphStore

__all__ = ["DEFAULT_LAYERS", "MIN_WINDOW_DAYS", "default_windows", "impact", "interventions"]

#: The layers the effect is measured on, unless asked otherwise.
DEFAULT_LAYERS = ("ties",)
#: A default window shorter than this (the date falls near a phase's edge) takes in the
#: neighbouring phase too: a few weeks of data say little about ties formed or lost.
MIN_WINDOW_DAYS = 180


_FIELDS = ("name", "kind", "date", "target_kind", "targets")


def _row(node) -> dict:
    """An intervention as listed: its fields, then any other column of its row."""
    p = node.props
    row = {"id": node.id, **{k: p.get(k) for k in _FIELDS}}
    row["targets"] = list(row["targets"] or [])
    row.update((k, v) for k, v in sorted(p.items()) if k not in row)
    return row


def interventions(store: GraphStore) -> dict:
    """``{"interventions": [{"id", "name", "kind", "date", "target_kind", "targets", ...}],
    "count"}`` in date order (a boundary adds ``attribute``; ``description`` and any other
    column of the row when given)."""

    def compute():
        rows = sorted((_row(n) for n in store.find_nodes(NodeLabel.INTERVENTION)),
                      key=lambda r: (str(r["date"]), r["id"]))
        return {"interventions": rows, "count": len(rows)}

    return cached(store, "interventions", (), compute)


def default_windows(store: GraphStore, when: date) -> tuple[str, str, str]:
    """The windows either side of ``when``, as ``START:END`` texts, and the rule in words.

    Before: from the start of the phase holding the day before ``when`` to that day; after:
    from ``when`` to the end of the phase holding it. A side shorter than
    :data:`MIN_WINDOW_DAYS` takes in the phase next to it. Without phases (or outside them),
    the :data:`~kg.queries.period.LOOKBACK_DAYS` days either side.
    """
    known = []
    for p in phases(store):
        start, end = parse_date(str(p["start"] or ""), "phase start"), parse_date(
            str(p["end"] or ""), "phase end")
        if start and end:
            known.append((start, end, p["id"]))

    def holding(day):
        return next((k for k, (s, e, _) in enumerate(known) if s <= day <= e), None)

    eve = when - timedelta(days=1)
    b = holding(eve)
    if b is None:
        lo, before_rule = when - timedelta(days=LOOKBACK_DAYS), f"the {LOOKBACK_DAYS} days before"
    else:
        lo, before_rule = known[b][0], f"{known[b][2]} up to the day before"
        if (eve - lo).days + 1 < MIN_WINDOW_DAYS and b > 0:
            lo, before_rule = known[b - 1][0], f"{known[b - 1][2]} and {before_rule}"
    a = holding(when)
    if a is None:
        hi, after_rule = when + timedelta(days=LOOKBACK_DAYS - 1), f"the {LOOKBACK_DAYS} days from"
    else:
        hi, after_rule = known[a][1], f"{known[a][2]} from the date"
        if (hi - when).days + 1 < MIN_WINDOW_DAYS and a + 1 < len(known):
            hi, after_rule = known[a + 1][1], f"{after_rule} and {known[a + 1][2]}"
    rule = f"before: {before_rule}; after: {after_rule}"
    return f"{lo.isoformat()}:{eve.isoformat()}", f"{when.isoformat()}:{hi.isoformat()}", rule


def _choice(value: str, what: str) -> dict:
    """A phase (id or name) or a ``START:END`` window, as person_graph keywords."""
    value = value.strip()
    if not value:
        raise InvalidParameter(f"give --{what} as a phase (id or name) or a START:END window")
    if value.lower() == "all":
        raise InvalidParameter(f"--{what} must be one period, not the whole history")
    if ":" in value and (value.split(":", 1)[0][:1].isdigit() or value.startswith(":")):
        return {"window": value, "phase": None}
    return {"window": None, "phase": value}


def _members(store, net: dict, forums: set) -> set:
    snap = load_snapshot(store, window=net["window"], phase=net["phase"])
    return {r.source for r in snap.rels(RelType.ATTENDS) if r.target in forums}


def impact(
    store: GraphStore, intervention_id: str, *, before: str | None = None,
    after: str | None = None, by: str = "sector", seed: int = 0, layers=None,
    min_weight: float = 0.05, n_boot: int = N_BOOT, level: float = LEVEL,
    min_effect: float = MIN_EFFECT,
) -> dict:
    """The effect of one intervention: its target's ties before and after its date, against a
    comparison (:func:`kg.analysis.impact.intervention_impact`).

    The target: a boundary (``sector:acute|community``) as it is; people as named; a forum's
    members (who attended it in either window); an organisation's people (whose main role is
    there, or at one of its teams, in either window). The comparison is every other boundary
    of the attribute, or everyone not targeted.

    Returns the answer of :func:`~kg.analysis.impact.intervention_impact` (``target``,
    ``comparison``, ``measure``, ``ties``, ``effect``, ``ei``, ``reach``, ``direction``,
    ``verdict``, ``caveat``, ``notes``) with ``intervention`` (its row, as
    :func:`interventions` lists it), ``headline`` (its name and date, then the verdict) and
    ``parameters``: ``before`` and ``after`` (each period as ``parameters.period`` of every
    other answer), ``windows`` (how they were chosen, in words) and the options.
    Raises :class:`~kg.errors.NotFound` for an unknown id, and
    :class:`~kg.errors.InvalidParameter` for a bad window or option.
    """
    check_by(by)
    node = store.get_node(NodeLabel.INTERVENTION, intervention_id)
    if node is None:
        known = ", ".join(r["id"] for r in interventions(store)["interventions"][:20]) or "none"
        raise NotFound("intervention", intervention_id, hint=f"interventions: {known}")
    layers = tuple(layers) if layers else DEFAULT_LAYERS
    key = (intervention_id, before, after, by, seed, layers, float(min_weight), n_boot,
           float(level), float(min_effect))

    def compute():
        row = _row(node)
        when = parse_date(str(row["date"] or ""), "intervention date")
        if when is None:
            raise InvalidParameter(f"intervention {intervention_id!r} has no date")
        b_default, a_default, rule = default_windows(store, when)
        nets = {"before": _choice(before, "before") if before else {"window": b_default,
                                                                    "phase": None},
                "after": _choice(after, "after") if after else {"window": a_default,
                                                                "phase": None}}
        periods = {k: current_period(store, v["window"], v["phase"]) for k, v in nets.items()}
        pb, pa = periods["before"], periods["after"]
        if pb.start and pa.start and pb.start >= pa.start:
            raise InvalidParameter("the before window must start before the after window")
        notes = []
        if pb.end is None or pb.end >= when:
            notes.append(f"the before window runs past the date ({when.isoformat()}): its "
                         "network holds ties formed after the intervention")
        if pa.start is None or pa.start < when:
            notes.append(f"the after window starts before the date ({when.isoformat()})")
        graphs = [person_graph(store, layers=layers, min_weight=min_weight, **nets[k])
                  for k in ("before", "after")]
        target = _target(store, row, nets, graphs)
        result = intervention_impact(*graphs, target, by=by, n_boot=n_boot, level=level,
                                     min_effect=min_effect, seed=seed)
        result["notes"] = notes + result["notes"]
        result["intervention"] = row
        if before and after:
            chosen = "as stated"
        elif before or after:
            chosen = f"one as stated, the other by default ({rule})"
        else:
            chosen = rule
        result["headline"] = f"{row['name']} ({row['date']}): {result['verdict']}"
        result["parameters"] = {
            "intervention": intervention_id,
            "before": pb.as_dict(), "after": pa.as_dict(), "windows": chosen,
            "by": by, "seed": seed, "layers": list(layers), "min_weight": min_weight,
            "n_boot": n_boot, "level": level, "min_effect": min_effect,
        }
        return result

    return cached(store, "impact", key, compute)


def _target(store, row: dict, nets: dict, graphs) -> Boundary | set:
    kind, targets = row["target_kind"], row["targets"]
    if kind == "boundary":
        attribute = row.get("attribute")
        if attribute not in projection.GROUP_ATTRIBUTES:
            raise InvalidParameter(f"intervention {row['id']!r}: a boundary by "
                                   f"{attribute!r} cannot be measured")
        return Boundary(attribute, tuple(targets))
    if kind == "people":
        return set(targets)
    if kind == "forums":
        wanted = set(targets)
        return _members(store, nets["before"], wanted) | _members(store, nets["after"], wanted)
    if kind == "organisations":
        wanted = set(targets)
        return {v for G in graphs for v, d in G.nodes(data=True)
                if d.get("organisation") in wanted or d.get("team") in wanted}
    raise InvalidParameter(f"intervention {row['id']!r} has an unknown target kind {kind!r}")
