"""One row numbering for every page, report and export: the row of the spreadsheet.

A row is named to a person by the number it has when the file is opened in a spreadsheet: the
header is on row *h* (1 for most files; later when title lines sit above it), the first data record
is row *h* + 1, a blank line is a row (a spreadsheet shows it), and a record holding a quoted line
break is still one row. Bundled datasets follow the same rule on their CSV file.

The rule is kept in the frame itself: the **index labels of a table read by**
:func:`labkit.data.reader.read_table` **are those row numbers** (``int64``). Nothing downstream
renumbers them: the recipe's filters and removals keep the labels, the workspace stores them with
the table, the model's split keeps them, so module 03's preview, module 04's findings, module 05's
errors and module 06's scoring export all say « ligne 3086 » for the same record.

A table that did not come from a file (built in code, or saved by a version of Datalab that did not
keep the labels) has positions ``0, 1, 2…`` as labels: :func:`numbered` gives it the numbers of a
file whose header is on row ``header_row + 1``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from labkit import messages

FIRST_HEADER_ROW = 0  # 0-based record of the header when nothing else is known (row 1)
SHOWN_ROWS = 12  # row numbers written out in a list before « … »


def file_rows(lines: Iterable[int]) -> pd.Index:
    """The index of a table whose records are on spreadsheet rows ``lines`` (1-based)."""
    return pd.Index([int(n) for n in lines], dtype="int64")


def is_positional(index: pd.Index) -> bool:
    """Whether ``index`` holds positions ``0, 1, 2…`` (no file rows): a frame built in code, or a
    table saved before the labels were kept. A file row is never 0 (the header is at least row 1)."""
    if isinstance(index, pd.RangeIndex):
        return index.start == 0 and index.step == 1
    return len(index) == 0 or (
        pd.api.types.is_integer_dtype(index) and index[0] == 0 and index.is_monotonic_increasing
    )


def numbered(frame: pd.DataFrame, header_row: int = FIRST_HEADER_ROW) -> pd.DataFrame:
    """``frame`` with file row numbers as labels; a frame that has them is returned unchanged.
    Positions become the rows of a file whose header is record ``header_row`` (0-based) and which
    holds neither blank lines nor line breaks inside values."""
    if not is_positional(frame.index):
        return frame
    out = frame.copy()
    out.index = file_rows(range(header_row + 2, header_row + 2 + len(frame)))
    return out


def row_number(label: Any) -> str:
    """One row label as a person reads it: ``3086`` (plain integer, no thousands separator, as a
    spreadsheet's row header shows it)."""
    if hasattr(label, "item"):
        label = label.item()
    if isinstance(label, float) and label.is_integer():
        label = int(label)
    return str(label)


def row_list(labels: Iterable[Any], limit: int = SHOWN_ROWS) -> str:
    """Row labels as a French list: ``3, 4, 5`` then `` …`` when there are more than ``limit``."""
    labels = list(labels)
    shown = ", ".join(row_number(r) for r in labels[:limit])
    return shown + (" …" if len(labels) > limit else "")


def row_text(label: Any) -> str:
    """« ligne 3086 du fichier »: one row named in a sentence."""
    return messages.text("donnees.file_row", n=row_number(label))


def row_column_name() -> str:
    """The header of the column that shows each row's number in a table or an export."""
    return messages.text("donnees.file_row_column")


def with_row_column(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its row numbers as a first column (for a table shown or exported)."""
    name = row_column_name()
    while name in frame.columns:
        name = f"{name} "
    out = frame.copy()
    out.insert(0, name, [row_number(r) for r in frame.index])
    return out
