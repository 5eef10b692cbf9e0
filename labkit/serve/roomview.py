"""The facilitator's room view at ``/animation``: tornado handlers and their French pages.

Everything here asks for the facilitator's secret (``DATALAB_FACILITATOR_TOKEN``,
``datalab start --facilitator-token``, or one generated and printed at start):

- given once as ``/animation?jeton=…`` (or in the small form of the refusal page), it is checked in
  constant time, then the browser gets an HttpOnly, SameSite=Strict cookie derived from it (not the
  secret itself) and is redirected at once to ``/animation``, so the secret leaves the address bar;
  the request's address is scrubbed before tornado logs it;
- without it, every address answers 403 with a French page that names no learner.

The page shows the tables of :mod:`labkit.serve.room` and asks ``/animation/etat`` for them again every
few seconds (a small inline script; no file from outside). Exports for the debrief: three CSV files
(formula-looking cells neutralised by :mod:`labkit.csvsafe`) and a one-page summary. One learner's
progress opens read-only; « repartir de zéro » on one module is a POST with an ``_xsrf`` check,
after a confirmation page.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
from html import escape as esc
from typing import Any

import tornado.web
from jupyter_server.utils import url_path_join

from labkit import messages
from labkit.serve import room

COOKIE = "datalab_animation"
REFRESH_SECONDS = 5
MIN_TOKEN_LENGTH = 8


def _t(name: str, /, **values: Any) -> str:
    return messages.text(f"room.{name}", **values)


def _text(value: str | bytes) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else value


def cookie_value(secret: str) -> str:
    """What the browser keeps: derived from the secret, so the cookie never holds the secret."""
    return hmac.new(secret.encode("utf-8"), b"datalab-animation-v1", hashlib.sha256).hexdigest()


def secret_matches(given: str | None, secret: str | None) -> bool:
    if not secret or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


CSS = """
:root { --blue: #000091; --grey: #3a3a3a; --red: #ce0500; --green: #18753c; --info: #0063cb; }
body { font-family: "Marianne", "Segoe UI", Arial, sans-serif; color: #161616; margin: 0; }
header.top { background: #f6f6f6; border-bottom: 4px solid var(--blue); padding: .6rem 1.5rem; }
header.top h1 { color: var(--blue); margin: .2rem 0; font-size: 1.8rem; }
main { padding: .5rem 1.5rem 2rem; max-width: 110rem; }
h2 { color: var(--blue); font-size: 1.3rem; margin: 1.4rem 0 .4rem; }
a { color: var(--blue); font-weight: 600; }
a:focus, button:focus, input:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .95rem; }
caption { text-align: left; color: var(--grey); padding: .2rem 0 .4rem; }
th, td { border: 1px solid #bbb; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #eee; }
.state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-weight: 600; font-size: .9rem; }
.state-stuck { background: #ffe9e9; color: #8f0300; }
.state-idle { background: #eee; color: #3a3a3a; }
.state-active, .state-new { background: #e6feda; color: #0f4a25; }
tr.stuck td { background: #fff6f6; }
.error { color: #8f0300; }
.muted { color: var(--grey); font-size: .9rem; }
.bar { display: inline-flex; width: 10rem; height: .9rem; background: #eee; border: 1px solid #929292;
  vertical-align: middle; margin-right: .4rem; }
.bar span { display: block; height: 100%; }
.bar .done { background: var(--green); }
.bar .going { background: var(--info); }
.bar .share { background: var(--blue); }
.msg { border-left: 5px solid var(--info); background: #e8edff; padding: .5rem .9rem; margin: .5rem 0; }
.msg-error { border-color: var(--red); background: #ffe9e9; }
.msg-success { border-color: var(--green); background: #e6feda; }
.controls { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
form.inline { display: inline; }
button, .button { font: inherit; padding: .45rem 1rem; border: 0; border-radius: 3px; background: var(--blue);
  color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
.button-danger { background: var(--red); }
label { font-weight: 600; }
input[type=password], input[type=text], input:not([type]), input[type=file], textarea, select {
  font: inherit; padding: .4rem .6rem; border: 1px solid #666; border-radius: 3px; max-width: 100%; }
input[type=text], input:not([type]), textarea { width: 32rem; }
td input:not([type]) { width: auto; }
p.field { margin: .8rem 0; }
fieldset { border: 1px solid #bbb; margin: 1rem 0; padding: .5rem 1rem; }
legend { font-weight: 600; }
ul.exports li { margin: .3rem 0; }
@media print { .controls, ul.exports, nav { display: none; } }
"""

SCRIPT = """
(function () {
  var box = document.getElementById('salle');
  var auto = document.getElementById('auto');
  var stamp = document.getElementById('stamp');
  var alertBox = document.getElementById('refresh-alert');
  function refresh() {
    if (!auto.checked) { return; }
    // JupyterHub's room service asks a page's own fetch for its form token (labkit.serve.hubroom)
    fetch(box.getAttribute('data-source'), {credentials: 'same-origin', cache: 'no-store',
                                            headers: {'X-XSRFToken': box.getAttribute('data-xsrf')}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        box.innerHTML = data.html;
        stamp.textContent = data.updated;
        alertBox.textContent = '';
      })
      .catch(function () { alertBox.textContent = alertBox.getAttribute('data-failed'); });
  }
  setInterval(refresh, parseInt(box.getAttribute('data-seconds'), 10) * 1000);
})();
"""


def page_html(title: str, body: str, *, script: str = "") -> str:
    tag = f"<script>{script}</script>" if script else ""
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><p class="muted">Datalab · {esc(_t("title"))}</p></header>'
        f"<main>{body}</main>{tag}</body></html>"
    )


# --------------------------------------------------------------------------- the room's HTML
def _bar(parts: list[tuple[str, float]], label: str) -> str:
    spans = "".join(
        f'<span class="{cls}" style="width:{max(0.0, min(100.0, share * 100)):.1f}%"></span>'
        for cls, share in parts
    )
    return f'<span class="bar" aria-hidden="true">{spans}</span><span>{esc(label)}</span>'


def _state_badge(state: str) -> str:
    return f'<span class="state state-{state}">{esc(_t(f"state_{state}"))}</span>'


def room_html(summary: room.Room, base: str, home: str | None = None) -> str:
    """The live part of the page: summary line, learners, modules, questions, notes. ``home``: the
    room's own address (``<base>/animation`` by default)."""
    home = home or url_path_join(base, "animation")
    now = summary.generated
    counts = summary.counts()
    parts = [
        "<p><strong>"
        + esc(_t("summary_line", idle_minutes=room.IDLE_MINUTES, **counts))
        + "</strong></p>"
    ]
    modules = summary.modules
    labels = {m.number: m.label for m in modules}
    parts.append(f'<h2 id="stagiaires">{esc(_t("learners_title"))}</h2>')
    if not summary.learners:
        parts.append(f'<p class="msg">{esc(_t("no_learners"))}</p>')
    else:
        heads = [
            "col_pseudonym",
            "col_state",
            "col_current",
            "col_modules",
            "col_quiz",
            "col_project",
            "col_dataset",
            "col_model",
            "col_activity",
            "col_error",
        ]
        rows = []
        for row in summary.learners:
            state = row.state(now)
            link = url_path_join(home, "stagiaire", row.slug)
            done = row.done_count()
            going = sum(1 for s in row.statuses.values() if s == "in_progress")
            total = len(modules) or 1
            quiz = " · ".join(
                f"{mid[:2]} : {_t('quiz_cell', right=r, total=t)}"
                for mid, (r, t) in sorted(row.scores.items())
            )
            model = ""
            if row.model:
                score = (
                    f"{row.model_score:.2f}".replace(".", ",")
                    if row.model_score is not None
                    else _t("none")
                )
                model = _t(
                    "model_score",
                    name=row.model,
                    metric=room.metric_name(row.model_metric),
                    score=score,
                )
            error = ""
            if row.error and not row.error_resolved:
                where = labels.get(row.error_module[:2], row.error_module)
                error = (
                    f'<span class="error">{esc(row.error)}</span><br><span class="muted">'
                    f"{esc(where)} · {esc(room.ago(row.error_at, now))}</span>"
                )
            rows.append(
                f'<tr class="{state}"><th scope="row"><a href="{esc(link)}">'
                f"{esc(row.pseudonym)}</a></th>"
                f"<td>{_state_badge(state)}</td>"
                f"<td>{esc(labels.get(row.current, row.current) or _t('none'))}</td>"
                f"<td>{_bar([('done', done / total), ('going', going / total)], _t('done_count', done=done, total=len(modules)))}</td>"
                f"<td>{esc(quiz or _t('none'))}</td>"
                f"<td>{esc(row.project or _t('none'))}</td>"
                f"<td>{esc(row.dataset or _t('none'))}</td>"
                f"<td>{esc(model or _t('none'))}</td>"
                f"<td>{esc(room.ago(row.last_activity, now))}</td>"
                f"<td>{error or esc(_t('none'))}</td></tr>"
            )
        parts.append(_table("learners_caption", heads, rows))
    parts.append(f'<h2 id="modules">{esc(_t("modules_title"))}</h2>')
    rows = []
    for item in summary.per_module:
        total = item["total"] or 1
        bar = _bar(
            [("done", item["done"] / total), ("going", item["in_progress"] / total)],
            _t(
                "bar_label",
                done=item["done"],
                in_progress=item["in_progress"],
                total=item["total"],
            ),
        )
        rows.append(
            f'<tr><th scope="row">{esc(item["module"].label)}</th><td>{item["here"]}</td>'
            f"<td>{item['in_progress']}</td><td>{item['done']}</td><td>{bar}</td></tr>"
        )
    parts.append(
        _table(
            "modules_caption",
            ["col_module", "col_here", "col_in_progress", "col_done", "col_progress"],
            rows,
        )
    )
    parts.append(f'<h2 id="questions">{esc(_t("questions_title"))}</h2>')
    if not summary.questions:
        parts.append(f"<p>{esc(_t('no_answers'))}</p>")
    else:
        rows = []
        for item in summary.questions:
            percent = round(100 * item["share"])
            bar = _bar(
                [("share", item["share"])],
                f"{_t('share', percent=percent)} ({item['first_try']}/{item['attempted']})",
            )
            rows.append(
                f'<tr><td>{esc(item["module"].number)}</td><th scope="row">{esc(item["prompt"])}</th>'
                f"<td>{item['attempted']}</td><td>{bar}</td></tr>"
            )
        parts.append(
            _table(
                "questions_caption",
                ["col_module", "col_question", "col_attempted", "col_first_try"],
                rows,
            )
        )
    if summary.notes:
        items = "".join(f"<li>{esc(note)}</li>" for note in summary.notes[:50])
        parts.append(f'<h2 id="remarques">{esc(_t("notes_title"))}</h2><ul>{items}</ul>')
    return "".join(parts)


def _table(caption: str, heads: list[str], rows: list[str]) -> str:
    head = "".join(f'<th scope="col">{esc(_t(h))}</th>' for h in heads)
    return (
        f"<table><caption>{esc(_t(caption))}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _stamp(moment: _dt.datetime) -> str:
    return _t("updated", time=moment.astimezone().strftime("%H:%M:%S"))


# --------------------------------------------------------------------------- the handlers
class _Base(tornado.web.RequestHandler):
    """Checks the facilitator's cookie before anything; answers 403 in French otherwise."""

    open_without_cookie = False

    def initialize(
        self, secret: str | None, reader: room.RoomReader, base: str, home: str | None = None
    ) -> None:
        self.secret = secret
        self.reader = reader
        self.base = base
        self.home = home or url_path_join(base, "animation")  # the room's own address

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("X-Frame-Options", "DENY")

    def prepare(self) -> None:
        if "jeton" in self.request.query_arguments:
            # Tornado logs ``request.uri`` (at warning level for a 403): never with the secret.
            self.request.uri = self.request.path
        if not self.open_without_cookie and not self.allowed():
            self.deny()

    def allowed(self) -> bool:
        if not self.secret:
            return False
        return secret_matches(self.get_cookie(COOKIE), cookie_value(self.secret))

    def url(self, *parts: str) -> str:
        return url_path_join(self.home, *parts)

    def deny(self, reason: str | None = None) -> None:
        """403: a French page, the form to give the secret, no learner named."""
        self.set_status(403)
        note = f'<p class="msg msg-error" role="alert">{esc(reason)}</p>' if reason else ""
        body = (
            f"<h1>{esc(_t('denied_title'))}</h1>{note}<p>{esc(_t('denied_text'))}</p>"
            f'<form method="post" action="{esc(self.url())}">{self.xsrf_form_html()}'
            f'<p><label for="jeton">{esc(_t("token_label"))}</label><br>'
            f'<input id="jeton" name="jeton" type="password" autocomplete="off" required> '
            f'<button type="submit">{esc(_t("token_submit"))}</button></p></form>'
        )
        self.finish(page_html(_t("denied_title"), body))

    def check_form(self) -> bool:
        try:
            self.check_xsrf_cookie()
        except tornado.web.HTTPError:
            self.deny(_t("forbidden_form"))
            return False
        return True


class RoomPageHandler(_Base):
    """``/animation``: the room, live."""

    open_without_cookie = True

    def get(self) -> None:
        given = self.get_query_argument("jeton", None)
        if given is not None:
            self._enter(given)
            return
        if not self.allowed():
            self.deny()
            return
        summary = self.reader.summary()
        exports = "".join(
            f'<li><a href="{esc(self.url(path))}">{esc(_t(label))}</a></li>'
            for path, label in (
                ("export/stagiaires.csv", "export_learners"),
                ("export/modules.csv", "export_modules"),
                ("export/questions.csv", "export_questions"),
                ("bilan", "export_summary"),
            )
        )
        body = (
            f"<h1>{esc(_t('title'))}</h1><p>{esc(_t('intro', seconds=REFRESH_SECONDS))}</p>"
            '<div class="controls"><p><input type="checkbox" id="auto" checked> '
            f'<label for="auto">{esc(_t("auto_refresh"))}</label></p>'
            f'<p id="stamp" class="muted">{esc(_stamp(summary.generated))}</p></div>'
            f'<p id="refresh-alert" class="error" role="alert" data-failed="{esc(_t("refresh_failed"))}"></p>'
            f'<div id="salle" data-source="{esc(self.url("etat"))}" data-seconds="{REFRESH_SECONDS}" '
            f'data-xsrf="{esc(_text(self.xsrf_token))}">'
            f"{room_html(summary, self.base, self.url())}</div>"
            f'<h2 id="export">{esc(_t("exports_title"))}</h2><ul class="exports">{exports}</ul>'
        )
        if not self.reader.remote:  # the dataset pages write to this copy's content
            body += (
                f'<h2 id="jeux">{esc(_t("datasets_title"))}</h2><p>{esc(_t("datasets_intro"))} '
                f'<a href="{esc(self.url("jeux"))}">{esc(_t("datasets_link"))}</a></p>'
            )
        self.finish(page_html(_t("html_title"), body, script=SCRIPT))

    def post(self) -> None:
        if self.check_form():
            self._enter(self.get_body_argument("jeton", ""))

    def _enter(self, given: str) -> None:
        if not secret_matches(given, self.secret):
            self.deny(_t("denied_wrong"))
            return
        self.set_cookie(
            COOKIE,
            cookie_value(self.secret),
            path=self.url(),
            httponly=True,
            samesite="Strict",
            secure=self.request.protocol == "https",
        )
        self.redirect(self.url(), status=303)


class RoomStateHandler(_Base):
    """``/animation/etat``: the live part of the page, as JSON."""

    def get(self) -> None:
        summary = self.reader.summary()
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(
            json.dumps(
                {
                    "html": room_html(summary, self.base, self.url()),
                    "updated": _stamp(summary.generated),
                },
                ensure_ascii=False,
            )
        )


class RoomExportHandler(_Base):
    """``/animation/export/<table>.csv``: formula-looking cells neutralised."""

    TABLES = {
        "stagiaires": room.learners_table,
        "modules": room.modules_table,
        "questions": room.questions_table,
    }

    def get(self, name: str) -> None:
        if name not in self.TABLES:
            raise tornado.web.HTTPError(404)
        import pandas as pd

        from labkit import csvsafe

        summary = self.reader.summary()
        rows = self.TABLES[name](summary)
        frame = pd.DataFrame(rows)
        day = summary.generated.astimezone().strftime("%Y-%m-%d")
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="salle-{name}-{day}.csv"')
        self.finish(csvsafe.to_csv_bytes(frame, sep=";"))


class RoomSummaryHandler(_Base):
    """``/animation/bilan``: the room on one page, to print for the debrief."""

    def get(self) -> None:
        summary = self.reader.summary()
        date = summary.generated.astimezone().strftime("%d/%m/%Y %H:%M")
        body = (
            f'<nav><a href="{esc(self.url())}">{esc(_t("learner_back"))}</a></nav>'
            f"<h1>{esc(_t('summary_title', date=date))}</h1>{room_html(summary, self.base, self.url())}"
        )
        self.finish(page_html(_t("summary_title", date=date), body))


class LearnerHandler(_Base):
    """``/animation/stagiaire/<slug>``: one learner's progress, read-only."""

    def get(self, slug: str) -> None:
        summary = self.reader.summary()
        row = summary.learner(slug) if self.reader.knows(slug) else None
        back = f'<nav><a href="{esc(self.url())}">{esc(_t("learner_back"))}</a></nav>'
        if row is None:
            self.set_status(404)
            body = (
                f'{back}<h1>{esc(_t("title"))}</h1><p class="msg">{esc(_t("learner_unknown"))}</p>'
            )
            self.finish(page_html(_t("html_title"), body))
            return
        done = ""
        reset = self.get_query_argument("fait", None)
        module = next((m for m in summary.modules if m.id == reset), None)
        if module is not None:
            said = "reset_sent" if self.reader.remote else "reset_done"
            done = (
                f'<p class="msg msg-success" role="status">'
                f"{esc(_t(said, module=module.label, pseudonym=row.pseudonym))}</p>"
            )
        waiting = [m.label for m in summary.modules if m.id in self.reader.pending(row.slug)]
        if waiting:
            notice = _t("reset_pending", modules=" ; ".join(waiting), pseudonym=row.pseudonym)
            done += f'<p class="msg">{esc(notice)}</p>'
        rows = []
        for module in summary.modules:
            status = row.statuses.get(module.id, "todo")
            right, total = row.scores.get(module.id, (None, None))
            score = _t("none") if right is None else _t("quiz_cell", right=right, total=total)
            link = self.url("stagiaire", row.slug, "repartir", module.id)
            label = _t("reset_link_label", module=module.label, pseudonym=row.pseudonym)
            rows.append(
                f'<tr><th scope="row">{esc(module.label)}</th>'
                f"<td>{esc(_t(f'status_{status}'))}</td>"
                f"<td>{esc(score)}</td>"
                f'<td><a href="{esc(link)}" aria-label="{esc(label)}">{esc(_t("reset_link"))}</a></td></tr>'
            )
        caption = _t("learner_caption", pseudonym=row.pseudonym)
        head = "".join(
            f'<th scope="col">{esc(_t(h))}</th>'
            for h in ("col_module", "col_status", "col_score", "col_action")
        )
        facts = [
            (_t("col_state"), _t(f"state_{row.state(summary.generated)}")),
            (_t("col_project"), row.project or _t("none")),
            (_t("col_dataset"), row.dataset or _t("none")),
            (
                _t("col_model"),
                _t(
                    "model_score",
                    name=row.model,
                    metric=room.metric_name(row.model_metric),
                    score=f"{row.model_score:.2f}".replace(".", ",")
                    if row.model_score is not None
                    else _t("none"),
                )
                if row.model
                else _t("none"),
            ),
            (_t("col_activity"), room.ago(row.last_activity, summary.generated)),
            (_t("col_error"), row.error if row.error and not row.error_resolved else _t("none")),
        ]
        listing = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
        body = (
            f"{back}<h1>{esc(_t('learner_title', pseudonym=row.pseudonym))}</h1>{done}"
            f"<p>{esc(_t('learner_intro'))}</p><dl>{listing}</dl>"
            f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        self.finish(page_html(_t("learner_title", pseudonym=row.pseudonym), body))


class ResetHandler(_Base):
    """``/animation/stagiaire/<slug>/repartir/<module>``: GET asks, POST (``_xsrf``) does."""

    def _target(self, slug: str, module_id: str):
        summary = self.reader.summary()
        row = summary.learner(slug) if self.reader.knows(slug) else None
        module = next((m for m in summary.modules if m.id == module_id), None)
        if row is None or module is None:
            self.set_status(404)
            text = _t("learner_unknown") if row is None else _t("reset_bad_module")
            back = f'<nav><a href="{esc(self.url())}">{esc(_t("learner_back"))}</a></nav>'
            self.finish(page_html(_t("html_title"), f'{back}<p class="msg">{esc(text)}</p>'))
            return None
        return row, module

    def get(self, slug: str, module_id: str) -> None:
        target = self._target(slug, module_id)
        if target is None:
            return
        row, module = target
        title = _t("reset_title", module=module.label, pseudonym=row.pseudonym)
        cancel = self.url("stagiaire", row.slug)
        body = (
            f"<h1>{esc(title)}</h1><p>{esc(_t('reset_what'))}</p><p>{esc(_t('reset_kept'))}</p>"
            f"<p>{esc(_t('reset_reload_hub' if self.reader.remote else 'reset_reload'))}</p>"
            f'<form method="post" action="{esc(self.request.path)}">{self.xsrf_form_html()}'
            f'<button type="submit" class="button-danger">{esc(_t("reset_confirm"))}</button> '
            f'<a class="button" href="{esc(cancel)}">{esc(_t("reset_cancel"))}</a></form>'
        )
        self.finish(page_html(title, body))

    def post(self, slug: str, module_id: str) -> None:
        if not self.check_form():
            return
        target = self._target(slug, module_id)
        if target is None:
            return
        row, module = target
        self.reader.reset(row.slug, module.id)
        self.redirect(self.url("stagiaire", row.slug) + f"?fait={module.id}", status=303)


def page_options(base: str, secret: str | None, root=None) -> dict:
    """What every facilitator page is given: the secret, the room's reader, the base address."""
    return {"secret": secret, "reader": room.RoomReader(root), "base": base}


def handlers(base: str, secret: str | None, root=None) -> list[tuple]:
    """The routes of the room view, under the server's ``base`` address."""
    return routes(url_path_join(base, "animation"), page_options(base, secret, root))


def routes(home: str, options: dict, wrap=lambda handler: handler) -> list[tuple]:
    """The room view's pages under its address ``home``; ``wrap`` gives each handler another
    way in (JupyterHub's, :mod:`labkit.serve.hubroom`)."""
    slug = r"([a-z0-9][a-z0-9-]{0,80})"
    pages = [
        (r"/?", RoomPageHandler),
        (r"/etat", RoomStateHandler),
        (r"/bilan", RoomSummaryHandler),
        (r"/export/([a-z]+)\.csv", RoomExportHandler),
        (rf"/stagiaire/{slug}", LearnerHandler),
        (rf"/stagiaire/{slug}/repartir/([0-9a-z_]+)", ResetHandler),
    ]
    return [(url_path_join(home, path), wrap(handler), options) for path, handler in pages]
