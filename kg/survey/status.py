"""How a survey is going: response rates overall, by organisation and by sector.

A network drawn from a survey is only as whole as its response: each person who does not
answer takes their outgoing ties with them, and the measures built on paths (betweenness, the
brokers, the E-I index) are biased, not merely noisier. Below a response of about 70 % these
biases grow quickly [1]_ [2]_, and they fall unevenly when one organisation or sector answers
less than the others. So the status warns below 70 % overall and names each group below it.

Opt-outs count as people who did not answer (their ties are missing just the same), and are
shown apart. Groups of fewer than ``min_group_size`` people have their figures withheld: a rate
over three people tells who has not answered.

References
----------
.. [1] G. Kossinets, "Effects of missing data in social networks", *Social Networks* 28(3),
   2006, 247-268.
.. [2] S. P. Borgatti, M. G. Everett and J. C. Johnson, *Analyzing Social Networks*, Sage,
   2013, ch. 4 (a response rate of at least 70-80 % for whole-network studies).
"""

from __future__ import annotations

from datetime import date

from kg.survey.store import SurveyStore

__all__ = ["THRESHOLD", "survey_status"]

THRESHOLD = 0.70
WARNING = (
    "Response is below 70 %: the ties of the people who did not answer are missing, which "
    "biases the network (brokers, silos and communities), not only its precision "
    "(Kossinets 2006; Borgatti, Everett & Johnson 2013). Remind people before closing, or "
    "read the findings as partial."
)


def _group(rows: list[dict], min_size: int) -> dict:
    n = len(rows)
    responded = sum(r["responded"] and not r["opted_out"] for r in rows)
    opted = sum(r["opted_out"] for r in rows)
    if n < min_size:
        return {"roster": n, "responded": None, "opted_out": None, "rate": None,
                "withheld": True}
    rate = responded / n if n else None
    return {"roster": n, "responded": responded, "opted_out": opted, "rate": rate,
            "withheld": False, "below_threshold": rate is not None and rate < THRESHOLD}


def survey_status(surveys: SurveyStore, survey_id: str, *, today: date | None = None,
                  min_group_size: int = 5) -> dict:
    """The survey's state and response rates.

    Parameters
    ----------
    surveys : SurveyStore
    survey_id : str
    today : date, optional
        What "today" is for the survey's state (default: the machine's date).
    min_group_size : int
        Groups smaller than this have their figures withheld.

    Returns
    -------
    dict
        ``survey``, ``name``, ``state``, ``opens``, ``closes``, ``closed_at``, ``roster``,
        ``links``, ``consented``, ``responded``, ``opted_out``, ``rate`` (responded over roster),
        ``threshold``, ``warning`` (text, or None at or above 70 %), ``by_organisation`` and
        ``by_sector`` (lists of groups with the same counts; ``withheld`` for small groups).
    """
    if min_group_size < 1:
        raise ValueError("min_group_size must be at least 1")
    record = surveys.get(survey_id)
    rows = surveys.respondents(survey_id)
    overall = _group(rows, 1)
    by_org: dict[str, list[dict]] = {}
    by_sector: dict[str, list[dict]] = {}
    names: dict[str, str] = {}
    for row in rows:
        by_org.setdefault(row["organisation_id"], []).append(row)
        names[row["organisation_id"]] = row["organisation"]
        by_sector.setdefault(row["sector"], []).append(row)
    rate = overall["rate"]
    d = record.definition
    return {
        "survey": d.id,
        "name": d.name,
        "state": record.state(today),
        "opens": d.opens.isoformat(),
        "closes": d.closes.isoformat(),
        "closed_at": record.closed_at,
        "roster": len(rows),
        "links": sum(r["link"] for r in rows),
        "consented": sum(r["consented"] for r in rows),
        "responded": overall["responded"],
        "opted_out": overall["opted_out"],
        "rate": rate,
        "threshold": THRESHOLD,
        "warning": WARNING if rate is None or rate < THRESHOLD else None,
        "min_group_size": min_group_size,
        "by_organisation": [
            {"id": org, "name": names[org] or org or "(no organisation)",
             **_group(group, min_group_size)}
            for org, group in sorted(by_org.items(), key=lambda kv: names[kv[0]] or kv[0])
        ],
        "by_sector": [
            {"sector": sector or "(none)", **_group(group, min_group_size)}
            for sector, group in sorted(by_sector.items())
        ],
    }
