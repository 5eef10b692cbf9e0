"""``datalab check``: one OK / FIX line per thing the workbook needs, for the day before a workshop."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import tempfile
from dataclasses import dataclass

from labkit import paths
from labkit.errors import DatalabError

PACKAGES = [
    "voila",
    "ipywidgets",
    "pandas",
    "sklearn",
    "plotly",
    "frictionless",
    "skops",
    "fairlearn",
    "yaml",
    "pyarrow",
    "openpyxl",
]
DISTRIBUTIONS = {"sklearn": "scikit-learn", "yaml": "PyYAML"}


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str = ""
    fix: str = ""

    def line(self) -> str:
        status = "OK " if self.ok else "FIX"
        text = f"{status}  {self.label}"
        if self.detail:
            text += f" : {self.detail}"
        if not self.ok and self.fix:
            text += f"\n     → {self.fix}"
        return text


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check(
        "Python",
        sys.version_info >= (3, 11),
        version,
        "installez Python 3.11 ou plus récent, puis relancez ./datalab.sh start",
    )


def check_packages() -> list[Check]:
    results = []
    for name in PACKAGES:
        dist = DISTRIBUTIONS.get(name, name)
        try:
            importlib.import_module(name)
            version = importlib.metadata.version(dist)
            results.append(Check(f"paquet {dist}", True, version))
        except Exception as exc:  # noqa: BLE001 - any import failure is reported
            results.append(
                Check(
                    f"paquet {dist}",
                    False,
                    type(exc).__name__,
                    "relancez ./datalab.sh start, qui installe les paquets",
                )
            )
    return results


def check_content() -> list[Check]:
    from labkit.course import quiz
    from labkit.course.modules import load_modules

    try:
        modules = load_modules()
    except DatalabError as error:
        return [
            Check(
                "liste des modules (content/modules.yaml)",
                False,
                str(error),
                "corrigez le fichier indiqué",
            )
        ]
    results = [Check("liste des modules (content/modules.yaml)", True, f"{len(modules)} modules")]
    for module in modules:
        notebook = paths.notebooks_dir() / module.notebook
        results.append(
            Check(
                f"notebook {module.notebook}",
                notebook.is_file(),
                "" if notebook.is_file() else "introuvable",
                f"remettez le fichier notebooks/{module.notebook} ou retirez le module de content/modules.yaml",
            )
        )
        if quiz.bank_path(module.id).is_file():
            try:
                bank = quiz.load_bank(module.id)
                results.append(Check(f"quiz {module.id}", True, f"{len(bank.problems)} questions"))
            except DatalabError as error:
                results.append(
                    Check(
                        f"quiz {module.id}",
                        False,
                        str(error),
                        "corrigez le fichier de quiz indiqué",
                    )
                )
    return results


def check_content_files() -> list[Check]:
    """Every YAML file of ``content/`` parses (one FIX line per broken file, with its line)."""
    from labkit.course.content import load_yaml, shown_path

    folder = paths.content_dir()
    files = sorted(folder.rglob("*.yaml"))
    broken = []
    for path in files:
        try:
            load_yaml(path)
        except DatalabError as error:
            broken.append(
                Check(
                    f"fichier {shown_path(path)}", False, str(error), "corrigez la ligne indiquée"
                )
            )
    if broken:
        return broken
    return [Check("fichiers YAML de content/", True, f"{len(files)} fichiers lisibles")]


def check_running_example() -> list[Check]:
    """The running example of ``content/settings.yaml`` names a dataset that exists and one of its
    columns as target."""
    from labkit.settings import load_settings, running_example_problems

    label = "exemple fil rouge (content/settings.yaml)"
    try:
        example = load_settings().running_example
    except DatalabError as error:
        return [Check(label, False, str(error), "corrigez le fichier indiqué")]
    problems = running_example_problems(example)
    if problems:
        return [
            Check(label, False, problem, "corrigez « fil_rouge » dans content/settings.yaml")
            for problem in problems
        ]
    results = [Check(label, True, f"jeu « {example.dataset} », cible « {example.target} »")]
    return results + check_running_example_texts(example.dataset)


def check_running_example_texts(current: str) -> list[Check]:
    """Texts that still speak of a former running example (words of
    ``content/exemples_fil_rouge.yaml``): one FIX line per file, its places « à adapter »."""
    from labkit.settings import example_words, running_example_leftovers

    label = "textes de l’exemple fil rouge"
    try:
        words = example_words()
    except DatalabError as error:
        return [Check(label, False, str(error), "corrigez le fichier indiqué")]
    leftovers = running_example_leftovers(current, words)
    if not leftovers:
        detail = "aucun texte ne parle d’un autre exemple"
        if current not in words:
            detail += (
                f" (ajoutez les mots propres à « {current} » dans content/exemples_fil_rouge.yaml)"
            )
        return [Check(label, True, detail)]
    by_file: dict[str, list] = {}
    for leftover in leftovers:
        by_file.setdefault(leftover.file, []).append(leftover)
    return [
        Check(
            f"à adapter : {file}",
            False,
            "parle encore de l’exemple « {} » : {}".format(
                places[0].example,
                ", ".join(f"{p.where} (« {p.word} »)" for p in places),
            ),
            "réécrivez ces passages pour le nouvel exemple fil rouge, ou rendez-les généraux",
        )
        for file, places in by_file.items()
    ]


def check_datasets() -> list[Check]:
    folder = paths.datasets_dir()
    found = sorted(p.parent for p in folder.glob("*/datapackage.json"))
    if not found:
        return [
            Check(
                "jeux de données",
                False,
                f"aucun dans {folder}",
                "remettez le dossier datasets/ du projet",
            )
        ]
    try:
        from labkit.data.datapackage import check_dataset_folder
    except ImportError:
        return [Check("jeux de données", True, f"{len(found)} trouvés")]
    results = []
    for dataset in found:
        problems = check_dataset_folder(dataset)
        results.append(
            Check(
                f"jeu de données {dataset.name}",
                not problems,
                "; ".join(problems[:3]),
                f"lancez « datalab dataset check {dataset} » pour le détail",
            )
        )
    return results


def check_workspace() -> Check:
    from labkit.workspace import default_root

    root = default_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".check-"):
            pass
        return Check("espace de travail accessible en écriture", True, str(root))
    except OSError as exc:
        return Check(
            "espace de travail accessible en écriture",
            False,
            f"{root} ({exc.strerror})",
            "choisissez un dossier accessible avec la variable DATALAB_WORKSPACE",
        )


def run_all() -> list[Check]:
    return [
        check_python(),
        *check_packages(),
        *check_content_files(),
        *check_content(),
        *check_running_example(),
        *check_datasets(),
        check_workspace(),
    ]
