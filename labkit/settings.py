"""Workshop settings a facilitator edits (``content/settings.yaml``): titles and the running example."""

from __future__ import annotations

from dataclasses import dataclass

from labkit import messages, paths
from labkit.content import load_yaml, require


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
    workshop = require(data, "atelier", dict, path=path, where="le fichier")
    example = require(data, "fil_rouge", dict, path=path, where="le fichier")
    return Settings(
        title=require(workshop, "titre", str, path=path, where="« atelier »"),
        subtitle=str(workshop.get("sous_titre") or ""),
        organisation=str(workshop.get("organisme") or ""),
        running_example=RunningExample(
            dataset=require(example, "jeu_de_donnees", str, path=path, where="« fil_rouge »"),
            target=require(example, "cible", str, path=path, where="« fil_rouge »"),
            title=require(example, "titre", str, path=path, where="« fil_rouge »"),
            story=str(example.get("histoire") or ""),
        ),
    )


def running_example_problems(example: RunningExample) -> list[str]:
    """French problems of the running example: a dataset that is not a folder of ``datasets/``
    (with the valid names), a target that is not one of its columns (with its columns)."""
    from labkit import datapackage
    from labkit.errors import DatalabError

    folders = {folder.name: folder for folder in datapackage.dataset_folders()}
    if example.dataset not in folders:
        known = ", ".join(sorted(folders)) or "aucun"
        return [
            str(messages.error("content.example_dataset_unknown", id=example.dataset, known=known))
        ]
    try:
        info = datapackage.dataset_info(folders[example.dataset])
    except DatalabError as error:
        return [str(error)]
    columns = [str(field.get("name")) for field in info.fields]
    if example.target not in columns:
        suggested = ", ".join(
            str(t.get("column") or t.get("name") or "") for t in info.suggested_targets
        )
        return [
            str(
                messages.error(
                    "content.example_target_unknown",
                    id=example.dataset,
                    target=example.target,
                    columns=", ".join(columns),
                    suggested=suggested or "aucune",
                )
            )
        ]
    return []
