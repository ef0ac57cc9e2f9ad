from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import sdk
from tests.server import Server, running_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("host")) as srv:
        yield srv


@pytest.fixture
def pf(server: Server) -> Server:
    """The server, with the official Python SDK pointed at it and no one logged in."""
    sdk.point_at(server)
    return server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path
