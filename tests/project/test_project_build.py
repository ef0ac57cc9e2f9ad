"""The project installs as a package: azd's restore step runs `pip install .` for a Python service that has
a pyproject.toml. Built here offline from a copy of the tracked files (setuptools' own build backend, no
network), so the source tree gets no build output."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

from tests.support.server import REPO


def _copy_of_the_repository(into: Path) -> Path:
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True, timeout=30)
    for name in listed.stdout.splitlines():
        source = REPO / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def test_the_project_builds_with_the_apps_modules_and_pinned_dependencies(tmp_path):
    tree = _copy_of_the_repository(tmp_path / "src")
    script = "from setuptools import build_meta; print(build_meta.build_sdist('dist'))"
    built = subprocess.run(
        [sys.executable, "-c", script], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )
    assert built.returncode == 0, built.stderr[-2000:]
    archive = tree / "dist" / built.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
        requires = next(m for m in sdist.getmembers() if m.name.endswith(".egg-info/requires.txt"))
        listed = sdist.extractfile(requires).read().decode()  # type: ignore[union-attr]
    assert {"function_app.py", "functions/serve.py", "shared/pipeline.py", "shared/storage/cosmos.py"} <= names
    assert "cloudscript/examples.py" in names  # the server functions, loaded by name at run time
    required, marker = set(), ""
    for line in (line.strip() for line in listed.splitlines()):
        if line.startswith("[:") and line.endswith("]"):  # the lines after it hold only where it holds
            marker = line[2:-1]
        elif line:
            required.add(f"{line} ; {marker}" if marker else line)
    pinned = {
        line.strip()
        for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert required == pinned, "dependencies come from requirements.txt, the file the platform installs"


def test_every_package_of_the_app_is_listed_for_the_build():
    # setuptools installs only the listed packages: a package left out is missing from `pip install .`.
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("functions", "shared", "local_host", "cloudscript")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject.toml's packages: {sorted(found - listed)}"
