"""Each screen check of :mod:`screen` catches its fault once, put on a plain page (issue 23, item 2:
« prove each check catches its fault once »), and finds nothing on the same page without it; the
screenshot kept shows the whole page, and leaves it as it was."""

from __future__ import annotations

import pytest
from screen import (
    ConsoleErrors,
    jpeg_size,
    result_in_view,
    screen_problems,
    whole_page_screenshot,
)

pytestmark = pytest.mark.browser

SLOW_MS = 60_000

CLEAN = """
<html lang="fr"><body style="margin:0;font-size:16px">
<h1>Page propre</h1>
<div style="width:30rem">Un texte assez long pour être lu sur une seule ligne.</div>
<label>Choix <select><option>premier</option><option>second</option></select></label>
<div class="dl-figure"><div class="js-plotly-plot" style="height:300px">graphique</div></div>
<button id="go">Lancer</button><div id="result" style="margin-top:20px">Résultat</div>
</body></html>
"""

FAULTS = {
    # the score box of module 04 drawn 45 px wide, one letter per line
    "text box narrower than 12 characters": (
        '<div style="width:45px">Score global : 44 / 100. La moyenne des scores</div>'
    ),
    # module 05's charts fell to 0 px after a step revealed
    "chart without height": (
        '<div class="dl-figure"><div class="js-plotly-plot" style="height:0px"></div></div>'
    ),
    "drawn past the window's edge": '<div style="width:3000px">Trop large</div>',
    # module 03's « Corriger la lecture » lists showed nothing
    "drop-down showing nothing": (
        '<label>Séparateur <select id="blank"><option>a</option></select></label>'
        "<script>document.getElementById('blank').selectedIndex = -1;</script>"
    ),
}


def set_page(page, extra: str = "") -> None:
    page.set_content(CLEAN.replace("</body>", f"{extra}</body>"))


def test_each_check_finds_its_fault_and_nothing_on_a_clean_page(page):
    page.set_viewport_size({"width": 1024, "height": 700})
    set_page(page)
    assert screen_problems(page) == []
    for label, fault in FAULTS.items():
        set_page(page, fault)
        found = screen_problems(page)
        assert len(found) >= 1 and all(p.startswith(label) for p in found), (label, found)


def test_a_result_out_of_view_is_seen_unless_it_holds_the_focus(page):
    page.set_viewport_size({"width": 1024, "height": 700})
    set_page(page, '<div style="height:3000px"></div><p id="far" tabindex="-1">Enregistré</p>')
    far = page.locator("#far")
    assert result_in_view(page, page.locator("#result"))
    assert not result_in_view(page, far)
    far.focus()  # focus taken to it, as the workbook does for a notice far from its button
    assert result_in_view(page, far)


def test_console_errors_are_collected(page):
    errors = ConsoleErrors(page)
    set_page(page, "<script>document.body.classList.add('deux mots');</script>")
    page.wait_for_timeout(200)
    assert any("DOMTokenList" in e for e in errors), errors


# A page laid out as Voilà's: a box of the window's height scrolls the page, sized again to the
# window on the frame after a resize (as Lumino does), the document itself never scrolls.
BOXED = """
<html lang="fr"><body style="margin:0;overflow:hidden">
<div id="rendered_cells" style="position:absolute;top:0;left:0;right:0;overflow:auto">
  <h1>Page longue</h1>
  <div style="height:1500px">Le début</div>
  <label>Nom <input id="name"></label>
  <div style="height:1500px"></div>
  <p id="end">La fin</p>
</div>
<script>
  const box = document.getElementById('rendered_cells');
  const fit = () => { box.style.height = window.innerHeight + 'px'; };
  fit();
  window.addEventListener('resize', () => requestAnimationFrame(fit));
</script>
</body></html>
"""

STATE_JS = """() => {
  const box = document.getElementById('rendered_cells');
  return {scroll: box.scrollTop, height: box.clientHeight, focus: document.activeElement.id,
          end: Math.round(document.getElementById('end').getBoundingClientRect().top)};
}"""


def test_the_screenshot_kept_shows_the_whole_page_and_leaves_it_as_it_was(page, tmp_path):
    page.set_viewport_size({"width": 1024, "height": 700})
    page.set_content(BOXED)
    page.locator("#name").focus()
    page.evaluate("() => { document.getElementById('rendered_cells').scrollTop = 1200; }")
    before = page.evaluate(STATE_JS)
    assert before["height"] == 700 and before["scroll"] == 1200 and before["focus"] == "name"
    shot = tmp_path / "page.jpg"
    whole_page_screenshot(page, shot)
    width, height = jpeg_size(shot)
    assert width == 1024
    assert height > before["end"] + before["scroll"] > 3000  # down to « La fin », far below
    assert page.viewport_size == {"width": 1024, "height": 700}
    assert page.evaluate(STATE_JS) == before  # same focus, scroll position and layout
    assert screen_problems(page) == []
