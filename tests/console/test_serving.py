"""How the console's files are served: a fixed list of files, their types, the policy every answer carries,
the route prefix, and no way out of the folder. Plain HTTP against a real local host, no browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.features import console_files
from shared.features.data_families import FAMILIES, Scope
from shared.pipeline import HttpRequest
from tests.support.server import REPO, SECRET_KEY, Server, running_server

EXPECTED_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
CONSOLE = REPO / "console"
SERVED = sorted(console_files.FILES)


def get(server: Server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url + path, headers=headers, timeout=30, follow_redirects=False)


def assert_guarded(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == EXPECTED_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "cache-control" in response.headers


def test_every_file_of_the_folder_is_listed_and_nothing_else():
    on_disk = {p.relative_to(CONSOLE).as_posix() for p in CONSOLE.rglob("*") if p.is_file()}
    assert set(SERVED) == on_disk
    assert {"index.html", "console.css", "js/app.js", "js/api.js"} <= set(SERVED)


@pytest.mark.parametrize("name", SERVED)
def test_each_file_is_served_with_its_type_and_the_policy(sqlite_server: Server, name: str):
    response = get(sqlite_server, f"/console/{name}")
    assert response.status_code == 200
    assert response.content == (CONSOLE / name).read_bytes()
    assert response.headers["content-type"] == console_files.CONTENT_TYPES[Path(name).suffix]
    assert_guarded(response)
    again = get(sqlite_server, f"/console/{name}", **{"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert_guarded(again)


def test_the_console_itself_is_its_index_and_the_bare_path_redirects_to_it(sqlite_server: Server):
    index = get(sqlite_server, "/console/")
    assert index.status_code == 200 and index.content == (CONSOLE / "index.html").read_bytes()
    assert_guarded(index)
    bare = get(sqlite_server, "/console")
    assert bare.status_code == 301 and bare.headers["location"] == "console/"  # relative: keeps any prefix
    assert_guarded(bare)


UNKNOWN = [
    "/console/nope.html",
    "/console/js",
    "/console/js/",
    "/console/../host.json",
    "/console/%2e%2e/host.json",
    "/console/%2e%2e%2fhost.json",
    "/console/..%2f..%2fhost.json",
    "/console/js/..%2f..%2ffunction_app.py",
    "/console/..\\host.json",
    "/console//etc/passwd",
    "/console/%2fetc%2fpasswd",
    "/console/index.html%00.js",
    "/console/.%2e/shared/features/console_files.py",
    "/console/favicon.svg/",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_and_traversing_paths_are_a_404_page(sqlite_server: Server, path: str):
    # Sent as written (httpx would otherwise resolve the dot segments itself).
    with httpx.Client(base_url=sqlite_server.url, timeout=30) as client:
        request = client.build_request("GET", "/")
        request.url = request.url.copy_with(raw_path=path.encode())
        response = client.send(request)
    if path.startswith("/console/../") or path.startswith("/console/..\\"):
        assert response.status_code == 404  # resolved before routing, or an unknown file: never the file
    else:
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert_guarded(response)
        assert "Not found" in response.text and "Traceback" not in response.text
    assert b'"version"' not in response.content and b"import" not in response.content


def test_a_request_path_is_never_joined_onto_the_file_system(monkeypatch: pytest.MonkeyPatch):
    """The answer comes from the table built at import: a file that appears later is not served."""
    request = HttpRequest("GET", "/console/late.js", {}, b"")
    assert console_files.console_response(request, "late.js").status == 404
    assert console_files.console_response(request, "../function_app.py").status == 404
    assert console_files.console_response(request, "/etc/passwd").status == 404
    loaded = console_files._load(CONSOLE)
    assert loaded.keys() == console_files.FILES.keys()


def test_only_get_serves_the_console(sqlite_server: Server):
    response = sqlite_server.post("/console/index.html", {})
    assert response.status_code == 404 and response.json()["error"] == "InvalidAPIEndpoint"


def test_the_route_prefix_is_honoured(tmp_path: Path):
    with running_server(tmp_path, AzureFunctionsJobHost__extensions__http__routePrefix="game") as srv:
        assert get(srv, "/console/").status_code == 404  # not outside the prefix
        page = get(srv, "/game/console/")
        assert page.status_code == 200 and page.content == (CONSOLE / "index.html").read_bytes()
        assert get(srv, "/game/console").headers["location"] == "console/"
        assert get(srv, "/game/console/js/api.js").status_code == 200


def _references(text: str) -> list[str]:
    return re.findall(r"""(?:href|src)="([^"]*)\"""", text) + re.findall(r"""from "([^"]+)\"""", text)


def test_the_files_refer_to_each_other_relatively_and_to_nothing_elsewhere():
    """So the console works under any route prefix, and loads nothing from another origin."""
    for name in SERVED:
        if not name.endswith((".html", ".js", ".css")):
            continue
        text = (CONSOLE / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text.replace("https://www.w3.org", ""), name
        for reference in _references(text):
            assert not reference.startswith(("/", "//")) and ":" not in reference.split("#")[0], (name, reference)
    html = (CONSOLE / "index.html").read_text(encoding="utf-8")
    assert "<style" not in html and " style=" not in html and "onclick" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="js/app.js">']


def test_the_api_is_called_relative_to_the_console_with_the_key_only_as_a_header():
    api = (CONSOLE / "js" / "api.js").read_text(encoding="utf-8")
    assert "new URL(`../${path}`, window.location.href)" in api
    assert '"X-SecretKey": key' in api and "sessionStorage" in api and "localStorage" not in api
    everything = "".join((CONSOLE / name).read_text(encoding="utf-8") for name in SERVED if name.endswith(".js"))
    assert "innerHTML" not in everything and "insertAdjacentHTML" not in everything and "eval(" not in everything
    assert "localStorage" not in everything and "document.cookie" not in everything


def test_the_secret_key_is_in_no_served_file(sqlite_server: Server):
    local = REPO / "local.settings.json"
    keys = [SECRET_KEY]
    if local.exists():
        values: dict[str, Any] = json.loads(local.read_text(encoding="utf-8")).get("Values", {})
        keys += [k for k in str(values.get("PLAYFAB_SECRET_KEYS", "")).split(",") if k]
    for name in ["", *SERVED]:
        body = get(sqlite_server, f"/console/{name}").content
        assert not [k for k in keys if k.encode() in body], name


def test_the_console_lists_every_data_family_as_declared():
    families = (CONSOLE / "js" / "families.js").read_text(encoding="utf-8")
    listed = re.findall(r'\{ api: "(\w+)", scope: "(\w+)", label: "[^"]+", permission: (true|false) \}', families)
    declared = [(f.api_name, f.scope.value, "true" if f.takes_permission else "false") for f in FAMILIES]
    assert listed == declared
    # A player's families go through the Admin API, which must have them all; a character's through Server.
    assert all(f.on_admin for f in FAMILIES if f.scope is Scope.PLAYER)


def test_every_import_names_a_served_module_that_exports_it():
    """What `make console` (node's syntax check) cannot see: the modules fit together."""
    modules = {name: (CONSOLE / name).read_text(encoding="utf-8") for name in SERVED if name.endswith(".js")}
    for name, text in modules.items():
        for names, target in re.findall(r'import \{([^}]*)\} from "([^"]+)"', text):
            resolved = Path(name).parent.joinpath(target).as_posix().replace("js/./", "js/")
            assert resolved in modules, (name, target)
            exported = set(re.findall(r"export (?:async )?(?:function|const|class|let) (\w+)", modules[resolved]))
            wanted = {n.strip() for n in names.split(",") if n.strip()}
            assert wanted <= exported, (name, target, wanted - exported)


def test_the_404_page_links_back_to_the_console_from_any_depth():
    for name, home in (("nope", "./"), ("js/nope.js", "../"), ("a/b/c", "../../")):
        answer = console_files.console_response(HttpRequest("GET", f"/console/{name}", {}, b""), name)
        assert answer.status == 404 and f'href="{home}"'.encode() in answer.body
