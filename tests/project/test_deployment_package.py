"""What `azd deploy` uploads: everything .funcignore does not list. The package must hold every module the
Functions app imports, and nothing else of the repository (tests, the local host, dev tools, local data)."""

from __future__ import annotations

import ast
import fnmatch
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from shared.config import settings_table
from shared.features.console_files import FILES
from tests.support.server import REPO

# Files the package needs beyond the Python modules function_app imports.
RUNTIME_FILES = {"function_app.py", "host.json", "requirements.txt"}
# Kept out of the package, whatever else changes.
NEVER_UPLOADED = [
    "tests/api/test_login.py",
    "local_host/__main__.py",
    "bench/__main__.py",
    "ops/__main__.py",
    "requirements-dev.txt",
    "requirements-infra.txt",
    "node_modules/playfab-sdk/package.json",
    ".venv/bin/python",
    ".venv-infra/bin/checkov",
    ".data/playfab.sqlite3",
    ".data/token-signing.key",
    "local.settings.json",
    "shared/__pycache__/settings.cpython-311.pyc",
    ".pytest_cache/README.md",
    ".ruff_cache/CACHEDIR.TAG",
    ".hypothesis/examples/x",
    ".azure/prod/.env",
    "infra/main.bicep",
    "pyproject.toml",
]


def _patterns() -> list[str]:
    lines = (REPO / ".funcignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    # The matcher below implements the plain gitignore forms only; a negation would need the full rules.
    assert not [p for p in patterns if p.startswith("!") or "**" in p], "keep .funcignore to plain patterns"
    return patterns


def excluded(path: str, patterns: list[str]) -> bool:
    """gitignore semantics for plain patterns: `dir/` excludes a directory anywhere (or, with an inner
    slash, from the root), a name or glob without a slash matches any path component, one with a slash
    matches from the root."""
    parts = PurePosixPath(path).parts
    for pattern in patterns:
        directory = pattern.endswith("/")
        body = pattern.rstrip("/").lstrip("/")
        anchored = "/" in body or pattern.startswith("/")
        candidates = parts[:-1] if directory else parts
        if anchored:
            depth = len(PurePosixPath(body).parts)
            prefix = "/".join(parts[:depth])
            if fnmatch.fnmatchcase(prefix, body) and (not directory or len(parts) > depth):
                return True
        elif any(fnmatch.fnmatchcase(part, body) for part in candidates):
            return True
    return False


def test_the_matcher_follows_gitignore_for_the_forms_used():
    patterns = ["tests/", "*.pyc", ".git*", "Makefile", "a/b/"]
    assert excluded("tests/test_x.py", patterns) and excluded("sub/tests/x.py", patterns)
    assert not excluded("tests", patterns), "a directory pattern does not match a file of that name"
    assert excluded("shared/__pycache__/x.pyc", patterns) and excluded(".gitignore", patterns)
    assert excluded("a/b/c.py", patterns) and not excluded("x/a/b/c.py", patterns)
    assert not excluded("shared/tests_data.py", patterns) and not excluded("Makefile.py", patterns)


def _module_file(module: str) -> Path | None:
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> set[str]:
    """Every module path.py imports, at the top or inside functions, relative imports resolved."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def modules_the_app_imports() -> set[Path]:
    """function_app.py and every repository file it reaches through imports, with their packages."""
    todo, seen = [REPO / "function_app.py"], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imports(path):
            parts = module.split(".")
            for depth in range(1, len(parts) + 1):  # a package's __init__ runs before its modules
                target = _module_file(".".join(parts[:depth]))
                if target:
                    todo.append(target)
    return seen


def server_function_files() -> set[str]:
    """The studio's server functions: loaded by name at run time (SERVER_FUNCTION_MODULES), not imported."""
    return {
        p.relative_to(REPO).as_posix()
        for name in settings_table.default("SERVER_FUNCTION_MODULES").split(",")
        for p in REPO.joinpath(*name.strip().split(".")).rglob("*.py")
        if "__pycache__" not in p.parts
    }


def console_files() -> set[str]:
    """The studio's console: static files the app serves (shared/features/console_files.py), not imported."""
    return {f"console/{name}" for name in FILES}


def test_the_console_is_uploaded():
    files = console_files()
    assert {"console/index.html", "console/js/app.js", "console/console.css"} <= files
    assert not [p for p in files if excluded(p, _patterns())]


def test_the_server_functions_are_uploaded():
    files = server_function_files()
    assert "cloudscript/examples.py" in files
    assert not [p for p in files if excluded(p, _patterns())]


def test_every_module_the_app_imports_is_uploaded():
    patterns = _patterns()
    reached = {p.relative_to(REPO).as_posix() for p in modules_the_app_imports()}
    assert {"shared/pipeline.py", "shared/storage/cosmos.py", "functions/serve.py"} <= reached
    left_out = sorted(p for p in reached | RUNTIME_FILES if excluded(p, patterns))
    assert not left_out, f".funcignore leaves out what the app needs: {left_out}"


@pytest.mark.parametrize("path", NEVER_UPLOADED)
def test_development_files_stay_out(path):
    assert excluded(path, _patterns())


def test_nothing_else_of_the_repository_is_uploaded():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True, timeout=30)
    patterns = _patterns()
    uploaded = {p for p in tracked.stdout.splitlines() if not excluded(p, patterns)}
    needed = {p.relative_to(REPO).as_posix() for p in modules_the_app_imports()} | RUNTIME_FILES
    needed |= server_function_files() | console_files()
    # Core modules not (yet) imported by the app are harmless; anything else is a file to list.
    extra = {p for p in uploaded - needed if not (p.startswith(("shared/", "functions/")) and p.endswith(".py"))}
    assert not extra, f"uploaded but not needed: add to .funcignore: {sorted(extra)}"
