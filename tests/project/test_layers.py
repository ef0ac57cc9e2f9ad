"""Who may import whom (ARCHITECTURE.md): production code never imports tests, the core never imports a host."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.server import REPO

PRODUCTION = ("shared", "functions", "local_host", "ops", "bench", "scripts")
# What the core (shared/) may not import: the hosts, the Functions SDK, tools and tests.
OUTSIDE_THE_CORE = ("functions", "function_app", "local_host", "ops", "bench", "scripts", "tests", "azure.functions")
# The storage adapters sit below every rule: besides each other they may use only these.
BELOW_STORAGE = ("shared.config.clock", "shared.wire.jsontext", "shared.config.settings")
# The layers of the core, bottom up (ARCHITECTURE.md): a module imports only its own layer and those below.
LAYERS = (
    ("shared.wire",),
    ("shared.config",),
    ("shared.mail",),
    ("shared.storage",),
    ("shared.auth",),
    ("shared.services", "shared.store_title"),
    ("shared.limits",),
    ("shared.pipeline",),
    ("shared.features",),
    ("shared.endpoints",),
)


def _files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module `path` imports, absolute names ("shared.storage.base", "shared.config.clock")."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def _layer(name: str) -> int | None:
    return next((i for i, prefixes in enumerate(LAYERS) if _under(name, prefixes)), None)


@pytest.mark.parametrize("path", [*_files(*PRODUCTION), REPO / "function_app.py"], ids=_name)
def test_no_production_module_imports_the_tests(path):
    assert not {n for n in imported(path) if _under(n, ("tests",))}, path.relative_to(REPO)


@pytest.mark.parametrize("path", _files("shared"), ids=_name)
def test_the_core_imports_no_host_tool_or_test(path):
    assert not {n for n in imported(path) if _under(n, OUTSIDE_THE_CORE)}, path.relative_to(REPO)


@pytest.mark.parametrize("path", _files("shared/storage"), ids=_name)
def test_storage_adapters_know_nothing_of_the_rules_above_them(path):
    own = {n for n in imported(path) if n.startswith("shared.")}
    assert {n for n in own if not _under(n, ("shared.storage", *BELOW_STORAGE))} == set(), path.name


def test_the_endpoint_table_is_the_top_of_the_core():
    """No core module imports the table back; the hosts, tools and tests read it."""
    assert [p.name for p in _files("shared") if any(_under(n, ("shared.endpoints",)) for n in imported(p))] == []


@pytest.mark.parametrize(
    "path", [p for p in _files("shared") if p.name != "__init__.py" or p.parent.name != "shared"], ids=_name
)
def test_each_core_module_imports_only_its_layer_and_those_below(path):
    own = _layer(_module(path))
    assert own is not None, f"{_name(path)} belongs to no layer of ARCHITECTURE.md"
    above = {n for n in imported(path) if n.startswith("shared.") and (_layer(n) or 0) > own}
    assert above == set(), _name(path)


@pytest.mark.parametrize("path", _files("ops"), ids=_name)
def test_the_operations_tool_works_through_the_core_not_a_host(path):
    """ops/ opens the store as a host does (the settings file reader is the one host part it shares)."""
    hosts = ("functions", "function_app", "azure.functions", "bench", "scripts")
    outside = {n for n in imported(path) if _under(n, hosts)}
    outside |= {
        n for n in imported(path) if _under(n, ("local_host",)) and not _under(n, ("local_host.settings_file",))
    }
    assert outside == set(), path.relative_to(REPO)
