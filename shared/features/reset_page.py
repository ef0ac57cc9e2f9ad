"""The password-reset page a recovery email links to: GET shows the form, POST sets the password.

Plain HTML, no script, nothing loaded from elsewhere. The token in the link authorises the POST (it
travels back in a hidden field, not in the form's URL), so there is no cookie or session a forged
form could ride on. Every value the page echoes is escaped; responses are never cached and send no
referrer, since the page's own URL holds the token.
"""

from __future__ import annotations

import html
import logging
import time
from typing import Final
from urllib.parse import parse_qs

from shared.auth import client_address
from shared.config.settings import SettingsError
from shared.features import recovery
from shared.limits import address_limits
from shared.pipeline import UNCONFIGURED_RETRY_SECONDS, HttpRequest, HttpResponse, log_request
from shared.services import Services, get_services
from shared.storage import DocumentTooLarge, StoreBusy, StoreUnavailable
from shared.wire.errors import PlayFabError

log = logging.getLogger("playfab.recovery")

MAX_FORM_BYTES: Final = 4096
_UNAVAILABLE: Final = "Passwords cannot be reset right now. Try again later."
_FORM_TYPE: Final = "application/x-www-form-urlencoded"
HEADERS: Final = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
    "label{display:block;margin-top:1rem;font-weight:600}"
    "input{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;margin-top:.25rem}"
    "button{margin-top:1.5rem;width:100%;font-size:1rem;padding:.7rem}"
    ".error{color:#a00;font-weight:600}"
)
# What each refusal of a token tells the person holding the link.
_TOKEN_PROBLEMS: Final = {
    "InvalidAuthToken": "This link is not valid. Check that you opened the whole link from the email.",
    "AuthTokenDoesNotExist": "This link is not valid any more. Ask the game for a new recovery email.",
    "AuthTokenAlreadyUsedToResetPassword": "This link has already been used. Ask the game for a new one if needed.",
    "AuthTokenExpired": "This link has expired. Ask the game for a new recovery email.",
}


def _page(status: int, title: str, body: str, extra: dict[str, str] | None = None) -> HttpResponse:
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return HttpResponse(status, text.encode("utf-8"), {**HEADERS, **(extra or {})})


def _message(status: int, title: str, text: str, extra: dict[str, str] | None = None) -> HttpResponse:
    return _page(status, title, f"<p>{html.escape(text)}</p>", extra)


def _form(token: str, problem: str | None = None, status: int = 200) -> HttpResponse:
    error = f'<p class="error" role="alert">{html.escape(problem)}</p>' if problem else ""
    limits = f"{recovery.MIN_PASSWORD_CHARS} to {recovery.MAX_PASSWORD_CHARS} characters"
    body = (
        f'{error}<form method="post" action="reset-password">'
        f'<input type="hidden" name="token" value="{html.escape(token, quote=True)}">'
        '<label for="password">New password</label>'
        f'<input id="password" name="password" type="password" autocomplete="new-password" required '
        f'minlength="{recovery.MIN_PASSWORD_CHARS}" maxlength="{recovery.MAX_PASSWORD_CHARS}" '
        'aria-describedby="rule">'
        f'<p id="rule">{html.escape(limits)}.</p>'
        '<label for="confirm">New password again</label>'
        f'<input id="confirm" name="confirm" type="password" autocomplete="new-password" required '
        f'minlength="{recovery.MIN_PASSWORD_CHARS}" maxlength="{recovery.MAX_PASSWORD_CHARS}">'
        '<button type="submit">Set the new password</button></form>'
    )
    return _page(status, "Choose a new password", body)


def _refusal(err: PlayFabError) -> HttpResponse:
    if err.name in _TOKEN_PROBLEMS:
        return _message(400, "This link cannot be used", _TOKEN_PROBLEMS[err.name])
    if err.name == "APIClientRequestRateLimitExceeded":
        wait = err.retry_after_seconds or 1
        return _message(429, "Too many attempts", f"Try again in {wait} seconds.", {"Retry-After": str(wait)})
    return _message(503, "Not available", _UNAVAILABLE)


def _form_fields(req: HttpRequest) -> dict[str, str] | None:
    """The POSTed form's single-valued fields, or None for anything but a small urlencoded form."""
    content_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM_TYPE or len(req.body) > MAX_FORM_BYTES:
        return None
    try:
        parsed = parse_qs(req.body.decode("utf-8"), strict_parsing=False, max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return None
    if any(len(values) != 1 for values in parsed.values()):
        return None
    return {name: values[0] for name, values in parsed.items()}


def _query_token(req: HttpRequest) -> str:
    try:
        values = parse_qs(req.query, max_num_fields=8).get("token", [])
    except ValueError:
        return ""
    return values[0] if len(values) == 1 else ""


async def _show(services: Services, req: HttpRequest) -> HttpResponse:
    token = _query_token(req)
    await recovery.check_token(services, token)
    return _form(token)


async def _submit(services: Services, req: HttpRequest) -> HttpResponse:
    fields = _form_fields(req)
    if fields is None:
        return _message(400, "This form cannot be read", "Open the link from the email again and fill in the form.")
    token, password, confirm = fields.get("token", ""), fields.get("password", ""), fields.get("confirm", "")
    await recovery.check_token(services, token)
    if password != confirm:
        return _form(token, "The two passwords are not the same.", 400)
    if not recovery.MIN_PASSWORD_CHARS <= len(password) <= recovery.MAX_PASSWORD_CHARS:
        limits = f"{recovery.MIN_PASSWORD_CHARS} to {recovery.MAX_PASSWORD_CHARS} characters"
        return _form(token, f"The password must be {limits}.", 400)
    await recovery.reset_password(services, token, password)
    return _message(200, "Password changed", "Your password has been changed. Sign in to the game with it.")


async def serve_reset_page(req: HttpRequest) -> HttpResponse:
    """Answer the reset page's GET or POST; every failure is a page, never a trace."""
    started = time.perf_counter()
    try:
        services = await get_services()
        address = client_address.resolve(
            req.headers.get("x-forwarded-for"), req.peer, services.settings.trust_forwarded_for
        )
        client_address.CURRENT.set(address)
        address_limits.charge_anonymous(services.settings, address)
        resp = await (_submit if req.method == "POST" else _show)(services, req)
    except PlayFabError as err:
        resp = _refusal(err)
    except SettingsError:  # logged once, by current_settings(); the same advice as every endpoint's 503
        retry = str(UNCONFIGURED_RETRY_SECONDS)
        resp = _message(503, "Not available", _UNAVAILABLE, {"Retry-After": retry})
    except (StoreBusy, StoreUnavailable, DocumentTooLarge) as exc:
        log.warning("reset page unavailable: %s", type(exc).__name__)
        resp = _message(503, "Not available", _UNAVAILABLE, {"Retry-After": "5"})
    except Exception as exc:
        log.error("unhandled %s on the reset page", type(exc).__name__)
        resp = _message(500, "Something went wrong", _UNAVAILABLE)
    log_request(req.path, "OK" if resp.status == 200 else f"page {resp.status}", resp.status, started)
    return resp
