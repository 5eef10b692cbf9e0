"""The limits of a reading: what a file may weigh, and how many rows, columns and cells it may hold.

A table past one of them is refused with a French :class:`~labkit.errors.DatalabError` while it is
read (or before, for a workbook), so that a shared server's memory is never exhausted by one file.
"""

from __future__ import annotations

from dataclasses import dataclass

from labkit import messages
from labkit.errors import DatalabError

MAX_BYTES = 50 * 1024 * 1024
"""Largest file accepted (50 Mo): far above the small data of the workshop, small enough for a
shared server's memory."""


MAX_ROWS = 300_000
"""Most data rows read (the workshop's tables are small; a spreadsheet's million rows are not)."""


MAX_COLUMNS = 2_000
MAX_CELLS = 3_000_000
"""Most cells (rows × columns) read: what bounds the memory a reading takes."""


MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Most bytes a workbook (a ZIP archive) may unpack to: a small file can hide a huge content."""


SAMPLE_CHARS = 200_000
HEADER_SEARCH_ROWS = 30


@dataclass
class Limits:
    """The limits of one reading (a person may lower them; tests do)."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES

    def check(self, name: str, *, rows: int = 0, columns: int = 0, cells: int = 0) -> None:
        """Refuse the file ``name`` when what was read of it so far is past a limit: ``rows``
        counts every line (title lines and header included), ``columns`` the widest row."""
        if columns > self.max_columns:
            raise limit_error(name, "columns", self.max_columns)
        if rows > self.max_rows + HEADER_SEARCH_ROWS:
            raise limit_error(name, "rows", self.max_rows)
        if cells > self.max_cells:
            raise limit_error(name, "cells", self.max_cells)


def limit_error(name: str, what: str, limit: int) -> DatalabError:
    """The French refusal of a file past one of the reading limits (rows, columns, cells)."""
    return messages.error(f"reader.too_many_{what}", name=name, max=_thousands(limit))


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")
