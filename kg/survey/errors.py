"""What can go wrong with a survey, one class each.

They subclass :class:`kg.errors.CarebridgeError` so the command line prints them as it prints
every domain error; the HTTP edge (:mod:`api.routes.survey`) gives each its status.
"""

from __future__ import annotations

from kg.errors import CarebridgeError, Ended, InvalidParameter, NotNow, Problem

__all__ = [
    "AnswerProblems",
    "SurveyClosed",
    "SurveyDefinitionError",
    "SurveyError",
    "SurveyNotOpen",
]


class SurveyError(CarebridgeError):
    """Root of the survey's own failures."""


class SurveyDefinitionError(InvalidParameter):
    """A survey definition has defects; every one is listed and nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{len(problems)} problem(s) in the survey definition; nothing was written. "
            f"Fix them and run the command again:\n{lines}"
        )


class AnswerProblems(InvalidParameter):
    """A respondent's answers have defects; every one is listed and nothing was saved."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the answers; nothing was saved")


class SurveyClosed(Ended, SurveyError):
    """The survey has ended (closed, or past its closing date): it takes no more answers."""


class SurveyNotOpen(NotNow, SurveyError):
    """The survey has not opened yet."""
