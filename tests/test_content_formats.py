"""Each file a facilitator edits in ``content/`` documents its own format: it starts with a French
comment giving the format and a valid example, which loads as the real file does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from labkit.course import quiz, risk
from labkit.course.modules import load_modules

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
FILES = sorted(CONTENT.rglob("*.yaml"))


def header(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


def example(path: Path) -> str:
    """The example of the header: the comment block after the line that announces « Exemple »,
    between two lines holding only « # »."""
    lines = header(path).splitlines()
    start = next(i for i, line in enumerate(lines) if "Exemple" in line)
    first = lines.index("#", start) + 1
    end = lines.index("#", first) if "#" in lines[first:] else len(lines)
    text = "\n".join(line[3:] for line in lines[first:end])
    assert text.strip(), f"{path.name}: no example in its header"
    return text + "\n"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CONTENT)) for p in FILES])
def test_each_content_file_starts_with_its_format_and_an_example_in_french(path):
    text = header(path)
    assert text, f"{path} must start with a comment"
    assert "Format" in text or "Exemple" in text
    assert "Exemple" in text or "exemple" in text
    assert "labkit/" not in text, "a facilitator does not read the code"
    assert re.search(r"[éèàç’«]", text), "the header is in French"
    yaml.safe_load(example(path))


@pytest.mark.parametrize("path", sorted((CONTENT / "quiz").glob("*.yaml")))
def test_the_quiz_example_of_each_quiz_file_loads(path, tmp_path):
    bank_file = tmp_path / "exemple.yaml"
    bank_file.write_text('title: "Exemple"\nquestions:\n' + example(path), encoding="utf-8")
    bank = quiz.load_bank("exemple", bank_file)
    assert [p.id for p in bank.problems] == ["exemple_a_remplacer"]


def test_the_modules_example_loads(tmp_path):
    path = tmp_path / "modules.yaml"
    path.write_text("modules:\n" + example(CONTENT / "modules.yaml"), encoding="utf-8")
    [module] = load_modules(path)
    assert module.minutes == 90


def test_the_settings_example_is_complete():
    data = yaml.safe_load(example(CONTENT / "settings.yaml"))
    assert set(data) == {"atelier", "fil_rouge"}
    assert (CONTENT / "exemples" / f"{data['fil_rouge']}.yaml").is_file()


@pytest.mark.parametrize(
    "path", sorted((CONTENT / "exemples").glob("*.yaml")), ids=lambda p: p.stem
)
def test_the_story_example_of_each_story_file_is_a_running_example(path, tmp_path, monkeypatch):
    """The minimal story of each story file's header loads as a running example."""
    from labkit.settings import load_story

    project = tmp_path / "projet"
    (project / "content" / "exemples").mkdir(parents=True)
    (project / "notebooks").mkdir()
    (project / "content" / "exemples" / "essai.yaml").write_text(example(path), encoding="utf-8")
    monkeypatch.setenv("DATALAB_ROOT", str(project))
    story = load_story("essai")
    assert (story.dataset, story.target) == ("piscine", "frequentation")
    assert (ROOT / "datasets" / story.dataset / "datapackage.json").is_file()


def test_the_risk_example_loads(tmp_path):
    path = tmp_path / "risques.yaml"
    path.write_text(example(CONTENT / "risques.yaml"), encoding="utf-8")
    questionnaire = risk.load_questionnaire(path)
    assert [q.id for q in questionnaire.questions] == ["exemple_a_remplacer"]


def test_example_ids_are_free():
    """An example copied as is must not clash with a real question."""
    used = {
        p.id
        for path in (CONTENT / "quiz").glob("*.yaml")
        for p in quiz.load_bank(path.stem).problems
    }
    assert "exemple_a_remplacer" not in used
    assert "exemple_a_remplacer" not in {q.id for q in risk.load_questionnaire().questions}
