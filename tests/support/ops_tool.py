"""`python -m ops` run as a studio runs it: a process with a host's settings in its environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.server import REPO


def ops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
    )


def export(env: dict[str, str], out: Path, *extra: str) -> list[str]:
    """The lines of an export that must succeed."""
    done = ops(env, "export", "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8").splitlines()
