"""What a trainee sees, checked on the screen (issue 23): the checks the walks run after each step
and each action, at 1366 and 1024 px, and the screenshots of the whole page they keep.

- **narrow**: a box holding a text of 12 characters or more drawn narrower than about 12
  characters (6 × its font size): the score box of module 04 drawn 45 px wide, one letter per line;
  table cells wrapped letter by letter (« Natu re »);
- **flat**: a chart shown with no height (module 05's charts fell to 0 px after a step revealed);
- **wide**: an element drawn past the window's right edge (except inside a table made to scroll);
- **blank**: a drop-down showing nothing (module 03's « Corriger la lecture » lists);
- **out of view**: the result of an action neither in the window nor holding the focus (module
  03's confirmation 3,000 px above its button) — :func:`result_in_view`;
- **console**: an error in the browser's console (« Failed to execute 'add' on 'DOMTokenList' »)
  — :class:`ConsoleErrors`.

``tests/browser/test_screen_checks.py`` puts each fault on a page once and sees each check catch it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from support import ROOT

WIDTHS = (1366, 1024)
HEIGHT = 900
# Where the screenshots go: kept after the run as the test's artifact (``.test-artifacts/``, or
# the folder named by DATALAB_TEST_ARTIFACTS).
ARTIFACTS = Path(os.environ.get("DATALAB_TEST_ARTIFACTS") or ROOT / ".test-artifacts")

SCREEN_JS = r"""
(root) => {
  root = root || document.body;
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity || '1') > 0;
  };
  const hidden = (el) => el.closest('#dl-live, #dl-live-alert, .dl-sr-only, [aria-hidden=true], svg, script, style, option');
  const describe = (el, text) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : ''} « ${(text || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50)} »`;
  const out = {narrow: [], flat: [], wide: [], blank: []};
  for (const el of root.querySelectorAll('*')) {
    if (hidden(el) || !visible(el)) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
    if (own.length >= 12) {
      const box = el.getBoundingClientRect();
      const size = parseFloat(getComputedStyle(el).fontSize) || 14;
      // a text broken over lines in a box that narrow (a visually hidden text, 1 px and
      // clipped, is for screen readers and not drawn; an inline word is as wide as itself)
      const wraps = el.getClientRects().length > 1 || box.height > 2.2 * size;
      if (box.width > 2 && box.width < 6 * size && wraps) {
        out.narrow.push(`${describe(el, own)} (${Math.round(box.width)} px)`);
      }
    }
    if (out.wide.length < 5 && !(el.closest('.dl-table') && !el.classList.contains('dl-table'))
        && !el.closest('.dl-scroll, .p-Widget.jp-OutputArea pre')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 1) {
        out.wide.push(`${describe(el)} (right ${Math.round(box.right)} px)`);
      }
    }
  }
  for (const plot of root.querySelectorAll('.js-plotly-plot')) {
    const figure = plot.closest('.dl-figure') || plot;
    if (figure.offsetParent !== null && visible(figure) && plot.clientHeight < 50) {
      out.flat.push(plot.getAttribute('aria-label') || describe(plot));
    }
  }
  for (const select of root.querySelectorAll('select:not([multiple])')) {
    if (!visible(select)) continue;
    const option = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
    if (!option || !option.text.trim()) {
      const label = select.closest('.widget-dropdown')?.querySelector('label');
      out.blank.push(select.getAttribute('aria-label') || (label && label.innerText.trim()) || describe(select));
    }
  }
  return out;
}
"""

SHOT_CAP = 20_000  # px: the tallest screenshot kept (a long table's page is cut there)
SHOT_QUALITY = 60  # JPEG: a whole page of text in about 1 MB
SETTLE_MS = 15_000  # the page laid out again at the window's new height, at most

# The box that scrolls the page (Voilà: ``#rendered_cells``, which Lumino sizes to the window), or
# the document itself; what a shot must put back is kept in ``window.__dlShot`` for RESTORE_JS.
# Returns the height the window must have to show the whole page.
MEASURE_JS = r"""
() => {
  const scrolls = (el) => /(auto|scroll)/.test(getComputedStyle(el).overflowY)
    && el.scrollHeight > el.clientHeight + 1;
  let box = document.getElementById('rendered_cells');
  if (!box || !scrolls(box)) {  // another page: the largest box that scrolls, if any
    box = null;
    let best = 0;
    for (const el of document.body.querySelectorAll('*')) {
      const area = el.clientWidth * el.clientHeight;
      if (area > best && scrolls(el)) { best = area; box = el; }
    }
    if (box && box.clientHeight < window.innerHeight / 2) box = null;  // a list, not the page
  }
  window.__dlShot = {
    focus: document.activeElement, window: [window.scrollX, window.scrollY], box,
    scroll: box ? [box.scrollLeft, box.scrollTop] : null, height: box ? box.clientHeight : 0,
  };
  const root = document.documentElement;
  // the window grows by what the box hides
  const hidden = box ? box.scrollHeight - box.clientHeight : 0;
  return Math.max(root.scrollHeight, window.innerHeight) + hidden;
}
"""

# True once the box that scrolls the page has followed the window's new height (Lumino lays out on
# the next frame after a resize).
FOLLOWED_JS = r"""
(grown) => {
  const kept = window.__dlShot;
  if (!kept || !kept.box) return true;
  const box = kept.box;
  return grown ? box.scrollHeight <= box.clientHeight + 1 || box.clientHeight > kept.height
               : box.clientHeight === kept.height;
}
"""

RESTORE_JS = r"""
() => {
  const kept = window.__dlShot;
  if (!kept) return;
  delete window.__dlShot;
  if (kept.box) [kept.box.scrollLeft, kept.box.scrollTop] = kept.scroll;
  window.scrollTo(kept.window[0], kept.window[1]);
  if (document.activeElement !== kept.focus && kept.focus && kept.focus.focus) {
    kept.focus.focus({preventScroll: true});
  }
}
"""

IN_VIEW_JS = """
(el) => {
  const box = el.getBoundingClientRect();
  const seen = box.bottom > 0 && box.top < window.innerHeight && box.height > 0;
  const focus = document.activeElement;
  return seen || (focus && focus !== document.body && (el.contains(focus) || focus.contains(el)));
}
"""


def screen_problems(page, root=None) -> list[str]:
    """The faults the screen shows now, in words (empty: nothing wrong)."""
    found = page.evaluate(SCREEN_JS, root.element_handle() if root is not None else None)
    labels = {
        "narrow": "text box narrower than 12 characters",
        "flat": "chart without height",
        "wide": "drawn past the window's edge",
        "blank": "drop-down showing nothing",
    }
    return [f"{labels[kind]}: {item}" for kind, items in found.items() for item in items]


def result_in_view(page, locator) -> bool:
    """The action's result is in the window, or holds the focus (a screen reader is taken to it)."""
    return bool(locator.evaluate(IN_VIEW_JS))


class ConsoleErrors(list):
    """The errors the page writes in the browser's console, or throws (collected as they come)."""

    def __init__(self, page):
        super().__init__()
        page.on("console", lambda m: m.type == "error" and self.append(m.text))
        page.on("pageerror", lambda e: self.append(str(e)))


def shoot(page, folder: str, name: str) -> Path:
    """A screenshot of the whole page at this step, kept as the test's artifact (JPEG, at most
    :data:`SHOT_CAP` px tall): Voilà scrolls inside its own box, so « full_page » alone would give
    the window; the box is let grow to its content for the shot only, and the page is put back as
    it was (focus, scroll positions, layout) for the checks that follow."""
    path = ARTIFACTS / "walk" / folder / (re.sub(r"[^\w.-]+", "-", name) + ".jpg")
    path.parent.mkdir(parents=True, exist_ok=True)
    whole_page_screenshot(page, path)
    return path


def whole_page_screenshot(page, path: Path) -> None:
    """The whole page in ``path`` (JPEG, quality :data:`SHOT_QUALITY`, cut at :data:`SHOT_CAP` px),
    whatever box scrolls it: the window is made as tall as the page for the shot (the box that
    scrolls follows it, as Lumino lays Voilà's page out to the window), then given back its size,
    and the scroll positions and the focus are put back."""
    window = page.viewport_size
    height = min(int(page.evaluate(MEASURE_JS)), SHOT_CAP)
    try:
        if height > window["height"]:
            page.set_viewport_size({"width": window["width"], "height": height})
            page.wait_for_function(FOLLOWED_JS, arg=True, timeout=SETTLE_MS)
        page.screenshot(path=str(path), type="jpeg", quality=SHOT_QUALITY, animations="disabled")
    finally:
        if height > window["height"]:
            page.set_viewport_size(window)
            page.wait_for_function(FOLLOWED_JS, arg=False, timeout=SETTLE_MS)
        page.evaluate(RESTORE_JS)


def jpeg_size(path: Path) -> tuple[int, int]:
    """(width, height) of a JPEG file, read from its frame header."""
    data = path.read_bytes()
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[at + 7 : at + 9], "big"), int.from_bytes(
                data[at + 5 : at + 7], "big"
            )
        at += 2 + length
    raise ValueError(f"{path}: no JPEG frame header")
