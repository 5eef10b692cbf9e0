"""From bytes to text: the encoding of a file (UTF-8, UTF-16, Windows cp1252, Mac Roman, DOS,
Latin-1, or lines mixing UTF-8 and cp1252) and accents encoded twice (« DÃ©gradÃ© ») repaired."""

from __future__ import annotations

import re
from typing import Any

from labkit import messages
from labkit.data.limits import SAMPLE_CHARS


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
    if utf16_bom(data):
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
    if guess in LEGACY_ENCODINGS:
        label = messages.text(f"reader.encoding_{guess}")
        notes.append(messages.text("reader.legacy_encoding", encoding=label))
    return text, guess


def _codec_name(encoding: str) -> str:
    value = encoding.strip().lower()
    return {"utf-8+cp1252": "utf-8", "windows-1252": "cp1252", "ansi": "cp1252"}.get(value, value)


def utf16_bom(data: bytes) -> bool:
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
LEGACY_ENCODINGS = ("mac_roman", "cp850")  # named in a warning when a file is read with one


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


def looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control / len(sample) > 0.05


MOJIBAKE = re.compile(
    "[ÃÂÅ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€"
)


def repair_mojibake(text: str, notes: list[str] | None = None) -> tuple[str, int]:
    """Text whose accents were encoded twice (« DÃ©gradÃ© ») repaired with ``ftfy`` (« Dégradé »),
    line by line; returns the text and the number of lines repaired (with a French note)."""
    if not MOJIBAKE.search(text):
        return text, 0
    import ftfy  # imported when needed: most files need no repair

    repaired = 0
    example = None
    parts = text.split("\n")
    for index, line in enumerate(parts):
        if not MOJIBAKE.search(line):
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
        if MOJIBAKE.search(word):
            import ftfy

            return word, ftfy.fix_encoding(word)
    return before[:40], after[:40]


def repair_cells(grid: list[list[Any]], notes: list[str]) -> int:
    """Spreadsheet text cells with double-encoded accents, repaired in place (see
    :func:`repair_mojibake`); returns how many were repaired."""
    repaired = 0
    example = None
    for row in grid:
        for index, value in enumerate(row):
            if isinstance(value, str) and MOJIBAKE.search(value):
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
