"""``kg survey ...``: run a roster survey of the partnership, from definition to ties."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg.cli import app
from kg.cli.store_cmds import console
from kg.config import get_settings
from kg.errors import Problem
from kg.store import open_store
from kg.survey.close import close_survey
from kg.survey.definition import load_definition_file, parse_definition
from kg.survey.errors import SurveyDefinitionError
from kg.survey.page import date_words
from kg.survey.service import create_survey, write_links
from kg.survey.status import survey_status
from kg.survey.store import SurveyStore

survey_app = typer.Typer(
    help=(
        "Ask the partnership who they go to, with Carebridge's own roster survey, served by "
        "[bold]kg serve[/bold] (no outside service).\n\n"
        "[bold]create[/bold] defines it over the people in the store, [bold]links[/bold] writes "
        "one private link per respondent for a mail merge, [bold]status[/bold] gives the "
        "response rates, [bold]close[/bold] turns the answers into ties (then "
        "[bold]kg analyse[/bold] and [bold]kg report[/bold] use them). Survey state lives in "
        "KG_DATA_DIR/surveys.sqlite, apart from the graph store."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
)
app.add_typer(survey_app, name="survey")

Format = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


def _surveys() -> SurveyStore:
    return SurveyStore.in_data_dir(get_settings().data_dir)


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")


def _fail_definition(exc: SurveyDefinitionError) -> None:
    console.print(f"[red]{len(exc.problems)} problem(s); nothing was written.[/red]")
    for problem in exc.problems:
        console.print(f"  - {problem}", markup=False, highlight=False)
    console.print("Fix them and run the same command again.")
    raise typer.Exit(1)


@survey_app.command("create")
def create(
    definition: Annotated[
        Path | None,
        typer.Argument(help="A survey definition, .toml or .json (options below override it)."),
    ] = None,
    survey_id: Annotated[str | None, typer.Option("--id", help="The survey's id, such as "
                                                  "discharge-2026.")] = None,
    name: Annotated[str | None, typer.Option(help="The title respondents see.")] = None,
    opens: Annotated[str | None, typer.Option(help="Opening date, YYYY-MM-DD.")] = None,
    closes: Annotated[str | None, typer.Option(help="Closing date, YYYY-MM-DD (answers are "
                                               "taken through that day).")] = None,
    consent: Annotated[str | None, typer.Option(help="The consent text shown first.")] = None,
    consent_file: Annotated[Path | None, typer.Option(help="The consent text, from a UTF-8 "
                                                      "text file (blank lines: paragraphs).")
                            ] = None,
    questions: Annotated[
        list[str] | None,
        typer.Option("--question", help="KIND:TEXT, such as \"advice:Who do you go to for "
                     "advice about discharge?\" (kinds: advice, information, collaboration, "
                     "referral, supervision, other). Repeat; replaces the file's questions."),
    ] = None,
    scale: Annotated[str | None, typer.Option(help="Labels of a frequency or strength scale "
                                              "for the --question questions, least first: "
                                              "\"monthly,weekly,daily\" weigh 1, 2, 3.")] = None,
    organisations: Annotated[list[str] | None, typer.Option(
        "--organisation", help="Ask only people at this organisation id (or its teams). "
        "Repeat.")] = None,
    sectors: Annotated[list[str] | None, typer.Option(
        "--sector", help="Ask only people in this sector. Repeat.")] = None,
    everyone: Annotated[bool, typer.Option(
        "--everyone", help="Also people holding no role on the opening date.")] = False,
) -> None:
    """Create a roster survey of the people in the store (or bring it up to date).

    Each question records one kind of tie; its optional scale (frequency or strength, least
    first) becomes the tie's weight, 1, 2, 3... in order, or the weights the file gives. The
    roster is everyone holding a role on the opening date (narrow it by organisation or sector);
    respondents pick names from it as they type. Every problem is listed at once and nothing
    is written until there are none. Creating the same survey again changes nothing; a changed
    date, name or consent text is updated, new people in the store join the roster, and the
    questions are fixed once anyone has answered.

    A definition file, [bold]survey.toml[/bold]:

      id = "discharge-2026"
      name = "Who do you work with on hospital discharge?"
      opens = 2026-03-02
      closes = 2026-03-20
      consent = \"\"\"Your answers are used only to map how the partnership works together...
      You can opt out at any time before the closing date.\"\"\"

      \\[roster]
      sectors = \\["acute", "community", "social_care"]

      \\[\\[questions]]
      id = "advice"
      text = "Who do you go to for advice about a complex discharge?"
      kind = "advice"
      scale = \\["monthly", "weekly", "daily"]

      \\[\\[questions]]
      id = "referral"
      text = "To whom do you refer patients on discharge?"
      kind = "referral"

    Examples:
      [bold]kg survey create survey.toml[/bold]
      [bold]kg survey create survey.toml --closes 2026-03-27[/bold]   (extend it)
      [bold]kg survey create --id mdt-2026 --name "MDT links" \\
        --opens 2026-04-01 --closes 2026-04-14 --consent-file consent.txt \\
        --question "collaboration:Who do you work with most closely?" \\
        --scale "monthly,weekly,daily"[/bold]
    """
    source = definition.name if definition else "options"
    try:
        data = load_definition_file(definition) if definition else {}
        overrides = {"id": survey_id, "name": name, "opens": opens, "closes": closes,
                     "consent": consent}
        data.update({k: v for k, v in overrides.items() if v is not None})
        if consent_file is not None:
            try:
                data["consent"] = consent_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SurveyDefinitionError([_problem(
                    source, "consent", f"cannot read {consent_file}: {exc}")]) from None
        if questions:
            parsed = []
            for i, q in enumerate(questions, start=1):
                kind, sep, text = q.partition(":")
                if not sep:
                    raise SurveyDefinitionError([_problem(
                        source, f"--question {i}", "write KIND:TEXT, such as "
                        "\"advice:Who do you go to for advice?\"")])
                parsed.append({"kind": kind.strip(), "text": text.strip(),
                               **({"scale": scale} if scale else {})})
            data["questions"] = parsed
        elif scale:
            raise typer.BadParameter("--scale goes with --question", param_hint="--scale")
        if organisations or sectors or everyone:
            raw = data.get("roster")
            roster = dict(raw) if isinstance(raw, dict) else {}
            if organisations:
                roster["organisations"] = organisations
            if sectors:
                roster["sectors"] = sectors
            if everyone:
                roster["in_post"] = False
            data["roster"] = roster
        parsed_definition = parse_definition(data, source)
        with open_store() as graph, _surveys() as surveys:
            result = create_survey(graph, surveys, parsed_definition, source=source)
    except SurveyDefinitionError as exc:
        _fail_definition(exc)
        return
    d = parsed_definition
    console.print(
        f"Survey [bold]{d.id}[/bold] {result.status}: {len(d.questions)} question(s), "
        f"{result.roster_size:,} people on the roster ({result.roster_added:,} added, "
        f"{result.roster_updated:,} updated). Open {date_words(d.opens)} to "
        f"{date_words(d.closes)}.", highlight=False)
    console.print(f"Next: kg survey links {d.id} --base-url https://WHERE-KG-SERVE-ANSWERS",
                  highlight=False, markup=False)


def _problem(source: str, where: str, message: str) -> Problem:
    return Problem(source, None, where, message)


@survey_app.command("links")
def links(
    survey_id: Annotated[str, typer.Argument(help="The survey's id.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="The CSV to write (default KG_OUTPUT_DIR/survey-ID-links.csv).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(
        help="The address respondents reach kg serve at, such as https://survey.example.org "
        "(default KG_SURVEY_BASE_URL).")] = None,
    reissue: Annotated[bool, typer.Option(
        help="Replace the links of --person (or everyone): the old ones stop working.")] = False,
    people: Annotated[list[str] | None, typer.Option(
        "--person", help="Only this person id (with --reissue: a lost link). Repeat.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the CSV.")] = False,
) -> None:
    """Write one private link per respondent (CSV: person_id, name, email, link) for a mail
    merge.

    Each link holds a random token (256 bits); the survey keeps only its SHA-256 hash, so a
    copy of the database does not give the links away, and [bold]a link cannot be shown
    twice[/bold]: keep the CSV safe (it is readable by you only) until the emails are sent,
    then delete it. Running links again writes only people who have none yet (new people on
    the roster); --reissue replaces lost links. People who opted out get none.

    Examples:
      [bold]kg survey links discharge-2026 --base-url https://survey.example.org[/bold]
      [bold]kg survey links discharge-2026 --reissue --person P000103 -o p103.csv[/bold]
    """
    settings = get_settings()
    if output is None:
        settings.output_dir.mkdir(parents=True, exist_ok=True)
        output = settings.output_dir / f"survey-{survey_id}-links.csv"
    with _surveys() as surveys:
        written = write_links(surveys, survey_id, output,
                              base_url=base_url or settings.survey_base_url, reissue=reissue,
                              people=people, overwrite=force)
    if not written:
        console.print("Everyone on the roster already has a link (or opted out): nothing "
                      "written. Lost links: --reissue --person ID.")
        return
    with_email = sum(bool(e.email) for e in written)
    console.print(f"Wrote {len(written):,} link(s) to {output} (readable by you only; "
                  f"{with_email:,} with an email address). Send each person their own link; "
                  "the links cannot be shown again.", highlight=False, markup=False)


def _rate(value) -> str:
    return "withheld" if value is None else f"{value:.0%}"


@survey_app.command("status")
def status(survey_id: Annotated[str, typer.Argument(help="The survey's id.")],
           format: Format = "table") -> None:
    """Response rate overall, by organisation and by sector.

    Below about 70 % the ties of those who did not answer are missing, which biases the
    network (brokers, silos, communities), not only its precision (Kossinets 2006; Borgatti,
    Everett & Johnson 2013): remind people before closing. Opt-outs count as not answered.
    Groups of fewer than 5 people are withheld.

    Example: [bold]kg survey status discharge-2026[/bold]
    """
    _check_format(format)
    with _surveys() as surveys:
        found = survey_status(surveys, survey_id)
    if format == "json":
        sys.stdout.write(json.dumps(found, indent=1) + "\n")
        return
    console.print(
        f"[bold]{found['name']}[/bold] ({found['survey']}): {found['state']}, "
        f"{found['opens']} to {found['closes']}. Roster {found['roster']:,}, links "
        f"{found['links']:,}, answered {found['responded']:,} "
        f"({_rate(found['rate'] or 0.0)}), opted out {found['opted_out']:,}.", highlight=False)
    if found["warning"]:
        console.print(f"[yellow]warning:[/yellow] {found['warning']}", highlight=False)
    for title, key, rows in (("By organisation", "name", found["by_organisation"]),
                             ("By sector", "sector", found["by_sector"])):
        table = Table(title=title, title_justify="left")
        for column, justify in ((key, "left"), ("roster", "right"), ("answered", "right"),
                                ("opted out", "right"), ("rate", "right")):
            table.add_column(column, justify=justify)
        for row in rows:
            low = " (below 70 %)" if row.get("below_threshold") else ""
            table.add_row(row[key], f"{row['roster']:,}",
                          "" if row["responded"] is None else f"{row['responded']:,}",
                          "" if row["opted_out"] is None else f"{row['opted_out']:,}",
                          _rate(row["rate"]) + low)
        console.print(table)


@survey_app.command("close")
def close(survey_id: Annotated[str, typer.Argument(help="The survey's id.")],
          format: Format = "table") -> None:
    """Close the survey and turn its answers into ties in the store, in one transaction.

    Each name given becomes a tie from the respondent to that person: the question's kind, the
    scale's weight, dated from the opening to the closing date, source "survey:ID". Nobody who
    opted out is in any tie. Closing again changes nothing. A survey repeated in a later phase
    (a new id, the same questions) is how change over time is measured: kg analyse change.

    Example: [bold]kg survey close discharge-2026[/bold]
    """
    _check_format(format)
    with open_store() as graph, _surveys() as surveys:
        report = close_survey(graph, surveys, survey_id)
    if format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=1) + "\n")
        return
    console.print(
        f"Survey {survey_id} {'closed' if report.newly_closed else 'was already closed'}: "
        f"{report.ties:,} ties from {report.respondents:,} respondents "
        f"({report.created:,} created, {report.updated:,} updated); store revision "
        f"{report.revision}.", highlight=False, markup=False)
    if report.opted_out or report.dropped_missing:
        console.print(f"Left out: everything from or about {report.opted_out:,} people who "
                      f"opted out; {report.dropped_missing:,} answers naming people no longer "
                      "in the store.", highlight=False)
    console.print("Next: kg survey status, kg analyse all, kg report.")


@survey_app.command("list")
def list_(format: Format = "table") -> None:
    """The surveys, with their dates and state."""
    _check_format(format)
    with _surveys() as surveys:
        records = surveys.list_surveys()
    today = date.today()
    rows = [{"id": s.id, "name": s.definition.name, "opens": s.definition.opens.isoformat(),
             "closes": s.definition.closes.isoformat(), "state": s.state(today)}
            for s in records]
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return
    table = Table(title="Surveys", title_justify="left")
    for column in ("id", "name", "opens", "closes", "state"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(row[c] for c in ("id", "name", "opens", "closes", "state")))
    console.print(table)
