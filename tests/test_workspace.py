"""The learner's workspace: pseudonyms, atomic versioned documents, tables, isolation, recovery."""

from __future__ import annotations

import json
import multiprocessing
import os
import zipfile

import pandas as pd
import pytest

from labkit.errors import DatalabError
from labkit.workspace import FORMAT_VERSION, Workspace, normalize_pseudonym, slugify


@pytest.mark.parametrize(
    "value",
    ["", "   ", None, "a", "x" * 41, "<script>", "../../etc", "camille/../x", "😀😀", "a\x00b"],
)
def test_bad_pseudonyms_are_refused_in_french(value, workspace_root):
    with pytest.raises(DatalabError) as info:
        Workspace.open(value, workspace_root)
    assert "pseudonyme" in str(info.value).lower()
    assert not (workspace_root / "learners").exists() or not any(
        (workspace_root / "learners").iterdir()
    )


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("Camille", "camille"),
        ("  Élodie   B. ", "elodie-b"),
        ("équipe-3", "equipe-3"),
        ("O'Neil", "o-neil"),
    ],
)
def test_pseudonyms_fold_to_safe_folder_names(value, slug, workspace_root):
    workspace = Workspace.open(value, workspace_root)
    assert workspace.slug == slug
    assert workspace.folder == workspace_root / "learners" / slug
    assert workspace.pseudonym == normalize_pseudonym(value)


def test_slug_never_leaves_the_learners_folder():
    for value in ["../..", "a/../../b", "..\\..\\x", "/etc/passwd"]:
        assert "/" not in slugify(value) and ".." not in slugify(value)


def test_save_and_load_round_trip_with_envelope(workspace):
    value = {"titre": "Crèches", "liste": [1, 2.5, None], "vrai": True}
    workspace.save("canvas", value)
    assert workspace.load("canvas") == value
    envelope = json.loads((workspace.project_folder / "canvas.json").read_text(encoding="utf-8"))
    assert envelope["format"] == "datalab-workspace"
    assert envelope["version"] == FORMAT_VERSION
    assert envelope["data"] == value
    assert workspace.load("absent", "défaut") == "défaut"


@pytest.mark.parametrize("key", ["../x", "A", "", "a/b", "a b", ".hidden", "x" * 90])
def test_bad_keys_are_refused(workspace, key):
    with pytest.raises(DatalabError):
        workspace.save(key, 1)


def test_unserializable_value_gives_a_french_error_and_keeps_old_value(workspace):
    workspace.save("canvas", {"a": 1})
    with pytest.raises(DatalabError) as info:
        workspace.save("canvas", {"a": object()})
    assert "enregistrer" in str(info.value)
    assert workspace.load("canvas") == {"a": 1}


def test_two_learners_never_see_each_other(workspace_root):
    camille = Workspace.open("Camille", workspace_root)
    dominique = Workspace.open("Dominique", workspace_root)
    camille.save("canvas", {"probleme": "piscine"})
    assert dominique.load("canvas") is None
    assert Workspace.open("camille", workspace_root).load("canvas") == {"probleme": "piscine"}


def test_corrupted_file_falls_back_to_previous_version_and_is_kept(workspace):
    workspace.save("canvas", {"version": 1})
    workspace.save("canvas", {"version": 2})
    (workspace.project_folder / "canvas.json").write_text(
        '{"format": "datalab-wo', encoding="utf-8"
    )
    assert workspace.load("canvas") == {"version": 1}
    assert any("abîmé" in notice for notice in workspace.notices)
    kept = list(workspace.project_folder.glob("canvas.json.abime-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == '{"format": "datalab-wo'


def test_corrupted_file_without_backup_gives_a_clear_message_and_is_kept(workspace):
    (workspace.project_folder / "canvas.json").write_bytes(b"\xff\xfe not json")
    with pytest.raises(DatalabError) as info:
        workspace.load("canvas")
    assert "abîmé" in info.value.message and "rien n’est effacé" in info.value.hint
    assert len(list(workspace.project_folder.glob("canvas.json.abime-*"))) == 1


def test_old_format_bare_value_is_migrated(workspace):
    (workspace.project_folder / "canvas.json").write_text(
        json.dumps({"probleme": "ancien"}), encoding="utf-8"
    )
    assert workspace.load("canvas") == {"probleme": "ancien"}


def test_newer_format_is_refused_without_loss(workspace):
    newer = {"format": "datalab-workspace", "version": FORMAT_VERSION + 1, "data": {"x": 1}}
    path = workspace.project_folder / "canvas.json"
    path.write_text(json.dumps(newer), encoding="utf-8")
    with pytest.raises(DatalabError) as info:
        workspace.load("canvas")
    assert "plus récente" in str(info.value)
    assert json.loads(path.read_text(encoding="utf-8")) == newer


def _killed_writer(folder: str, pseudonym: str) -> None:
    """Save big documents in a loop until killed."""
    workspace = Workspace.open(pseudonym, folder)
    i = 0
    while True:
        workspace.save("canvas", {"i": i, "texte": "é" * 200_000})
        i += 1


def test_a_kernel_killed_mid_save_loses_and_corrupts_nothing(workspace_root):
    Workspace.open("Camille", workspace_root).save("canvas", {"i": -1, "texte": ""})
    context = multiprocessing.get_context("fork")
    for _ in range(5):
        process = context.Process(target=_killed_writer, args=(str(workspace_root), "Camille"))
        process.start()
        process.join(0.3)
        os.kill(process.pid, 9)
        process.join()
        value = Workspace.open("Camille", workspace_root).load("canvas")
        assert isinstance(value["i"], int)
        assert value["texte"] in ("", "é" * 200_000)
    leftovers = [
        p for p in (workspace_root / "learners" / "camille").iterdir() if ".abime-" in p.name
    ]
    assert leftovers == []


def test_tables_keep_their_types(workspace):
    frame = pd.DataFrame(
        {
            "code_postal": ["01000", "2A004"],
            "montant": [1.5, None],
            "date": pd.to_datetime(["2024-01-02", "2024-03-04"]),
        }
    )
    workspace.save_table("raw", frame)
    loaded = workspace.load_table("raw")
    assert list(loaded["code_postal"]) == ["01000", "2A004"]
    assert loaded["date"].dtype.kind == "M"
    assert pd.isna(loaded["montant"][1])


def test_missing_and_damaged_tables_give_french_messages(workspace):
    with pytest.raises(DatalabError) as info:
        workspace.load_table("clean")
    assert "Aucun tableau" in str(info.value)
    (workspace.project_folder / "tables").mkdir(exist_ok=True)
    (workspace.project_folder / "tables" / "clean.parquet").write_bytes(b"PAR1 broken")
    with pytest.raises(DatalabError) as info:
        workspace.load_table("clean")
    assert "mis de côté" in str(info.value)
    assert list((workspace.project_folder / "tables").glob("clean.parquet.abime-*"))


def test_export_import_round_trip(workspace_root):
    camille = Workspace.open("Camille", workspace_root)
    camille.save("canvas", {"probleme": "piscine"})
    camille.save_table("raw", pd.DataFrame({"a": [1, 2]}))
    archive = camille.export_zip()
    other = Workspace.open("Dominique", workspace_root)
    other.save("canvas", {"probleme": "autre"})
    restored = other.import_zip(archive)
    assert restored >= 2
    assert other.load("canvas") == {"probleme": "piscine"}
    assert other.load("learner")["pseudonym"] == "Dominique"
    assert list(other.load_table("raw")["a"]) == [1, 2]
    backups = list((workspace_root / "backups").iterdir())
    assert backups, "the replaced work must be kept as a backup"


def _zip(entries: dict[str, bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        b"",
        _zip({"../evil.json": b"{}", "learner.json": b"{}"}),
        _zip({"/etc/passwd": b"x", "learner.json": b"{}"}),
        _zip({"tables/../../x.parquet": b"x", "learner.json": b"{}"}),
        _zip({"canvas.json": b"{}"}),  # no learner.json: not an export
        _zip({"notebook.ipynb": b"{}", "learner.json": b"{}"}),
    ],
)
def test_bad_archives_are_refused_and_nothing_is_lost(workspace, data):
    workspace.save("canvas", {"probleme": "garde"})
    with pytest.raises(DatalabError):
        workspace.import_zip(data)
    assert workspace.load("canvas") == {"probleme": "garde"}
    assert not (workspace.folder.parent.parent / "evil.json").exists()


def test_reset_keeps_a_backup(workspace):
    workspace.save("canvas", {"probleme": "piscine"})
    backup = workspace.reset()
    assert workspace.load("canvas") is None
    assert json.loads(
        (backup / "projects" / "exemple" / "canvas.json").read_text(encoding="utf-8")
    )["data"] == {"probleme": "piscine"}
    assert workspace.load("learner")["pseudonym"] == "Testeur"


def test_unwritable_root_gives_a_french_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatalabError) as info:
        Workspace.open("Camille", blocker / "sub")
    assert "écrire" in str(info.value)


def test_each_copy_of_datalab_has_its_own_default_workspace(tmp_path, monkeypatch):
    # two copies started on one machine wrote to one ~/.local/share/datalab, and the room view of
    # one showed the other's learners (issue 24): by default each copy keeps its own folder
    from labkit import workspace as ws

    monkeypatch.delenv("DATALAB_WORKSPACE", raising=False)
    roots = []
    for name in ("copie-a", "copie-b"):
        copy = tmp_path / name
        for folder in ("notebooks", "datasets", "content"):
            (copy / folder).mkdir(parents=True)
        monkeypatch.setenv("DATALAB_ROOT", str(copy))
        roots.append(ws.default_root())
    assert roots == [tmp_path / "copie-a" / "workspace", tmp_path / "copie-b" / "workspace"]
    monkeypatch.setenv("DATALAB_WORKSPACE", str(tmp_path / "choisi"))
    assert ws.default_root() == tmp_path / "choisi"  # the environment still decides first


def test_work_left_in_the_old_shared_folder_is_pointed_to(tmp_path, monkeypatch):
    from labkit import workspace as ws

    monkeypatch.delenv("DATALAB_WORKSPACE", raising=False)
    copy = tmp_path / "copie"
    for folder in ("notebooks", "datasets", "content"):
        (copy / folder).mkdir(parents=True)
    monkeypatch.setenv("DATALAB_ROOT", str(copy))
    old = tmp_path / "partage"
    monkeypatch.setattr(ws.platformdirs, "user_data_dir", lambda *a, **k: str(old))
    assert ws.legacy_root() is None  # nothing there
    (old / "learners" / "camille").mkdir(parents=True)
    assert ws.legacy_root() == old
    (copy / "workspace" / "learners").mkdir(parents=True)  # this copy has work of its own
    assert ws.legacy_root() is None
