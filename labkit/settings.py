"""Workshop settings a facilitator edits (``content/settings.yaml``): titles and the running example."""

from __future__ import annotations

from dataclasses import dataclass

from labkit import paths
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
