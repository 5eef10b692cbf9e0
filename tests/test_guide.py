"""The facilitator guide: its generated parts (labkit.course.guide) and a strict mkdocs build that must
agree with the module registry, the quiz banks, the messages and the datasets."""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from labkit import paths
from labkit.course import guide, quiz
from labkit.course.modules import Module, load_modules
from labkit.course.quiz import MultipleChoice, NumberAnswer, OpenQuestion, SingleChoice
from labkit.errors import DatalabError
from labkit.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "facilitator-guide"
DOCS = GUIDE / "docs"


def module(module_id="01_x", day=1, slot="matin", teaching=30, exercise=60, **extra) -> Module:
    return Module(
        id=module_id,
        title=extra.pop("title", f"Titre {module_id}"),
        subtitle=extra.pop("subtitle", ""),
        day=day,
        slot=slot,
        teaching_minutes=teaching,
        exercise_minutes=exercise,
        objectives=extra.pop("objectives", ("comprendre ;",)),
        needs=extra.pop("needs", ()),
    )


def parse_duration(text: str) -> int:
    """``1 h 30`` → 90, ``45 min`` → 45, ``2 h`` → 120 (as :func:`guide.format_duration` writes)."""
    text = text.replace("\u00a0", " ").replace("*", "").strip()
    match = re.fullmatch(r"(?:(\d+) h(?: (\d\d))?)|(?:(\d+) min)", text)
    assert match, text
    hours, minutes, only = match.groups()
    return int(only) if only else int(hours) * 60 + int(minutes or 0)


def parse_time(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*h\s*(\d\d)", text.replace("\u00a0", " ").strip())
    assert match, text
    hours, minutes = match.groups()
    return int(hours) * 60 + int(minutes)


# ------------------------------------------------------------------------------- schedule
def test_programme_rows_give_each_module_its_registry_minutes():
    modules = load_modules()
    rows = guide.programme_rows(modules)
    assert guide.module_totals(rows) == {m.id: m.minutes for m in modules if m.minutes}
    for m in modules:
        mine = [r for r in rows if r.module_id == m.id]
        assert {(r.day, r.half_day) for r in mine} == {(m.day, guide.half_day_of(m))}


def test_programme_rows_are_contiguous_and_start_at_opening_time():
    rows = guide.programme_rows(load_modules())
    halves = sorted({(r.day, r.half_day) for r in rows})
    for day, half in halves:
        mine = [r for r in rows if (r.day, r.half_day) == (day, half)]
        opening = guide.MORNING_START if half == guide.MORNING else guide.AFTERNOON_START
        assert mine[0].start == opening
        assert all(a.end == b.start for a, b in zip(mine, mine[1:], strict=False))
        content = sum(r.minutes for r in mine if not r.is_break)
        breaks = [r for r in mine if r.is_break]
        assert len(breaks) == (1 if content > guide.BREAK_AFTER else 0)
        assert all(b.minutes == guide.BREAK_MINUTES for b in breaks)
        assert not mine[0].is_break and not mine[-1].is_break


def test_a_long_module_is_split_around_the_break_and_parts_add_up():
    rows = guide.programme_rows([module("05_x", teaching=50, exercise=100)])
    assert [r.part for r in rows] == [guide.FIRST_PART, "", guide.SECOND_PART]
    assert rows[1].is_break
    assert rows[0].minutes + rows[2].minutes == 150
    assert guide.format_time(rows[0].start) == "9\u00a0h\u00a000"


def test_the_break_snaps_to_a_module_boundary_when_one_is_close():
    rows = guide.programme_rows(
        [module("01_a", teaching=30, exercise=30), module("02_b", teaching=30, exercise=30)]
    )
    assert [r.module_id for r in rows] == ["01_a", None, "02_b"]
    assert [r.part for r in rows] == ["", "", ""]


def test_a_short_half_day_has_no_break():
    rows = guide.programme_rows([module("03_x", teaching=30, exercise=60)])
    assert len(rows) == 1 and not rows[0].is_break


@pytest.mark.parametrize("slot", ["après-midi", "Apres-midi", "APRÈS-MIDI", " après midi "])
def test_afternoon_spellings_are_accepted(slot):
    assert guide.half_day_of(module(slot=slot)) == guide.AFTERNOON


@pytest.mark.parametrize("slot", ["soir", "", "matinée", "14h"])
def test_an_unknown_half_day_gives_a_french_error(slot):
    with pytest.raises(DatalabError) as caught:
        guide.programme_rows([module("04_y", slot=slot)])
    assert caught.value.key == "guide.bad_slot"
    assert "04_y" in caught.value.message and "matin" in caught.value.hint


def test_one_day_variant_keeps_every_module_within_the_day():
    modules = load_modules()
    minutes = guide.one_day_minutes(modules)
    rows = guide.one_day_rows(modules)
    assert {r.day for r in rows} == {1}
    assert guide.module_totals(rows) == {k: v for k, v in minutes.items() if v}
    assert all(v % 5 == 0 and v >= guide.MIN_MODULE_MINUTES for v in minutes.values())
    assert abs(sum(minutes.values()) - guide.ONE_DAY_CONTENT_MINUTES) <= 5 * len(modules)
    order = [r.module_id for r in rows if not r.is_break]
    assert list(dict.fromkeys(order)) == [m.id for m in modules]
    assert {r.half_day for r in rows} == {guide.MORNING, guide.AFTERNOON}


def test_one_day_variant_never_lengthens_a_short_workshop():
    short = [module("01_a", teaching=10, exercise=20), module("02_b", teaching=10, exercise=20)]
    assert guide.one_day_minutes(short) == {"01_a": 30, "02_b": 30}


@pytest.mark.parametrize(
    ("minutes", "text"), [(45, "45\u00a0min"), (60, "1\u00a0h"), (90, "1\u00a0h\u00a030")]
)
def test_durations_are_written_the_french_way(minutes, text):
    assert guide.format_duration(minutes) == text
    assert parse_duration(text) == minutes


def test_module_card_shows_timing_objectives_and_needs():
    first = module("03_a", objectives=("lire un tableau ;", "choisir une cible."))
    second = module("04_b", needs=("03_a", "99_absent"))
    card = guide.render_module_card(second, [first, second])
    assert "1\u00a0h\u00a030" in card and "30\u00a0min d’apports" in card
    assert "[03 · Titre 03_a](03_a.md)" in card and "99_absent" in card
    assert "- comprendre ;" in card
    assert "- lire un tableau ;" in guide.render_module_card(first, [first, second])


# ---------------------------------------------------------------------------- answer keys
def documented_quiz_example() -> str:
    text = (DOCS / "adapter.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- quiz-example:start -->\s*```yaml\n(.*?)```\s*<!-- quiz-example:end -->",
        text,
        re.DOTALL,
    )
    assert block, "adapter.md must keep its quiz example between the quiz-example markers"
    return block.group(1)


def test_the_quiz_format_documented_in_the_guide_loads(tmp_path):
    path = tmp_path / "exemple.yaml"
    path.write_text(documented_quiz_example(), encoding="utf-8")
    bank = quiz.load_bank("exemple", path)
    kinds = {type(p) for p in bank.problems}
    assert kinds == {SingleChoice, MultipleChoice, NumberAnswer, OpenQuestion}
    number = next(p for p in bank.problems if isinstance(p, NumberAnswer))
    assert number.check("5,2").is_correct and not number.check("7").is_correct


def test_the_guide_s_example_quiz_ids_are_free(tmp_path):
    """Copied into a quiz file, the guide's example questions must not clash with real ones."""
    path = tmp_path / "exemple.yaml"
    path.write_text(documented_quiz_example(), encoding="utf-8")
    examples = {p.id for p in quiz.load_bank("exemple", path).problems}
    used = {
        p.id
        for bank_file in (ROOT / "content" / "quiz").glob("*.yaml")
        for p in quiz.load_bank(bank_file.stem, bank_file).problems
    }
    assert examples and not examples & used, sorted(examples & used)


def test_answer_key_marks_right_choices_and_reasons(tmp_path):
    path = tmp_path / "exemple.yaml"
    path.write_text(documented_quiz_example(), encoding="utf-8")
    bank = quiz.load_bank("exemple", path)
    key = guide.render_answer_key(bank)
    assert '!!! success "Réponse attendue : choix 2"' in key
    assert '!!! success "Réponse attendue : choix 1, 3 et 4"' in key
    assert "Réponse attendue : 5\u00a0% (à 0,5 près)" in key
    assert f'!!! note "{guide.OPEN_TITLE}"' in key
    assert "2. un doublon — **bonne réponse**" in key
    assert "- **Si l’on répond 3** : Les valeurs sont ordinaires" in key
    assert key.count("- **Indice 2** :") == 1


def test_answer_key_never_lets_a_quote_end_the_admonition_title():
    problem = NumberAnswer(id="q", prompt="Combien ?", answer=3, unit='"m"')
    key = guide.render_answer_key(quiz.Bank("m", "T", [problem]))
    title_line = next(line for line in key.splitlines() if line.startswith("!!!"))
    assert title_line.count('"') == 2


# ---------------------------------------------------------------------------- messages
def test_message_keys_in_code_finds_errors_notices_and_feedback():
    source = """
raise messages.error("workspace.corrupted", key=k)
raise messages.error(
    "recipe.no_column")
area.warning(messages.text("ui.upload_empty"))
html = message_html("info", messages.text("ui.need_pseudonym"))
Feedback(CORRECT, messages.text("quiz.correct"), x)
label = messages.text("ui.pseudonym_label")
"""
    assert guide.message_keys_in_code([source]) == {
        "workspace.corrupted",
        "recipe.no_column",
        "ui.upload_empty",
        "ui.need_pseudonym",
        "quiz.correct",
    }


def test_messages_markdown_lists_hinted_and_shown_messages_not_labels():
    domains = {
        "ui": {
            "": "",
            "broken": {"message": "Ça casse ({ref}).", "hint": "Réessayez."},
            "shown": "Une <strong>alerte</strong>.",
            "label": "Votre pseudonyme",
        },
        "content": {"bad": {"message": "Fichier {path} invalide.", "hint": "Corrigez-le."}},
    }
    trainee = guide.render_messages_markdown(
        domains, {"ui.label": "Le libellé."}, guide.TRAINEE, shown=["ui.shown"]
    )
    assert "Ça casse (*[ref]*).<br>`ui.broken` | Réessayez." in trainee
    assert "Une alerte." in trainee and "<strong>" not in trainee
    assert "Le libellé." in trainee  # a note forces a message into the table
    assert "content.bad" not in trainee
    facilitator = guide.render_messages_markdown(domains, {}, guide.FACILITATOR)
    assert "content.bad" in facilitator and "ui.broken" not in facilitator


def test_a_note_for_a_message_that_no_longer_exists_stops_the_build():
    with pytest.raises(DatalabError) as caught:
        guide.render_messages_markdown({"ui": {"a": "Un message."}}, {"ui.gone": "x"})
    assert caught.value.key == "guide.unknown_note" and "ui.gone" in caught.value.message


def test_every_troubleshooting_note_names_an_existing_message():
    notes = yaml.safe_load((GUIDE / "depannage-notes.yaml").read_text(encoding="utf-8"))
    known = guide.all_message_keys(guide.load_message_domains())
    assert notes and set(notes) <= known, sorted(set(notes) - known)


# ---------------------------------------------------------------------------- datasets
def test_defects_table_lists_each_documented_defect_with_a_fix():
    package = {
        "defects": [
            {"kind": "leakage", "columns": ["date_entree"], "count": 5, "description": "Fuite."},
            {"kind": "bizarre", "columns": [], "description": "Autre chose."},
        ]
    }
    table = guide.render_defects_markdown(package)
    assert "| Fuite de données | `date_entree` | 5 | Fuite. | Supprimer impérativement" in table
    assert "| Autre défaut | toutes |  | Autre chose. | Voir la description. |" in table
    assert "Aucun défaut" in guide.render_defects_markdown({})


def test_datasets_table_reads_every_bundled_datapackage():
    packages = guide.load_datapackages(paths.datasets_dir())
    table = guide.render_datasets_markdown(packages)
    for name, package in packages.items():
        assert f"`{name}`" in table and package["title"] in table


def test_an_unreadable_datapackage_is_listed_by_its_folder_name(tmp_path):
    (tmp_path / "abime").mkdir()
    (tmp_path / "abime" / "datapackage.json").write_text("{ pas du json", encoding="utf-8")
    assert guide.load_datapackages(tmp_path) == {"abime": {"title": "abime", "defects": []}}


# ------------------------------------------------------------------------- the built site
class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts; every admonition title, in order."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.titles: list[str] = []
        self._cell: list[str] | None = None
        self._title: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p" and "admonition-title" in classes:
            self._title = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "p" and self._title is not None:
            self.titles.append("".join(self._title).strip())
            self._title = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._title is not None:
            self._title.append(data)


def parse_page(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    article = raw[raw.index("<article") : raw.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", article))


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("guide") / "site"
    result = build(GUIDE / "mkdocs.yml", site)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return site


def test_every_registry_module_has_a_page_titled_from_the_registry(site):
    for m in load_modules():
        page = site / "modules" / f"{m.id}.html"
        assert page.is_file(), m.id
        raw = page.read_text(encoding="utf-8")
        assert re.search(r"<h1[^>]*>" + re.escape(html.escape(m.label, quote=False)), raw), m.id
        text = page_text(page)
        assert f"Durée : {guide.format_duration(m.minutes)}" in text
        for objective in m.objectives:
            assert objective in text
        # the navigation lists the module under its registry label
        assert html.escape(m.label, quote=False) in raw


def test_programme_page_matches_the_registry_durations(site):
    modules = load_modules()
    labels = {m.label: m for m in modules}
    tables = parse_page(site / "programme.html").tables
    schedules = [t for t in tables if t and t[0] == ["Horaire", "Séquence", "Durée"]]
    summary = next(t for t in tables if t and t[0][:2] == ["Module", "Quand"])
    one_day = next(
        t for t in tables if t and t[0] == ["Module", "En une journée", "En trois jours"]
    )
    one_day_tables = len({r.half_day for r in guide.one_day_rows(modules)})
    three_days = [row for table in schedules[:-one_day_tables] for row in table[1:]]

    totals: dict[str, int] = {}
    for when, what, duration in three_days:
        start, end = (parse_time(t) for t in when.split("–"))
        assert end - start == parse_duration(duration)
        label = re.sub(r" \((1re partie|suite)\)$", "", what)
        if label != guide.BREAK_LABEL:
            totals[label] = totals.get(label, 0) + parse_duration(duration)
    assert totals == {m.label: m.minutes for m in modules if m.minutes}

    for label, _when, teaching, exercise, total in summary[1:-1]:
        m = labels[label]
        assert parse_duration(teaching) == m.teaching_minutes
        assert parse_duration(exercise) == m.exercise_minutes
        assert parse_duration(total) == m.minutes
    assert parse_duration(summary[-1][-1]) == sum(m.minutes for m in modules)

    short = guide.one_day_minutes(modules)
    for label, in_one_day, in_three in one_day[1:-1]:
        assert parse_duration(in_one_day) == short[labels[label].id]
        assert parse_duration(in_three) == labels[label].minutes


def test_answer_keys_match_the_quiz_banks(site):
    checked = 0
    for m in load_modules():
        page = site / "modules" / f"{m.id}.html"
        raw = page.read_text(encoding="utf-8")
        start = raw.find('id="corrige-du-quiz"')
        section = raw[start : raw.find("<h2", start + 1)] if start >= 0 else ""
        parser = _Tables()
        parser.feed(section)
        in_order = [
            t
            for t in parser.titles
            if t.startswith(guide.ANSWER_TITLE.strip()) or t == guide.OPEN_TITLE
        ]
        if not quiz.bank_path(m.id).is_file():
            assert not in_order
            source = (DOCS / "modules" / f"{m.id}.md").read_text(encoding="utf-8")
            if "datalab:quiz" in source:  # the page says so instead of an answer key
                assert "Pas de quiz pour ce module" in page_text(page)
            continue
        bank = quiz.load_bank(m.id)
        assert in_order == [guide.expected_answer(p).replace('"', "«") for p in bank.problems]
        text = page_text(page)
        for problem in bank.problems:
            assert problem.prompt in text
        checked += 1
    assert checked >= 2  # modules 01 and 02 have quizzes from the start


def test_defect_hunt_answer_key_matches_the_exercise_of_module_04(site):
    from labkit.course.data_quiz import defect_hunt
    from labkit.data import datapackage

    dataset = datapackage.load_dataset(load_settings().running_example.dataset)
    problem = defect_hunt([d if isinstance(d, dict) else vars(d) for d in dataset.defects])
    titles = parse_page(site / "modules" / "04_preparation.html").titles
    assert guide.expected_answer(problem) in titles
    text = page_text(site / "modules" / "04_preparation.html")
    for index, choice in enumerate(problem.choices):
        mark = "bonne réponse" if index in problem.answer else "à écarter"
        assert f"{choice} — {mark}" in text


def test_troubleshooting_page_lists_the_messages_with_hints(site):
    text = page_text(site / "depannage.html")
    domains = guide.load_message_domains()
    for domain, entries in domains.items():
        for key, value in entries.items():
            if key and isinstance(value, dict) and value.get("hint"):
                assert f"{domain}.{key}" in text, f"{domain}.{key}"
    assert "ui.need_pseudonym" in text and "ui.default_used" in text


def test_module_pages_carry_generated_datasets_and_defects(site):
    text04 = page_text(site / "modules" / "04_preparation.html")
    dataset = load_settings().running_example.dataset
    package = json.loads(
        (paths.datasets_dir() / dataset / "datapackage.json").read_text(encoding="utf-8")
    )
    for defect in package.get("defects") or []:
        assert defect["description"] in text04
    text03 = page_text(site / "modules" / "03_donnees.html")
    for folder in guide.load_datapackages(paths.datasets_dir()):
        assert folder in text03


def test_the_site_loads_nothing_from_outside(site):
    external = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', re.I)
    for page in site.rglob("*.html"):
        assert not external.search(page.read_text(encoding="utf-8")), page
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        assert "fonts.googleapis" not in text and "@import url(http" not in text, sheet


def test_no_marker_is_left_unreplaced(site):
    for page in site.rglob("*.html"):
        assert "datalab:" not in page.read_text(encoding="utf-8"), page


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_every_guide_page_passes_axe(site, browser):
    """The guide itself is a public body's web page: WCAG 2.1 A and AA rules, as the workbook."""
    from support import AXE_PATH, AXE_TAGS

    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: ./datalab.sh test installs axe-core from npm")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    page = browser.new_page()
    failures = []
    try:
        for path in sorted(site.rglob("*.html")):
            page.goto(base + path.relative_to(site).as_posix(), wait_until="domcontentloaded")
            assert page.locator("html").get_attribute("lang") == "fr"
            page.add_script_tag(path=str(AXE_PATH))
            result = page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
                " resultTypes: ['violations']})",
                AXE_TAGS,
            )
            for violation in result["violations"]:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                failures.append(f"{path.name}: {violation['id']} {targets}")
    finally:
        page.close()
        server.shutdown()
    assert not failures, "\n".join(failures)


def test_search_works_in_the_guide_opened_from_the_disk(site, browser):
    """Facilitators open the built guide as files (file://), offline: its search must work there."""
    page = browser.new_page()
    try:
        page.goto((site / "index.html").as_uri(), wait_until="load")
        page.locator("label.md-search__icon, .md-search__input").first.click()
        # The search index loads in a worker (the offline plugin's shim from file://): ready when
        # the search box invites to type.
        page.locator(".md-search-result__meta", has_text="Taper pour démarrer").wait_for()
        page.locator("input.md-search__input").press_sequentially("pseudonyme")
        results = page.locator(".md-search-result__item")
        results.first.wait_for(timeout=30_000)
        assert results.count() >= 1
        assert "pseudonyme" in page.locator(".md-search-result").inner_text().lower()
    finally:
        page.close()


# ------------------------------------------------------------------ strictness of the build
def guide_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "facilitator-guide"
    shutil.copytree(GUIDE, copy, ignore=shutil.ignore_patterns("site", "__pycache__"))
    return copy


def test_a_registry_module_without_a_page_stops_the_build(tmp_path):
    copy = guide_copy(tmp_path)
    last = load_modules()[-1]
    (copy / "docs" / "modules" / f"{last.id}.md").unlink()
    result = build(copy / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "n’a pas de page pour ces modules" in output and last.id in output


def test_a_broken_link_or_an_unknown_marker_stops_the_build(tmp_path):
    copy = guide_copy(tmp_path)
    page = copy / "docs" / "index.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\n[Lien cassé](nulle-part.md)\n", encoding="utf-8"
    )
    result = build(copy / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0 and "nulle-part.md" in result.stdout + result.stderr

    page.write_text("# Accueil\n\n<!-- datalab:inconnu -->\n", encoding="utf-8")
    result = build(copy / "mkdocs.yml", tmp_path / "site2")
    assert result.returncode != 0 and "marqueur inconnu" in result.stdout + result.stderr


# ------------------------------------------------------------------------- no drift: déroulé
def test_each_module_page_s_deroule_comes_from_the_registry():
    for m in load_modules():
        text = (DOCS / "modules" / f"{m.id}.md").read_text(encoding="utf-8")
        assert "## Le déroulé\n\n<!-- datalab:deroule -->" in text, m.id
        assert m.schedule and sum(minutes for minutes, _ in m.schedule) == m.minutes, m.id
        table = guide.render_deroule(m)
        for minutes, what in m.schedule:
            assert f"| {guide.format_duration(minutes)} | {what} |" in table
        assert f"*Total : {guide.format_duration(m.minutes)} (" in table


def test_a_module_without_schedule_gets_its_teaching_and_activity_minutes():
    table = guide.render_deroule(module(teaching=30, exercise=50))
    assert "| 30\u00a0min | Apports" in table and "| 50\u00a0min | Activités |" in table
    assert "*Total : 1\u00a0h\u00a020 (30\u00a0min d’apports, 50\u00a0min d’activités)" in table


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ('      - minutes: 15\n        what: "A"\n', "fait 15 min, mais le module dure 90 min"),
        ('      - minutes: 0\n        what: "A"\n', "la partie n° 1 du déroulé"),
        ('      - minutes: 90\n        what: "  "\n', "la partie n° 1 du déroulé"),
        ('      - minutes: "un quart d’heure"\n        what: "A"\n', "« minutes »"),
        ('      - what: "A"\n', "« minutes »"),
    ],
)
def test_a_bad_schedule_is_a_french_error_naming_the_module(tmp_path, schedule, expected):
    registry = tmp_path / "modules.yaml"
    registry.write_text(
        'modules:\n  - id: 01_x\n    title: "X"\n    day: 1\n    slot: matin\n'
        "    teaching_minutes: 40\n    exercise_minutes: 50\n"
        f'    schedule:\n{schedule}    objectives: ["comprendre ;"]\n',
        encoding="utf-8",
    )
    with pytest.raises(DatalabError) as caught:
        load_modules(registry)
    assert expected in str(caught.value) and "« 01_x »" in str(caught.value)


def test_new_durations_in_content_alone_change_the_built_deroule(tmp_path, monkeypatch):
    """A facilitator shortens a part of module 04 in content/modules.yaml only: the module's
    page in the built guide shows the new part and the new total."""
    project = tmp_path / "projet"
    project.mkdir()
    for name in ("notebooks", "datasets"):
        (project / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "content", project / "content")
    registry = project / "content" / "modules.yaml"
    text = registry.read_text(encoding="utf-8")
    block = text[text.index("  - id: 04_preparation") :]
    first = '      - minutes: 15\n        what: "Apport : « des données propres'
    assert "    teaching_minutes: 50\n" in block and first in block
    shorter = block.replace("    teaching_minutes: 50\n", "    teaching_minutes: 40\n", 1).replace(
        first, first.replace("minutes: 15", "minutes: 5"), 1
    )
    registry.write_text(text.replace(block, shorter), encoding="utf-8")
    monkeypatch.setenv("DATALAB_ROOT", str(project))
    result = build(GUIDE / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    text = page_text(tmp_path / "site" / "modules" / "04_preparation.html")
    assert re.search(r"\b5\u00a0min\s*Apport : « des données propres", text)
    assert "Total : 2\u00a0h\u00a020 (40\u00a0min d’apports" in text


# ---------------------------------------------------------------------- no drift: limits
def test_the_upload_limits_the_guide_quotes_come_from_the_code(site):
    from labkit import messages
    from labkit.data import opendata

    sys.path.insert(0, str(GUIDE))
    try:
        import hooks
    finally:
        sys.path.remove(str(GUIDE))
    upload = hooks.upload_limit_bytes() // (1024 * 1024)
    text = page_text(site / "modules" / "03_donnees.html")
    assert f"{upload}\u00a0Mo au plus" in text
    assert f"{opendata.MAX_DOWNLOAD_BYTES // (1024 * 1024)}\u00a0Mo au plus" in text
    # the page says the same limit as the guide
    assert f"{upload} Mo au plus" in messages.text("donnees.upload_help")


def test_a_failed_guide_build_keeps_the_last_good_guide_and_says_why_in_french(tmp_path):
    """Issue 24: a broken quiz file made the build print English (« Aborted with a BuildError! »)
    and left facilitator-guide/site/ empty. Run as a facilitator does, ``./datalab.sh guide``, in
    a copy of the project sharing this checkout's environment."""
    from support import ROOT

    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.fail("./datalab.sh guide needs the project's .venv (made by ./datalab.sh test)")
    copy = tmp_path / "datalab"
    copy.mkdir()
    for name in ("datalab.sh", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    for name in ("requirements", "content", "facilitator-guide", "notebooks", "datasets"):
        shutil.copytree(
            ROOT / name, copy / name, ignore=shutil.ignore_patterns("site", "__pycache__")
        )
    (copy / ".venv").symlink_to(ROOT / ".venv")

    def guide() -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(copy / "datalab.sh"), "guide"],
            capture_output=True,
            text=True,
            timeout=300,
            env={k: v for k, v in os.environ.items() if k != "DATALAB_ROOT"},
        )

    first = guide()
    assert first.returncode == 0, first.stdout + first.stderr
    index = copy / "facilitator-guide" / "site" / "index.html"
    good = index.read_text(encoding="utf-8")
    (copy / "content" / "quiz" / "02_cadrage.yaml").write_text(
        'questions:\n  - id: x\n    texte: "non fermé\n', encoding="utf-8"
    )
    second = guide()
    assert second.returncode == 1
    assert "Le guide d’animation n’a pas été reconstruit" in second.stderr
    assert "content/quiz/02_cadrage.yaml" in second.stderr and "Ligne" in second.stderr
    assert "BuildError" not in second.stderr and "ERROR" not in second.stderr
    assert "Le guide précédent est conservé" in second.stderr
    assert index.read_text(encoding="utf-8") == good  # the last good guide is still there


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1200, "1\u202f200"), (5, "5"), (0.5, "0,5"), (12.75, "12,75"), (-3, "-3")],
)
def test_answers_are_written_as_french_numbers(value, shown):
    # the answer key said « 1200 » for a question about « 1 216 » lines (issue 24)
    from labkit.course.guide import _number

    assert _number(value) == shown
