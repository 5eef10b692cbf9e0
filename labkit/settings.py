"""Workshop settings a facilitator edits (``content/settings.yaml``): titles and the running example."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labkit import messages, paths
from labkit.yamlfile import load_yaml, require, where


@dataclass(frozen=True)
class RunningExample:
    dataset: str
    target: str
    title: str
    story: str


@dataclass(frozen=True)
class Settings:
    title: str
    subtitle: str
    organisation: str
    running_example: RunningExample


def load_settings() -> Settings:
    path = paths.content_dir() / "settings.yaml"
    data = load_yaml(path)
    workshop = require(data, "atelier", dict, path=path, where=where("file"))
    example = require(data, "fil_rouge", dict, path=path, where=where("file"))
    in_example = where("section", name="fil_rouge")
    return Settings(
        title=require(workshop, "titre", str, path=path, where=where("section", name="atelier")),
        subtitle=str(workshop.get("sous_titre") or ""),
        organisation=str(workshop.get("organisme") or ""),
        running_example=RunningExample(
            dataset=require(example, "jeu_de_donnees", str, path=path, where=in_example),
            target=require(example, "cible", str, path=path, where=in_example),
            title=require(example, "titre", str, path=path, where=in_example),
            story=str(example.get("histoire") or ""),
        ),
    )


@dataclass(frozen=True)
class Leftover:
    """A text that still speaks of a former running example."""

    file: str  # relative to the project's folder
    where: str  # « ligne 12 » or « cellule 5 »
    word: str
    example: str


def examples_path():
    return paths.content_dir() / "exemples_fil_rouge.yaml"


def example_words() -> dict[str, list[str]]:
    """``{dataset: [words]}`` from ``content/exemples_fil_rouge.yaml`` (empty when absent)."""
    path = examples_path()
    if not path.is_file():
        return {}
    data = load_yaml(path) or {}
    words = {}
    for name, entry in data.items() if isinstance(data, dict) else []:
        listed = require(entry, "mots", list, path=path, where=where("section", name=name))
        words[str(name)] = [str(word) for word in listed if str(word).strip()]
    return words


def running_example_leftovers(current: str, words: dict[str, list[str]]) -> list[Leftover]:
    """Every place (content files, messages, module notebooks' text cells, the guide's module
    pages) that holds a word of another running example than ``current``."""
    import json

    wanted = [
        (example, word, _plain(word))
        for example, example_words_ in words.items()
        if example != current
        for word in example_words_
    ]
    if not wanted:
        return []
    root = paths.project_root()
    found: list[Leftover] = []

    def scan(shown: str, where: str, text: str) -> None:
        plain = _plain(text)
        for example, word, key in wanted:
            if key in plain:
                found.append(Leftover(shown, where, word, example))
                return

    message_dir = Path(messages.__file__).resolve().parent
    text_files = [
        *(p for p in sorted(paths.content_dir().rglob("*.yaml")) if p != examples_path()),
        *sorted(message_dir.glob("*.yaml")),
        *sorted((root / "facilitator-guide" / "docs" / "modules").glob("*.md")),
    ]
    for path in text_files:
        shown = _relative(path, root, message_dir)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.lstrip().startswith("#") or path.suffix == ".md":
                scan(shown, where("line", number=number), line)
    for path in sorted(paths.notebooks_dir().glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for number, cell in enumerate(cells, start=1):
            if cell.get("cell_type") == "markdown":
                source = cell.get("source", "")
                text = "".join(source) if isinstance(source, list) else str(source)
                scan(f"notebooks/{path.name}", where("cell", number=number), text)
    return found


def _relative(path: Path, root: Path, message_dir: Path) -> str:
    for base, prefix in ((root, ""), (message_dir, "labkit/messages/")):
        for candidate, folder in ((path, base), (path.resolve(), base.resolve())):
            try:
                return prefix + str(candidate.relative_to(folder))
            except ValueError:
                continue
    return path.name


def _plain(text: str) -> str:
    """Lower case, without accents, typographic apostrophes as straight ones."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
