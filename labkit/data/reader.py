"""Reading a table a person brings: CSV (any French flavour), Excel ``.xlsx`` and OpenDocument ``.ods``.

``read_table(data, filename, options)`` returns a :class:`ReadResult`: the typed DataFrame and a
:class:`Detection` saying what was detected (encoding, separator, quote, header line, decimal mark,
thousands separator, date format, sheet, the type of each column) with French warnings. Every
detected value can be overridden with :class:`ReadOptions`.

What it handles, because French public data does it:

- encodings UTF-8 (with or without byte-order mark), UTF-16, Windows cp1252 / Latin-1, and files
  mixing UTF-8 and cp1252 lines (decoded line by line, with a warning);
- separators ``;`` ``,`` tab ``|``; quoted fields holding separators or line breaks; title lines
  above the header; notes below the table;
- numbers with a decimal comma, thousands separated by spaces, non-breaking spaces, narrow
  non-breaking spaces or dots (``1.234,56``), units ``€`` ``EUR`` ``%`` ``‰`` and ``°C``, the Unicode
  minus sign;
- dates ``jj/mm/aaaa`` (and ``jj-mm-aaaa``, ``jj.mm.aaaa``, ``jj/mm/aa``, ISO, with or without time);
- codes that look like numbers but are not quantities (code postal, code commune INSEE,
  département including 2A/2B, SIREN/SIRET, NIR, phone numbers): they stay text, leading zeros kept;
- cells starting with ``=``, ``+``, ``-`` or ``@`` that are not plain numbers (spreadsheet formulas,
  possibly malicious): never evaluated, kept as text.

It refuses, with a French :class:`~labkit.errors.DatalabError`, an empty file, a binary or non-table
file, a file over :data:`MAX_BYTES`, a header without rows, rows with a wrong number of fields (the
line is named) and an unreadable workbook. It never raises anything else for a bad file.

Column types are ``number``, ``integer``, ``text``, ``date``, ``boolean`` or ``category``. In the
frame: ``integer`` is ``int64`` (``float64`` when values are missing), ``number`` is ``float64``,
``date`` is ``datetime64``, ``boolean`` is ``bool`` (nullable ``boolean`` when values are missing),
``text`` and ``category`` are strings (``oui``/``non`` columns stay strings: they are categories).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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

TYPES = ("number", "integer", "text", "date", "boolean", "category")
SEPARATORS = (";", ",", "\t", "|")
SAMPLE_CHARS = 200_000
HEADER_SEARCH_ROWS = 30
HEADER_SAMPLE_ROWS = 500  # rows looked at to find the header (the table's usual width)
CATEGORY_MAX_VALUES = 50
MOSTLY = 0.8  # share of values of one type above which the others are reported

MISSING_MARKERS = {
    "",
    "na",
    "n/a",
    "#n/a",
    "nan",
    "null",
    "none",
    "-",
    "--",
    "nd",
    "n.d.",
    "nc",
    "n.c.",
    "?",
    "#valeur!",
    "#value!",
    "#div/0!",
    "#ref!",
    "#nom?",
    "#name?",
}
UNIT_SUFFIX = re.compile(r"\s*(€|eur|euros?|%|‰|°c|°)$", re.IGNORECASE)
UNIT_LABELS = {"€": "€", "eur": "€", "euro": "€", "euros": "€", "%": "%", "‰": "‰"}
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
FORMULA_START = ("=", "+", "-", "@", "\t=", "\r=")
CODE_WORDS = {
    "code",
    "cp",
    "insee",
    "cog",
    "dep",
    "dept",
    "departement",
    "siren",
    "siret",
    "nir",
    "tel",
    "telephone",
    "phone",
    "portable",
    "mobile",
    "iban",
    "postal",
    "zip",
    "uai",
    "finess",
    "rna",
    "naf",
    "ape",
    "secu",
}
TRUE_FALSE = [({"true", "false"}, "true"), ({"vrai", "faux"}, "vrai")]
DATE_FORMATS = [
    # (strptime format, quick regex)
    ("%d/%m/%Y", r"^\d{1,2}/\d{1,2}/\d{4}$"),
    ("%d/%m/%Y %H:%M", r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}$"),
    ("%d/%m/%Y %H:%M:%S", r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}$"),
    ("%d-%m-%Y", r"^\d{1,2}-\d{1,2}-\d{4}$"),
    ("%d.%m.%Y", r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    ("%Y-%m-%d", r"^\d{4}-\d{1,2}-\d{1,2}$"),
    ("%Y-%m-%dT%H:%M:%S", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"),
    ("%Y-%m-%d %H:%M:%S", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    ("%Y-%m-%d %H:%M", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
    ("%Y/%m/%d", r"^\d{4}/\d{1,2}/\d{1,2}$"),
    ("%d/%m/%y", r"^\d{1,2}/\d{1,2}/\d{2}$"),
    ("%m/%d/%Y", r"^\d{1,2}/\d{1,2}/\d{4}$"),
]
MAGIC = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x7fELF", "exécutable"),
    (b"MZ", "exécutable"),
]
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc


# ============================================================================ data classes
@dataclass
class ReadOptions:
    """What a person overrides; ``None`` means "detect it"."""

    encoding: str | None = None
    separator: str | None = None
    quote: str | None = None  # "" for no quoting
    header_row: int | None = None  # 0-based index of the header line among the records
    decimal: str | None = None  # "," or "."
    thousands: str | None = None  # " ", "\u00a0", "\u202f", ".", ",", or "" for none
    date_format: str | None = None  # strptime format, e.g. "%d/%m/%Y"
    sheet: str | None = None
    column_types: dict[str, str] = field(default_factory=dict)
    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES


@dataclass
class ColumnDetection:
    name: str
    type: str
    unit: str | None = None
    date_format: str | None = None
    missing: int = 0
    not_matching: int = 0  # values that kept the column from the type it mostly has
    examples: list[str] = field(default_factory=list)


@dataclass
class Detection:
    format: str  # csv | xlsx | ods
    encoding: str | None
    separator: str | None
    quote: str | None
    header_row: int
    decimal: str
    thousands: str | None
    date_format: str | None
    sheet: str | None
    sheets: list[str]
    columns: list[ColumnDetection]
    rows: int
    warnings: list[str]
    repaired: int = 0  # lines or cells whose double-encoded accents were repaired

    @property
    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def options(self) -> ReadOptions:
        """The options that reproduce this reading (a starting point for overrides)."""
        return ReadOptions(
            encoding=self.encoding,
            separator=self.separator,
            quote=self.quote,
            header_row=self.header_row,
            decimal=self.decimal,
            thousands=self.thousands,
            date_format=self.date_format,
            sheet=self.sheet,
        )


@dataclass
class ReadResult:
    frame: pd.DataFrame
    detection: Detection


# ============================================================================ entry point
def read_table(data: bytes, filename: str, options: ReadOptions | None = None) -> ReadResult:
    """Read a CSV, ``.xlsx`` or ``.ods`` file given as bytes; see the module docstring."""
    options = options or ReadOptions()
    name = filename or "fichier"
    if data is None or len(data) == 0:
        raise messages.error("reader.empty", name=name)
    if len(data) > options.max_bytes:
        raise messages.error(
            "reader.too_large",
            name=name,
            size=_megabytes(len(data)),
            max=_megabytes(options.max_bytes),
        )
    kind = sniff_format(data, name)
    if kind == "xlsx":
        return _read_xlsx(data, name, options)
    if kind == "ods":
        return _read_ods(data, name, options)
    return _read_csv(data, name, options)


def sniff_format(data: bytes, filename: str) -> str:
    """``csv``, ``xlsx`` or ``ods`` from the content (the extension only breaks ties); refuses
    binary files that are not tables."""
    head = data[:8]
    lower = filename.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise messages.error("reader.unreadable_workbook", name=filename) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and lower.endswith((".ods", ".ots")):
            return "ods"
        if "content.xml" in names:
            try:
                mimetype = zipfile.ZipFile(io.BytesIO(data)).read("mimetype")
            except KeyError:
                mimetype = b""
            if b"spreadsheet" in mimetype:
                return "ods"
        raise messages.error("reader.not_table", name=filename, kind="archive ZIP")
    if head.startswith(OLE2):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise messages.error("reader.protected_workbook", name=filename)
        raise messages.error("reader.old_excel", name=filename)
    for magic, kind in MAGIC:
        if head.startswith(magic):
            raise messages.error("reader.not_table", name=filename, kind=kind)
    if lower.endswith((".xlsx", ".xlsm", ".ods")):
        raise messages.error("reader.unreadable_workbook", name=filename)
    sample = data[:8192]
    if b"\x00" in sample and not _utf16_bom(data):
        raise messages.error("reader.binary", name=filename)
    return "csv"


# ============================================================================ CSV
def _read_csv(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    notes: list[str] = []
    text, encoding = decode(data, options.encoding, notes)
    if not text.strip():
        raise messages.error("reader.empty", name=name)
    if _looks_binary(text):
        raise messages.error("reader.binary", name=name)
    text, repaired = repair_mojibake(text, notes)
    quote = options.quote if options.quote is not None else detect_quote(text)
    separator = options.separator or detect_separator(text, quote)
    records, lines = _parse(text, separator, quote, name, options)
    if quote and options.quote is None:
        records, lines, separator, quote = _unbalanced_quote(
            text, records, lines, separator, quote, name, options, notes
        )
    width = _modal_width(records)
    if width <= 1 and options.separator is None:
        notes.append(messages.text("reader.one_column"))
    header_row = options.header_row if options.header_row is not None else _find_header(records)
    if header_row >= len(records) or not any(c.strip() for c in records[header_row]):
        raise messages.error("reader.bad_header_row", name=name, line=header_row + 1)
    header = _header_width(records, header_row)
    body, body_lines = _body(records, lines, header_row, len(header), name, notes)
    result = _finish(
        header=header,
        grid=body,
        lines=body_lines,
        name=name,
        options=options,
        notes=notes,
        fmt="csv",
        encoding=encoding,
        separator=separator,
        quote=quote,
        header_row=header_row,
        sheet=None,
        sheets=[],
    )
    result.detection.repaired = repaired
    return result


def decode(data: bytes, encoding: str | None, notes: list[str]) -> tuple[str, str]:
    """The text of ``data`` and the encoding used (detected unless given)."""
    if encoding:
        try:
            codec = _codec_name(encoding)
            text = data.decode(codec)
        except LookupError:
            raise messages.error("reader.unknown_encoding", encoding=encoding) from None
        except UnicodeDecodeError:
            text = data.decode(codec, errors="replace")
            notes.append(messages.text("reader.replaced_chars", encoding=encoding))
        return text.lstrip("\ufeff"), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if _utf16_bom(data):
        try:
            return data.decode("utf-16").lstrip("\ufeff"), "utf-16"
        except UnicodeDecodeError:
            raise messages.error("reader.binary", name="") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        mixed = _decode_mixed(data)
        if mixed is not None:
            notes.append(messages.text("reader.mixed_encoding"))
            return mixed, "utf-8+cp1252"
    guess = _guess_single_byte(data)
    try:
        text = data.decode(guess)
    except UnicodeDecodeError:
        text, guess = data.decode("latin-1"), "latin-1"
    if guess in ENCODING_LABELS:
        notes.append(messages.text("reader.legacy_encoding", encoding=ENCODING_LABELS[guess]))
    return text, guess


def _codec_name(encoding: str) -> str:
    value = encoding.strip().lower()
    return {"utf-8+cp1252": "utf-8", "windows-1252": "cp1252", "ansi": "cp1252"}.get(value, value)


def _utf16_bom(data: bytes) -> bool:
    return data.startswith((b"\xff\xfe", b"\xfe\xff"))


def _decode_mixed(data: bytes) -> str | None:
    """Lines in UTF-8 and lines in cp1252 in one file: decode each line with what fits."""
    parts = []
    utf8_lines = other_lines = 0
    for line in data.split(b"\n"):
        try:
            parts.append(line.decode("utf-8"))
            if re.search(rb"[\x80-\xff]", line):
                utf8_lines += 1
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            other_lines += 1
    if utf8_lines == 0:
        return None
    return "\n".join(parts)


_FRENCH_LOWER = set("éèêëàâäîïôöùûüçœæ")
_FRENCH_UPPER = set("ÉÈÊËÀÂÎÏÔÙÛÜÇŒÆ")
_PLAUSIBLE = set("€’‘“”«»°²³–—…·ñÑáíóúãõøßµ§£©®™\u00a0\u202f")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
SINGLE_BYTE = ("cp1252", "mac_roman", "cp850", "latin-1")
ENCODING_LABELS = {"mac_roman": "Mac Roman (anciens Mac)", "cp850": "DOS (cp850)"}


def _guess_single_byte(data: bytes) -> str:
    """The single-byte encoding under which the text reads most like French: Windows cp1252 (the
    usual export), old Mac (Mac Roman), DOS (cp850), Latin-1. Each decoding is scored: accented
    French letters count for it, unlikely characters (controls, symbols) against it."""
    sample = data[:SAMPLE_CHARS]
    best, best_score = "latin-1", None
    for encoding in SINGLE_BYTE:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = 0
        for match in _NON_ASCII.finditer(text):
            ch = match.group()
            if ch in _FRENCH_LOWER:
                score += 2
            elif ch in _FRENCH_UPPER:  # « É » starts a word; « È » after « a » is wrong
                score += -2 if text[match.start() - 1 : match.start()].islower() else 1
            elif ch in _PLAUSIBLE:
                score += 1
            else:
                score -= 3
        if best_score is None or score > best_score:
            best, best_score = encoding, score
    return best


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control / len(sample) > 0.05


def detect_quote(text: str) -> str:
    sample = text[:SAMPLE_CHARS]
    double = len(re.findall(r'(^|[;,\t|])"', sample, re.MULTILINE))
    single = len(re.findall(r"(^|[;,\t|])'[^'\n]*'(?=[;,\t|]|$)", sample, re.MULTILINE))
    return "'" if single > 2 * double and single >= 3 else '"'


def detect_separator(text: str, quote: str = '"') -> str:
    """The candidate giving the most consistent number (> 1) of fields per line."""
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = ",", (-1.0, 0)
    for separator in SEPARATORS:
        try:
            rows = [r for r in _reader(sample, separator, quote) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        width, frequency = counts.most_common(1)[0]
        if width <= 1:
            continue
        score = (frequency / len(rows), width)
        if score > best_score:
            best, best_score = separator, score
    return best


def _reader(text: str, separator: str, quote: str):
    csv.field_size_limit(2**31 - 1)
    if quote:
        return csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar=quote)
    return csv.reader(
        io.StringIO(text, newline=""), delimiter=separator, quoting=csv.QUOTE_NONE, escapechar=None
    )


def _parse(
    text: str, separator: str, quote: str, name: str, options: ReadOptions | None = None
) -> tuple[list[list[str]], list[int]]:
    """Records and the line where each starts (1-based); refuses a file past the limits of rows,
    columns or cells while it is read."""
    options = options or ReadOptions()
    reader = _reader(text, separator, quote)
    records: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    cells = 0
    max_records = options.max_rows + HEADER_SEARCH_ROWS  # title lines and the header
    try:
        for record in reader:
            records.append(record)
            lines.append(previous + 1)
            previous = reader.line_num
            cells += len(record)
            if len(record) > options.max_columns:
                raise _limit_error(name, "columns", options.max_columns)
            if len(records) > max_records:
                raise _limit_error(name, "rows", options.max_rows)
            if cells > options.max_cells:
                raise _limit_error(name, "cells", options.max_cells)
    except csv.Error as exc:
        raise messages.error(
            "reader.csv_error", name=name, line=reader.line_num, detail=str(exc)
        ) from None
    return records, lines


def _limit_error(name: str, what: str, limit: int) -> DatalabError:
    """The French refusal of a file past one of the reading limits (rows, columns, cells)."""
    return messages.error(f"reader.too_many_{what}", name=name, max=_thousands(limit))


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _unbalanced_quote(text, records, lines, separator, quote, name, options, notes):
    """A quote that opens a value and is never closed swallows the lines after it into one value:
    find it, read the file again with quotes as plain characters when that gives a regular table,
    and say so; otherwise warn. Returns ``(records, lines, separator, quote)``."""
    width = _modal_width(records)
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
    plain_separator = options.separator or detect_separator(text, "")
    try:
        plain, plain_lines = _parse(text, plain_separator, "", name, options)
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
    width = _modal_width(filled)
    return (sum(len(r) == width for r in filled) / len(filled), width)


_MOJIBAKE = re.compile(
    "[ÃÂÅ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€"
)


def repair_mojibake(text: str, notes: list[str] | None = None) -> tuple[str, int]:
    """Text whose accents were encoded twice (« DÃ©gradÃ© ») repaired with ``ftfy`` (« Dégradé »),
    line by line; returns the text and the number of lines repaired (with a French note)."""
    if not _MOJIBAKE.search(text):
        return text, 0
    try:
        import ftfy
    except ImportError:  # pragma: no cover - ftfy is a dependency
        return text, 0
    repaired = 0
    example = None
    parts = text.split("\n")
    for index, line in enumerate(parts):
        if not _MOJIBAKE.search(line):
            continue
        fixed = ftfy.fix_encoding(line)
        if fixed != line:
            repaired += 1
            if example is None:
                example = _changed_word(line, fixed)
            parts[index] = fixed
    if not repaired:
        return text, 0
    if notes is not None:
        before, after = example or ("", "")
        notes.append(
            messages.text("reader.mojibake_repaired", count=repaired, before=before, after=after)
        )
    return "\n".join(parts), repaired


def _changed_word(before: str, after: str) -> tuple[str, str]:
    """The first word of ``before`` that the repair changed, and what it became."""
    for word in re.split(r"[\s;,\t|\"]+", before):
        if _MOJIBAKE.search(word):
            import ftfy

            return word, ftfy.fix_encoding(word)
    return before[:40], after[:40]


def _modal_width(records: list[list[str]]) -> int:
    widths = Counter(len(r) for r in records if any(c.strip() for c in r))
    return widths.most_common(1)[0][0] if widths else 0


def _find_header(records: list[list[str]]) -> int:
    """The first line that fills most of the table's width (title lines above it are skipped)."""
    width = _modal_width(records)
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        filled = sum(1 for c in record if c.strip())
        if filled and filled >= max(1, math.ceil(0.6 * width)) and len(record) >= width * 0.6:
            return index
    for index, record in enumerate(records):
        if any(c.strip() for c in record):
            return index
    return 0


def _header_width(records: list[list[str]], header_row: int) -> list[str]:
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


def _body(
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


def _none_if_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


# ============================================================================ spreadsheets
def _read_xlsx(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    _check_xlsx_size(data, name, options)
    try:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure means the workbook cannot be read
        raise messages.error("reader.unreadable_workbook", name=name) from None
    try:
        sheets = list(book.sheetnames)
        rows_by_sheet: dict[str, list[list[Any]]] = {}

        def load(sheet_name: str) -> list[list[Any]]:
            if sheet_name not in rows_by_sheet:
                sheet = book[sheet_name]
                if (sheet.max_row or 0) > options.max_rows or (
                    sheet.max_column or 0
                ) > options.max_columns:
                    sheet.reset_dimensions()  # a declared size beyond the data: read the data
                rows: list[list[Any]] = []
                cells = 0
                for row in sheet.iter_rows(values_only=True):
                    rows.append(list(row))
                    cells += len(row)
                    if len(rows) > options.max_rows + HEADER_SEARCH_ROWS:
                        raise _limit_error(name, "rows", options.max_rows)
                    if len(row) > options.max_columns:
                        raise _limit_error(name, "columns", options.max_columns)
                    if cells > options.max_cells:
                        raise _limit_error(name, "cells", options.max_cells)
                rows_by_sheet[sheet_name] = rows
            return rows_by_sheet[sheet_name]

        chosen = _choose_sheet(sheets, options.sheet, load, name)
        grid = load(chosen)
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, DatalabError):
            raise
        raise messages.error("reader.unreadable_workbook", name=name) from None
    finally:
        book.close()
    return _read_grid(grid, name, options, "xlsx", chosen, sheets)


_XLSX_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_XLSX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def _open_archive(data: bytes, name: str, options: ReadOptions) -> zipfile.ZipFile:
    """The workbook's ZIP archive, refused when its members unpack past the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise messages.error("reader.unreadable_workbook", name=name) from None
    if unpacked > options.max_unpacked_bytes:
        raise messages.error(
            "reader.unpacked_too_large",
            name=name,
            size=_megabytes(unpacked),
            max=_megabytes(options.max_unpacked_bytes),
        )
    return archive


def _check_xlsx_size(data: bytes, name: str, options: ReadOptions) -> None:
    """Count the rows and cells of each sheet in its XML, streamed, before any reading: a
    1,048,576-row sheet is refused in about a second instead of read for minutes."""
    archive = _open_archive(data, name, options)
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
                    if rows > options.max_rows + HEADER_SEARCH_ROWS:
                        raise _limit_error(name, "rows", options.max_rows)
                    if cells > options.max_cells:
                        raise _limit_error(name, "cells", options.max_cells)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
            raise messages.error("reader.unreadable_workbook", name=name) from None


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _scan_ods(data: bytes, name: str, options: ReadOptions) -> list[str]:
    """The sheet names of an ``.ods`` file, its ``content.xml`` streamed once: repeated rows and
    cells (``number-rows-repeated``, ``number-columns-repeated``) are counted, not expanded, and a
    sheet that would unpack past the limits is refused before anything is built in memory. Empty
    repeated cells and rows at the end of a sheet (LibreOffice writes a million of them) do not
    count."""
    from xml.etree.ElementTree import ParseError, iterparse

    archive = _open_archive(data, name, options)
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
                            if column > options.max_columns:
                                raise _limit_error(name, "columns", options.max_columns)
                    continue
                if tag == row_tag:
                    repeat = _repeat(element.get(rows_repeat))
                    row_position += repeat
                    if last_filled:
                        filled_rows = row_position
                        width = max(width, last_filled)
                        if filled_rows > options.max_rows + HEADER_SEARCH_ROWS:
                            raise _limit_error(name, "rows", options.max_rows)
                        if filled_rows * width > options.max_cells:
                            raise _limit_error(name, "cells", options.max_cells)
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


def _read_ods(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    sheets = _scan_ods(data, name, options)
    loaded: dict[str, list[list[Any]]] = {}

    def load(sheet_name: str) -> list[list[Any]]:
        if not loaded:  # every sheet in one reading of the document
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frames = pd.read_excel(
                    io.BytesIO(data), engine="calamine", sheet_name=None, header=None, dtype=object
                )
            for key, frame in frames.items():
                loaded[str(key)] = [
                    [None if _is_nan(v) else v for v in row]
                    for row in frame.itertuples(index=False)
                ]
        return loaded.get(sheet_name, [])

    try:
        chosen = _choose_sheet(sheets, options.sheet, load, name)
        grid = load(chosen)
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, DatalabError):
            raise
        raise messages.error("reader.unreadable_workbook", name=name) from None
    return _read_grid(grid, name, options, "ods", chosen, sheets)


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
        rows = [row for row in load(sheet) if any(_filled(c) for c in row)]
        if rows and first_filled is None:
            first_filled = sheet
        wide = [row for row in rows if sum(1 for c in row if _filled(c)) >= 2]
        if len(wide) >= 2:
            return sheet  # the first sheet that looks like a table (a header and a row)
    if first_filled is None:
        raise messages.error("reader.no_sheet", name=name)
    return first_filled


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not _is_nan(value)


def _is_nan(value: Any) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT
    except TypeError:
        return False


def _read_grid(
    grid: list[list[Any]],
    name: str,
    options: ReadOptions,
    fmt: str,
    sheet: str,
    sheets: list[str],
) -> ReadResult:
    notes: list[str] = []
    if len(sheets) > 1:
        notes.append(messages.text("reader.several_sheets", sheet=sheet, count=len(sheets)))
    # blank cells (empty strings, NaN from ODS) become None once, so later tests are cheap
    grid = [[c if _filled(c) else None for c in row] for row in grid]
    repaired = _repair_cells(grid, notes)
    while grid and all(c is None for c in grid[-1]):
        grid.pop()
    if not grid:
        raise messages.error("reader.empty", name=name)
    width = 0
    for row in grid:
        last = len(row)
        while last > width and row[last - 1] is None:
            last -= 1
        width = max(width, last)
    grid = [(row + [None] * width)[:width] if len(row) != width else row for row in grid]
    head = grid[:HEADER_SAMPLE_ROWS]
    as_text = [["" if c is None else str(c) for c in row] for row in head]
    header_row = options.header_row if options.header_row is not None else _find_header(as_text)
    if header_row >= len(grid) or all(c is None for c in grid[header_row]):
        raise messages.error("reader.bad_header_row", name=name, line=header_row + 1)
    header = [_cell_header(c) for c in grid[header_row]]
    body = []
    lines = []
    for index in range(header_row + 1, len(grid)):
        row = grid[index]
        if all(c is None for c in row):
            continue
        body.append(row)
        lines.append(index + 1)
    if not body:
        raise messages.error("reader.header_only", name=name)
    result = _finish(
        header=header,
        grid=body,
        lines=lines,
        name=name,
        options=options,
        notes=notes,
        fmt=fmt,
        encoding=None,
        separator=None,
        quote=None,
        header_row=header_row,
        sheet=sheet,
        sheets=sheets,
    )
    result.detection.repaired = repaired
    return result


def _repair_cells(grid: list[list[Any]], notes: list[str]) -> int:
    """Spreadsheet text cells with double-encoded accents, repaired in place (see
    :func:`repair_mojibake`); returns how many were repaired."""
    repaired = 0
    example = None
    for row in grid:
        for index, value in enumerate(row):
            if isinstance(value, str) and _MOJIBAKE.search(value):
                fixed, count = repair_mojibake(value)
                if count:
                    repaired += 1
                    example = example or _changed_word(value, fixed)
                    row[index] = fixed
    if repaired:
        before, after = example
        notes.append(
            messages.text("reader.mojibake_repaired", count=repaired, before=before, after=after)
        )
    return repaired


def _cell_header(value: Any) -> str:
    if not _filled(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    return str(value)


# ============================================================================ typing
def _finish(
    *,
    header: list[str],
    grid: list[list[Any]],
    lines: list[int],
    name: str,
    options: ReadOptions,
    notes: list[str],
    fmt: str,
    encoding: str | None,
    separator: str | None,
    quote: str | None,
    header_row: int,
    sheet: str | None,
    sheets: list[str],
) -> ReadResult:
    names, dropped = _column_names(header, grid, notes)
    if fmt == "csv":  # strings only: blank cells become missing, column by column
        columns_raw = [
            [v if v and not v.isspace() else None for v in column]
            for i, column in enumerate(zip(*grid, strict=True))
            if i not in dropped
        ]
    else:
        columns_raw = [[row[i] for row in grid] for i in range(len(header)) if i not in dropped]
    text_cells = [
        v for column in columns_raw for v in _first_strings(column, DETECTION_CELLS_PER_COLUMN)
    ]
    decimal = options.decimal or detect_decimal(text_cells)
    thousands = (
        options.thousands
        if options.thousands is not None
        else detect_thousands(text_cells, decimal)
    )
    data: dict[str, pd.Series] = {}
    detected: list[ColumnDetection] = []
    for column_name, values in zip(names, columns_raw, strict=True):
        forced = options.column_types.get(column_name)
        if forced is not None and forced not in TYPES:
            raise messages.error("reader.bad_type", column=column_name, type=forced)
        series, info = type_column(
            column_name,
            values,
            lines,
            decimal=decimal,
            thousands=thousands,
            date_format=options.date_format,
            forced=forced,
            notes=notes,
            decimal_fixed=options.decimal is not None,
            native=fmt != "csv",
        )
        data[column_name] = series
        detected.append(info)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(grid)))
    formats = Counter(c.date_format for c in detected if c.type == "date" and c.date_format)
    date_format = options.date_format or (formats.most_common(1)[0][0] if formats else None)
    detection = Detection(
        format=fmt,
        encoding=encoding,
        separator=separator,
        quote=quote,
        header_row=header_row,
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        sheet=sheet,
        sheets=sheets,
        columns=detected,
        rows=len(frame),
        warnings=notes,
    )
    return ReadResult(frame=frame, detection=detection)


def _column_names(header: list[Any], grid: list[list[Any]], notes: list[str]):
    """Clean, unique names; an unnamed column that is empty everywhere is dropped."""
    names: list[str] = []
    dropped: set[int] = set()
    renamed = []
    seen: Counter = Counter()
    for index, raw in enumerate(header):
        text = " ".join(str(raw or "").replace("\ufeff", "").split())
        if not text:
            if all(row[index] is None for row in grid):
                dropped.add(index)
                continue
            text = f"colonne_{index + 1}"
            renamed.append(text)
        seen[text] += 1
        if seen[text] > 1:
            new = f"{text}_{seen[text]}"
            while new in seen:
                seen[text] += 1
                new = f"{text}_{seen[text]}"
            seen[new] += 1
            renamed.append(new)
            text = new
        names.append(text)
    if renamed:
        notes.append(messages.text("reader.renamed_columns", names=", ".join(renamed)))
    if dropped:
        notes.append(messages.text("reader.empty_columns_dropped", count=len(dropped)))
    return names, dropped


_COMMA_DECIMAL = re.compile(r"[+\-−]?(\d{1,3}([ \u00a0\u202f.]\d{3})*|\d+),\d+")
_DOT_DECIMAL = re.compile(r"[+\-−]?(\d{1,3}(,\d{3})*|\d+)\.\d+")
_UNDECIDED = re.compile(r"[+\-−]?\d{1,3}[.,]\d{3}")  # "1,234" or "1.234": thousands or decimals
_GROUPED_ANY = re.compile(r"[+\-−]?\d{1,3}(([ \u00a0\u202f.,])\d{3})+([.,]\d+)?")
DETECTION_CELLS = 100_000
DETECTION_CELLS_PER_COLUMN = 2_000


def _first_strings(column: list[Any], limit: int) -> list[str]:
    found = []
    for value in column:
        if isinstance(value, str):
            found.append(value)
            if len(found) >= limit:
                break
    return found


def _number_looking(cells: list[str]):
    """Cells that may be formatted numbers (a digit first, short), their unit removed."""
    for cell in cells[:DETECTION_CELLS]:
        value = cell.strip()
        if not value or len(value) > 40 or not (value[0].isdigit() or value[0] in "+-−"):
            continue
        yield UNIT_SUFFIX.sub("", value)


def detect_decimal(cells: list[str]) -> str:
    """``","`` when more cells read as decimal-comma numbers than as decimal-point numbers."""
    comma = dot = 0
    for value in _number_looking(cells):
        if "," not in value and "." not in value:
            continue
        if _UNDECIDED.fullmatch(value):
            continue
        if _COMMA_DECIMAL.fullmatch(value):
            comma += 1
        elif _DOT_DECIMAL.fullmatch(value):
            dot += 1
    return "," if comma > dot else "."


def detect_thousands(cells: list[str], decimal: str) -> str:
    """The mark grouping thousands (space, non-breaking space, dot, comma), or ``""``."""
    counts: Counter = Counter()
    for value in _number_looking(cells):
        match = _GROUPED_ANY.fullmatch(value)
        if match and match.group(2) != decimal:
            counts[match.group(2)] += 1
    return counts.most_common(1)[0][0] if counts else ""


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def is_code_name(name: str) -> bool:
    """Does the column name announce a code (postal, INSEE, département, SIREN…)?"""
    words = set(re.split(r"[^a-z0-9]+", _fold(name)))
    return bool(words & CODE_WORDS)


def _formula_like(value: str) -> bool:
    stripped = value.lstrip(" ")
    return (
        stripped.startswith(FORMULA_START)
        and _number_value(stripped, ".", "")[0] is None
        and (_number_value(stripped, ",", "")[0] is None)
    )


_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009]+(?=\d)")
_GROUPED = {
    (".", ","): re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?"),
    (",", "."): re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"),
}


def _number_value(
    value: str, decimal: str, thousands: str
) -> tuple[float | None, str | None, bool]:
    """``(number, unit, has_fraction)`` of one French-formatted cell; number ``None`` if it is not."""
    text = value.strip().replace("−", "-")
    unit = None
    match = UNIT_SUFFIX.search(text)
    if match:
        unit = match.group(1).lower()
        text = text[: match.start()]
    if text.startswith("€"):
        unit = unit or "€"
        text = text[1:]
    text = text.strip()
    if not text or not (text[0].isdigit() or text[0] in "+-."):
        return None, unit, False
    # spaces are never part of a number: thousands groups, or stray spaces in a quoted field
    text = _SPACE_IN_NUMBER.sub("", text)
    if thousands in (".", ",") and thousands != decimal:
        grouped = _GROUPED.get((thousands, decimal))
        if grouped is not None and grouped.fullmatch(text):
            text = text.replace(thousands, "")
    if decimal == ",":
        if "." in text:
            return None, unit, False
        text = text.replace(",", ".")
    elif "," in text:
        return None, unit, False
    if not NUMBER_RE.fullmatch(text):
        return None, unit, False
    number = float(text)
    if not math.isfinite(number):  # 1e400 overflows: not a usable number
        return None, unit, False
    return number, unit, ("." in text or "e" in text or "E" in text)


_FAST_NUMBER = {
    mark: re.compile(
        r"\s*([+-]?)(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:"
        + re.escape(mark)
        + r"(\d*))?(?:[eE]([+-]?\d+))?\s*(€|eur|euros?|%|‰|°c|°)?\s*",
        re.IGNORECASE,
    )
    for mark in (".", ",")
}


def _plain_numbers(values: list[str], decimal: str) -> tuple[np.ndarray, list[int], bool, Counter]:
    """Fast pass, one regular expression per cell: numbers written with ``decimal``, spaces between
    thousands and a unit suffix allowed; the positions of the other cells (for the slow pass);
    whether a number had a fractional part; the units seen."""
    pattern = _FAST_NUMBER.get(decimal, _FAST_NUMBER["."])
    numbers = np.full(len(values), np.nan)
    slow: list[int] = []
    fraction = False
    units: Counter = Counter()
    for index, value in enumerate(values):
        match = pattern.fullmatch(value)
        if match is None:
            slow.append(index)
            continue
        sign, whole, decimals, exponent, unit = match.groups()
        if len(whole) > 3:
            whole = re.sub(r"\D", "", whole)
        if decimals is not None or exponent is not None:
            number = float(f"{sign}{whole}.{decimals or 0}e{exponent or 0}")
            if not math.isfinite(number):  # 1e400: too large to be a measured quantity
                slow.append(index)
                continue
            fraction = True
            numbers[index] = number
        else:
            number = float(f"{sign}{whole}")
            if not math.isfinite(number):
                slow.append(index)
                continue
            numbers[index] = number
        if unit:
            units[unit.lower()] += 1
    return numbers, slow, fraction, units


def parse_numbers(
    values: list[str], decimal: str, thousands: str
) -> tuple[np.ndarray, str | None, bool]:
    """Numbers (NaN where a value is not one), the unit seen, and whether all are whole numbers.

    Plain numbers go through pandas at C speed; only the others (units, spaces, grouped thousands,
    text) go through :func:`_number_value`, one by one."""
    numbers, slow, fraction, units = _plain_numbers(values, decimal)
    for index in slow:
        number, unit, has_fraction = _number_value(values[index], decimal, thousands)
        if number is None:
            continue
        numbers[index] = number
        if unit:
            units[unit] += 1
        fraction = fraction or has_fraction
    unit = None
    if units:
        raw = units.most_common(1)[0][0]
        unit = {"°c": "°C", "°": "°"}.get(raw, UNIT_LABELS.get(raw, raw))
    finite = numbers[~np.isnan(numbers)]
    is_integer = bool(len(finite)) and not fraction and bool((np.abs(finite) < 2**53).all())
    return numbers, unit, is_integer


_DATE_PATTERNS = [(fmt, re.compile(pattern)) for fmt, pattern in DATE_FORMATS]


def parse_dates(values: list[str], preferred: str | None = None) -> tuple[Any, str | None]:
    """Dates (``datetime64`` array) if every value matches one format, French day-month order
    first; otherwise ``(None, None)``."""
    if not values:
        return None, None
    texts = [v.strip() for v in values]
    candidates: list[tuple[str, Any]] = list(_DATE_PATTERNS)
    if preferred:
        candidates.insert(0, (preferred, None))
    for fmt, pattern in candidates:
        if pattern is not None and not all(pattern.fullmatch(t) for t in texts[:200]):
            continue
        if pattern is not None and not all(pattern.fullmatch(t) for t in texts):
            continue
        parsed = pd.to_datetime(pd.Series(texts, dtype=object), format=fmt, errors="coerce")
        if parsed.notna().all():
            return parsed.to_numpy(dtype="datetime64[ns]"), fmt
    return None, None


def type_column(
    name: str,
    values: list[Any],
    lines: list[int],
    *,
    decimal: str = ".",
    thousands: str = "",
    date_format: str | None = None,
    forced: str | None = None,
    notes: list[str] | None = None,
    decimal_fixed: bool = False,
    native: bool = True,
) -> tuple[pd.Series, ColumnDetection]:
    """Type one column of raw cells (strings, or native values from a spreadsheet).

    ``decimal_fixed``: the decimal mark was chosen by a person, so a column is not tried with the
    other mark. ``native``: cells may be numbers or dates from a spreadsheet (``False`` for CSV,
    whose cells are all strings)."""
    notes = notes if notes is not None else []
    info = ColumnDetection(name=name, type="text")
    present = [i for i, v in enumerate(values) if v is not None]
    info.missing = len(values) - len(present)
    info.examples = [str(values[i]) for i in present[:3]]
    if not present:
        if forced is None:
            notes.append(messages.text("reader.empty_column", column=name))
        return _convert_forced(values, forced or "text", info, decimal, thousands, date_format)

    if native and any(not isinstance(values[i], str) for i in present):
        if forced is None:
            typed = _type_native(values, present, info)
            if typed is not None:
                return typed
        values = [_native_to_text(v) for v in values]
        present = [i for i, v in enumerate(values) if v is not None]

    if forced is not None:
        return _convert_forced(values, forced, info, decimal, thousands, date_format, notes, lines)

    stripped = [values[i].strip() for i in present]
    unique = len(set(stripped))
    keep = [len(v) > 9 or v.lower() not in MISSING_MARKERS for v in stripped]
    positions = [i for i, k in zip(present, keep, strict=True) if k]
    candidates = [v for v, k in zip(stripped, keep, strict=True) if k]

    formulas = sum(1 for v in candidates if v[:1] in "=+-@" and _formula_like(v))
    if formulas:
        notes.append(messages.text("reader.formulas_kept", column=name, count=formulas))
        return _as_text(values, info, unique)

    if is_code_name(name) or _looks_like_code(candidates):
        if candidates and all(_DIGITS_SPACES.fullmatch(v) for v in candidates):
            # say « zéros de tête » only when some code has one
            if any(_LEADING_ZERO.match(v) for v in candidates):
                notes.append(messages.text("reader.codes_kept", column=name))
            else:
                notes.append(messages.text("reader.codes_as_labels", column=name))
        return _as_text(values, info, unique)

    if unique <= 2 * len(MISSING_MARKERS):  # few distinct values: maybe vrai/faux
        lowered = {v.lower() for v in set(candidates)}
        for pair, truth in TRUE_FALSE:
            if lowered and lowered <= pair:
                return _as_boolean(values, truth, info)

    if not candidates:
        return _as_text(values, info, unique)

    sample = candidates[:500]
    sample_numbers, _, _ = parse_numbers(sample, decimal, thousands)
    if (~np.isnan(sample_numbers)).mean() >= MOSTLY or len(sample) < 5:
        numbers, unit, is_integer = parse_numbers(candidates, decimal, thousands)
        ok = ~np.isnan(numbers)
        if not ok.all() and ok.mean() < 0.5 and not decimal_fixed:
            other = "," if decimal == "." else "."
            alt, alt_unit, alt_integer = parse_numbers(candidates, other, "")
            if not np.isnan(alt).any() and not alt_integer:
                numbers, unit, is_integer, ok = alt, alt_unit, alt_integer, ~np.isnan(alt)
                notes.append(messages.text("reader.column_decimal", column=name, decimal=other))
        if ok.all():
            info.type = "integer" if is_integer else "number"
            info.unit = unit
            info.missing = len(values) - len(candidates)
            return _number_series(len(values), positions, numbers, is_integer), info
        if ok.mean() >= MOSTLY:
            bad = [positions[k] for k in np.flatnonzero(~ok)]
            info.not_matching = len(bad)
            notes.append(
                messages.text(
                    "reader.mostly_numbers",
                    column=name,
                    count=len(bad),
                    example=str(values[bad[0]]),
                    line=lines[bad[0]] if bad[0] < len(lines) else bad[0] + 1,
                )
            )
            return _as_text(values, info, unique)

    if any(ch.isdigit() for ch in candidates[0][:4]):
        dates, used = parse_dates(candidates, date_format)
        if dates is not None:
            info.type = "date"
            info.date_format = used
            info.missing = len(values) - len(candidates)
            return _date_series(len(values), positions, dates), info

    return _as_text(values, info, unique)


_DIGITS_SPACES = re.compile(r"[0-9 .]+")
_DIGITS = re.compile(r"\d+")
_LEADING_ZERO = re.compile(r"0\d+")


def _looks_like_code(values: list[str]) -> bool:
    """Digit strings with a leading zero (01053, 06…), or long fixed-length digit strings
    (SIREN, SIRET, NIR): identifiers, not quantities."""
    if not values or not all(_DIGITS.fullmatch(v) for v in values):
        return False
    if any(_LEADING_ZERO.fullmatch(v) for v in values):
        return True
    lengths = {len(v) for v in values}
    return len(lengths) == 1 and lengths.pop() >= 9


def _number_series(size: int, positions: list[int], numbers: np.ndarray, is_integer: bool):
    out = np.full(size, np.nan)
    out[np.asarray(positions, dtype=int)] = numbers
    series = pd.Series(out)
    if is_integer and not np.isnan(out).any():
        return series.astype("int64")
    return series


def _date_series(size: int, positions: list[int], dates: np.ndarray) -> pd.Series:
    out = np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]")
    out[np.asarray(positions, dtype=int)] = dates
    return pd.Series(out)


def _as_text(
    values: list[Any], info: ColumnDetection, unique: int
) -> tuple[pd.Series, ColumnDetection]:
    present = sum(v is not None for v in values)
    info.type = "category" if _is_category(unique, present) else "text"
    return _string_series([None if v is None else str(v) for v in values]), info


def _string_series(values: list[Any]) -> pd.Series:
    """Strings with missing values as NaN: pandas' string dtype where it is the default
    (pandas 3), plain objects otherwise."""
    if all(v is None for v in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values)


def _is_category(unique: int, present: int) -> bool:
    if present == 0:
        return False
    if present < 10:
        return unique < present
    return unique <= CATEGORY_MAX_VALUES and unique <= 0.5 * present


def _as_boolean(values, truth: str, info: ColumnDetection) -> tuple[pd.Series, ColumnDetection]:
    info.type = "boolean"
    converted = [
        None
        if v is None or str(v).strip().lower() in MISSING_MARKERS
        else str(v).strip().lower() == truth
        for v in values
    ]
    if any(v is None for v in converted):
        return pd.Series(converted, dtype="boolean"), info
    return pd.Series(converted, dtype=bool), info


def _type_native(values, present: list[int], info: ColumnDetection):
    """A spreadsheet column whose filled cells are all numbers, all dates or all booleans."""
    kinds = set()
    for i in present:
        v = values[i]
        if isinstance(v, bool | np.bool_):
            kinds.add("boolean")
        elif isinstance(v, int | float | np.integer | np.floating):
            kinds.add("number")
        elif isinstance(v, _dt.datetime | _dt.date | pd.Timestamp):
            kinds.add("date")
        else:
            kinds.add("other")
    if len(kinds) != 1 or "other" in kinds:
        return None
    kind = kinds.pop()
    if kind == "number":
        numbers = np.array([np.nan if v is None else float(v) for v in values])
        integer = all(float(values[i]).is_integer() for i in present)
        info.type = "integer" if integer else "number"
        series = pd.Series(numbers)
        if integer and not np.isnan(numbers).any():
            series = series.astype("int64")
        return series, info
    if kind == "date":
        info.type = "date"
        stamps = pd.to_datetime(pd.Series(values, dtype=object))
        return pd.Series(stamps.to_numpy(dtype="datetime64[ns]")), info
    info.type = "boolean"
    if info.missing:
        return pd.Series(values, dtype="boolean"), info
    return pd.Series([bool(v) for v in values], dtype=bool), info


def _native_to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool | np.bool_):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _convert_forced(
    values: list[Any],
    forced: str,
    info: ColumnDetection,
    decimal: str,
    thousands: str,
    date_format: str | None,
    notes: list[str] | None = None,
    lines: list[int] | None = None,
) -> tuple[pd.Series, ColumnDetection]:
    """Apply the type a person chose; values that do not fit become missing (and are counted)."""
    notes = notes if notes is not None else []
    lines = lines or []
    texts = [_native_to_text(v) for v in values]
    info.type = forced
    if forced in ("text", "category"):
        return _string_series(texts), info
    present = [i for i, v in enumerate(texts) if v is not None]
    stripped = [texts[i].strip() for i in present]
    marker = [v.lower() in MISSING_MARKERS for v in stripped]
    failed: list[int] = []
    if forced in ("number", "integer"):
        numbers, unit, _ = parse_numbers(stripped, decimal, thousands)
        info.unit = unit
        out = np.full(len(values), np.nan)
        for k, i in enumerate(present):
            number = numbers[k]
            if marker[k]:
                continue
            if np.isnan(number) or (forced == "integer" and not float(number).is_integer()):
                failed.append(i)
                continue
            out[i] = number
        series = pd.Series(out)
        if forced == "integer" and not np.isnan(out).any():
            series = series.astype("int64")
    elif forced == "date":
        fmt = date_format
        if fmt is None:
            _, fmt = parse_dates([v for v, m in zip(stripped, marker, strict=True) if not m])
            fmt = fmt or "%d/%m/%Y"
        parsed = pd.to_datetime(pd.Series(stripped, dtype=object), format=fmt, errors="coerce")
        info.date_format = fmt
        out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
        for k, i in enumerate(present):
            if marker[k]:
                continue
            if pd.isna(parsed.iloc[k]):
                failed.append(i)
                continue
            out[i] = parsed.iloc[k].to_datetime64()
        series = pd.Series(out)
    else:  # boolean
        truthy = {"true", "vrai", "oui", "1", "o", "yes", "y", "x"}
        falsy = {"false", "faux", "non", "0", "n", "no"}
        converted: list[Any] = [None] * len(values)
        for k, i in enumerate(present):
            lowered = stripped[k].lower()
            if marker[k]:
                continue
            if lowered in truthy:
                converted[i] = True
            elif lowered in falsy:
                converted[i] = False
            else:
                failed.append(i)
        series = pd.Series(converted, dtype="boolean")
    info.not_matching = len(failed)
    if failed:
        first = failed[0]
        notes.append(
            messages.text(
                "reader.forced_type_failed",
                column=info.name,
                type=type_label(forced),
                count=len(failed),
                example=str(values[first]),
                line=lines[first] if first < len(lines) else first + 1,
            )
        )
    return series, info


# ============================================================================ labels
def type_label(kind: str) -> str:
    """The French name of a column type."""
    return messages.text(f"reader.type_{kind}")


def separator_label(separator: str | None) -> str:
    names = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe", None: "none", "": "none"}
    key = names.get(separator)
    return messages.text(f"reader.sep_{key}") if key else repr(separator)


def thousands_label(mark: str | None) -> str:
    names = {
        " ": "space",
        "\u00a0": "nbsp",
        "\u202f": "narrow_nbsp",
        ".": "dot",
        ",": "comma",
        "": "none",
        None: "none",
    }
    return messages.text(f"reader.thousands_{names.get(mark, 'none')}")


def decimal_label(mark: str | None) -> str:
    return messages.text("reader.decimal_comma" if mark == "," else "reader.decimal_dot")


def date_format_label(fmt: str | None) -> str:
    if not fmt:
        return messages.text("reader.no_date")
    return (
        fmt.replace("%d", "jj")
        .replace("%m", "mm")
        .replace("%Y", "aaaa")
        .replace("%y", "aa")
        .replace("%H", "hh")
        .replace("%M", "mm")
        .replace("%S", "ss")
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")
