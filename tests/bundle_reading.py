"""Reading a bundle's CSV files straight from disk, for tests: the independent side of every
comparison with what the store and the analyses say (no Carebridge code is used here)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path


def read_rows(bundle: Path, name: str) -> list[dict]:
    """The rows of ``bundle/name`` (comment lines skipped)."""
    with open(bundle / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(row for row in f if not row.startswith("#")))


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def present(bundle: Path, lo: str | None, hi: str | None) -> set[str]:
    """People with a role, forum attendance or tie overlapping [lo, hi]."""
    lo_d, hi_d = day(lo) or date.min, day(hi) or date.max

    def overlaps(row):
        return (day(row.get("start")) or date.min) <= hi_d and \
            (day(row.get("end")) or date.max) >= lo_d

    people = {r["id"] for r in read_rows(bundle, "people.csv")}
    out = {r["person_id"] for name in ("roles.csv", "attendance.csv")
           for r in read_rows(bundle, name) if overlaps(r)}
    for r in read_rows(bundle, "ties.csv"):
        if overlaps(r):
            out.update((r["source_id"], r["target_id"]))
    return out & people


def in_post(bundle: Path, on: date | str) -> set[str]:
    """People with a role in roles.csv whose dates cover ``on``."""
    on = day(on) if isinstance(on, str) else on
    return {r["person_id"] for r in read_rows(bundle, "roles.csv")
            if (day(r["start"]) or date.min) <= on <= (day(r.get("end")) or date.max)}
