"""Layout in Chromium: on every module of the workbook app, at 1366 px and 1024 px wide, no button
or label text is cut (clipped or ended by « … ») and nothing makes the page scroll sideways."""

from __future__ import annotations

import pytest
from test_workbook import MODULES, open_app, reveal_all_steps, shown

pytestmark = pytest.mark.browser

SLOW_MS = 180_000
WIDTHS = (1366, 1024)

MEASURE = """
(root) => {
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const cut = [];
  const selector = 'button, label, .widget-label, .widget-label-basic, .jupyter-button';
  for (const el of root.querySelectorAll(selector)) {
    if (!visible(el) || !el.textContent.trim()) continue;
    const style = getComputedStyle(el);
    const hides = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflow);
    const ellipsis = style.textOverflow === 'ellipsis';
    if (el.scrollWidth > el.clientWidth + 1 && (hides || ellipsis)) {
      cut.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} « ${el.textContent.trim().slice(0, 60)} » (${el.clientWidth} < ${el.scrollWidth} px)`);
    }
  }
  // Widget boxes scroll what is too wide for them, so the page itself may not grow: also look for
  // anything drawn past the window's right edge, except inside a box made to scroll (a table).
  const page = document.documentElement;
  const wide = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('.dl-table') && !el.classList.contains('dl-table')) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > window.innerWidth + 1 && visible(el)) {
      wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join('.')} « ${(el.textContent || '').trim().slice(0, 40)} » (right ${Math.round(box.right)} px)`);
      if (wide.length >= 5) break;
    }
  }
  return {cut, scrollWidth: page.scrollWidth, innerWidth: window.innerWidth, wide};
}
"""


def test_no_text_cut_and_no_sideways_scroll_on_any_module(page, voila_server):
    problems = []
    open_app(page, voila_server, "Mise En Page")
    for number in MODULES:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        if number != "00":
            page.evaluate(f"() => {{ window.location.hash = '#{number}'; }}")
        root = shown(page, number)
        reveal_all_steps(root)
        page.wait_for_timeout(500)  # figures and tables settle
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(400)  # plotly and flex boxes follow the new width
            found = root.evaluate(MEASURE)
            where = f"module {number} at {width} px"
            problems += [f"{where}: cut {text}" for text in found["cut"]]
            if found["scrollWidth"] > found["innerWidth"]:
                problems.append(
                    f"{where}: page {found['scrollWidth']} px wide for {found['innerWidth']} px"
                )
            problems += [f"{where}: past the right edge {text}" for text in found["wide"]]
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_cut_button_and_a_too_wide_table(page, voila_server):
    """The measure itself: with the old ipywidgets rules put back, it finds what was seen."""
    page.set_viewport_size({"width": 1024, "height": 900})
    root = open_app(page, voila_server, "Mise En Page Temoin", "01")
    page.add_style_tag(
        content=".jupyter-widgets.jupyter-button { width: 6rem !important; white-space: nowrap "
        "!important; overflow: hidden !important; text-overflow: ellipsis !important; }"
    )
    root.evaluate(
        "(r) => { const d = document.createElement('div'); d.style.width = '1500px';"
        " d.textContent = 'tableau trop large'; r.appendChild(d); }"
    )
    found = root.evaluate(MEASURE)
    assert any("Tirer de nouveaux points" in text for text in found["cut"]), found
    assert any("tableau trop large" in text for text in found["wide"]), found
