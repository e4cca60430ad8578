"""The page session: an API key exchanged once, at login, for a signed cookie.

The cookie holds the key holder's name and role, which key it was (`ApiKey.kid`: the session
ends when that key is revoked, `serving.pages.routes._session`) and a CSRF token, signed (itsdangerous) with
`PENATAAN_SESSION_SECRET` (a random secret per process when unset: sessions then end with
the process), HttpOnly and SameSite=Strict, valid for `SESSION_HOURS`. Every form carries the
token and a post without it is refused. The key itself is never stored in the cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "penataan_session"
SESSION_HOURS = 8


@dataclass(frozen=True)
class Session:
    name: str
    role: str
    csrf: str
    kid: str


class Sessions:
    def __init__(self, secret: str | None) -> None:
        self._signer = URLSafeTimedSerializer(secret or secrets.token_urlsafe(32), salt="penataan-ui")  # fmt: skip

    def issue(self, name: str, role: str, kid: str) -> str:
        return self._signer.dumps({"name": name, "role": role, "kid": kid, "csrf": secrets.token_urlsafe(24)})  # fmt: skip

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
            return None
        if "kid" not in data:  # issued before sessions named their key: log in again
            return None
        return Session(str(data["name"]), str(data["role"]), str(data["csrf"]), str(data["kid"]))

    @staticmethod
    def csrf_ok(session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(session.csrf, str(token))
