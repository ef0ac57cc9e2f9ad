"""The studio's web console: the static files of the repository's `console/` folder, served under the route prefix.

The console is a client of the API in the browser (it calls the Admin/Server endpoints with the secret
key typed into it); this module only hands out its files. Which files exist is fixed when the module is
imported: a request's path is looked up in that table and never joined onto the file system, so no
path can reach a file outside it. Every answer carries a policy that lets the page load nothing but
its own files and talk to nothing but its own origin.
"""

from __future__ import annotations

import hashlib
import html
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from shared.pipeline import HttpRequest, HttpResponse, log_request

CONSOLE_ROUTE: Final = "console"
CONSOLE_DIR: Final = Path(__file__).resolve().parents[2] / "console"
INDEX: Final = "index.html"

CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# The files are not renamed when they change, so a browser keeps them but asks each time (a 304 is cheap).
CACHE_CONTROL: Final = "no-cache"


@dataclass(frozen=True)
class ConsoleFile:
    body: bytes
    content_type: str
    etag: str


def _load(folder: Path) -> dict[str, ConsoleFile]:
    """Every servable file under `folder`, by its path relative to it ("js/api.js")."""
    files: dict[str, ConsoleFile] = {}
    if not folder.is_dir():
        return files
    for path in sorted(folder.rglob("*")):
        content_type = CONTENT_TYPES.get(path.suffix.lower())
        if content_type is None or not path.is_file() or path.is_symlink():
            continue
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        files[path.relative_to(folder).as_posix()] = ConsoleFile(body, content_type, etag)
    return files


FILES: Final = _load(CONSOLE_DIR)


def _headers(content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, "Cache-Control": CACHE_CONTROL, **SECURITY_HEADERS}


def _not_found(name: str) -> HttpResponse:
    home = "../" * name.count("/") or "./"  # the console's own URL, relative to the one asked for
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
        "<body><h1>Not found</h1><p>The console has no such page.</p>"
        f'<p><a href="{html.escape(home, quote=True)}">Open the console</a></p></body></html>'
    )
    headers = _headers("text/html; charset=utf-8")
    headers["Cache-Control"] = "no-store"
    return HttpResponse(404, text.encode("utf-8"), headers)


def console_response(req: HttpRequest, file_path: str | None) -> HttpResponse:
    """The answer to GET `<prefix>/console/<file_path>`; `file_path` is the route's catch-all, "" or None
    for the console itself."""
    name = file_path or ""
    if not name and not req.path.endswith("/"):
        # `/console` without its slash: relative links would resolve one level up.
        headers = _headers("text/plain; charset=utf-8")
        headers["Location"] = f"{CONSOLE_ROUTE}/"
        return HttpResponse(301, b"", headers)
    found = FILES.get(name or INDEX)
    if found is None:
        return _not_found(name)
    headers = {**_headers(found.content_type), "ETag": found.etag}
    if req.headers.get("if-none-match", "") == found.etag:
        return HttpResponse(304, b"", headers)
    return HttpResponse(200, found.body, headers)


async def serve_console(req: HttpRequest, file_path: str | None) -> HttpResponse:
    started = time.perf_counter()
    resp = console_response(req, file_path)
    log_request(req.path, "Console" if resp.status < 400 else "ConsoleNotFound", resp.status, started)
    return resp
