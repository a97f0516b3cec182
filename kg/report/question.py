"""What a board report is asked: the grouping, the two groups to bridge, the period, the seed and
whether it is for wider circulation, in one frozen object.

Every report function (:func:`kg.report.findings`, :func:`kg.report.render_report`,
:func:`kg.report.write_outputs`, :func:`kg.report.gather.gather`) takes a
:class:`ReportQuestion`; the public ones also take its fields as keywords
(:meth:`ReportQuestion.of`), so ``findings(store, phase="PH2")`` still reads as it did.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kg.queries import analyses

__all__ = ["ReportQuestion"]


@dataclass(frozen=True)
class ReportQuestion:
    """The parameters of one board report, checked when made.

    Parameters
    ----------
    by : str, default "sector"
        Grouping for silos, bridges and key-person risk (organisation, team, sector,
        profession, role_kind, level or hybrid).
    between : (str, str) or None, default ("acute", "community")
        The two groups of ``by`` whose bridges are ranked and mapped; None (or empty) for no
        bridges. Kept as a tuple, ``()`` when none.
    seed : int, default 0
        Seed of every random step (Louvain, permutations, map layouts).
    window, phase, as_of : str or None
        The period (:mod:`kg.queries.period`); by default the partnership as it is now.
    pseudonymise : bool, default False
        For wider circulation: people described by role, never named; figures about fewer than
        :data:`kg.report.wording.MIN_GROUP` people withheld; no map that names people.

    Raises
    ------
    InvalidParameter
        Unknown ``by``, or ``between`` not two different groups. The period is checked against
        the store when the report is made (an unknown phase is only known there).

    Examples
    --------
    >>> ReportQuestion(phase="PH2").period
    {'window': None, 'phase': 'PH2', 'as_of': None}
    >>> ReportQuestion(between=None).between
    ()
    """

    by: str = "sector"
    between: tuple[str, ...] | None = analyses.DEFAULT_BETWEEN
    seed: int = 0
    window: str | None = None
    phase: str | None = None
    as_of: str | None = None
    pseudonymise: bool = False

    def __post_init__(self) -> None:
        analyses.check_by(self.by)
        # Frozen: normalise through object.__setattr__, once, here.
        object.__setattr__(self, "between",
                           analyses.check_between(self.by, self.between or None) or ())
        object.__setattr__(self, "pseudonymise", bool(self.pseudonymise))

    @classmethod
    def of(cls, question: ReportQuestion | None = None, **fields) -> ReportQuestion:
        """``question`` with ``fields`` replaced, or a new question of ``fields``.

        What the public report functions do with their arguments, so each accepts a question,
        keywords, or both.
        """
        if question is None:
            return cls(**fields)
        return dataclasses.replace(question, **fields) if fields else question

    @property
    def period(self) -> dict:
        """``window``, ``phase`` and ``as_of``, as the keywords of :mod:`kg.queries.analyses`."""
        return {"window": self.window, "phase": self.phase, "as_of": self.as_of}

    @property
    def period_given(self) -> dict:
        """The period keywords that were given (for links, file names and the command line)."""
        return {k: v for k, v in self.period.items() if v}
