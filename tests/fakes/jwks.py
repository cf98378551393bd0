"""A fake of the Bot Service's token side on 127.0.0.1: the published signing keys (JWKS), tokens
signed with them (or with a key nobody published), and the bot's own outgoing token source.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

BOT_SERVICE_ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeJwks:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "bot-service-key-1"
    requests: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> FakeJwks:
        app = web.Application()
        app.router.add_get("/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/keys"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _keys(self, _: web.Request) -> web.Response:
        self.requests += 1
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return web.json_response({"keys": [jwk]})

    def token(self, app_id: str, service_url: str, *, key: rsa.RSAPrivateKey | None = None, kid: str | None = None,
              **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": BOT_SERVICE_ISSUER, "aud": app_id, "iat": now, "nbf": now - 5, "exp": now + 3600,
                "serviceurl": service_url, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


class _FixedToken:
    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return "fake-entra-token"


class FakeEntra:
    """Stands in for Microsoft Entra ID where the bot gets its own token for replies (MSAL would go online)."""

    def get_token_provider(self, claims_identity: Any, service_url: str) -> _FixedToken:
        return _FixedToken()
