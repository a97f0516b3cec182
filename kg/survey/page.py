"""The respondent's page: consent first, then each question with a type-ahead of the roster.

One self-contained HTML page per link (styles and script inline, nothing loaded from elsewhere;
the type-ahead and the saves go to the same origin). Every piece of data is either escaped into
the HTML or carried as JSON in a ``<script type="application/json">`` block (with ``<``, ``>``
and ``&`` escaped, so no name can close it) and put on the page with ``textContent``, never
``innerHTML``.

Accessibility follows the WAI-ARIA Authoring Practices combobox pattern [1]_: each question is a
``fieldset`` whose ``legend`` is the question; the name box is a labelled ``combobox`` whose
``listbox`` is driven by the arrow keys, Enter and Escape; matches and changes are announced in
a polite live region; problems are listed in an error summary that takes focus [2]_. Text is at
least 16 px, targets at least 44 px high, and the layout is one column that fits a 390 px
phone.

References
----------
.. [1] W3C, *ARIA Authoring Practices Guide*, "Combobox pattern" (editable combobox with list
   autocomplete), 2024.
.. [2] W3C, *Web Content Accessibility Guidelines 2.2*, success criteria 1.3.1, 2.1.1, 3.3.1,
   4.1.3, 2023.
"""

from __future__ import annotations

from datetime import date
from html import escape

import orjson

from kg.survey.definition import SurveyDefinition

__all__ = ["date_words", "message_page", "respondent_page"]


def _head(title: str) -> str:
    """The start of every survey page, to its title (escaped): not indexed, no referrer."""
    return """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>""" + escape(title) + "</title>"


def date_words(d: date) -> str:
    """``21 March 2026``.

    >>> date_words(date(2026, 3, 1))
    '1 March 2026'
    """
    return f"{d.day} {d:%B %Y}"


def _json_block(data: dict) -> str:
    raw = orjson.dumps(data).decode()
    # Inside <script> only "</" could end the block; escaping < > & also keeps out "<!--".
    return (raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
 color:#1b1b1b;background:#fff}
main{max-width:42rem;margin:0 auto;padding:1rem 1rem 4rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:1.5rem 0 .75rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
p{margin:.5rem 0}
.who{color:#3b3b3b}
.consent{border-left:4px solid #1d4f91;padding:.25rem 0 .25rem 1rem;margin:1rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.25rem 0}
button{font:inherit;min-height:2.75rem;padding:.5rem 1.1rem;border-radius:.3rem;
 border:2px solid #1d4f91;background:#1d4f91;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d4f91}
button.remove{background:#fff;color:#8a1c1c;border-color:#8a1c1c;min-height:2.75rem}
:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
fieldset{border:1px solid #8a8a8a;border-radius:.4rem;margin:1.25rem 0;padding:.75rem 1rem 1rem;
 min-width:0}
legend{font-weight:700;font-size:1.15rem;padding:0 .35rem;max-width:100%;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
.hint{color:#3b3b3b;font-size:.95rem}
input[type=text],select{font:inherit;font-size:1rem;width:100%;min-height:2.75rem;
 padding:.5rem .6rem;border:2px solid #4a4a4a;border-radius:.3rem;background:#fff;color:#1b1b1b}
.combo{position:relative}
[role=listbox]{list-style:none;margin:.25rem 0 0;padding:0;border:2px solid #4a4a4a;
 border-radius:.3rem;max-height:18rem;overflow-y:auto;background:#fff;position:absolute;
 left:0;right:0;z-index:5;box-shadow:0 4px 12px rgba(0,0,0,.2)}
[role=option]{padding:.55rem .7rem;border-bottom:1px solid #ddd;cursor:pointer;min-height:2.75rem}
[role=option][aria-selected=true]{background:#1d4f91;color:#fff}
[role=option][aria-selected=true] .meta{color:#fff}
.name{font-weight:600;overflow-wrap:anywhere}
.meta{display:block;color:#3b3b3b;font-size:.95rem;overflow-wrap:anywhere}
.live{min-height:1.5em;font-size:.95rem;color:#3b3b3b}
ul.chosen{list-style:none;margin:.25rem 0;padding:0}
ul.chosen li{border-top:1px solid #ccc;padding:.6rem 0}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.row .pick{flex:1 1 12rem}
.errors{border:4px solid #8a1c1c;padding:.5rem 1rem;margin:1rem 0}
.errors h2{margin-top:.25rem;color:#8a1c1c}
.saved{font-weight:600;color:#17531f}
details{margin:2rem 0}
summary{cursor:pointer;min-height:2.75rem;padding:.5rem 0}
"""

_SCRIPT = r"""
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cb-data').textContent);
  var base = window.location.pathname.replace(/\/+$/, '');
  var chosen = {};
  data.questions.forEach(function (q) { chosen[q.id] = (data.answers[q.id] || []).slice(); });
  var el = function (id) { return document.getElementById(id); };
  var consent = el('consent'), optedout = el('optedout'), form = el('survey');
  var saved = el('saved'), errors = el('errors');

  function show(state, focus) {
    consent.hidden = state !== 'consent';
    optedout.hidden = state !== 'opted_out';
    form.hidden = state !== 'answering';
    var target = {consent: 'consent-h', opted_out: 'optedout-h', answering: 'survey-h'}[state];
    if (focus && target) { el(target).focus(); }
  }

  function post(path, body) {
    return fetch(base + path, {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body), credentials: 'same-origin', cache: 'no-store'
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        return {ok: r.ok, status: r.status, body: j};
      });
    });
  }

  function fail(reply, where) {
    var text = {
      409: 'This cannot be done now: ' + ((reply.body && reply.body.detail) || ''),
      410: 'This survey has closed and takes no more answers.',
      413: 'Too much was sent at once: name fewer people.',
      429: 'Too many changes in a short time: wait a minute, then try again.'
    }[reply.status] || 'Something went wrong; your answers were not saved. Try again.';
    where.className = '';
    where.textContent = text;
  }

  function text(tag, cls, value) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    node.textContent = value;
    return node;
  }

  function describe(p) {
    return [p.organisation, p.role].filter(Boolean).join(' \u00b7 ');
  }

  function renderChosen(q, i) {
    var list = el('chosen-' + i), none = el('none-' + i);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    none.hidden = chosen[q.id].length > 0;
    chosen[q.id].forEach(function (p, k) {
      var li = document.createElement('li');
      li.appendChild(text('span', 'name', p.name));
      li.appendChild(text('span', 'meta', describe(p)));
      var row = document.createElement('div');
      row.className = 'row';
      if (q.scale.length) {
        var pick = document.createElement('div');
        pick.className = 'pick';
        var id = 'answer-' + i + '-' + k;
        var label = text('label', '', q.prompt + ' (' + p.name + ')');
        label.setAttribute('for', id);
        var select = document.createElement('select');
        select.id = id;
        var blank = text('option', '', 'Choose\u2026');
        blank.value = '';
        select.appendChild(blank);
        q.scale.forEach(function (s) {
          var o = text('option', '', s);
          o.value = s;
          if (p.value === s) { o.selected = true; }
          select.appendChild(o);
        });
        select.addEventListener('change', function () { p.value = select.value || null; dirty(); });
        pick.appendChild(label);
        pick.appendChild(select);
        row.appendChild(pick);
      }
      var remove = text('button', 'remove', 'Remove');
      remove.type = 'button';
      remove.setAttribute('aria-label', 'Remove ' + p.name);
      remove.addEventListener('click', function () {
        chosen[q.id].splice(k, 1);
        renderChosen(q, i);
        el('live-' + i).textContent = p.name + ' removed.';
        el('find-' + i).focus();
        dirty();
      });
      row.appendChild(remove);
      li.appendChild(row);
      list.appendChild(li);
    });
  }

  function dirty() {
    saved.className = '';
    saved.textContent = 'You have changes that are not saved yet.';
  }

  function combobox(q, i) {
    var input = el('find-' + i), list = el('list-' + i), live = el('live-' + i);
    var matches = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function setActive(k) {
      var options = list.querySelectorAll('[role=option]');
      if (!options.length) { return; }
      active = (k + options.length) % options.length;
      options.forEach(function (o, n) {
        o.setAttribute('aria-selected', n === active ? 'true' : 'false');
      });
      input.setAttribute('aria-activedescendant', options[active].id);
      options[active].scrollIntoView({block: 'nearest'});
    }
    function choose(k) {
      var p = matches[k];
      if (!p) { return; }
      chosen[q.id].push({r: p.r, name: p.name, organisation: p.organisation, role: p.role,
                         value: null});
      renderChosen(q, i);
      input.value = '';
      close();
      live.textContent = p.name + ' added.' +
        (q.scale.length ? ' Choose an answer for them below.' : '');
      input.focus();
      dirty();
    }
    function render(more) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      matches.forEach(function (p, k) {
        var li = document.createElement('li');
        li.id = 'option-' + i + '-' + k;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.appendChild(text('span', 'name', p.name));
        li.appendChild(text('span', 'meta', describe(p)));
        li.addEventListener('mousedown', function (e) { e.preventDefault(); });
        li.addEventListener('click', function () { choose(k); });
        list.appendChild(li);
      });
      active = -1;
      input.removeAttribute('aria-activedescendant');
      list.hidden = matches.length === 0;
      input.setAttribute('aria-expanded', matches.length ? 'true' : 'false');
      if (!matches.length) {
        live.textContent = 'No one found: check the spelling, or type part of another name.';
      } else {
        live.textContent = matches.length + (matches.length === 1 ? ' person' : ' people') +
          ' found' + (more ? '; type more of the name to narrow the list.' : '.') +
          ' Use the arrow keys and Enter to choose.';
      }
    }
    function lookup() {
      var typed = input.value.trim();
      if (typed.length < 2) { matches = []; close(); live.textContent = ''; return; }
      var ticket = ++asked;
      fetch(base + '/people?q=' + encodeURIComponent(typed),
            {credentials: 'same-origin', cache: 'no-store'})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (reply) {
          if (ticket !== asked) { return; }
          var taken = {};
          chosen[q.id].forEach(function (p) { taken[p.r] = true; });
          matches = reply.matches.filter(function (p) { return !taken[p.r]; });
          render(reply.more);
        })
        .catch(function (status) {
          if (ticket !== asked) { return; }
          matches = []; close();
          live.textContent = status === 429 ? 'Too many look-ups: wait a moment and type again.'
            : status === 410 ? 'This survey has closed.'
            : 'The list of names could not be reached.';
        });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (list.hidden && matches.length) {
          list.hidden = false;
          input.setAttribute('aria-expanded', 'true');
        }
        setActive(active + 1);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive(active - 1);
      } else if (e.key === 'Enter') {
        e.preventDefault();
        if (!list.hidden && active >= 0) { choose(active); }
      } else if (e.key === 'Escape') {
        if (!list.hidden) { e.preventDefault(); close(); }
      }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  data.questions.forEach(function (q, i) { renderChosen(q, i); combobox(q, i); });

  el('agree').addEventListener('click', function () {
    post('/consent', {consent: true}).then(function (reply) {
      if (reply.ok) { show('answering', true); } else { fail(reply, el('consent-msg')); }
    });
  });
  function optOut(where) {
    return function () {
      post('/opt-out', {}).then(function (reply) {
        if (reply.ok) {
          data.questions.forEach(function (q, i) { chosen[q.id] = []; renderChosen(q, i); });
          saved.textContent = '';
          show('opted_out', true);
        } else { fail(reply, where); }
      });
    };
  }
  el('decline').addEventListener('click', optOut(el('consent-msg')));
  el('optout').addEventListener('click', optOut(saved));
  el('rejoin').addEventListener('click', function () {
    post('/consent', {consent: true}).then(function (reply) {
      if (reply.ok) { show('answering', true); } else { fail(reply, el('rejoin-msg')); }
    });
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var answers = {};
    data.questions.forEach(function (q) {
      answers[q.id] = chosen[q.id].map(function (p) { return {r: p.r, value: p.value || null}; });
    });
    saved.className = '';
    saved.textContent = 'Saving\u2026';
    post('/answers', {answers: answers}).then(function (reply) {
      var list = errors.querySelector('ul');
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (reply.ok) {
        errors.hidden = true;
        data.questions.forEach(function (q, i) {
          chosen[q.id] = (reply.body.answers[q.id] || []).slice();
          renderChosen(q, i);
        });
        saved.className = 'saved';
        saved.textContent = 'Saved. ' + data.until;
      } else if (reply.status === 422 && reply.body.problems) {
        reply.body.problems.forEach(function (p) { list.appendChild(text('li', '', p)); });
        errors.hidden = false;
        saved.textContent = 'Not saved: see the problems listed above.';
        errors.focus();
      } else {
        fail(reply, saved);
      }
    });
  });

  show(data.state, false);
})();
"""


def respondent_page(definition: SurveyDefinition, *, respondent: str, state: str,
                    answers: dict[str, list[dict]], saved_at: str | None = None) -> str:
    """The survey page of one respondent.

    Parameters
    ----------
    definition : SurveyDefinition
    respondent : str
        Their own name (the page says whom the link is for).
    state : {"consent", "opted_out", "answering"}
        Which step to show first.
    answers : dict
        Their own answers, as :meth:`SurveyStore.answers_of` gives them.
    saved_at : str, optional
        When they last saved.

    Examples
    --------
    >>> from kg.survey.definition import parse_definition
    >>> d = parse_definition({"id": "s", "name": "<b>Who?</b>", "opens": "2026-03-01",
    ...     "closes": "2026-03-21", "consent": "Yes.", "questions": [
    ...     {"text": "Advice from?", "kind": "advice"}]})
    >>> page = respondent_page(d, respondent="</script><i>x", state="consent", answers={})
    >>> "<b>" in page, "</script><i>" in page
    (False, False)
    """
    if state not in ("consent", "opted_out", "answering"):
        raise ValueError(f"unknown state {state!r}")
    until = date_words(definition.closes)
    data = {
        "state": state,
        "questions": [
            {"id": q.id, "text": q.text, "scale": [p.label for p in q.scale],
             "prompt": "Your answer"}
            for q in definition.questions
        ],
        "answers": answers,
        "until": f"You can come back to this link and change your answers until {until}.",
        "saved_at": saved_at,
    }
    consent = "".join(f"<p>{escape(part.strip())}</p>"
                      for part in definition.consent.split("\n\n") if part.strip())
    fields = []
    for i, q in enumerate(definition.questions):
        labels = escape(", ".join(p.label for p in q.scale))
        scale = f" For each person, choose an answer: {labels}." if q.scale else ""
        fields.append(f"""
<fieldset class="question">
  <legend>{escape(q.text)}</legend>
  <p class="hint" id="hint-{i}">Type at least two letters of any part of a name, then choose the
  person with the arrow keys and Enter, or tap them.{scale}</p>
  <label for="find-{i}">Find a person</label>
  <div class="combo">
    <input id="find-{i}" type="text" role="combobox" aria-autocomplete="list"
      aria-expanded="false" aria-controls="list-{i}" aria-describedby="hint-{i}"
      autocomplete="off" autocapitalize="words" spellcheck="false">
    <ul id="list-{i}" role="listbox" aria-label="People found" hidden></ul>
  </div>
  <p class="live" id="live-{i}" aria-live="polite"></p>
  <h3 id="chosen-h-{i}">People you named</h3>
  <p class="hint" id="none-{i}">No one yet.</p>
  <ul class="chosen" id="chosen-{i}" aria-labelledby="chosen-h-{i}"></ul>
</fieldset>""")
    saved = (f"Your answers were last saved on {escape(saved_at[:10])}." if saved_at else "")
    return _head(definition.name) + f"""
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>{escape(definition.name)}</h1>
<p class="who">This link is for {escape(respondent)}; please do not pass it on.
Open until {escape(until)}.</p>
<noscript><p><strong>This survey needs JavaScript to look up names.</strong> Turn it on for
this page, or ask the person who sent you the link for another way to answer.</p></noscript>

<section id="consent" aria-labelledby="consent-h" hidden>
<h2 id="consent-h" tabindex="-1">Before you start</h2>
<div class="consent">{consent}</div>
<p>You can save your answers and come back to this link to change them until {escape(until)}.
You can opt out at any time before then; your answers are then deleted and not used.</p>
<div class="actions">
<button type="button" id="agree">I agree: start the survey</button>
<button type="button" id="decline" class="secondary">I do not want to take part</button>
</div>
<p id="consent-msg" role="status"></p>
</section>

<section id="optedout" aria-labelledby="optedout-h" hidden>
<h2 id="optedout-h" tabindex="-1">You have opted out</h2>
<p>Nothing you answered will be used, and nothing others answer about you will be used
either.</p>
<p>If you change your mind before {escape(until)}, you can still take part.</p>
<div class="actions">
<button type="button" id="rejoin" class="secondary">I have changed my mind: take part</button>
</div>
<p id="rejoin-msg" role="status"></p>
</section>

<form id="survey" aria-labelledby="survey-h" novalidate hidden>
<h2 id="survey-h" tabindex="-1">Your answers</h2>
<p>For each question, name the colleagues it applies to. Names come from the list of people
this survey asks; you see their organisation and role to tell namesakes apart.</p>
<div id="errors" class="errors" role="alert" tabindex="-1" hidden>
<h2>There is a problem</h2>
<ul></ul>
</div>
{"".join(fields)}
<div class="actions"><button type="submit">Save my answers</button></div>
<p id="saved" role="status">{saved}</p>
<details>
<summary>Opt out of this survey</summary>
<p>Opting out deletes your answers. Nothing you answered, and nothing others answer about you,
will be used.</p>
<button type="button" id="optout" class="remove">Opt out and delete my answers</button>
</details>
</form>
</main>
<script type="application/json" id="cb-data">{_json_block(data)}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def message_page(title: str, message: str) -> str:
    """A short page that says one thing (a link not valid, a survey closed or not yet open).

    >>> "&lt;" in message_page("Closed", "<x>")
    True
    """
    return _head(title) + f"""
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
<p>{escape(message)}</p>
</main>
</body>
</html>
"""
