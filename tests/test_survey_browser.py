"""The respondent's page in a real browser (Debian's chromium through Playwright), on a 390 px
phone: open the link, give consent, find a colleague by typing part of a name and choosing with
the keyboard, save, come back (reload), change the answer; after ``close`` the tie is in the
store with the question's kind and the scale's weight. Found by role and accessible name, as a
screen reader would; nothing is fetched from another origin, no script error, no sideways
scroll."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from browser_support import Watched, free_port, serve

from api import create_app
from kg.config import Settings
from kg.model import RelType
from kg.survey import SurveyStore, close_survey, parse_definition
from kg.survey.search import name_words
from kg.survey.service import create_survey, write_links

pytestmark = pytest.mark.browser

ADMIN = "browser-survey-admin"
PHONE = (390, 844)
QUESTION = "Whom do you ask for advice about discharge?"


@pytest.fixture(scope="module")
def served(demo_data):
    """A survey over the small demo partnership, served by uvicorn on a loopback port."""
    app = create_app(Settings(data_dir=demo_data, api_keys=f"{ADMIN}:admin"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    surveys = SurveyStore.in_data_dir(demo_data)
    today = date.today()
    definition = parse_definition({
        "id": "browser", "name": "Discharge: who works with whom",
        "opens": (today - timedelta(days=1)).isoformat(),
        "closes": (today + timedelta(days=7)).isoformat(),
        "consent": "Your answers map how the partnership works.\n\nYou may opt out.",
        "questions": [
            {"id": "advice", "text": QUESTION, "kind": "advice",
             "scale": ["monthly", "weekly", "daily"]},
            {"id": "referral", "text": "To whom do you refer patients?", "kind": "referral"},
        ]})
    create_survey(app.state.store, surveys, definition)
    links = demo_data / "links.csv"
    write_links(surveys, "browser", links, base_url=base)
    with open(links, newline="") as f:
        rows = list(csv.DictReader(f))
    with serve(app, port):
        yield {"app": app, "surveys": surveys, "rows": rows, "base": base,
               "roster": surveys.roster("browser")}
    surveys.close()
    app.state.store.close()


def _unique_colleague(roster, *leave_out: str):
    """Someone on the roster whose first name and surname are shared by no one else."""
    count: dict[tuple, int] = {}
    for _, e in roster:
        key = tuple(name_words(e.name))
        count[key] = count.get(key, 0) + 1
    return next(e for _, e in roster
                if e.person_id not in leave_out and count[tuple(name_words(e.name))] == 1)


def _clean(view: Watched, base: str, *, expected: str | None = None) -> None:
    """Nothing from another origin, no failed request, no error but the ``expected`` one."""
    assert not view.offsite(base), view.requests
    errors = [e for e in view.errors if expected is None or expected not in e]
    assert not view.failed and not errors and not view.dialogs, (
        view.failed, errors, view.dialogs)
    width = view.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"the page scrolls sideways: {width} px"


def test_a_problem_is_listed_and_focused_and_an_opt_out_stays(browser, served):
    # runs before the test below, which closes the survey at its end
    me = served["rows"][1]
    colleague = _unique_colleague(served["roster"], me["person_id"])
    with Watched(browser, me["link"], viewport=PHONE) as view:
        page = view.page
        page.get_by_role("button", name="I agree: start the survey").click()
        question = page.get_by_role("group", name=QUESTION)
        find = question.get_by_role("combobox", name="Find a person")
        find.press_sequentially(colleague.name, delay=20)
        question.get_by_role("option").filter(has_text=colleague.name).click()
        page.get_by_role("button", name="Save my answers").click()  # no answer chosen
        alert = page.get_by_role("alert")
        alert.get_by_text(f"choose an answer for {colleague.name}").wait_for()
        assert page.evaluate("document.activeElement.id") == "errors"
        page.get_by_text("Opt out of this survey").click()
        page.get_by_role("button", name="Opt out and delete my answers").click()
        page.get_by_role("heading", name="You have opted out").wait_for()
        page.reload()
        page.get_by_role("heading", name="You have opted out").wait_for()
        assert not page.get_by_role("group", name=QUESTION).is_visible()
        # the browser logs the refused save (422) as a console error: that one is expected
        _clean(view, served["base"], expected="status of 422")
    assert served["surveys"].opted_out("browser") == {me["person_id"]}


def test_a_respondent_answers_comes_back_and_changes_an_answer(browser, served):
    me = served["rows"][0]
    # not the person who opted out in the test above: no tie may name them
    colleague = _unique_colleague(served["roster"], me["person_id"],
                                  served["rows"][1]["person_id"])
    first, *_, last = colleague.name.split()
    with Watched(browser, me["link"], viewport=PHONE) as view:
        page = view.page
        page.get_by_role("heading", name="Before you start").wait_for()
        agree = page.get_by_role("button", name="I agree: start the survey")
        agree.focus()
        page.keyboard.press("Enter")  # the keyboard alone is enough
        question = page.get_by_role("group", name=QUESTION)
        question.wait_for()
        snapshot = page.locator("form").aria_snapshot()
        assert f'group "{QUESTION}"' in snapshot and 'combobox "Find a person"' in snapshot

        find = question.get_by_role("combobox", name="Find a person")
        find.press_sequentially(f"{last[:4]} {first[:3]}", delay=30)  # parts of two words
        option = question.get_by_role("option").filter(has_text=colleague.name)
        option.wait_for()
        assert colleague.role in option.inner_text()
        assert question.get_by_role("option").count() == 1
        assert find.get_attribute("aria-expanded") == "true"
        find.press("ArrowDown")
        assert option.get_attribute("aria-selected") == "true"
        find.press("Enter")
        named = question.get_by_role("list", name="People you named")
        named.get_by_text(colleague.name, exact=True).wait_for()
        answer = question.get_by_label(f"Your answer ({colleague.name})")
        answer.select_option("weekly")
        page.get_by_role("button", name="Save my answers").click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()

        page.reload()  # come back later
        question = page.get_by_role("group", name=QUESTION)
        question.wait_for()
        answer = question.get_by_label(f"Your answer ({colleague.name})")
        assert answer.input_value() == "weekly"
        answer.select_option("daily")
        page.get_by_role("button", name="Save my answers").click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()
        _clean(view, served["base"])

    report = close_survey(served["app"].state.store, served["surveys"], "browser")
    assert report.ties == 1
    (tie,) = [t for t in served["app"].state.store.relationships(RelType.TIE,
                                                                  source=me["person_id"])
              if t.source_file == "survey:browser"]
    assert (tie.target, tie.props["kind"], tie.weight) == (colleague.person_id, "advice", 3.0)
