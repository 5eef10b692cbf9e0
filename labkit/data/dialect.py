"""The shape of a CSV text: its quote and separator, its records (within the reading limits), a
quote left open, the header line under title lines, and the data rows above notes."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter

from labkit import messages
from labkit.data.limits import HEADER_SEARCH_ROWS, SAMPLE_CHARS, Limits
from labkit.errors import DatalabError

SEPARATORS = (";", ",", "\t", "|")


def detect_quote(text: str) -> str:
    sample = text[:SAMPLE_CHARS]
    double = len(re.findall(r'(^|[;,\t|])"', sample, re.MULTILINE))
    single = len(re.findall(r"(^|[;,\t|])'[^'\n]*'(?=[;,\t|]|$)", sample, re.MULTILINE))
    return "'" if single > 2 * double and single >= 3 else '"'


def detect_separator(text: str, quote: str = '"') -> str:
    """The candidate giving the most consistent number (> 1) of fields per line.

    Each candidate is read with the quote and without it: a quote opened and never closed
    swallows the rest of the text into one value under the right separator, which would then
    lose to a wrong one (``,`` in a ``;`` file whose lines each hold one decimal comma)."""
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = ",", (-1.0, 0)
    for separator in SEPARATORS:
        for each_quote in dict.fromkeys((quote, "")):
            score = _regular_score(sample, separator, each_quote)
            if score is not None and score > best_score:
                best, best_score = separator, score
    return best


def _regular_score(sample: str, separator: str, quote: str) -> tuple[float, int] | None:
    """(share of lines with the usual number of fields, that number), or None."""
    try:
        rows = [r for r in _reader(sample, separator, quote) if any(c.strip() for c in r)]
    except csv.Error:
        return None
    if not rows:
        return None
    counts = Counter(len(r) for r in rows)
    width, frequency = counts.most_common(1)[0]
    if width <= 1:
        return None
    return (frequency / len(rows), width)


def _reader(text: str, separator: str, quote: str):
    csv.field_size_limit(2**31 - 1)
    if quote:
        return csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar=quote)
    return csv.reader(
        io.StringIO(text, newline=""), delimiter=separator, quoting=csv.QUOTE_NONE, escapechar=None
    )


def parse_records(
    text: str, separator: str, quote: str, name: str, limits: Limits | None = None
) -> tuple[list[list[str]], list[int]]:
    """Records and the line where each starts (1-based); refuses a file past the limits of rows,
    columns or cells while it is read."""
    limits = limits or Limits()
    reader = _reader(text, separator, quote)
    records: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    cells = 0
    try:
        for record in reader:
            records.append(record)
            lines.append(previous + 1)
            previous = reader.line_num
            cells += len(record)
            limits.check(name, rows=len(records), columns=len(record), cells=cells)
    except csv.Error as exc:
        raise messages.error(
            "reader.csv_error", name=name, line=reader.line_num, detail=str(exc)
        ) from None
    return records, lines


def unbalanced_quote(text, records, lines, separator, quote, name, limits, notes, *, fixed=False):
    """A quote that opens a value and is never closed swallows the lines after it into one value:
    find it, read the file again with quotes as plain characters when that gives a regular table,
    and say so; otherwise warn. ``fixed``: the separator was chosen by a person, keep it. Returns
    ``(records, lines, separator, quote)``."""
    width = modal_width(records)
    trouble = None
    for record, line in zip(records, lines, strict=True):
        for value in record:
            if "\n" not in value:
                continue
            inner = value.split("\n")[1:]
            if any(part.count(separator) >= max(1, width - 1) for part in inner):
                trouble = line
                break
        if trouble is not None:
            break
    if trouble is None:
        return records, lines, separator, quote
    plain_separator = separator if fixed else detect_separator(text, "")
    try:
        plain, plain_lines = parse_records(text, plain_separator, "", name, limits)
    except DatalabError:
        plain = []
    plain = [[_unquote(v, quote) for v in record] for record in plain]
    if plain and _regularity(plain) > _regularity(records):
        notes.append(messages.text("reader.quote_unbalanced_fixed", line=trouble, quote=quote))
        return plain, plain_lines, plain_separator, ""
    notes.append(messages.text("reader.quote_unbalanced", line=trouble, quote=quote))
    return records, lines, separator, quote


def _unquote(value: str, quote: str) -> str:
    if len(value) >= 2 and value[0] == quote and value[-1] == quote:
        return value[1:-1].replace(quote * 2, quote)
    return value


def _regularity(records: list[list[str]]) -> tuple[float, int]:
    """Share of the filled records that have the table's usual width, and that width."""
    filled = [r for r in records if any(c.strip() for c in r)]
    if not filled:
        return (0.0, 0)
    width = modal_width(filled)
    return (sum(len(r) == width for r in filled) / len(filled), width)


def modal_width(records: list[list[str]]) -> int:
    widths = Counter(len(r) for r in records if any(c.strip() for c in r))
    return widths.most_common(1)[0][0] if widths else 0


def find_header(records: list[list[str]]) -> int:
    """The first line that fills most of the table's width (title lines above it are skipped)."""
    width = modal_width(records)
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        filled = sum(1 for c in record if c.strip())
        if filled and filled >= max(1, math.ceil(0.6 * width)) and len(record) >= width * 0.6:
            return index
    for index, record in enumerate(records):
        if any(c.strip() for c in record):
            return index
    return 0


def header_width(records: list[list[str]], header_row: int) -> list[str]:
    """The header without its trailing empty names (``a;b;c;``), unless data fill those columns."""
    header = records[header_row]
    named = len(header)
    while named > 1 and not header[named - 1].strip():
        named -= 1
    used = 0
    for record in records[header_row + 1 :]:
        for index in range(len(record) - 1, used - 1, -1):
            if record[index].strip():
                used = index + 1
                break
    width = max(named, min(len(header), used))
    return header[:width]


def body_rows(
    records: list[list[str]],
    lines: list[int],
    header_row: int,
    width: int,
    name: str,
    notes: list[str],
) -> tuple[list[list[str]], list[int]]:
    """Data rows of exactly ``width`` fields; blank lines skipped, notes under the table dropped,
    any other row of the wrong length refused (its line is named)."""
    rows: list[list[str]] = []
    row_lines: list[int] = []
    pending: list[tuple[int, list[str]]] = []  # short rows: a footer, or an error if data follows
    for record, line in zip(records[header_row + 1 :], lines[header_row + 1 :], strict=True):
        if not any(c.strip() for c in record):
            continue
        if len(record) > width and not any(c.strip() for c in record[width:]):
            record = record[:width]
        if len(record) == width:
            if pending:
                bad_line, bad = pending[0]
                raise messages.error(
                    "reader.ragged", name=name, line=bad_line, expected=width, found=len(bad)
                )
            rows.append(record)
            row_lines.append(line)
            continue
        if len(record) > width:
            raise messages.error(
                "reader.ragged", name=name, line=line, expected=width, found=len(record)
            )
        pending.append((line, record))
    if pending:
        if not rows:
            bad_line, bad = pending[0]
            raise messages.error(
                "reader.ragged", name=name, line=bad_line, expected=width, found=len(bad)
            )
        notes.append(messages.text("reader.footer_dropped", count=len(pending)))
    if not rows:
        raise messages.error("reader.header_only", name=name)
    return rows, row_lines
