"""Static checks of the Odoo addon that need no Odoo: manifest, data files, XML, pylint-odoo."""
import ast
import csv
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
ADDON = ROOT / "chronicle_qbo_addon"


@pytest.fixture(scope="module")
def manifest():
    return ast.literal_eval((ADDON / "__manifest__.py").read_text())


def test_manifest_declares_what_odoo_19_needs(manifest):
    assert manifest["version"] == "19.0.1.0.0"
    assert manifest["license"] == "LGPL-3"
    assert {"project", "hr"} <= set(manifest["depends"])
    assert set(manifest["external_dependencies"]["python"]) == {"python-quickbooks", "intuit-oauth"}
    assert manifest["installable"] is True
    assert manifest["author"]


def test_every_data_file_exists_and_every_xml_file_is_loaded(manifest):
    listed = manifest["data"] + manifest.get("demo", [])
    for name in listed:
        assert (ADDON / name).is_file(), name
    for path in ADDON.rglob("*.xml"):
        relative = path.relative_to(ADDON).as_posix()
        if relative.startswith("static/"):
            continue
        assert relative in listed, f"{relative} is never loaded"


@pytest.mark.parametrize("path", sorted(ADDON.rglob("*.xml")), ids=lambda p: p.relative_to(ADDON).as_posix())
def test_xml_is_well_formed_and_uses_odoo_19_syntax(path):
    tree = etree.parse(str(path))
    assert tree.getroot().tag == "odoo"
    arch = etree.tostring(tree).decode()
    assert "<tree" not in arch, "Odoo 19 lists are <list>"
    assert " attrs=" not in arch and " states=" not in arch, "Odoo 19 rejects attrs/states"
    assert "groups_id" not in arch, "Odoo 19 renamed groups_id to group_ids"


def test_access_rules_cover_every_model():
    rows = list(csv.DictReader((ADDON / "security" / "ir.model.access.csv").open()))
    assert list(rows[0]) == [
        "id", "name", "model_id:id", "group_id:id", "perm_read", "perm_write", "perm_create", "perm_unlink",
    ]
    covered = {row["model_id:id"] for row in rows}
    declared = set()
    for path in ADDON.rglob("*.py"):
        for cls in ast.walk(ast.parse(path.read_text())):
            # Abstract models have no table, so nothing to grant.
            if not isinstance(cls, ast.ClassDef) or any(
                isinstance(base, ast.Attribute) and base.attr == "AbstractModel" for base in cls.bases
            ):
                continue
            for node in cls.body:
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_name" for t in node.targets
                ):
                    declared.add("model_" + node.value.value.replace(".", "_"))
    assert declared, "no model found"
    assert declared <= covered, f"models without access rules: {declared - covered}"


def test_service_layer_never_imports_odoo():
    for path in (ADDON / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(name.split(".")[0] == "odoo" for name in names), path


def test_models_never_talk_http_directly():
    for folder in ("models", "wizard", "controllers"):
        for path in (ADDON / folder).rglob("*.py"):
            source = path.read_text()
            for client in ("import requests", "quickbooks", "intuitlib", "urllib.request"):
                assert client not in source, f"{path.name} uses {client}: go through services/"


def test_pylint_odoo_mandatory_checks_pass():
    result = subprocess.run(
        [sys.executable, "-m", "pylint", "--rcfile", str(ROOT / ".pylintrc-odoo"), str(ADDON)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
