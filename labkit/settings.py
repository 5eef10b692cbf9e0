"""Workshop settings a facilitator edits (``content/settings.yaml``): titles and the running example.

The running example is content: everything the workbook says that is specific to it (its story,
the project canvas's worked examples, the quiz questions that name it, the passages of the module
notebooks and of the guide) lives in one story file, ``content/exemples/<name>.yaml``.
``content/settings.yaml`` names the story file in one line (``fil_rouge: creches``); switching
the running example is changing that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from labkit import messages, paths
from labkit.yamlfile import load_yaml, require, where

# The passages a story file may give (``textes``), read by the pages. A missing one is left out.
TEXT_NAMES = (
    "description",  # the example's table in a sentence: « le tableau des demandes de … »
    "cadrage",  # module 02: the example framed (decision, target, data), Markdown
    "cible",  # module 03: why this column is the target, Markdown
    "exercice",  # module 04: how the table's defects were made, before the hunt
)


@dataclass(frozen=True)
class RunningExample:
    dataset: str
    target: str
    title: str
    story: str
    name: str = ""  # the story file's name (``content/exemples/<name>.yaml``)
    words: tuple[str, ...] = ()
    texts: dict[str, str] = field(default_factory=dict)
    canvas: dict[str, str] = field(default_factory=dict)
    quiz: dict[str, list] = field(default_factory=dict)
    guide: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """A passage of the story (``textes``), "" when the story does not give it."""
        return self.texts.get(name, "")

    @property
    def description(self) -> str:
        """The example's table in a sentence (« le tableau des … »), its title when not given."""
        return self.text("description") or f"« {self.title} »"

    def quiz_question(self, module_id: str, question_id: str) -> dict | None:
        """The story's question ``question_id`` for a module's quiz, or ``None``."""
        for item in self.quiz.get(module_id, []):
            if isinstance(item, dict) and item.get("id") == question_id:
                return item
        return None


@dataclass(frozen=True)
class Settings:
    title: str
    subtitle: str
    organisation: str
    running_example: RunningExample


def examples_dir() -> Path:
    return paths.content_dir() / "exemples"


def story_path(name: str) -> Path:
    """The story file of a running example (names checked: a plain file of ``content/exemples/``)."""
    folder = examples_dir().resolve()
    path = (folder / f"{name}.yaml").resolve()
    if path.parent != folder or not name or name.startswith("."):
        raise messages.error("content.example_name_bad", name=str(name)[:60])
    return path


def story_names() -> list[str]:
    """The running examples that ship a story file."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml") if not p.name.startswith("."))


def load_settings() -> Settings:
    path = paths.content_dir() / "settings.yaml"
    data = load_yaml(path)
    workshop = require(data, "atelier", dict, path=path, where=where("file"))
    name = require(data, "fil_rouge", str, path=path, where=where("file")).strip()
    if name not in story_names():
        raise messages.error(
            "content.example_unknown",
            name=name[:60],
            known=", ".join(story_names()) or messages.text("content.example_none"),
        )
    return Settings(
        title=require(workshop, "titre", str, path=path, where=where("section", name="atelier")),
        subtitle=str(workshop.get("sous_titre") or ""),
        organisation=str(workshop.get("organisme") or ""),
        running_example=load_story(name),
    )


def load_story(name: str) -> RunningExample:
    """The running example of ``content/exemples/<name>.yaml`` (French error when malformed)."""
    path = story_path(name)
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    return _load_story(path, stamp)


@lru_cache(maxsize=16)
def _load_story(path: Path, _stamp: int) -> RunningExample:
    data = load_yaml(path)
    top = where("file")
    # the required fields first: a file that is not a mapping gets its French message here
    dataset = require(data, "jeu_de_donnees", str, path=path, where=top)
    target = require(data, "cible", str, path=path, where=top)
    title = require(data, "titre", str, path=path, where=top)

    def mapping(key: str) -> dict:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            return {}
        return require(data, key, dict, path=path, where=top)

    texts = {str(k): str(v).strip() for k, v in mapping("textes").items() if v}
    unknown = sorted(set(texts) - set(TEXT_NAMES))
    if unknown:
        raise messages.error(
            "content.example_text_unknown",
            path=path.relative_to(paths.project_root()) if _inside(path) else path.name,
            names=", ".join(unknown),
            known=", ".join(TEXT_NAMES),
        )
    quiz: dict[str, list] = {}
    for module_id, questions in mapping("quiz").items():
        quiz[str(module_id)] = require(
            {"quiz": questions}, "quiz", list, path=path, where=where("section", name=module_id)
        )
    words = require(data, "mots", list, path=path, where=top) if data.get("mots") else []
    return RunningExample(
        dataset=dataset,
        target=target,
        title=title,
        story=str(data.get("histoire") or "").strip(),
        name=path.stem,
        words=tuple(str(w) for w in words if str(w).strip()),
        texts=texts,
        canvas={str(k): str(v).strip() for k, v in mapping("canevas").items() if v},
        quiz=quiz,
        guide={str(k): str(v).rstrip() for k, v in mapping("guide").items() if v},
    )


def _inside(path: Path) -> bool:
    try:
        path.relative_to(paths.project_root())
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Leftover:
    """A text that still speaks of a former running example."""

    file: str  # relative to the project's folder
    where: str  # « ligne 12 » or « cellule 5 »
    word: str
    example: str


def example_words() -> dict[str, list[str]]:
    """``{example: [words]}``: the words of every story file of ``content/exemples/``."""
    return {name: list(load_story(name).words) for name in story_names()}


def example_leftovers(words: dict[str, list[str]]) -> list[Leftover]:
    """Every place outside the story files (content files, messages, module notebooks' text
    cells, the guide's pages) that holds a word of a running example (``{example: [words]}``):
    what is specific to an example belongs in its story file."""
    import json

    wanted = [
        (example, word, _plain(word))
        for example, example_words_ in words.items()
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
    stories = examples_dir()
    text_files = [
        *(
            p
            for p in sorted(paths.content_dir().rglob("*.yaml"))
            # The settings name the running example by design.
            if p.parent != stories and p.name != "settings.yaml"
        ),
        *sorted(message_dir.glob("*.yaml")),
        *sorted((root / "facilitator-guide" / "docs").rglob("*.md")),
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
