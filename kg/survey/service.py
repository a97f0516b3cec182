"""The steps the command line and the API share: create a survey, write its links.

Each step checks everything first and writes all or nothing, as ``kg ingest`` does.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit

from kg.analysis.export import spreadsheet_safe
from kg.errors import InvalidParameter
from kg.store.base import GraphStore
from kg.survey.definition import SurveyDefinition
from kg.survey.errors import SurveyDefinitionError
from kg.survey.roster import RosterEntry, build_roster
from kg.survey.store import CreateResult, SurveyStore

__all__ = ["LINK_COLUMNS", "check_base_url", "create_survey", "link", "write_links"]

LINK_COLUMNS = ("person_id", "name", "email", "link")


def create_survey(graph: GraphStore, surveys: SurveyStore, definition: SurveyDefinition, *,
                  source: str = "survey definition") -> CreateResult:
    """Read the roster from ``graph`` and store the survey (again: idempotent).

    Raises
    ------
    SurveyDefinitionError
        The roster names an organisation the store lacks, or nobody matches it.
    """
    entries, problems = build_roster(
        graph,
        on=definition.opens,
        organisations=definition.organisations,
        sectors=[s.value for s in definition.sectors],
        in_post=definition.in_post,
        source=source,
    )
    if problems:
        raise SurveyDefinitionError(problems)
    return surveys.save(definition, entries)


def check_base_url(base_url: str | None) -> str:
    """The address links start with, without a trailing slash; raises ``InvalidParameter``.

    >>> check_base_url("https://survey.example.org/carebridge/")
    'https://survey.example.org/carebridge'
    """
    if not base_url:
        raise InvalidParameter(
            "links need the address respondents reach the API at: pass --base-url "
            "https://... or set KG_SURVEY_BASE_URL"
        )
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidParameter(
            f"{base_url[:80]!r} is not an http(s) address without query or fragment, such as "
            "https://survey.example.org"
        )
    return base_url.strip().rstrip("/")


def link(base_url: str, token: str) -> str:
    """A respondent's link: the base address, ``/s/`` and the token."""
    return f"{base_url}/s/{token}"


def write_links(
    surveys: SurveyStore,
    survey_id: str,
    out: Path,
    *,
    base_url: str | None,
    reissue: bool = False,
    people: Collection[str] | None = None,
    overwrite: bool = False,
) -> list[RosterEntry]:
    """Give each respondent without a link one, and write them to ``out`` (CSV) for a mail merge.

    Columns: ``person_id, name, email, link`` (email blank where the store has none). The file
    is readable by its owner only (the links are the respondents' credentials) and appears only
    once its tokens are stored; if anything fails, neither the file nor any token is left.
    Tokens are kept only as hashes, so a link cannot be shown twice: ``reissue`` replaces the
    links of ``people`` (everyone, when None), and the old ones stop working.

    Returns the respondents written (empty, and no file, when everyone already had a link).

    Raises
    ------
    InvalidParameter
        No or a bad base address, ``out`` exists (without ``overwrite``), or ``people`` names
        someone not on the roster.
    SurveyClosed
        The survey has ended.
    """
    base = check_base_url(base_url)
    out = Path(out)
    if out.exists() and not overwrite:
        raise InvalidParameter(f"{out} exists; choose another file or pass --force")
    if not out.parent.is_dir():
        raise InvalidParameter(f"no folder {out.parent}")
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")

    def write(issued: list[tuple[RosterEntry, str]]) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(LINK_COLUMNS)
            for entry, token in issued:
                w.writerow([spreadsheet_safe(v) for v in
                            (entry.person_id, entry.name, entry.email, link(base, token))])
            f.flush()
            os.fsync(f.fileno())

    try:
        issued = surveys.issue_links(survey_id, write=write, people=people, reissue=reissue)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if issued:
        os.replace(tmp, out)
    return [entry for entry, _ in issued]
