"""Generate the demo partnership: a bundle in format v1 plus ``truth.json``.

The structure is planted so analysis can be scored against it:

- **silos**: most ties stay inside a team, then inside an organisation; acute and mental health
  reach out least (``OPENNESS``), voluntary organisations and the commissioner most;
- **brokers**: a few hybrid clinical-managerial middle managers (team leaders) carry many ties
  across acute, community, mental health and social care, sit in the discharge forums, author the
  shared pathways; a third of them leave in the top-down reversal (phase 3);
- **communities of practice**: small forums (discharge forums, a senior occupational therapists'
  collaborative, palliative care champions, learning communities, peer-learning groups) whose core
  members are densely tied across organisations; peer learning dies in phase 3;
- **turnover**: people move between teams and organisations, leave and join, over 2013-2019;
- big engagement events and team meetings that add attendance but few ties (so a projection that
  does not weight by forum size is swamped by them);
- **interventions** (``interventions.csv``) with known effects: the Discharge Forums (their
  members tie up after the launch), an acute and community OT collaborative (planted for the
  purpose, from a random stream of its own so nothing above moves) and the OD coaching day
  (no tie planted after it: the null one). ``truth.json`` says which effect each should show.

Ties are generated per role episode with numpy so the large size (100,000 people, about a million
ties) takes seconds.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from kg.demo import vocabulary as V

__all__ = ["SIZES", "generate_bundle"]

SIZES = {"small": 300, "medium": 5_000, "large": 100_000}

_OPEN = V.END.toordinal() + 1  # episode end meaning "still in post"
_CLINICAL_SECTORS = ("acute", "community", "mental_health", "social_care")
_NHS = ("acute", "community", "mental_health")


@dataclass
class _Org:
    id: str
    name: str
    sector: str
    borough: int | None
    parent: str | None = None


@dataclass
class _Unit:
    """Where people work: a team of an organisation, or a small organisation itself."""

    id: str
    org: int  # index of the top-level organisation
    sector: str
    borough: int
    locality: int
    name: str
    senior: bool = False  # a senior leadership team
    index: int = 0  # position in the builder's list of units
    episodes: list[int] = field(default_factory=list)


@dataclass
class _Forum:
    id: str
    name: str
    kind: str
    org: str
    cadence: str
    start: int
    end: int | None
    members: list[int] = field(default_factory=list)  # people
    core: bool = False  # a community of practice whose members are densely tied
    episodes: dict[int, int] = field(default_factory=dict)  # person -> episode, team meetings


class _Builder:
    def __init__(self, people: int, seed: int):
        self.n_target = people
        self.rng = np.random.default_rng(seed)
        self.orgs: list[_Org] = []
        self.teams: list[_Org] = []  # team rows of organisations.csv
        self.units: list[_Unit] = []
        self.people: list[tuple[str, str, str, str]] = []  # id, name, profession, band
        # Episodes (a person in a role at a unit over a period), as parallel lists.
        self.ep_person: list[int] = []
        self.ep_unit: list[int] = []
        self.ep_title: list[str] = []
        self.ep_kind: list[str] = []
        self.ep_level: list[str] = []
        self.ep_start: list[int] = []
        self.ep_end: list[int] = []
        self.ep_primary: list[bool] = []  # False for the second of two concurrent roles
        self.leaders: list[int] = []  # primary episodes of team leaders
        self.seniors: list[int] = []
        self.executives: list[int] = []
        self.forums: list[_Forum] = []
        self.ties: list[tuple[np.ndarray, ...]] = []
        self.n_localities = max(3, people // 350)
        # what plant_interventions adds: rows of forums.csv, attendance (person index, forum,
        # start and end ordinals, count), interventions.csv, and the truth of each
        self.planted: dict[str, list] = {"forums": [], "attendance": [], "interventions": [],
                                         "truth": []}

    # -- organisations and people ------------------------------------------------------
    def _org(self, id_, name, sector, borough) -> int:
        self.orgs.append(_Org(id_, name, sector, borough))
        return len(self.orgs) - 1

    def _locality(self, borough: int) -> int:
        per = self.n_localities // len(V.BOROUGHS)
        return borough * per + int(self.rng.integers(per))

    def _unit(self, org: int, id_, name, borough, *, team: bool, senior=False) -> _Unit:
        o = self.orgs[org]
        if team:
            self.teams.append(_Org(id_, name, o.sector, borough, parent=o.id))
        unit = _Unit(id_, org, o.sector, borough, self._locality(borough), name, senior,
                     index=len(self.units))
        self.units.append(unit)
        return unit

    def _person(self, profession: str, level: str, sector: str) -> int:
        rng = self.rng
        i = len(self.people)
        name = f"{V.FIRST_NAMES[rng.integers(len(V.FIRST_NAMES))]} " + str(
            V.LAST_NAMES[rng.integers(len(V.LAST_NAMES))]
        )
        band = ""
        if sector in _NHS:
            band = {"frontline": "5", "middle": "7", "senior": "8c", "executive": "VSM"}[level]
            if level == "frontline" and profession in ("consultant", "psychiatrist"):
                band = "consultant"
            elif level == "frontline" and profession in ("healthcare_assistant", "administrator"):
                band = "3"
        self.people.append((f"P{i + 1:06d}", name, profession, band))
        return i

    def _episode(self, person, unit: _Unit, title, kind, level, start, end, primary=True) -> int:
        e = len(self.ep_person)
        self.ep_person.append(person)
        self.ep_unit.append(unit.index)
        self.ep_title.append(title)
        self.ep_kind.append(kind)
        self.ep_level.append(level)
        self.ep_start.append(start)
        self.ep_end.append(end)
        self.ep_primary.append(primary)
        if primary:
            unit.episodes.append(e)
        return e

    def _staff_unit(self, unit: _Unit, size: int) -> None:
        rng, sector = self.rng, unit.sector
        s0 = V.START.toordinal()
        prof, title, kind = V.TEAM_LEADER[sector][rng.integers(len(V.TEAM_LEADER[sector]))]
        p = self._person(prof, "middle", sector)
        if kind == "hybrid" and rng.random() < 0.3:
            # Recorded as two concurrent roles: hybrid by holding both at once.
            clinical = f"Senior {prof.replace('_', ' ')}"
            e = self._episode(p, unit, clinical, "clinical", "middle", s0, _OPEN)
            self._episode(p, unit, "Team manager", "managerial", "middle", s0, _OPEN, False)
        else:
            e = self._episode(p, unit, title, kind, "middle", s0, _OPEN)
        self.leaders.append(e)
        staff = V.STAFF[sector]
        weights = np.array([w for _, w, _, _ in staff], dtype=float)
        picks = rng.choice(len(staff), size=max(size - 1, 1), p=weights / weights.sum())
        for k in picks:
            prof, _, title, kind = staff[k]
            p = self._person(prof, "frontline", sector)
            self._episode(p, unit, title, kind, "frontline", s0, _OPEN)

    def _seniors(self, org: int, unit: _Unit, count: int) -> None:
        sector = self.orgs[org].sector
        s0 = V.START.toordinal()
        options = V.SENIOR[sector]
        for k in range(count):
            prof, title, level = options[k % len(options)]
            p = self._person(prof, level, sector)
            if title == "Clinical director":  # a consultant who also directs: two roles at once
                self._episode(p, unit, title, "managerial", "senior", s0, _OPEN)
                self._episode(p, unit, "Consultant", "clinical", "senior", s0, _OPEN, False)
            else:
                kind = "hybrid" if title == "GP partner" else "managerial"
                self._episode(p, unit, title, kind, level, s0, _OPEN)
            self.seniors.append(len(self.ep_person) - 1 if title != "Clinical director"
                                else len(self.ep_person) - 2)
        if sector in V.EXECUTIVE:
            p = self._person("manager", "executive", sector)
            self._episode(p, unit, V.EXECUTIVE[sector], "managerial", "executive", s0, _OPEN)
            self.executives.append(len(self.ep_person) - 1)

    def build_organisations(self) -> None:
        rng, n = self.rng, self.n_target
        per_sector = {s: max(1, round(n * share)) for s, share in V.SECTOR_SHARE.items()}
        big = {
            "acute": ("ORG-ACUTE", "Riverside University Hospitals NHS Trust"),
            "community": ("ORG-COMMUNITY", "Tri-Borough Community Health NHS Trust"),
            "mental_health": ("ORG-MH", "Riverside and Vale Mental Health NHS Foundation Trust"),
        }
        for sector, (oid, name) in big.items():
            org = self._org(oid, name, sector, None)
            size = per_sector[sector]
            n_teams = max(len(V.BOROUGHS), size // 18)
            names = V.TEAM_NAMES[sector]
            for t in range(n_teams):
                borough = t % len(V.BOROUGHS)
                label = f"{names[t % len(names)]} ({V.BOROUGHS[borough]})"
                if t >= len(names) * len(V.BOROUGHS):
                    label += f" {t // (len(names) * len(V.BOROUGHS)) + 1}"
                unit = self._unit(org, f"{oid}-T{t + 1:04d}", label, borough, team=True)
                self._staff_unit(unit, int(rng.integers(10, 27)))
            slt = self._unit(org, f"{oid}-SLT", "Senior leadership team", 0, team=True,
                             senior=True)
            self._seniors(org, slt, max(2, size // 40))
        for b, borough in enumerate(V.BOROUGHS):
            org = self._org(f"ORG-LA-{b + 1}", f"{borough} Council Adult Social Care",
                            "social_care", b)
            size = per_sector["social_care"] // len(V.BOROUGHS)
            names = V.TEAM_NAMES["social_care"]
            for t in range(max(1, size // 16)):
                label = names[t % len(names)] + (f" {t // len(names) + 1}" if t >= len(names)
                                                 else "")
                unit = self._unit(org, f"ORG-LA-{b + 1}-T{t + 1:03d}", label, b, team=True)
                self._staff_unit(unit, int(rng.integers(8, 24)))
            slt = self._unit(org, f"ORG-LA-{b + 1}-SLT", "Adult social care leadership", b,
                             team=True, senior=True)
            self._seniors(org, slt, max(1, size // 40))
        n_practices = max(len(V.BOROUGHS), per_sector["primary_care"] // 10)
        for k in range(n_practices):
            b = k % len(V.BOROUGHS)
            street = V.LAST_NAMES[k % len(V.LAST_NAMES)].replace("'", "")
            suffix = f" {k // len(V.LAST_NAMES) + 1}" if k >= len(V.LAST_NAMES) else ""
            org = self._org(f"ORG-GP-{k + 1:04d}",
                            f"{street} Road Medical Practice{suffix}, {V.BOROUGHS[b]}",
                            "primary_care", b)
            unit = self._unit(org, self.orgs[org].id, self.orgs[org].name, b, team=False)
            self._seniors(org, unit, 1)
            self._staff_unit(unit, int(rng.integers(6, 14)))
        charities = ("Age Concern", "Carers' Centre", "Hospice at Home", "Community Transport",
                     "Mind", "Good Neighbours")
        n_vol = max(len(V.BOROUGHS), per_sector["voluntary"] // 8)
        for k in range(n_vol):
            b = k % len(V.BOROUGHS)
            suffix = f" {k // (len(charities) * 3) + 1}" if k >= len(charities) * 3 else ""
            name = f"{V.BOROUGHS[b]} {charities[(k // 3) % len(charities)]}{suffix}"
            org = self._org(f"ORG-VOL-{k + 1:04d}", name, "voluntary", b)
            unit = self._unit(org, self.orgs[org].id, name, b, team=False)
            self._seniors(org, unit, 1)
            self._staff_unit(unit, int(rng.integers(4, 12)))
        org = self._org("ORG-CCG", "Tri-Borough Clinical Commissioning Group", "commissioner",
                        None)
        for t in range(max(1, per_sector["commissioner"] // 12)):
            unit = self._unit(org, f"ORG-CCG-T{t + 1:02d}", f"Commissioning team {t + 1}",
                              t % 3, team=True)
            self._staff_unit(unit, int(rng.integers(6, 14)))
        slt = self._unit(org, "ORG-CCG-SLT", "Commissioning leadership", 0, team=True,
                         senior=True)
        self._seniors(org, slt, 1)

    # -- turnover and brokers --------------------------------------------------------------
    def turnover(self) -> dict:
        """Movers change team (sometimes organisation), leavers leave, joiners join late."""
        rng = self.rng
        frontline = [e for e in range(len(self.ep_person))
                     if self.ep_primary[e] and self.ep_level[e] == "frontline"]
        frontline = rng.permutation(frontline)
        n = len(frontline)
        movers = frontline[: int(0.08 * n)]
        leavers = frontline[int(0.08 * n): int(0.13 * n)]
        joiners = frontline[int(0.13 * n): int(0.19 * n)]
        lo, hi = date(2014, 1, 1).toordinal(), date(2018, 12, 31).toordinal()
        by_sector: dict[str, list[_Unit]] = defaultdict(list)
        for u in self.units:
            if not u.senior:
                by_sector[u.sector].append(u)
        by_org: dict[int, list[_Unit]] = defaultdict(list)
        for u in self.units:
            if not u.senior:
                by_org[u.org].append(u)
        for e in movers:
            t = int(rng.integers(lo, hi))
            self.ep_end[e] = t
            old = self.units[self.ep_unit[e]]
            same_org = [u for u in by_org[old.org] if u is not old]
            pool = same_org if same_org and rng.random() < 0.7 else by_sector[old.sector]
            new = pool[int(rng.integers(len(pool)))]
            self._episode(int(self.ep_person[e]), new, self.ep_title[e], self.ep_kind[e],
                          "frontline", t + 1, _OPEN)
        for e in leavers:
            self.ep_end[e] = int(rng.integers(lo, hi))
        for e in joiners:
            self.ep_start[e] = int(rng.integers(date(2013, 6, 1).toordinal(), hi))
        return {"movers": len(movers), "leavers": len(leavers), "joiners": len(joiners)}

    def plant_brokers(self) -> list[int]:
        rng = self.rng
        pool = [e for e in self.leaders if self.units[self.ep_unit[e]].sector in _CLINICAL_SECTORS
                and self.ep_kind[e] in ("hybrid", "clinical")]
        count = max(6, round(self.n_target * 0.012))
        brokers = [int(e) for e in rng.choice(pool, size=min(count, len(pool)), replace=False)]
        # The top-down reversal: a third of the brokers leave during phase 3.
        lo, hi = date(2016, 7, 1).toordinal(), date(2017, 6, 30).toordinal()
        for e in brokers[: len(brokers) // 3]:
            self.ep_end[e] = int(rng.integers(lo, hi))
            # the second of a dual role ends too
            person = self.ep_person[e]
            for f in range(e + 1, min(e + 2, len(self.ep_person))):
                if self.ep_person[f] == person and not self.ep_primary[f]:
                    self.ep_end[f] = self.ep_end[e]
        return brokers

    # -- ties ----------------------------------------------------------------------------
    def _add(self, src, dst, kind, wlo, whi, lo=None, hi=None) -> None:
        """Queue ties between episodes ``src -> dst``, dated within both episodes (and lo..hi)."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        if src.size == 0:
            return
        keep = self.person_of[src] != self.person_of[dst]
        src, dst = src[keep], dst[keep]
        start = np.maximum(self.start_of[src], self.start_of[dst])
        end = np.minimum(self.end_of[src], self.end_of[dst])
        if lo is not None:
            start = np.maximum(start, lo)
        if hi is not None:
            end = np.minimum(end, hi)
        ok = end - start > 30
        src, dst, start, end = src[ok], dst[ok], start[ok], end[ok]
        span = np.minimum(365, (end - start) // 3)
        start = start + (self.rng.random(src.size) * span).astype(np.int64)
        if isinstance(kind, str):
            kinds = np.full(src.size, kind, dtype=object)
        else:
            names, probs = zip(*kind, strict=True)
            kinds = self.rng.choice(np.array(names, dtype=object), size=src.size, p=probs)
        weights = self.rng.integers(wlo, whi + 1, size=src.size)
        self.ties.append((self.person_of[src], self.person_of[dst], kinds, weights, start, end))

    def build_ties(self, brokers: list[int]) -> None:
        rng = self.rng
        primary = np.array(self.ep_primary)
        self.person_of = np.array(self.ep_person, dtype=np.int64)
        self.start_of = np.array(self.ep_start, dtype=np.int64)
        self.end_of = np.array(self.ep_end, dtype=np.int64)
        org_of = np.array([self.units[u].org for u in self.ep_unit], dtype=np.int64)
        team_kinds = (("collaboration", 0.5), ("advice", 0.35), ("information", 0.15))
        # 1. inside a team: dense
        for unit in self.units:
            members = np.array(unit.episodes, dtype=np.int64)
            if members.size < 2:
                continue
            k = rng.poisson(min(7.0, members.size - 1), size=members.size)
            src = np.repeat(members, k)
            self._add(src, members[rng.integers(members.size, size=src.size)], team_kinds, 1, 3)
            # staff seek advice and supervision from their team leader
            leader = members[0]
            staff = members[1:][rng.random(members.size - 1) < 0.5]
            self._add(staff, np.full(staff.size, leader), "supervision", 1, 2)
        # 2. inside an organisation, across its teams
        eps = np.flatnonzero(primary)
        by_org: dict[int, np.ndarray] = {}
        for o in np.unique(org_of[eps]):
            by_org[int(o)] = eps[org_of[eps] == o]
        for members in by_org.values():
            if members.size < 20:
                continue
            k = rng.poisson(1.2, size=members.size)
            src = np.repeat(members, k)
            self._add(src, members[rng.integers(members.size, size=src.size)],
                      (("information", 0.5), ("advice", 0.3), ("collaboration", 0.2)), 1, 2)
        # Middle managers mediate between senior managers and the front line.
        seniors_by_org = defaultdict(list)
        for e in self.seniors + self.executives:
            seniors_by_org[int(org_of[e])].append(e)
        for e in self.leaders:
            s = seniors_by_org.get(int(org_of[e]))
            if s:
                self._add([e], [s[int(rng.integers(len(s)))]], "information", 1, 2)
        # 3. across organisations, by sector openness and affinity, mostly within a borough
        sectors = np.array([self.orgs[o].sector for o in range(len(self.orgs))], dtype=object)
        org_borough = np.array([-1 if o.borough is None else o.borough for o in self.orgs])
        org_size = np.array([by_org.get(o, np.empty(0)).size for o in range(len(self.orgs))],
                            dtype=float)
        borough_of = np.array([self.units[u].borough for u in self.ep_unit], dtype=np.int64)
        for o, members in by_org.items():
            sector = self.orgs[o].sector
            k = rng.poisson(V.OPENNESS[sector], size=members.size)
            src = np.repeat(members, k)
            if src.size == 0:
                continue
            affinity = np.array([V.SECTOR_AFFINITY[sector].get(s, 0.0) for s in sectors])
            affinity[o] = 0.0
            dst = np.empty(src.size, dtype=np.int64)
            for b in np.unique(borough_of[src]):
                rows = np.flatnonzero(borough_of[src] == b)
                near = np.where((org_borough == b) | (org_borough == -1), 3.0, 1.0)
                p = affinity * near * org_size
                targets = rng.choice(len(self.orgs), size=rows.size, p=p / p.sum())
                for t in np.unique(targets):
                    hit = rows[targets == t]
                    pool = by_org[int(t)]
                    dst[hit] = pool[rng.integers(pool.size, size=hit.size)]
            self._add(src, dst, (("referral", 0.4), ("information", 0.4), ("advice", 0.2)), 1, 2)
        # 4. senior managers know each other across organisations (top-down forums)
        seniors = np.array(self.seniors + self.executives, dtype=np.int64)
        k = rng.poisson(2.0, size=seniors.size)
        src = np.repeat(seniors, k)
        self._add(src, seniors[rng.integers(seniors.size, size=src.size)],
                  (("information", 0.6), ("collaboration", 0.4)), 1, 2)
        # 5. brokers: hybrid middle managers with many ties into the other care sectors
        bridge = eps[np.isin(sectors[org_of[eps]], ("acute", "community", "social_care",
                                                     "mental_health", "primary_care"))]
        pools: dict[tuple, np.ndarray] = {}
        for e in brokers:
            own, home = sectors[org_of[e]], int(borough_of[e])
            if (own, home) not in pools:
                pool = bridge[(sectors[org_of[bridge]] != own)]
                near = pool[borough_of[pool] == home]
                pools[own, home] = near if near.size > 50 else pool
            pool = pools[own, home]
            k = 8 + rng.poisson(4)
            dst = pool[rng.integers(pool.size, size=k)]
            self._add(np.full(k, e), dst, (("advice", 0.4), ("information", 0.3),
                                           ("referral", 0.3)), 2, 4)
            back = dst[rng.random(k) < 0.5]
            self._add(back, np.full(back.size, e), "advice", 1, 3)
        b = np.array(brokers, dtype=np.int64)
        k = rng.poisson(2.0, size=b.size)
        src = np.repeat(b, k)
        self._add(src, b[rng.integers(b.size, size=src.size)], "collaboration", 2, 4)
        # 6. the joint venture (phase 4) joins acute and community leaders at last
        jv = date(2018, 1, 1).toordinal()
        leaders = np.array(self.leaders, dtype=np.int64)
        acute = leaders[sectors[org_of[leaders]] == "acute"]
        community = leaders[sectors[org_of[leaders]] == "community"]
        if acute.size and community.size:
            src = np.repeat(acute, rng.poisson(1.0, size=acute.size))
            self._add(src, community[rng.integers(community.size, size=src.size)],
                      "collaboration", 1, 3, lo=jv)
        # 7. communities of practice: core members densely tied across organisations
        for forum in self.forums:
            if not forum.core or len(forum.members) < 2:
                continue
            eps_of = [self.person_episode[p] for p in forum.members]
            m = np.array(eps_of, dtype=np.int64)
            i, j = np.triu_indices(m.size, k=1)
            pick = rng.random(i.size) < 0.6
            i, j = m[i[pick]], m[j[pick]]
            flip = rng.random(i.size) < 0.5
            src, dst = np.where(flip, j, i), np.where(flip, i, j)
            hi = None if forum.end is None else forum.end + 90
            self._add(src, dst, (("collaboration", 0.6), ("advice", 0.4)), 2, 4,
                      lo=forum.start, hi=hi)

    # -- interventions -------------------------------------------------------------------
    def plant_interventions(self, seed: int) -> None:
        """Interventions with known effects (``vocabulary.INTERVENTIONS``), for ``truth.json``.

        Drawn from a random stream of their own, after everything else: the rest of the bundle
        stays byte for byte what it was without them.
        """
        rng = np.random.default_rng([seed, 13])
        pid = [p[0] for p in self.people]
        (dis_id, dis_name, dis_kind, dis_date, dis_effect), (ot_id, ot_name, ot_kind, ot_date,
                                                             ot_effect), (
            od_id, od_name, od_kind, od_date, od_effect) = V.INTERVENTIONS
        src = np.concatenate([t[0] for t in self.ties])
        dst = np.concatenate([t[1] for t in self.ties])
        start = np.concatenate([t[4] for t in self.ties])
        # 1. the Discharge Forums (build_forums): ties among one forum's members after launch
        discharge = [f for f in self.forums if f.id.startswith("F-DISCHARGE-")]
        forum_of = np.full(len(self.people), -1)
        for k, f in enumerate(discharge):
            forum_of[f.members] = k  # core members: each in one forum only
        same = (forum_of[src] >= 0) & (forum_of[src] == forum_of[dst])
        launch = dis_date.toordinal()
        pairs_after = {(int(a), int(b)) for a, b, t in zip(src[same], dst[same], start[same],
                                                           strict=True) if t >= launch}
        members = sum(len(f.members) for f in discharge)
        self.planted["interventions"].append(
            (dis_id, dis_name, dis_kind, dis_date.isoformat(), "forums",
             ";".join(f.id for f in discharge), ""))
        self.planted["truth"].append({
            "id": dis_id, "effect": "positive", "planted": dis_effect, "members": members,
            "pairs_tied_after": len(pairs_after)})
        # 2. the OT collaborative: OTs of acute and community care in post over its first year,
        #    those outside the borough collaboratives first, and ties only between the pairs of
        #    them that were never tied, so every planted tie is one formed
        fid, fname, when = V.OT_COLLABORATIVE
        day = when.toordinal()
        in_core = {p for f in self.forums if f.core and f.id.startswith("F-OT-")
                   for p in f.members}
        chosen: dict[str, list[int]] = {}
        for sector in ("acute", "community"):
            eps = [e for e in range(len(self.ep_person)) if self.ep_primary[e]
                   and self.units[self.ep_unit[e]].sector == sector
                   and self.people[self.ep_person[e]][2] == "occupational_therapist"
                   and self.ep_start[e] <= day and self.ep_end[e] > day + 365]
            eps = [eps[i] for i in rng.permutation(len(eps))]
            eps.sort(key=lambda e: self.ep_person[e] in in_core)  # stable: random within
            chosen[sector] = eps[: V.OT_COLLABORATIVE_SIZE]
        people = {self.ep_person[e] for eps in chosen.values() for e in eps}
        among = np.isin(src, list(people)) & np.isin(dst, list(people))
        tied = {frozenset((int(a), int(b))) for a, b in zip(src[among], dst[among], strict=True)}
        new = []
        for a in chosen["acute"]:
            for b in chosen["community"]:
                pa, pb = self.ep_person[a], self.ep_person[b]
                if frozenset((pa, pb)) not in tied and rng.random() < 0.7:
                    new.append((pa, pb, day + int(rng.integers(0, 120)),
                                min(self.ep_end[a], self.ep_end[b])))
        if new:
            s_, d_, a_, b_ = (np.array(x, dtype=np.int64) for x in zip(*new, strict=True))
            flip = rng.random(s_.size) < 0.5
            kinds = rng.choice(np.array(["advice", "collaboration"], dtype=object), size=s_.size)
            self.ties.append((np.where(flip, d_, s_), np.where(flip, s_, d_), kinds,
                              rng.integers(1, 4, size=s_.size), a_, b_))
        self.planted["forums"].append((fid, fname, "community_of_practice", "ORG-COMMUNITY",
                                       "monthly"))
        for eps in chosen.values():
            for e in eps:
                self.planted["attendance"].append(
                    (self.ep_person[e], fid, day, self.ep_end[e], int(rng.integers(3, 20))))
        self.planted["interventions"].append(
            (ot_id, ot_name, ot_kind, ot_date.isoformat(), "forums", fid, ""))
        self.planted["truth"].append({
            "id": ot_id, "effect": "positive" if new else "none", "planted": ot_effect,
            "members": len(people), "pairs_tied_after": len(new),
            "people": sorted(pid[p] for p in people)})
        # 3. the OD coaching day (build_forums): nothing planted after it
        coaching = next(f for f in self.forums if f.id == "F-EVENT-COACHING")
        self.planted["interventions"].append(
            (od_id, od_name, od_kind, od_date.isoformat(), "forums", coaching.id, ""))
        self.planted["truth"].append({
            "id": od_id, "effect": "none", "planted": od_effect,
            "members": len(coaching.members), "pairs_tied_after": 0})
        for row, truth in zip(self.planted["interventions"], self.planted["truth"],
                              strict=True):
            truth.update(name=row[1], kind=row[2], date=row[3], target_kind=row[4],
                         targets=row[5].split(";"))

    # -- forums --------------------------------------------------------------------------
    def build_forums(self, brokers: list[int]) -> None:
        rng = self.rng
        d = date.toordinal
        # A person's main episode: their first primary one.
        self.person_episode: dict[int, int] = {}
        for e in range(len(self.ep_person)):
            if self.ep_primary[e]:
                self.person_episode.setdefault(self.ep_person[e], e)
        taken: set[int] = set()  # people already in the core of a community of practice

        def pick(candidates, size, *, core=True):
            pool = [p for p in dict.fromkeys(candidates) if not (core and p in taken)]
            if not pool:
                return []
            chosen = [pool[i] for i in rng.permutation(len(pool))[:size]]
            if core:
                taken.update(chosen)
            return chosen

        def people_where(pred):
            return [self.ep_person[e] for e in self.person_episode.values() if pred(e)]

        unit = self.units
        sector = [unit[u].sector for u in self.ep_unit]
        locality = [unit[u].locality for u in self.ep_unit]
        borough = [unit[u].borough for u in self.ep_unit]
        prof = {i: p[2] for i, p in enumerate(self.people)}
        open_ = None

        def forum(fid, name, kind, org, cadence, start, end, members, core):
            f = _Forum(fid, name, kind, org, cadence, d(start),
                       None if end is None else d(end), list(dict.fromkeys(members)), core)
            self.forums.append(f)
            return f

        broker_people = {self.ep_person[e]: e for e in brokers}
        leaders = set(self.leaders)
        by_locality: dict[int, list[int]] = defaultdict(list)
        for e in self.person_episode.values():
            by_locality[locality[e]].append(e)
        for loc in range(self.n_localities):
            b = loc // max(1, self.n_localities // len(V.BOROUGHS))
            b = min(b, len(V.BOROUGHS) - 1)
            area = f"{V.BOROUGHS[b]}" + (f" locality {loc + 1}" if self.n_localities > 3 else "")
            here = by_locality[loc]
            lead = [self.ep_person[e] for e in here if e in leaders
                    and sector[e] in _CLINICAL_SECTORS]
            mine = [p for p, e in broker_people.items() if locality[e] == loc]
            members = pick(mine, len(mine)) + pick(lead, int(rng.integers(6, 10)))
            forum(f"F-DISCHARGE-{loc + 1:03d}", f"Discharge Forum, {area}", "mdt", "ORG-ACUTE",
                  "monthly", date(2014, 3, 1), open_, members, True)
            nurses = [self.ep_person[e] for e in here if prof[self.ep_person[e]] in (
                "nurse", "district_nurse", "practice_nurse", "hospice_nurse", "community_matron")]
            forum(f"F-PALLIATIVE-{loc + 1:03d}", f"Palliative care champions, {area}",
                  "community_of_practice", "ORG-COMMUNITY", "bi-monthly", date(2014, 1, 15),
                  open_, pick(nurses, int(rng.integers(7, 12))), True)
            mixed = [self.ep_person[e] for e in here if self.ep_level[e] == "frontline"
                     and sector[e] in ("primary_care", "community", "social_care")]
            forum(f"F-LC-{loc + 1:03d}", f"Learning community, {area}", "learning_community",
                  "ORG-CCG", "six meetings", date(2015, 1, 20), date(2015, 12, 15),
                  pick(mixed, int(rng.integers(6, 10))), True)
            front = [self.ep_person[e] for e in here if self.ep_level[e] == "frontline"
                     and sector[e] in ("acute", "community")]
            forum(f"F-PEER-{loc + 1:03d}", f"Peer learning group, {area}", "peer_learning",
                  "ORG-COMMUNITY", "monthly", date(2014, 9, 1), date(2016, 9, 30),
                  pick(front, int(rng.integers(5, 9))), True)
        for b, name in enumerate(V.BOROUGHS):
            ots = people_where(lambda e, b=b: prof[self.ep_person[e]] == "occupational_therapist"
                               and borough[e] == b and sector[e] in (
                                   "acute", "community", "social_care"))
            size = min(14, max(8, len(ots) // 10))
            forum(f"F-OT-{b + 1}", f"Senior occupational therapists' collaborative, {name}",
                  "community_of_practice", "ORG-COMMUNITY", "monthly", date(2013, 6, 1), open_,
                  pick(ots, size), True)
        # Top-down forums: a board, managers' networks, events, the joint venture.
        execs = [self.ep_person[e] for e in self.executives]
        heads = [self.ep_person[e] for e in self.seniors if self.ep_title[e] in (
            "Head of adult social care", "Director of commissioning", "Chief officer",
            "Service director", "Head of community services")]
        forum("F-BOARD", "Partnership board", "board", "ORG-CCG", "bi-monthly",
              date(2013, 1, 1), open_, pick(execs + heads, 24, core=False), False)
        leaders_p = [self.ep_person[e] for e in self.leaders]
        seniors_p = [self.ep_person[e] for e in self.seniors]
        forum("F-NET-CLIN", "Clinical managers' network", "network", "ORG-CCG", "quarterly",
              date(2014, 1, 1), open_, pick(leaders_p, 40, core=False), False)
        forum("F-NET-GEN", "General managers' network", "network", "ORG-CCG", "quarterly",
              date(2014, 1, 1), open_, pick(seniors_p, 30, core=False), False)
        everyone = [self.ep_person[e] for e in self.person_episode.values()]
        size = min(300, max(40, len(everyone) // 20))
        for fid, name, when in (
            ("F-EVENT-MARKET", "Integration 'market stall' day", date(2015, 5, 12)),
            ("F-EVENT-COACHING", "OD coaching day", date(2016, 3, 8)),
            ("F-EVENT-JV", "Joint venture launch", date(2018, 2, 20)),
        ):
            # Reached senior managers, rarely the front line.
            top = seniors_p + execs + leaders_p
            members = pick(top, int(size * 0.7), core=False) + pick(everyone, size // 3,
                                                                    core=False)
            forum(fid, name, "engagement_event", "ORG-CCG", "one-off", when, when,
                  list(dict.fromkeys(members)), False)
        jv = [self.ep_person[e] for e in self.seniors + self.executives
              if sector[e] in ("acute", "community")]
        forum("F-JV-BOARD", "Joint venture programme board", "project", "ORG-COMMUNITY",
              "monthly", date(2018, 1, 10), open_, pick(jv, 12, core=False) + pick(
                  list(broker_people), 3, core=False), False)
        # Team meetings of clinical teams: everyone in the team attends.
        for u in self.units:
            if u.sector in _CLINICAL_SECTORS and not u.senior:
                f = _Forum(f"F-MDT-{u.id}", f"{u.name} team meeting", "mdt",
                           self.orgs[u.org].id, "weekly", d(V.START), None, [], False)
                # a mover's episode in this team, not their first one
                f.episodes = {self.ep_person[e]: e for e in u.episodes}
                f.members = list(f.episodes)
                self.forums.append(f)
        self.cop_members = {f.id: f.members for f in self.forums if f.core}

    # -- output --------------------------------------------------------------------------
    def write(self, out: Path, brokers: list[int], turnover: dict, size: str, seed: int) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        iso_cache: dict[int, str] = {}

        def iso(o) -> str:
            o = int(o)
            if o >= _OPEN:
                return ""
            s = iso_cache.get(o)
            if s is None:
                s = iso_cache[o] = date.fromordinal(o).isoformat()
            return s

        def table(name, header, rows):
            with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)

        table("organisations", ("id", "name", "sector", "parent_id"),
              [(o.id, o.name, o.sector, o.parent or "") for o in self.orgs + self.teams])
        table("people", ("id", "name", "profession", "band"), self.people)
        pid = [p[0] for p in self.people]
        table("roles", ("person_id", "organisation_id", "title", "kind", "level", "start", "end"),
              [(pid[self.ep_person[e]], self.units[self.ep_unit[e]].id, self.ep_title[e],
                self.ep_kind[e], self.ep_level[e], iso(self.ep_start[e]), iso(self.ep_end[e]))
               for e in range(len(self.ep_person))])
        table("forums", ("id", "name", "kind", "organisation_id", "cadence"),
              [(f.id, f.name, f.kind, f.org, f.cadence) for f in self.forums]
              + self.planted["forums"])
        rows = []
        for f in self.forums:
            for p in f.members:
                e = f.episodes.get(p, self.person_episode[p])
                start = max(f.start, self.ep_start[e])
                end = min(_OPEN if f.end is None else f.end, self.ep_end[e])
                if end < start:
                    continue
                meetings = 1 if f.kind == "engagement_event" else int(self.rng.integers(3, 40))
                rows.append((pid[p], f.id, iso(start), iso(end), meetings))
        rows += [(pid[p], f, iso(a), iso(b), n) for p, f, a, b, n in self.planted["attendance"]]
        table("attendance", ("person_id", "forum_id", "start", "end", "count"), rows)
        assets, links = self._assets(brokers, pid)
        table("assets", ("id", "title", "kind", "forum_id", "created"), assets)
        table("asset_links", ("person_id", "asset_id", "relation", "date"), links)
        ties = self._tie_rows(pid, iso)
        table("ties", ("source_id", "target_id", "kind", "weight", "start", "end"), ties)
        table("phases", ("id", "name", "start", "end"),
              [(i, n, s.isoformat(), e.isoformat()) for i, n, s, e in V.PHASES])
        if self.planted["interventions"]:
            table("interventions", ("id", "name", "kind", "date", "target_kind", "targets",
                                    "description"), self.planted["interventions"])
        truth = self._truth(brokers, pid, turnover, size, seed, len(ties))
        (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
        return truth

    def _tie_rows(self, pid, iso) -> list[tuple]:
        src = np.concatenate([t[0] for t in self.ties])
        dst = np.concatenate([t[1] for t in self.ties])
        kind = np.concatenate([t[2] for t in self.ties])
        weight = np.concatenate([t[3] for t in self.ties])
        start = np.concatenate([t[4] for t in self.ties])
        end = np.concatenate([t[5] for t in self.ties])
        # One row per (source, target, kind, start): the import's identity of a tie.
        kind_code = np.unique(kind, return_inverse=True)[1]
        key = ((src * len(self.people) + dst) * 8 + kind_code) * 4096 + (start % 4096)
        _, first = np.unique(key, return_index=True)
        first.sort()
        return [
            (pid[s], pid[t], k, int(w), iso(a), iso(b))
            for s, t, k, w, a, b in zip(src[first].tolist(), dst[first].tolist(),
                                        kind[first].tolist(), weight[first].tolist(),
                                        start[first].tolist(), end[first].tolist(), strict=True)
        ]

    def _assets(self, brokers, pid) -> tuple[list, list]:
        rng = self.rng
        assets, links, seen = [], [], set()

        def link(p, a, relation, when):
            if (p, a, relation) not in seen:
                seen.add((p, a, relation))
                links.append((pid[p], a, relation, when))

        by_id = {f.id: f for f in self.forums}
        for f in self.forums:
            if not f.members or f.kind in ("engagement_event",) or f.id.startswith("F-MDT-"):
                continue
            first = date.fromordinal(f.start).year
            last = 2019 if f.end is None else date.fromordinal(f.end).year
            for year in range(first, last + 1):
                aid = f"A-MIN-{f.id[2:]}-{year}"
                when = f"{year}-11-30" if year > first else date.fromordinal(
                    f.start + 30).isoformat()
                assets.append((aid, f"{f.name}: minutes {year}", "minutes", f.id, when))
                link(f.members[0], aid, "authored", when)
                for p in f.members[1:]:
                    if rng.random() < 0.5:
                        link(p, aid, "uses", when)
        # The OT collaborative's minutes went to every OT in the partnership.
        ots = [i for i, p in enumerate(self.people) if p[2] == "occupational_therapist"]
        for b in range(len(V.BOROUGHS)):
            aid = f"A-MIN-OT-{b + 1}-2019"
            for p in ots:
                if rng.random() < 0.6:
                    link(p, aid, "uses", "2019-11-30")
        # Pathways written by brokers and used across sectors; a memorandum of understanding.
        sector_of = {self.ep_person[e]: self.units[self.ep_unit[e]].sector
                     for e in self.person_episode.values()}
        borough_of = {self.ep_person[e]: self.units[self.ep_unit[e]].borough
                      for e in self.person_episode.values()}
        for b, name in enumerate(V.BOROUGHS):
            aid = f"A-PATHWAY-DISCHARGE-{b + 1}"
            assets.append((aid, f"Discharge to assess pathway, {name}", "pathway",
                           f"F-DISCHARGE-{b * max(1, self.n_localities // 3) + 1:03d}",
                           "2015-06-01"))
            authors = [self.ep_person[e] for e in brokers
                       if borough_of[self.ep_person[e]] == b][:3]
            for p in authors:
                link(p, aid, "authored", "2015-06-01")
            users = [p for p, s in sector_of.items() if borough_of[p] == b and s in (
                "acute", "community", "social_care")]
            for p in rng.permutation(users)[: max(5, len(users) // 6)].tolist():
                link(p, aid, "uses", "2016-01-15")
            aid = f"A-PROTOCOL-PALLIATIVE-{b + 1}"
            assets.append((aid, f"End of life care protocol, {name}", "protocol",
                           f"F-PALLIATIVE-{b * max(1, self.n_localities // 3) + 1:03d}",
                           "2015-09-01"))
            champions = by_id[f"F-PALLIATIVE-{b * max(1, self.n_localities // 3) + 1:03d}"]
            for p in champions.members[:2]:
                link(p, aid, "authored", "2015-09-01")
            nurses = [p for p in sector_of if borough_of[p] == b and self.people[p][2] in (
                "nurse", "district_nurse", "practice_nurse", "hospice_nurse")]
            for p in rng.permutation(nurses)[: max(3, len(nurses) // 8)].tolist():
                link(p, aid, "uses", "2016-02-01")
        assets.append(("A-MOU-JV", "Memorandum of understanding: joint venture", "agreement",
                       "F-JV-BOARD", "2018-03-01"))
        for p in by_id["F-JV-BOARD"].members[:4]:
            link(p, "A-MOU-JV", "authored", "2018-03-01")
        assets.append(("A-TRAINING-OD", "OD coaching day training pack", "training",
                       "F-EVENT-COACHING", "2016-03-08"))
        for p in by_id["F-EVENT-COACHING"].members[:60]:
            link(p, "A-TRAINING-OD", "uses", "2016-03-08")
        # Team protocols that never leave their team: silo assets.
        for u in self.units[:: max(1, len(self.units) // 40)]:
            if len(u.episodes) < 3:
                continue
            aid = f"A-PROTOCOL-{u.id}"
            assets.append((aid, f"{u.name} local protocol", "protocol", "", "2014-02-01"))
            members = [self.ep_person[e] for e in u.episodes]
            link(members[0], aid, "authored", "2014-02-01")
            for p in members[1:]:
                link(p, aid, "uses", "2014-03-01")
        return assets, links

    def _truth(self, brokers, pid, turnover, size, seed, n_ties) -> dict:
        community: dict[int, str] = {}
        kinds: dict[str, str] = {}
        for e in sorted(self.person_episode.values()):
            u = self.units[self.ep_unit[e]]
            community[self.ep_person[e]] = u.id
            kinds[u.id] = "organisational_cluster"
        for fid, members in self.cop_members.items():
            for p in members:
                community[p] = fid
            kinds[fid] = "community_of_practice"
        groups: dict[str, list[str]] = defaultdict(list)
        for p, c in community.items():
            groups[c].append(pid[p])
        sector_rank = sorted(V.OPENNESS, key=V.OPENNESS.get)
        org_sector = {o.id: o.sector for o in self.orgs}
        return {
            "format": 1,
            "size": size,
            "seed": seed,
            "counts": {"people": len(self.people), "ties": n_ties, "forums": len(self.forums)},
            "phases": [{"id": i, "name": n, "start": s.isoformat(), "end": e.isoformat()}
                       for i, n, s, e in V.PHASES],
            "silos": {
                "about": "Groups planted to keep their ties inside, most closed first.",
                "sector": sector_rank[:2],
                "organisation": [o for o, s in org_sector.items() if s in sector_rank[:2]],
                "openness": V.OPENNESS,
            },
            "brokers": [
                {
                    "id": pid[self.ep_person[e]],
                    "organisation": self.orgs[self.units[self.ep_unit[e]].org].id,
                    "sector": self.units[self.ep_unit[e]].sector,
                    "role": self.ep_title[e],
                    "left": None if self.ep_end[e] >= _OPEN
                    else date.fromordinal(self.ep_end[e]).isoformat(),
                }
                for e in brokers
            ],
            "communities": [
                {"id": c, "kind": kinds[c], "members": sorted(m)} for c, m in sorted(
                    groups.items())
            ],
            "communities_of_practice": sorted(self.cop_members),
            "turnover": turnover,
            "interventions": self.planted["truth"],
        }


def generate_bundle(out: str | Path, *, size: str = "small", seed: int = 7) -> dict:
    """Write the demo partnership as a bundle (format v1) and ``truth.json`` into ``out``.

    Parameters
    ----------
    out : path
        Folder to write (created if missing; files in it are overwritten).
    size : {"small", "medium", "large"}
        About 300, 5,000 or 100,000 people (the large one has about a million ties).
    seed : int
        The same seed gives the same bundle, byte for byte.

    Returns
    -------
    dict
        The planted truth (also written to ``truth.json``): silos (sectors and organisations,
        most closed first), brokers (person ids, with the date they left if they did),
        communities (a partition of every person: their team, or the community of practice
        whose core they belong to), and the turnover.

    Examples
    --------
    >>> import tempfile
    >>> truth = generate_bundle(tempfile.mkdtemp(), size="small", seed=7)
    >>> truth["silos"]["sector"]
    ['mental_health', 'acute']
    """
    if size not in SIZES:
        from kg.errors import InvalidParameter

        raise InvalidParameter(f"unknown demo size {size!r}; use one of {', '.join(SIZES)}")
    b = _Builder(SIZES[size], seed)
    b.build_organisations()
    turnover = b.turnover()
    brokers = b.plant_brokers()
    b.build_forums(brokers)
    b.build_ties(brokers)
    b.plant_interventions(seed)
    return b.write(Path(out), brokers, turnover, size, seed)

