"""The error table is generated from PlayFab's published list, and every name the code raises exists in it."""

from __future__ import annotations

import ast
from pathlib import Path

from scripts.gen_error_codes import read_codes, render
from shared.wire.error_codes import ERROR_CODES
from tests.support.ci import unavailable
from tests.support.server import REPO

TSV = REPO.parent / "shared" / "playfab-api" / "specs" / "error_codes.tsv"


def test_generated_table_matches_the_published_list():
    if not TSV.exists():  # the reference list sits beside the checkout, not in it
        unavailable(f"PlayFab's published error list ({TSV.name}) is not beside this checkout")
    assert (REPO / "shared" / "wire" / "error_codes.py").read_text(encoding="utf-8") == render(read_codes(TSV))


def test_well_known_codes():
    assert ERROR_CODES["InvalidParams"] == 1000
    assert ERROR_CODES["InvalidContentType"] == 1144
    assert ERROR_CODES["EntityProfileVersionMismatch"] == 1352
    assert len(ERROR_CODES) == 943


def _raised_names(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PlayFabError" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno))
    return found


def test_every_error_name_the_code_raises_is_a_playfab_name():
    sources = [p for folder in ("shared", "functions", "local_host") for p in (REPO / folder).rglob("*.py")]
    raised = [(p.relative_to(REPO), name, line) for p in sources for name, line in _raised_names(p)]
    assert len(raised) > 10
    unknown = [r for r in raised if r[1] not in ERROR_CODES]
    assert unknown == []
