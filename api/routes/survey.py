"""The roster survey over HTTP: the respondent's page (``/s/{token}``) and the organisers' routes.

**Respondents** hold one link each; its token is their only credential (no API key: the API's
guard lets ``POST /s/...`` through without one, and these routes ask for no role). What a link
can do is bounded here:

- an unknown token gets 404 and the same body whatever it is, so a guessed token learns
  nothing; a valid token of a survey that has ended gets 410 (its holder already knows the
  survey exists); before the opening date a page says when it opens, and writes get 409;
- a body over 64 KB gets 413 (counted as it arrives), a question with over 200 names 422;
- writes are limited to 30 a minute per respondent and look-ups to 240 (token buckets in
  memory, :class:`api.ratelimit.TokenBucket`), then 429 with ``Retry-After``;
- pages get a policy that loads nothing from elsewhere and lets the page's script call only
  this origin (``connect-src 'self'``, the type-ahead), no referrer (the link is in the URL),
  and no framing. A respondent sees the roster's names, organisations and roles, and only
  their own answers.

**Organisers** (admin key): ``GET /surveys``, ``GET /surveys/{id}/status`` (response rates, with
the warning below 70 %), ``POST /surveys/{id}/close`` (answers become ties, once).

The survey state is :class:`kg.survey.store.SurveyStore` in ``KG_DATA_DIR``, opened on the first
survey request; the type-ahead index of each survey is built on its first look-up and rebuilt
when its roster changes.
"""

from __future__ import annotations

import math
import threading
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, StoreDep
from api.ratelimit import TokenBucket
from kg.survey.answers import check_answers
from kg.survey.close import close_survey
from kg.survey.errors import AnswerProblems, SurveyClosed, SurveyError, SurveyNotOpen
from kg.survey.limits import (
    MATCHES,
    MAX_BODY_BYTES,
    MAX_QUERY_CHARS,
    READS_PER_MINUTE,
    WRITES_PER_MINUTE,
)
from kg.survey.page import date_words, message_page, respondent_page
from kg.survey.search import RosterIndex
from kg.survey.status import survey_status
from kg.survey.store import SurveyStore, TokenInfo

__all__ = ["SURVEY_POLICY", "router"]

router = APIRouter(tags=["survey"])

# As the maps' policy (api.responses.PAGE_POLICY), plus calls to this origin for the type-ahead
# and saves, and no framing (a page that takes answers must not be overlaid by another site).
SURVEY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": SURVEY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}
_UNKNOWN = "this link is not valid: check it was copied whole, or ask for a new one"
_ENDED = "this survey has closed and takes no more answers"


class _Surveys:
    """What the survey routes keep for the life of the app: the store, limits and indexes."""

    def __init__(self, data_dir):
        self.store = SurveyStore.in_data_dir(data_dir)
        self.writes = TokenBucket(WRITES_PER_MINUTE)
        self.reads = TokenBucket(READS_PER_MINUTE, capacity=60)
        self.indexes: dict[str, tuple[int, RosterIndex, dict[int, tuple[str, str, str]]]] = {}
        self.build_lock = threading.Lock()

    def warm(self, survey_id: str, roster_rev: int) -> None:
        """Build the survey's index in the background, so it is ready by the first keystroke."""
        found = self.indexes.get(survey_id)
        if (found is None or found[0] != roster_rev) and not self.build_lock.locked():
            threading.Thread(target=self.index, args=(survey_id, roster_rev), daemon=True,
                             name="survey-index").start()

    def index(self, survey_id: str, roster_rev: int):
        found = self.indexes.get(survey_id)
        if found is not None and found[0] == roster_rev:
            return found
        with self.build_lock:  # one build per roster version, however many ask at once
            found = self.indexes.get(survey_id)
            if found is None or found[0] != roster_rev:
                roster = self.store.roster(survey_id)
                shown = {r: (e.name, e.where, e.role) for r, e in roster}
                found = (roster_rev, RosterIndex([(r, e.name) for r, e in roster]), shown)
                self.indexes[survey_id] = found
        return found


_INIT = threading.Lock()


def _surveys(request: Request) -> _Surveys:
    state = request.app.state
    found = getattr(state, "surveys", None)
    if found is None:
        with _INIT:
            found = getattr(state, "surveys", None)
            if found is None:
                found = _Surveys(state.settings.data_dir)
                state.surveys = found
    return found


class _Refused(Exception):
    def __init__(self, status: int, detail: str, headers: dict | None = None,
                 problems: list[str] | None = None):
        self.status, self.detail, self.headers, self.problems = status, detail, headers, problems


def _respondent(request: Request, token: str, bucket: str) -> tuple[_Surveys, TokenInfo]:
    """The link's respondent, if the token is known, its survey open and its rate not spent."""
    surveys = _surveys(request)
    who = surveys.store.resolve(token)
    if who is None:
        raise _Refused(404, _UNKNOWN)
    if who.survey.state() == "ended":
        raise _Refused(410, _ENDED)
    wait = getattr(surveys, bucket).take(f"{who.survey_id}\x00{who.person_id}")
    if wait > 0:
        raise _Refused(429, "too many requests with this link; wait a moment",
                       {"Retry-After": str(math.ceil(wait))})
    return surveys, who


def _json(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers={**_HEADERS, **(headers or {})})


def _refusal(exc: _Refused) -> Response:
    body: dict[str, Any] = {"detail": exc.detail}
    if exc.problems is not None:
        body["problems"] = exc.problems
    return _json(exc.status, body, exc.headers)


def _domain(exc: Exception) -> _Refused:
    if isinstance(exc, AnswerProblems):
        return _Refused(422, str(exc), problems=exc.problems)
    if isinstance(exc, SurveyClosed):
        return _Refused(410, _ENDED)
    if isinstance(exc, SurveyNotOpen | SurveyError):
        return _Refused(409, str(exc))
    raise exc


async def _body(request: Request) -> object:
    """The JSON body, read up to 64 KB and no further."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise _Refused(415, "send JSON (Content-Type: application/json)")
    length = request.headers.get("content-length", "")
    too_big = _Refused(413, f"at most {MAX_BODY_BYTES // 1024} KB at once: name fewer people")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise too_big
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise too_big
    try:
        return orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        raise _Refused(400, "the body is not valid JSON") from None


def _html(status: int, title: str, message: str) -> HTMLResponse:
    return HTMLResponse(message_page(title, message), status_code=status, headers=_HEADERS)


# -- the respondent ------------------------------------------------------------------------


@router.get("/s/{token}", response_class=HTMLResponse, summary="A respondent's survey page",
            responses={200: {"content": {"text/html": {}}}, 404: {}, 410: {}, 429: {}})
async def survey_page(request: Request, token: str) -> Response:
    """The survey, for the holder of the link: consent first, then the questions with their
    own saved answers. No API key: the token in the link is the credential."""
    try:
        surveys, who = _respondent(request, token, "reads")
    except _Refused as exc:
        if exc.status == 404:
            return _html(404, "Link not valid", "This link is not valid. Check that it was "
                         "copied whole, or ask the person who sent it for a new one.")
        if exc.status == 410:
            return _html(410, "Survey closed", "This survey has closed. Thank you.")
        return _refusal(exc)
    d = who.survey.definition
    if who.survey.state() == "scheduled":
        return _html(200, d.name, f"This survey opens on {date_words(d.opens)}. Come back to "
                     "this link then.")
    surveys.warm(who.survey_id, who.survey.roster_rev)
    response = surveys.store.response(who.survey_id, who.person_id)
    state = ("opted_out" if response["opted_out"] else
             "answering" if response["consented"] else "consent")
    answers = surveys.store.answers_of(who.survey_id, who.person_id)
    page = respondent_page(d, respondent=who.name, state=state, answers=answers,
                           saved_at=response["saved_at"])
    return HTMLResponse(page, headers=_HEADERS)


class Match(BaseModel):
    r: int = Field(description="the person's key on this survey's roster")
    name: str
    organisation: str = Field(description="team and organisation")
    role: str


class Matches(BaseModel):
    matches: list[Match]
    more: bool = Field(description="more people match: type more of the name")


@router.get("/s/{token}/people", response_model=Matches, summary="Type-ahead of the roster",
            responses={404: {}, 410: {}, 429: {}})
async def people(
    request: Request,
    token: str,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS,
                            description="part of a name: any word, from its first letters")] = "",
) -> Response:
    """At most 20 people on the survey's roster whose name has a word starting with each word
    of ``q``, with their organisation and role (the respondent is never listed)."""
    try:
        surveys, who = _respondent(request, token, "reads")
    except _Refused as exc:
        return _refusal(exc)
    _, index, shown = surveys.index(who.survey_id, who.survey.roster_rev)
    keys, more = index.search(q, limit=MATCHES, exclude=who.r)
    matches = []
    for r in keys:
        name, where, role = shown[r]
        matches.append({"r": r, "name": name, "organisation": where, "role": role})
    return _json(200, {"matches": matches, "more": more})


class Consented(BaseModel):
    consented: bool


class OptedOut(BaseModel):
    opted_out: bool


class Saved(BaseModel):
    saved_at: str = Field(description="when the answers were saved (UTC)")
    answers: dict[str, list[dict]] = Field(description="the saved answers, per question: "
                                           "r, name, organisation, role, value")


async def _write(request: Request, token: str, action) -> Response:
    try:
        surveys, who = _respondent(request, token, "writes")
        payload = await _body(request)
        try:
            return await run_in_threadpool(action, surveys, who, payload)
        except (SurveyError, AnswerProblems) as exc:
            raise _domain(exc) from None
    except _Refused as exc:
        return _refusal(exc)


_WRITE_RESPONSES: dict = {400: {}, 404: {}, 409: {}, 410: {}, 413: {}, 415: {}, 422: {},
                          429: {}}


@router.post("/s/{token}/consent", response_model=Consented, summary="Agree to take part",
             responses=_WRITE_RESPONSES)
async def consent(request: Request, token: str) -> Response:
    """Body ``{"consent": true}``. Agreeing again after opting out takes part after all."""

    def act(surveys: _Surveys, who: TokenInfo, payload: object) -> Response:
        if not isinstance(payload, dict) or payload.get("consent") is not True:
            raise _Refused(422, 'send {"consent": true}')
        surveys.store.consent(who.survey_id, who.person_id)
        return _json(200, {"consented": True})

    return await _write(request, token, act)


@router.post("/s/{token}/opt-out", response_model=OptedOut, summary="Opt out of the survey",
             responses=_WRITE_RESPONSES)
async def opt_out(request: Request, token: str) -> Response:
    """Opt out: the respondent's answers are deleted, nothing they said or that others said
    about them becomes a tie, and they get no new link."""

    def act(surveys: _Surveys, who: TokenInfo, payload: object) -> Response:
        surveys.store.opt_out(who.survey_id, who.person_id)
        return _json(200, {"opted_out": True})

    return await _write(request, token, act)


@router.post("/s/{token}/answers", response_model=Saved,
             summary="Save the respondent's answers", responses=_WRITE_RESPONSES)
async def answers(request: Request, token: str) -> Response:
    """Body ``{"answers": {"QUESTION": [{"r": 12, "value": "weekly"}, ...]}}``: the whole set,
    replacing what was saved before (a question left out: no one). Answers the saved set."""

    def act(surveys: _Surveys, who: TokenInfo, payload: object) -> Response:
        store = surveys.store
        checked = check_answers(
            who.survey.definition, payload, respondent_r=who.r,
            lookup=lambda keys: store.people(who.survey_id, keys))
        saved_at = store.save_answers(who.survey_id, who.person_id, checked)
        return _json(200, {"saved_at": saved_at,
                           "answers": store.answers_of(who.survey_id, who.person_id)})

    return await _write(request, token, act)


# -- the organisers ------------------------------------------------------------------------


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SurveySummary(BaseModel):
    id: str
    name: str
    opens: str
    closes: str
    state: str
    closed_at: str | None


class SurveyStatus(_Open):
    survey: str
    state: str
    roster: int
    responded: int | None
    opted_out: int | None
    rate: float | None = Field(description="responded / roster")
    threshold: float
    warning: str | None = Field(description="why a response below 70 % biases the network")
    by_organisation: list[dict]
    by_sector: list[dict]


class CloseAnswer(_Open):
    survey: str
    newly_closed: bool
    ties: int
    created: int
    updated: int
    revision: int


@router.get("/surveys", response_model=list[SurveySummary], summary="The surveys (admins)")
def list_surveys(request: Request, _: AdminDep) -> list[dict]:
    today = date.today()
    return [
        {"id": s.id, "name": s.definition.name, "opens": s.definition.opens.isoformat(),
         "closes": s.definition.closes.isoformat(), "state": s.state(today),
         "closed_at": s.closed_at}
        for s in _surveys(request).store.list_surveys()
    ]


@router.get("/surveys/{survey_id}/status", response_model=SurveyStatus,
            summary="Response rates (admins)")
def status(request: Request, survey_id: str, _: AdminDep) -> dict:
    """Response rate overall, by organisation and by sector; a warning below 70 % (the missing
    ties bias the network: Kossinets 2006; Borgatti, Everett & Johnson 2013). Groups under
    five people are withheld."""
    return survey_status(_surveys(request).store, survey_id)


@router.post("/surveys/{survey_id}/close", response_model=CloseAnswer,
             summary="Close a survey: answers become ties (admins)")
def close(request: Request, survey_id: str, store: StoreDep, _: AdminDep) -> dict:
    """Close to answers and write every answer as a tie (kind per question, weight from the
    scale, dated by the survey), in one transaction; closing again changes nothing."""
    return close_survey(store, _surveys(request).store, survey_id).as_dict()
