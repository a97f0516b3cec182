"""Carebridge's own roster survey: the ties that matter, asked of the people in the store.

``kg survey create`` defines a survey (questions mapped to tie kinds, an optional frequency or
strength scale that becomes the tie weight, dates, consent text) over a roster read from the
graph store; ``kg survey links`` writes one unguessable link per respondent; respondents answer
on ``GET /s/{token}`` (served by the API, no outside service); ``kg survey status`` gives the
response rates; ``kg survey close`` turns the answers into ties, once.

Modules, one topic each: :mod:`~kg.survey.definition` (what a survey asks),
:mod:`~kg.survey.roster` (whom), :mod:`~kg.survey.store` (where its state lives: a SQLite file
of its own, never the graph store), :mod:`~kg.survey.search` (the type-ahead),
:mod:`~kg.survey.answers` (checking a save), :mod:`~kg.survey.limits` (sizes and rates),
:mod:`~kg.survey.page` (the respondent's page), :mod:`~kg.survey.status` (response rates),
:mod:`~kg.survey.close` (answers to ties), :mod:`~kg.survey.service` (the steps the command line
and the API share).
"""

from kg.survey.close import CloseReport, close_survey, survey_ties, tie_key
from kg.survey.definition import (
    Question,
    ScalePoint,
    SurveyDefinition,
    load_definition_file,
    parse_definition,
    parse_scale,
)
from kg.survey.roster import RosterEntry, build_roster
from kg.survey.search import RosterIndex
from kg.survey.status import survey_status
from kg.survey.store import SurveyStore, opted_out

__all__ = [
    "CloseReport",
    "Question",
    "RosterEntry",
    "RosterIndex",
    "ScalePoint",
    "SurveyDefinition",
    "SurveyStore",
    "build_roster",
    "close_survey",
    "load_definition_file",
    "opted_out",
    "parse_definition",
    "parse_scale",
    "survey_status",
    "survey_ties",
    "tie_key",
]
