"""PlayFab's own OpenAPI documents, cut to the endpoints this app serves, run through schemathesis.

Every response, success or error, must match PlayFab's documented schema; no 5xx, no stack trace.
Each generated request carries the credential its operation takes, and the ids of a real player,
so the handlers run for real instead of stopping at 401 or AccountNotFound.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from scripts.gen_conformance_spec import DEFAULT_SPECS, OUTPUT, render
from tests.support.ci import unavailable
from tests.support.credentials import Player, headers_for, login
from tests.support.routes import ENDPOINTS, PLAYFAB_ENDPOINTS
from tests.support.server import TITLE_ID, Server

SPEC = Path(OUTPUT)
schema = schemathesis.openapi.from_path(str(SPEC))
# Enough to reach every field of every operation, on both stores, within CI's time budget;
# CONFORMANCE_EXAMPLES raises it for a deeper run.
MAX_EXAMPLES = int(os.environ.get("CONFORMANCE_EXAMPLES", "6"))

# Checks left out, each for a reason that is PlayFab's, not ours:
EXCLUDED = [
    # A request can match the schema and still be refused for the state it names (an unknown
    # PlayFabId, a full object count, a stale version): PlayFab answers those with a 400 too.
    CHECKS.get_by_names(["positive_data_acceptance"])[0],
    # PlayFab has one answer for every method but POST: 404 InvalidAPIEndpoint, not 405.
    CHECKS.get_by_names(["unsupported_method"])[0],
    # An optional field sent as null counts as absent (SDKs serialise unset fields as null), and
    # fields this backend has no use for (EncryptedRequest, InfoRequestParameters...) are ignored.
    # Wrong types in the fields it does use are refused: tests/api/test_hostile_input.py proves it.
    CHECKS.get_by_names(["negative_data_rejection"])[0],
]


@pytest.fixture(scope="module")
def player(server: Server) -> Player:
    return login(server)


def _aim(body: Any, player: Player) -> Any:
    """Point the ids of a generated body at a real player, so handlers get past the lookups."""
    if not isinstance(body, dict):
        return body
    aimed = dict(body)
    if "TitleId" in aimed:
        aimed["TitleId"] = TITLE_ID
    if "PlayFabId" in aimed:
        aimed["PlayFabId"] = player.playfab_id
    if isinstance(aimed.get("Entity"), dict):
        aimed["Entity"] = {"Id": player.entity_id, "Type": "title_player_account"}
    return aimed


def test_the_committed_document_is_generated_from_playfabs():
    if not DEFAULT_SPECS.exists():  # PlayFab's documents sit beside the checkout, not in it
        unavailable(f"PlayFab's swagger documents ({DEFAULT_SPECS.name}/) are not beside this checkout")
    assert SPEC.read_text(encoding="utf-8") == render(DEFAULT_SPECS, PLAYFAB_ENDPOINTS)


def test_the_document_covers_every_playfab_endpoint_the_app_serves():
    """Every endpoint but this project's extensions, which PlayFab's documents cannot describe."""
    assert set(schema.raw_schema["paths"]) == set(PLAYFAB_ENDPOINTS)
    assert all(path.split("/")[2].startswith("ext-") for path in set(ENDPOINTS) - set(PLAYFAB_ENDPOINTS))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_responses_match_playfabs_schema(case, server: Server, player: Player):
    auth = ENDPOINTS[case.path].auth
    case.body = _aim(case.body, player)
    response = case.call_and_validate(
        base_url=server.url, headers=headers_for(auth, player), excluded_checks=EXCLUDED, timeout=30
    )
    assert response.status_code < 500
    assert "Traceback" not in response.text
