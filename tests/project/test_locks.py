"""The hashed locks that `make` installs from agree with the direct pins people edit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.server import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\],]+)==([^\s;\\]+)")
LOCKS = {
    "requirements-dev.lock": ["requirements.txt", "requirements-dev.txt"],
    "requirements-infra.lock": ["requirements-infra.txt"],
    "bench/requirements.lock": ["requirements.txt", "requirements-dev.txt", "bench/requirements.txt"],
}


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw.split("[", 1)[0]).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_direct_pin_is_locked_at_the_same_version(lock):
    locked = _pins(REPO / lock)
    for source in LOCKS[lock]:
        for name, version in _pins(REPO / source).items():
            assert locked.get(name) == version, f"{source} pins {name}=={version}; {lock} has {locked.get(name)}"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_carries_a_hash_and_no_index_of_this_machine(lock):
    text = (REPO / lock).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    for block in blocks:
        if block.startswith("#"):
            continue
        assert "--hash=sha256:" in block, block.splitlines()[0]
    options = [
        line for line in text.splitlines() if line.startswith(("--index-url", "--extra-index-url", "--find-links"))
    ]
    assert not options and "file://" not in text
