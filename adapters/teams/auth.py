"""Checking the Bot Service's bearer token on `POST /api/messages`.

The Agents SDK's `JwtTokenValidator` does the real validation (signature against the published keys,
audience, issuer, tenant binding). Before it runs, a cheap check on the unverified token refuses what
cannot be a token for this bot (no bearer token, not a JWT, not RS256, another audience, an unknown
issuer) without touching the network, so junk never makes the server fetch keys. `MICROSOFT_JWKS_URL`
points the key fetch somewhere else (a proxy, or a local fake in tests); by default the SDK's own
endpoints are used.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import jwt
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

log = logging.getLogger(__name__)
MAX_TOKEN = 16 * 1024


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when it is missing or malformed."""
    if not header or len(header) > MAX_TOKEN:
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer" or parts[1].count(".") != 2:
        return None
    return parts[1]


def plausible(token: str, app_id: str, issuers: list[str]) -> bool:
    """Could this be a Bot Service token for this bot? Decided from the unverified token alone."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return False
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str) or not header["kid"]:
        return False
    aud, iss = claims.get("aud"), claims.get("iss")
    if not isinstance(aud, str) or aud.lower() != app_id.lower():
        return False
    return isinstance(iss, str) and iss.lower() in {i.lower() for i in issuers}


class _FixedKeys:
    """Signing keys from one JWKS URL, in place of the SDK's per-issuer endpoints."""

    def __init__(self, url: str) -> None:
        self._client = jwt.PyJWKClient(url, timeout=10)
        self._lock = asyncio.Lock()

    async def get_signing_key(self, _jwks_uri: str, header: dict[str, Any]) -> jwt.PyJWK:
        async with self._lock:
            return await asyncio.to_thread(self._client.get_signing_key, header["kid"])


class TokenChecker:
    def __init__(self, config: AgentAuthConfiguration, jwks_url: str | None = None) -> None:
        if not config.CLIENT_ID:
            raise ValueError("token checking needs the bot's app id")
        self.config = config
        self.app_id: str = config.CLIENT_ID
        self.validator = JwtTokenValidator(config)
        if jwks_url:
            # the SDK's validator asks this object for signing keys (microsoft-agents-hosting-core 1.9.0)
            self.validator._jwk_client_manager = _FixedKeys(jwks_url)  # type: ignore[assignment]

    async def identity(self, header: str | None) -> ClaimsIdentity | None:
        """The caller's verified claims, or None (answer 401)."""
        token = bearer_token(header)
        if token is None or not plausible(token, self.app_id, self.config.ISSUERS):
            return None
        try:
            return await self.validator.validate_token(token)
        except Exception as exc:  # an invalid token (or an unreachable key endpoint) is a 401, never a 500
            log.warning("Teams token refused: %s", type(exc).__name__)
            return None
