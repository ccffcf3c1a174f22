"""Imports run only downward: pantau/ (CLI, analyst library, simulator) -> flows/ -> models/ ->
connectors/. A lower layer never imports a higher one (read from the source, not by running)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The modules and packages of the pantau/ folder itself: the CLI, the analyst library, the web
# workbench, the simulator (everything above flows/).
TOP = tuple(sorted(
    f"pantau.{p.stem}" for p in (ROOT / "pantau").iterdir()
    if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()))
# Folder -> the pantau.* packages its modules must not import.
FORBIDDEN = {
    "connectors": ("pantau.models", "pantau.flows", *TOP),
    "models": ("pantau.flows", *TOP),
    "flows": TOP,
    # The analyst library sits under the CLI and the web workbench and reads no flow; the web
    # takes the library, never a command's internals.
    "pantau/analyst": ("pantau.flows", "pantau.commands", "pantau.web", "pantau.cli"),
    "pantau/web": ("pantau.commands", "pantau.cli"),
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_upward_import(layer: str) -> None:
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files
    upward = [f"{path.relative_to(ROOT)} imports {name}"
              for path in files for name in sorted(imported(path))
              if name.startswith(FORBIDDEN[layer])]
    assert upward == []


def test_the_old_top_modules_are_gone() -> None:
    # Config moved to flows/config.py, the apprise sender into models/alerts/.
    assert not (ROOT / "pantau" / "config.py").exists()
    assert not (ROOT / "pantau" / "notify.py").exists()
    every = {name for path in ROOT.glob("[cfmp]*/**/*.py") for name in imported(path)}
    assert not {"pantau.config", "pantau.notify"} & every
