"""Spreadsheets: the cells of an Excel ``.xlsx`` or OpenDocument ``.ods`` sheet, sized before they are
read (a workbook is a ZIP archive: a small file can unpack to a huge one), and the sheet holding
the table."""

from __future__ import annotations

import io
import math
import re
import warnings
import zipfile
import zlib
from typing import Any

import pandas as pd

from labkit import messages
from labkit.data.limits import Limits, megabytes
from labkit.errors import DatalabError


def xlsx_grid(
    data: bytes, name: str, limits: Limits, sheet: str | None = None
) -> tuple[list[list[Any]], str, list[str]]:
    """The cells of the ``.xlsx`` sheet named ``sheet`` (or of the first that holds a table), its
    name and the names of all sheets."""
    _check_xlsx_size(data, name, limits)
    try:
        import openpyxl

        with warnings.catch_warnings():  # styles, data validation…: nothing the reader uses
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure means the workbook cannot be read
        raise messages.error("reader.unreadable_workbook", name=name) from None
    try:
        sheets = list(book.sheetnames)
        rows_by_sheet: dict[str, list[list[Any]]] = {}

        def load(sheet_name: str) -> list[list[Any]]:
            if sheet_name not in rows_by_sheet:
                found = book[sheet_name]
                declared_rows, declared_columns = found.max_row or 0, found.max_column or 0
                if (
                    declared_rows > limits.max_rows
                    or declared_columns > limits.max_columns
                    or declared_rows <= 1  # « A1 »: a size some exporters write, not the data's
                ):
                    found.reset_dimensions()  # a declared size beyond the data: read the data
                rows: list[list[Any]] = []
                cells = 0
                for row in found.iter_rows(values_only=True):
                    rows.append(list(row))
                    cells += len(row)
                    limits.check(name, rows=len(rows), columns=len(row), cells=cells)
                rows_by_sheet[sheet_name] = rows
            return rows_by_sheet[sheet_name]

        return _load_chosen(sheets, sheet, load, name)
    finally:
        book.close()


_XLSX_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_XLSX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def _open_archive(data: bytes, name: str, limits: Limits) -> zipfile.ZipFile:
    """The workbook's ZIP archive, refused when its members unpack past the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise messages.error("reader.unreadable_workbook", name=name) from None
    if unpacked > limits.max_unpacked_bytes:
        raise messages.error(
            "reader.unpacked_too_large",
            name=name,
            size=megabytes(unpacked),
            max=megabytes(limits.max_unpacked_bytes),
        )
    return archive


def _check_xlsx_size(data: bytes, name: str, limits: Limits) -> None:
    """Count the rows and cells of each sheet in its XML, streamed, before any reading: a
    1,048,576-row sheet is refused in about a second instead of read for minutes."""
    archive = _open_archive(data, name, limits)
    for info in archive.infolist():
        member = info.filename
        if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
            continue
        rows = cells = 0
        carry = b""
        try:
            with archive.open(info) as stream:
                while True:
                    chunk = stream.read(1 << 20)
                    if not chunk:
                        break
                    block = carry + chunk
                    cut = block.rfind(b"<")
                    carry, block = (block[cut:], block[:cut]) if cut > 0 else (b"", block)
                    rows += len(_XLSX_ROW.findall(block))
                    cells += len(_XLSX_CELL.findall(block))
                    limits.check(name, rows=rows, cells=cells)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
            raise messages.error("reader.unreadable_workbook", name=name) from None


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _scan_ods(data: bytes, name: str, limits: Limits) -> list[str]:
    """The sheet names of an ``.ods`` file, its ``content.xml`` streamed once: repeated rows and
    cells (``number-rows-repeated``, ``number-columns-repeated``) are counted, not expanded, and a
    sheet that would unpack past the limits is refused before anything is built in memory. Empty
    repeated cells and rows at the end of a sheet (LibreOffice writes a million of them) do not
    count."""
    from xml.etree.ElementTree import ParseError, iterparse

    archive = _open_archive(data, name, limits)
    row_tag, table_tag = _ODS_TABLE + "table-row", _ODS_TABLE + "table"
    cell_tags = {_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"}
    value_type = _ODS_OFFICE + "value-type"
    rows_repeat = _ODS_TABLE + "number-rows-repeated"
    cols_repeat = _ODS_TABLE + "number-columns-repeated"
    sheets: list[str] = []
    row_position = filled_rows = width = column = last_filled = 0
    try:
        with archive.open("content.xml") as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == table_tag:
                        sheets.append(str(element.get(_ODS_TABLE + "name") or len(sheets) + 1))
                        row_position = filled_rows = width = 0
                    elif tag == row_tag:
                        column = last_filled = 0
                    elif tag in cell_tags:
                        column += _repeat(element.get(cols_repeat))
                        if element.get(value_type) is not None:
                            last_filled = column
                            limits.check(name, columns=column)
                    continue
                if tag == row_tag:
                    repeat = _repeat(element.get(rows_repeat))
                    row_position += repeat
                    if last_filled:
                        filled_rows = row_position
                        width = max(width, last_filled)
                        limits.check(name, rows=filled_rows, cells=filled_rows * width)
                    element.clear()
                elif tag == table_tag:
                    element.clear()
    except KeyError:
        raise messages.error("reader.unreadable_workbook", name=name) from None
    except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        raise messages.error("reader.unreadable_workbook", name=name) from None
    return sheets


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def ods_grid(
    data: bytes, name: str, limits: Limits, sheet: str | None = None
) -> tuple[list[list[Any]], str, list[str]]:
    """The cells of the ``.ods`` sheet named ``sheet`` (or of the first that holds a table), its
    name and the names of all sheets."""
    sheets = _scan_ods(data, name, limits)
    loaded: dict[str, list[list[Any]]] = {}

    def load(sheet_name: str) -> list[list[Any]]:
        if not loaded:  # every sheet in one reading of the document
            frames = pd.read_excel(
                io.BytesIO(data), engine="calamine", sheet_name=None, header=None, dtype=object
            )
            for key, frame in frames.items():
                loaded[str(key)] = [
                    [None if is_nan(v) else v for v in row] for row in frame.itertuples(index=False)
                ]
        return loaded.get(sheet_name, [])

    return _load_chosen(sheets, sheet, load, name)


def _load_chosen(sheets: list[str], wanted: str | None, load, name: str):
    """``(cells, sheet, sheets)`` of the sheet chosen by :func:`_choose_sheet`; any failure but a
    French refusal means the workbook cannot be read."""
    try:
        chosen = _choose_sheet(sheets, wanted, load, name)
        return load(chosen), chosen, sheets
    except DatalabError:
        raise
    except Exception:  # noqa: BLE001
        raise messages.error("reader.unreadable_workbook", name=name) from None


def _choose_sheet(sheets: list[str], wanted: str | None, load, name: str) -> str:
    if not sheets:
        raise messages.error("reader.no_sheet", name=name)
    if wanted is not None:
        if wanted not in sheets:
            raise messages.error(
                "reader.sheet_missing", name=name, sheet=wanted, sheets=", ".join(sheets)
            )
        return wanted
    first_filled = None
    for sheet in sheets:
        rows = [row for row in load(sheet) if any(filled(c) for c in row)]
        if rows and first_filled is None:
            first_filled = sheet
        wide = [row for row in rows if sum(1 for c in row if filled(c)) >= 2]
        if len(wide) >= 2:
            return sheet  # the first sheet that looks like a table (a header and a row)
    if first_filled is None:
        raise messages.error("reader.no_sheet", name=name)
    return first_filled


def filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not is_nan(value)


def is_nan(value: Any) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT
    except TypeError:
        return False
