"""mkdocs hooks of the facilitator guide: the parts that must match the product are generated.

- ``on_config``: the "Les modules" section of the navigation follows ``content/modules.yaml``;
- ``on_files``: every module of the registry must have a page ``docs/modules/<id>.md``;
- ``on_page_markdown``: markers ``<!-- datalab:NAME -->`` are replaced by generated Markdown
  (programme, module title and card, the « déroulé » from ``content/modules.yaml``, quiz answer
  key, messages, limits…, see ``MARKERS``); ``<!-- datalab:exemple NAME -->`` is the running
  example's passage NAME (``guide`` of its story file, ``content/exemples/<name>.yaml``).

Any problem stops the build with a French message (the guide is built with ``--strict``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

try:
    import labkit  # noqa: F401
except ImportError:  # building the guide without installing labkit: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from labkit import messages, paths
from labkit.course import guide, quiz
from labkit.course.modules import load_modules
from labkit.errors import DatalabError
from labkit.settings import load_settings

HERE = Path(__file__).resolve().parent
NOTES_FILE = HERE / "depannage-notes.yaml"
MODULES_SECTION = "Les modules"
MARKER = re.compile(r"<!--\s*datalab:([a-z0-9-]+)(?:\s+([^>]*?))?\s*-->")

_state: dict = {}


def _fail(error: DatalabError) -> PluginError:
    return PluginError(f"Guide d’animation : {error}")


def _modules():
    if "modules" not in _state:
        try:
            _state["modules"] = load_modules()
        except DatalabError as error:
            raise _fail(error) from None
    return _state["modules"]


def on_config(config):
    _state.clear()
    modules = _modules()
    entries = [{"Présentation": "modules/index.md"}]
    entries += [{m.label: f"modules/{m.id}.md"} for m in modules]
    for index, item in enumerate(config.nav or []):
        if isinstance(item, dict) and MODULES_SECTION in item:
            config.nav[index] = {MODULES_SECTION: entries}
    return config


def on_files(files, config):
    missing = [m.id for m in _modules() if files.get_file_from_path(f"modules/{m.id}.md") is None]
    if missing:
        raise _fail(messages.error("guide.missing_pages", ids=", ".join(missing)))
    return files


# ------------------------------------------------------------------------------------ markers
def _page_module(page):
    stem = Path(page.file.src_uri).stem
    for module in _modules():
        if module.id == stem:
            return module
    raise PluginError(
        f"Guide d’animation : la page « {page.file.src_uri} » utilise un marqueur de module, "
        "mais son nom n’est pas l’identifiant d’un module de content/modules.yaml."
    )


def _link_prefix(page, target_dir: str = "modules/") -> str:
    """Relative prefix from this page to ``docs/modules/``."""
    depth = page.file.src_uri.count("/")
    return "../" * depth + target_dir if depth else target_dir


def _programme(page, _arg):
    return guide.render_programme_markdown(_modules(), link_prefix=_link_prefix(page))


def _programme_one_day(page, _arg):
    return guide.render_one_day_markdown(_modules(), link_prefix=_link_prefix(page))


def _title(page, _arg):
    return _page_module(page).label


def _module(page, _arg):
    return guide.render_module_card(_page_module(page), _modules())


def _deroule(page, _arg):
    return guide.render_deroule(_page_module(page))


def _quiz(page, _arg):
    module = _page_module(page)
    path = quiz.bank_path(module.id)
    if not path.is_file():
        return (
            '!!! note "Pas de quiz pour ce module"\n'
            f"    Aucun fichier `content/quiz/{module.id}.yaml` : la page n’affiche pas de quiz. "
            "Pour en ajouter un, voir [Adapter l’atelier](../adapter.md#modifier-les-quiz).\n"
        )
    try:
        bank = quiz.load_bank(module.id)
    except DatalabError as error:
        raise _fail(error) from None
    return guide.render_answer_key(bank)


def _modules_list(page, _arg):
    prefix = _link_prefix(page)
    rows = [
        f"| [{m.label}]({prefix}{m.id}.md) | {m.subtitle} | jour {m.day}, "
        f"{guide.HALF_DAY_LABELS[guide.half_day_of(m)].lower()} | "
        f"{guide.format_duration(m.minutes)} |"
        for m in _modules()
    ]
    return "\n".join(["| Module | En bref | Quand | Durée |", "|---|---|---|---|", *rows]) + "\n"


def _notes() -> dict[str, str]:
    if not NOTES_FILE.is_file():
        return {}
    try:
        data = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise PluginError(
            f"Guide d’animation : {NOTES_FILE.name} n’est pas un YAML valide ({error})"
        ) from None
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}


def _messages(_page, arg):
    audience = {"stagiaires": guide.TRAINEE, "animation": guide.FACILITATOR}.get(arg or "")
    if audience is None:
        raise PluginError(
            "Guide d’animation : le marqueur « datalab:messages » attend « stagiaires » ou "
            f"« animation » (reçu : « {arg} »)."
        )
    try:
        return guide.render_messages_markdown(
            guide.load_message_domains(),
            _notes(),
            audience=audience,
            heading="###",
            shown=guide.message_keys_in_code(guide.load_code_sources()),
        )
    except DatalabError as error:
        raise _fail(error) from None


def _running_example(_page, _arg):
    try:
        example = load_settings().running_example
    except DatalabError as error:
        raise _fail(error) from None
    return (
        f"« **{example.title}** » : jeu de données `{example.dataset}` "
        f"(dossier `datasets/{example.dataset}/`), cible `{example.target}`"
    )


def _example_passage(page, arg):
    """A passage of the running example's story (``guide`` of its file in ``content/exemples/``);
    nothing when the story does not give it (``datalab check`` says so)."""
    try:
        example = load_settings().running_example
    except DatalabError as error:
        raise _fail(error) from None
    return example.guide.get(arg, "")


def _examples(_page, _arg):
    """The running examples that ship a story file, the one followed today marked."""
    from labkit.settings import load_story, story_names

    try:
        current = load_settings().running_example.name
        stories = [load_story(name) for name in story_names()]
    except DatalabError as error:
        raise _fail(error) from None
    lines = [
        "| `fil_rouge:` | Projet | Jeu de données | Cible |",
        "|---|---|---|---|",
    ]
    for story in stories:
        mark = " (suivi aujourd’hui)" if story.name == current else ""
        lines.append(
            f"| `{story.name}`{mark} | {story.title} | `{story.dataset}` | `{story.target}` |"
        )
    return "\n".join(lines)


SIZING_RECORD = HERE / "mesures-salle.json"


def _sizing(_page, _arg):
    """The server's sizing for a room, computed from the measured rooms (SIZING_RECORD)."""
    import json

    try:
        record = json.loads(SIZING_RECORD.read_text(encoding="utf-8"))
        return guide.room_sizing(record)
    except (OSError, ValueError, KeyError) as error:
        raise PluginError(
            f"Guide d’animation : {SIZING_RECORD.name} est illisible ou incomplet ({error})."
        ) from None


def _accessibility(_page, _arg):
    from labkit.course import accessibility

    try:
        statement = accessibility.load_statement()
    except DatalabError as error:
        raise _fail(error) from None
    return f"**{accessibility.headline(statement)}**\n\n" + accessibility.statement_markdown(
        statement
    )


def _datasets(_page, _arg):
    return guide.render_datasets_markdown(guide.load_datapackages(paths.datasets_dir()))


def _defects(_page, arg):
    """The documented defects of a dataset (default: the running example's)."""
    try:
        name = arg or load_settings().running_example.dataset
    except DatalabError as error:
        raise _fail(error) from None
    package = guide.load_datapackages(paths.datasets_dir()).get(name)
    if package is None:
        raise _fail(
            messages.error(
                "guide.dataset_missing", id=name, path=f"datasets/{name}/datapackage.json"
            )
        )
    return guide.render_defects_markdown(package)


def _defect_hunt(_page, _arg):
    """The answer key of module 04's exercise, built as the page builds it (labkit.course.data_quiz)."""
    from labkit.course.data_quiz import defect_hunt
    from labkit.data import datapackage

    try:
        dataset = datapackage.load_dataset(load_settings().running_example.dataset)
    except DatalabError as error:
        raise _fail(error) from None
    defects = [d if isinstance(d, dict) else vars(d) for d in dataset.defects]
    problem = defect_hunt(defects)
    return guide.render_answer_key(quiz.Bank("04_preparation", "Exercice", [problem]))


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)}\u00a0Mo"


def upload_limit_bytes() -> int:
    """The largest file a trainee can import in module 03's page: the reader's limit, or the
    server's largest websocket message (the page sends the file through it), whichever is lower."""
    from tornado import websocket

    from labkit.data import limits

    return min(limits.MAX_BYTES, websocket._default_max_message_size)


def _upload_limit(_page, _arg):
    return _megabytes(upload_limit_bytes())


def _download_limit(_page, _arg):
    from labkit.data import opendata

    return _megabytes(opendata.MAX_DOWNLOAD_BYTES)


MARKERS = {
    "limite-import": _upload_limit,
    "limite-datagouv": _download_limit,
    "exercice-defauts": _defect_hunt,
    "jeux": _datasets,
    "defauts": _defects,
    "programme": _programme,
    "programme-1j": _programme_one_day,
    "titre": _title,
    "module": _module,
    "deroule": _deroule,
    "quiz": _quiz,
    "modules": _modules_list,
    "messages": _messages,
    "fil-rouge": _running_example,
    "exemple": _example_passage,
    "exemples": _examples,
    "dimensionnement": _sizing,
    "accessibilite": _accessibility,
}


def on_page_markdown(markdown, page, config, files):
    def replace(match: re.Match) -> str:
        name, arg = match.group(1), (match.group(2) or "").strip()
        if name not in MARKERS:
            raise _fail(
                messages.error(
                    "guide.unknown_marker",
                    page=page.file.src_uri,
                    marker=name,
                    markers=", ".join(sorted(MARKERS)),
                )
            )
        return MARKERS[name](page, arg)

    return MARKER.sub(replace, markdown)
