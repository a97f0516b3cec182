"""Where surveys live: one SQLite file beside the graph store, ``$KG_DATA_DIR/surveys.sqlite``.

Surveys, their rosters, link tokens, consent, opt-outs and answers are not partnership
entities, so they stay out of the graph store: only closing a survey writes there (its ties,
through the store's ordinary ``upsert``, so the Neo4j backend works as well).

The file is created readable by its owner only (answers are personal data), in WAL mode so the
API reads while a save is written; every write is one ``BEGIN IMMEDIATE`` transaction, and every
check that decides a write (is the survey open? has this person consented?) is made inside
that transaction, so a save racing ``close`` either lands before it or is refused.

A link's token is kept only as its SHA-256 hash: a copy of this file does not give anyone the
links (256 random bits, so the hash cannot be reversed by trying tokens).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import orjson

from kg.errors import InvalidParameter, NotFound, StoreError
from kg.store._connections import ThreadConnections
from kg.survey.definition import SurveyDefinition, parse_definition
from kg.survey.errors import SurveyClosed, SurveyError, SurveyNotOpen
from kg.survey.roster import RosterEntry

__all__ = [
    "FILENAME",
    "Answer",
    "CreateResult",
    "SurveyRecord",
    "SurveyStore",
    "TokenInfo",
    "hash_token",
    "new_token",
    "opted_out",
]

FILENAME = "surveys.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS surveys (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    roster_rev INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS roster (
    survey_id TEXT NOT NULL,
    r INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    organisation TEXT NOT NULL,
    team TEXT NOT NULL,
    role TEXT NOT NULL,
    sector TEXT NOT NULL,
    PRIMARY KEY (survey_id, r),
    UNIQUE (survey_id, person_id)
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    UNIQUE (survey_id, person_id)
);
CREATE TABLE IF NOT EXISTS responses (
    survey_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    consented_at TEXT,
    opted_out_at TEXT,
    first_saved_at TEXT,
    last_saved_at TEXT,
    saves INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, person_id)
);
CREATE TABLE IF NOT EXISTS answers (
    survey_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    named_id TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (survey_id, person_id, question_id, named_id)
) WITHOUT ROWID;
"""

_ROSTER_BY_KEY = ("SELECT r, person_id, name, email, organisation_id, organisation, team, role,"
                  " sector FROM roster WHERE survey_id = ? AND r IN")
_ROSTER_FIELDS = ("person_id", "name", "email", "organisation_id", "organisation", "team",
                  "role", "sector")


def new_token() -> str:
    """A link token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest a token is stored (and looked up) as."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=64)
def _definition(text: str) -> SurveyDefinition:
    # every respondent request reads its survey: parse each stored version once (it is frozen)
    return parse_definition(orjson.loads(text))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _canonical(definition: SurveyDefinition) -> str:
    return orjson.dumps(definition.as_dict(), option=orjson.OPT_SORT_KEYS).decode()


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """A stored survey: its definition and where it stands."""

    definition: SurveyDefinition
    created_at: str
    updated_at: str
    closed_at: str | None
    roster_rev: int

    @property
    def id(self) -> str:
        return self.definition.id

    def state(self, today: date | None = None) -> str:
        """``scheduled`` before the opening date, ``open`` through the closing date, then
        ``ended`` (also once closed, whatever the date)."""
        today = today or date.today()
        if self.closed_at is not None or today > self.definition.closes:
            return "ended"
        return "scheduled" if today < self.definition.opens else "open"


@dataclass(frozen=True, slots=True)
class CreateResult:
    """What creating (or creating again) a survey did."""

    status: str  # created, updated or unchanged
    roster_size: int
    roster_added: int
    roster_updated: int


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Whose link a token is: the survey (as it stands now), the respondent, their roster key."""

    survey: SurveyRecord
    person_id: str
    r: int
    name: str

    @property
    def survey_id(self) -> str:
        return self.survey.id


@dataclass(frozen=True, slots=True)
class Answer:
    """One name given in answer to one question."""

    respondent: str
    question: str
    named: str
    value: str | None


class SurveyStore(ThreadConnections):
    """The survey state in one SQLite file (created, with its folder, when absent).

    Parameters
    ----------
    path : path-like
        The database file, normally ``$KG_DATA_DIR/surveys.sqlite``
        (:meth:`in_data_dir`).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # owner-only from the first byte: answers are personal data
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._init_connections()
        try:
            conn = self._conn()
            conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")
            found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the survey store at {self.path}: {exc}") from exc
        if found is None or int(found[0]) != SCHEMA_VERSION:
            raise StoreError(f"{self.path} is not a survey store this Carebridge reads")

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> SurveyStore:
        """The survey store of a data folder (``KG_DATA_DIR``)."""
        return cls(Path(data_dir) / FILENAME)

    def __enter__(self) -> SurveyStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- surveys --------------------------------------------------------------------------
    @staticmethod
    def _record(row: tuple) -> SurveyRecord:
        definition, created, updated, closed, rev = row
        return SurveyRecord(_definition(definition), created, updated, closed, rev)

    def _get(self, conn: sqlite3.Connection, survey_id: str) -> SurveyRecord:
        row = conn.execute(
            "SELECT definition, created_at, updated_at, closed_at, roster_rev FROM surveys"
            " WHERE id = ?", (survey_id,)).fetchone()
        if row is None:
            raise NotFound("survey", survey_id, hint="kg survey list shows the surveys")
        return self._record(row)

    def get(self, survey_id: str) -> SurveyRecord:
        """The survey ``survey_id``; raises :class:`~kg.errors.NotFound`."""
        with self._read() as conn:
            return self._get(conn, survey_id)

    def list_surveys(self) -> list[SurveyRecord]:
        """Every survey, by opening date then id."""
        with self._read() as conn:
            rows = conn.execute("SELECT definition, created_at, updated_at, closed_at, roster_rev"
                                " FROM surveys").fetchall()
        records = [self._record(r) for r in rows]
        return sorted(records, key=lambda s: (s.definition.opens, s.id))

    def save(self, definition: SurveyDefinition, roster: list[RosterEntry]) -> CreateResult:
        """Create the survey, or bring a stored one up to ``definition`` and top up its roster.

        Idempotent: the same definition and roster change nothing. A roster only grows (a
        person already on it keeps their place and answers; their organisation and role are
        brought up to date). The questions cannot change once anyone has answered, and a
        closed survey cannot change at all.

        Raises
        ------
        SurveyClosed
            The survey has been closed.
        SurveyError
            The questions differ from those already answered.
        """
        text = _canonical(definition)
        now = _now()
        with self._write() as conn:
            row = conn.execute("SELECT definition, closed_at FROM surveys WHERE id = ?",
                               (definition.id,)).fetchone()
            status = "unchanged"
            closed = row is not None and row[1] is not None
            if row is None:
                conn.execute("INSERT INTO surveys(id, definition, created_at, updated_at)"
                             " VALUES (?, ?, ?, ?)", (definition.id, text, now, now))
                status = "created"
            elif row[0] != text:
                if closed:
                    raise SurveyClosed(f"survey {definition.id!r} is closed and cannot change")
                old = parse_definition(orjson.loads(row[0]))
                answered = conn.execute("SELECT 1 FROM answers WHERE survey_id = ? LIMIT 1",
                                        (definition.id,)).fetchone()
                if answered and old.questions != definition.questions:
                    raise SurveyError(
                        f"survey {definition.id!r} has answers, so its questions cannot change; "
                        "create a survey with a new id for new questions"
                    )
                conn.execute("UPDATE surveys SET definition = ?, updated_at = ? WHERE id = ?",
                             (text, now, definition.id))
                status = "updated"
            # a closed survey's roster is frozen with its answers
            added, updated = (0, 0) if closed else self._merge_roster(conn, definition.id,
                                                                      roster)
            if added or updated:
                conn.execute("UPDATE surveys SET roster_rev = roster_rev + 1, updated_at = ?"
                             " WHERE id = ?", (now, definition.id))
                if status == "unchanged":
                    status = "updated"
            size = conn.execute("SELECT COUNT(*) FROM roster WHERE survey_id = ?",
                                (definition.id,)).fetchone()[0]
        return CreateResult(status, size, added, updated)

    @staticmethod
    def _merge_roster(conn: sqlite3.Connection, survey_id: str,
                      roster: list[RosterEntry]) -> tuple[int, int]:
        stored = {row[0]: row for row in conn.execute(
            "SELECT person_id, name, email, organisation_id, organisation, team, role, sector"
            " FROM roster WHERE survey_id = ?", (survey_id,))}
        next_r = conn.execute("SELECT COALESCE(MAX(r), 0) + 1 FROM roster WHERE survey_id = ?",
                              (survey_id,)).fetchone()[0]
        inserts, updates = [], []
        for entry in roster:
            values = tuple(getattr(entry, f) for f in _ROSTER_FIELDS)
            old = stored.get(entry.person_id)
            if old is None:
                inserts.append((survey_id, next_r, *values))
                next_r += 1
            elif tuple(old) != values:
                updates.append((*values[1:], survey_id, entry.person_id))
        conn.executemany(
            "INSERT INTO roster(survey_id, r, person_id, name, email, organisation_id,"
            " organisation, team, role, sector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts)
        conn.executemany(
            "UPDATE roster SET name = ?, email = ?, organisation_id = ?, organisation = ?,"
            " team = ?, role = ?, sector = ? WHERE survey_id = ? AND person_id = ?", updates)
        return len(inserts), len(updates)

    def roster(self, survey_id: str) -> list[tuple[int, RosterEntry]]:
        """``(r, entry)`` for everyone on the roster, in roster order."""
        with self._read() as conn:
            self._get(conn, survey_id)
            rows = conn.execute(
                "SELECT r, person_id, name, email, organisation_id, organisation, team, role,"
                " sector FROM roster WHERE survey_id = ? ORDER BY r", (survey_id,)).fetchall()
        return [(row[0], RosterEntry(*row[1:])) for row in rows]

    def mark_closed(self, survey_id: str) -> bool:
        """Close the survey to answers (from now on); True if it was open until now."""
        with self._write() as conn:
            record = self._get(conn, survey_id)
            if record.closed_at is not None:
                return False
            conn.execute("UPDATE surveys SET closed_at = ? WHERE id = ?", (_now(), survey_id))
            return True

    # -- links ----------------------------------------------------------------------------
    def issue_links(
        self,
        survey_id: str,
        *,
        write: Callable[[list[tuple[RosterEntry, str]]], None],
        people: Collection[str] | None = None,
        reissue: bool = False,
    ) -> list[tuple[RosterEntry, str]]:
        """Give a link token to each respondent who has none (or to each named one, with
        ``reissue``, replacing theirs), and hand the tokens to ``write`` before committing.

        ``write`` runs inside the transaction: if it raises, no token is stored, so a link file
        that could not be written leaves no link that nobody holds. People who opted out get
        none. Returns what was given to ``write`` (empty, and ``write`` not called, when
        everyone already has a link).

        Raises
        ------
        SurveyClosed
            The survey has ended.
        InvalidParameter
            ``people`` names someone not on the roster.
        """
        now = _now()
        with self._write() as conn:
            record = self._get(conn, survey_id)
            if record.state() == "ended":
                raise SurveyClosed(f"survey {survey_id!r} has ended; it needs no more links")
            rows = conn.execute(
                "SELECT r.person_id, r.name, r.email, r.organisation_id, r.organisation, r.team,"
                " r.role, r.sector, t.hash IS NOT NULL, s.opted_out_at IS NOT NULL"
                " FROM roster r"
                " LEFT JOIN tokens t ON t.survey_id = r.survey_id AND t.person_id = r.person_id"
                " LEFT JOIN responses s ON s.survey_id = r.survey_id AND s.person_id = r.person_id"
                " WHERE r.survey_id = ? ORDER BY r.r", (survey_id,)).fetchall()
            if people is not None:
                wanted = set(people)
                unknown = wanted - {row[0] for row in rows}
                if unknown:
                    shown = ", ".join(sorted(unknown)[:10])
                    raise InvalidParameter(f"not on the roster of {survey_id!r}: {shown}")
                rows = [row for row in rows if row[0] in wanted]
            chosen = [row for row in rows if not row[9] and (reissue or not row[8])]
            if not chosen:
                return []
            issued = [(RosterEntry(*row[:8]), new_token()) for row in chosen]
            if reissue:
                conn.executemany("DELETE FROM tokens WHERE survey_id = ? AND person_id = ?",
                                 [(survey_id, e.person_id) for e, _ in issued])
            conn.executemany(
                "INSERT INTO tokens(hash, survey_id, person_id, issued_at) VALUES (?, ?, ?, ?)",
                [(hash_token(t), survey_id, e.person_id, now) for e, t in issued])
            write(issued)
        return issued

    def resolve(self, token: str) -> TokenInfo | None:
        """Whose link ``token`` is, or None (for any token not issued, or since replaced)."""
        if not (20 <= len(token) <= 100):
            return None
        row = self._conn().execute(
            "SELECT s.definition, s.created_at, s.updated_at, s.closed_at, s.roster_rev,"
            " t.person_id, r.r, r.name FROM tokens t"
            " JOIN roster r ON r.survey_id = t.survey_id AND r.person_id = t.person_id"
            " JOIN surveys s ON s.id = t.survey_id WHERE t.hash = ?",
            (hash_token(token),)).fetchone()
        if row is None:
            return None
        return TokenInfo(self._record(row[:5]), *row[5:])

    def roster_rev(self, survey_id: str) -> int:
        row = self._conn().execute("SELECT roster_rev FROM surveys WHERE id = ?",
                                   (survey_id,)).fetchone()
        if row is None:
            raise NotFound("survey", survey_id)
        return row[0]

    # -- a respondent's writes ------------------------------------------------------------
    def _open_for_writes(self, conn: sqlite3.Connection, survey_id: str,
                         today: date | None) -> SurveyRecord:
        record = self._get(conn, survey_id)
        state = record.state(today)
        if state == "ended":
            raise SurveyClosed("this survey has closed and takes no more answers")
        if state == "scheduled":
            raise SurveyNotOpen(f"this survey opens on {record.definition.opens.isoformat()}")
        return record

    def consent(self, survey_id: str, person_id: str, *, today: date | None = None) -> None:
        """Record that the respondent agreed to take part (withdrawing an earlier opt-out)."""
        with self._write() as conn:
            self._open_for_writes(conn, survey_id, today)
            conn.execute(
                "INSERT INTO responses(survey_id, person_id, consented_at) VALUES (?, ?, ?)"
                " ON CONFLICT(survey_id, person_id) DO UPDATE SET"
                " consented_at = COALESCE(responses.consented_at, excluded.consented_at),"
                " opted_out_at = NULL", (survey_id, person_id, _now()))

    def opt_out(self, survey_id: str, person_id: str, *, today: date | None = None) -> int:
        """Record the respondent's opt-out and delete their answers; returns how many went."""
        with self._write() as conn:
            self._open_for_writes(conn, survey_id, today)
            gone = conn.execute("DELETE FROM answers WHERE survey_id = ? AND person_id = ?",
                                (survey_id, person_id)).rowcount
            conn.execute(
                "INSERT INTO responses(survey_id, person_id, opted_out_at) VALUES (?, ?, ?)"
                " ON CONFLICT(survey_id, person_id) DO UPDATE SET consented_at = NULL,"
                " opted_out_at = excluded.opted_out_at, first_saved_at = NULL,"
                " last_saved_at = NULL, saves = 0", (survey_id, person_id, _now()))
        return gone

    def save_answers(self, survey_id: str, person_id: str,
                     answers: dict[str, list[tuple[str, str | None]]], *,
                     today: date | None = None) -> str:
        """Replace the respondent's answers with ``answers`` (question id -> (person, value)).

        Returns the time saved. Raises :class:`SurveyError` when the respondent has not
        consented (or has opted out).
        """
        now = _now()
        with self._write() as conn:
            self._open_for_writes(conn, survey_id, today)
            row = conn.execute("SELECT consented_at FROM responses WHERE survey_id = ? AND"
                               " person_id = ?", (survey_id, person_id)).fetchone()
            if row is None or row[0] is None:
                raise SurveyError("agree to take part before answering")
            conn.execute("DELETE FROM answers WHERE survey_id = ? AND person_id = ?",
                         (survey_id, person_id))
            conn.executemany(
                "INSERT INTO answers(survey_id, person_id, question_id, named_id, value)"
                " VALUES (?, ?, ?, ?, ?)",
                [(survey_id, person_id, q, named, value)
                 for q, names in answers.items() for named, value in names])
            conn.execute(
                "UPDATE responses SET first_saved_at = COALESCE(first_saved_at, ?),"
                " last_saved_at = ?, saves = saves + 1 WHERE survey_id = ? AND person_id = ?",
                (now, now, survey_id, person_id))
        return now

    # -- reads for the respondent ---------------------------------------------------------
    def response(self, survey_id: str, person_id: str) -> dict:
        """``consented``, ``opted_out`` and ``saved_at`` (the last save) of one respondent."""
        row = self._conn().execute(
            "SELECT consented_at, opted_out_at, last_saved_at FROM responses"
            " WHERE survey_id = ? AND person_id = ?", (survey_id, person_id)).fetchone()
        if row is None:
            return {"consented": False, "opted_out": False, "saved_at": None}
        return {"consented": row[0] is not None, "opted_out": row[1] is not None,
                "saved_at": row[2]}

    def answers_of(self, survey_id: str, person_id: str) -> dict[str, list[dict]]:
        """The respondent's own answers with what they see of each person named."""
        rows = self._conn().execute(
            "SELECT a.question_id, r.r, r.name, r.organisation, r.team, r.role, a.value"
            " FROM answers a JOIN roster r ON r.survey_id = a.survey_id AND"
            " r.person_id = a.named_id WHERE a.survey_id = ? AND a.person_id = ?"
            " ORDER BY a.question_id, r.name, r.r", (survey_id, person_id)).fetchall()
        out: dict[str, list[dict]] = {}
        for q, r, name, org, team, role, value in rows:
            out.setdefault(q, []).append({
                "r": r, "name": name, "organisation": ", ".join(x for x in (team, org) if x),
                "role": role, "value": value})
        return out

    def people(self, survey_id: str, keys: Collection[int]) -> dict[int, RosterEntry]:
        """Roster entries by their key ``r``."""
        if not keys:
            return {}
        conn = self._conn()
        out: dict[int, RosterEntry] = {}
        keys = list(keys)
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"{_ROSTER_BY_KEY} ({marks})"  # noqa: S608 (only "?" marks are added)
            for row in conn.execute(sql, (survey_id, *chunk)):
                out[row[0]] = RosterEntry(*row[1:])
        return out

    # -- reads for the organisers ---------------------------------------------------------
    def respondents(self, survey_id: str) -> list[dict]:
        """Per roster person: organisation, sector, link issued, consented, opted out, saved."""
        with self._read() as conn:
            self._get(conn, survey_id)
            rows = conn.execute(
                "SELECT r.person_id, r.organisation_id, r.organisation, r.sector,"
                " t.hash IS NOT NULL, s.consented_at IS NOT NULL, s.opted_out_at IS NOT NULL,"
                " COALESCE(s.saves, 0) > 0 FROM roster r"
                " LEFT JOIN tokens t ON t.survey_id = r.survey_id AND t.person_id = r.person_id"
                " LEFT JOIN responses s ON s.survey_id = r.survey_id AND s.person_id = r.person_id"
                " WHERE r.survey_id = ? ORDER BY r.r", (survey_id,)).fetchall()
        keys = ("person_id", "organisation_id", "organisation", "sector", "link", "consented",
                "opted_out", "responded")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def answers(self, survey_id: str, *, honour_opt_outs: bool = True) -> list[Answer]:
        """Every stored answer; by default none from or about anyone who opted out."""
        with self._read() as conn:
            self._get(conn, survey_id)
            rows = conn.execute(
                "SELECT person_id, question_id, named_id, value FROM answers WHERE survey_id = ?"
                " ORDER BY person_id, question_id, named_id", (survey_id,)).fetchall()
            out = set(self._opted_out(conn, survey_id)) if honour_opt_outs else set()
        return [Answer(*row) for row in rows if row[0] not in out and row[2] not in out]

    @staticmethod
    def _opted_out(conn: sqlite3.Connection, survey_id: str | None) -> list[str]:
        if survey_id is None:
            rows = conn.execute("SELECT DISTINCT person_id FROM responses"
                                " WHERE opted_out_at IS NOT NULL")
        else:
            rows = conn.execute("SELECT person_id FROM responses WHERE survey_id = ? AND"
                                " opted_out_at IS NOT NULL", (survey_id,))
        return [row[0] for row in rows]

    def opted_out(self, survey_id: str | None = None) -> set[str]:
        """Ids of the people who opted out of ``survey_id`` (of any survey, when None)."""
        with self._read() as conn:
            return set(self._opted_out(conn, survey_id))


def opted_out(store_dir: str | Path) -> set[str]:
    """Ids of everyone who opted out of any survey kept in the data folder ``store_dir``.

    For the analysis layer: an opted-out person's survey answers never become ties (``kg survey
    close`` drops them, and every tie naming them); a caller that wants them out of other
    answers too can drop these ids. Reading never creates the survey store.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     opted_out(folder)
    set()
    """
    path = Path(store_dir) / FILENAME
    if not path.exists():
        return set()
    with SurveyStore(path) as surveys:
        return surveys.opted_out()
