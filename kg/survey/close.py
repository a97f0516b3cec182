"""Close a survey: its answers become ties in the graph store, once.

Each name given becomes one directed tie from the respondent to the person named:

- **kind**: the question's tie kind; **weight**: the answer's place on the question's scale
  (none for a question without a scale, which the person network counts as 1);
- **dates**: start on the survey's opening date and end on its closing date. The answers
  describe the fieldwork period, so a survey repeated in a later phase adds that phase's ties
  beside these instead of being counted twice: a tie with no end would stay active in every
  later period (``kg analyse change`` compares the waves);
- **identity**: the key ``survey:ID|respondent|named|question`` and the source file
  ``survey:ID``, with ``survey`` and ``question`` (and the answer's label) as properties, so
  every tie says which survey it came from.

Closing first marks the survey closed in the survey store (so no answer can arrive while the
ties are built), then writes every tie in one ``upsert``: the graph store's revision moves once.
Closing again writes the same ties, which changes nothing. If the graph store fails, close
again: the survey is already closed to answers and nothing was written.

Nobody who opted out is in any tie, as respondent or as the person named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from kg.model import NodeLabel, Relationship, RelType
from kg.store.base import GraphStore
from kg.survey.store import SurveyStore

__all__ = ["CloseReport", "close_survey", "survey_ties", "tie_key"]


def tie_key(survey_id: str, respondent: str, named: str, question: str) -> str:
    """The stable key of the tie one answer becomes.

    >>> tie_key("discharge-2026", "P1", "P2", "advice")
    'survey:discharge-2026|P1|P2|advice'
    """
    return f"survey:{survey_id}|{respondent}|{named}|{question}"


@dataclass(frozen=True, slots=True)
class CloseReport:
    """What closing did."""

    survey: str
    newly_closed: bool  # False when it had been closed before
    respondents: int  # people whose answers became ties
    ties: int  # ties written (created, updated or already there)
    created: int
    updated: int
    revision: int
    dropped_missing: int  # answers naming someone no longer in the store
    opted_out: int  # people who opted out: none of their answers, no tie naming them

    def as_dict(self) -> dict:
        return asdict(self)


def survey_ties(surveys: SurveyStore, survey_id: str) -> list[Relationship]:
    """The ties the survey's answers make, without writing them (opt-outs honoured)."""
    record = surveys.get(survey_id)
    definition = record.definition
    questions = {q.id: q for q in definition.questions}
    source = f"survey:{survey_id}"
    ties = []
    for a in surveys.answers(survey_id):
        q = questions.get(a.question)
        if q is None:  # questions cannot change once answered; a guard all the same
            continue
        props = {"kind": q.kind.value, "survey": survey_id, "question": q.id}
        if a.value is not None:
            props["answer"] = a.value
        ties.append(Relationship(
            RelType.TIE, tie_key(survey_id, a.respondent, a.named, q.id), a.respondent,
            a.named, definition.opens, definition.closes, q.weight(a.value), props,
            source_file=source))
    return ties


def close_survey(graph: GraphStore, surveys: SurveyStore, survey_id: str) -> CloseReport:
    """Close ``survey_id`` to answers and write its ties to ``graph`` in one transaction.

    Idempotent: closing a closed survey writes the same ties again and changes nothing.

    Raises
    ------
    NotFound
        No such survey.
    StoreError
        The graph store could not write; close again.
    """
    surveys.get(survey_id)  # NotFound before anything changes
    newly = surveys.mark_closed(survey_id)
    ties = survey_ties(surveys, survey_id)
    people = {t.source for t in ties} | {t.target for t in ties}
    present = graph.existing_ids(NodeLabel.PERSON, people) if people else set()
    kept = [t for t in ties if t.source in present and t.target in present]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for t in kept:
        t.imported_at = now
    result = graph.upsert((), kept)
    return CloseReport(
        survey=survey_id,
        newly_closed=newly,
        respondents=len({t.source for t in kept}),
        ties=len(kept),
        created=result.relationships_created,
        updated=result.relationships_updated,
        revision=result.revision,
        dropped_missing=len(ties) - len(kept),
        opted_out=len(surveys.opted_out(survey_id)),
    )
