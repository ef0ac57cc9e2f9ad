"""Client/LoginWithEmailAddress and Client/LoginWithPlayFab (username): a login that checks a password.

Neither creates accounts. A wrong password is InvalidEmailOrPassword (1142) or InvalidUsernameOrPassword
(1003); an email or username nobody holds is AccountNotFound (1001), as PlayFab answers, after the same
hash work as a real check so the answer's timing matches a wrong password's. Failures are counted per
account and per client address (shared/limits/password_attempts.py).
"""

from __future__ import annotations

from typing import Any

from shared.auth import passwords
from shared.auth.caller import Auth, Caller
from shared.auth.logins import LoginKind, holder
from shared.features import credentials, identity
from shared.limits import password_attempts
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import LoginRequest, LoginWithEmailAddressRequest, LoginWithPlayFabRequest

_REGISTRABLE = {LoginKind.EMAIL: credentials.email_problem, LoginKind.USERNAME: credentials.username_problem}
_WRONG = {
    LoginKind.EMAIL: ("InvalidEmailOrPassword", "Invalid email address or password."),
    LoginKind.USERNAME: ("InvalidUsernameOrPassword", "Invalid username or password."),
}


async def password_login(
    services: Services, req: LoginRequest, kind: LoginKind, value: str, password: str
) -> dict[str, Any]:
    identity.check_title(services, req.TitleId)
    # A value no registration accepts names nobody, and is never sent to the store as a key.
    playfab_id = None if _REGISTRABLE[kind](value) is not None else await holder(services.store, kind, value)
    await password_attempts.attempt(services, playfab_id)  # counted as a failure until it succeeds
    if playfab_id is None:
        await passwords.spend_check_time(password)
        raise PlayFabError("AccountNotFound", "User not found.")
    if not await passwords.check_password(services.store, playfab_id, password):
        name, message = _WRONG[kind]
        raise PlayFabError(name, message)
    await password_attempts.succeeded(services, playfab_id)
    return await identity.login(services, req.model_copy(update={"CreateAccount": False}), kind, value)


async def _login_with_email(services: Services, caller: Caller, req: LoginWithEmailAddressRequest) -> dict[str, Any]:
    return await password_login(services, req, LoginKind.EMAIL, req.Email, req.Password)


async def _login_with_playfab(services: Services, caller: Caller, req: LoginWithPlayFabRequest) -> dict[str, Any]:
    return await password_login(services, req, LoginKind.USERNAME, req.Username, req.Password)


login_with_email_address = Operation(Auth.NONE, LoginWithEmailAddressRequest, _login_with_email)
login_with_playfab = Operation(Auth.NONE, LoginWithPlayFabRequest, _login_with_playfab)
