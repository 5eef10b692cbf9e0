"""The French names of what the reader detects: column types, separators, decimal and thousands
marks, date formats (shown in module 03 and by ``datalab dataset inspect``)."""

from __future__ import annotations

from labkit import messages


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
