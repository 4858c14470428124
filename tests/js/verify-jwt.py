"""Verifies a saml-edge identity token with PyJWT, as an origin written in Python would.

Reads {"token": "...", "issuer": "...", "audience": "...", and either "jwks": {...} (a JWKS
document) or "jwks_url": "..." (fetched with PyJWKClient, as in the README)} on stdin; prints
the verified claims as JSON, or exits 1 with the reason. Used by tests/js/identity.test.mjs.
"""
import json
import sys

import jwt

request = json.load(sys.stdin)
token = request["token"]
try:
    if "jwks_url" in request:
        key = jwt.PyJWKClient(request["jwks_url"]).get_signing_key_from_jwt(token)
    else:
        kid = jwt.get_unverified_header(token)["kid"]
        key = {k.key_id: k for k in jwt.PyJWKSet.from_dict(request["jwks"]).keys}[kid]
    claims = jwt.decode(
        token,
        key,
        algorithms=request.get("algorithms", [key.algorithm_name]),
        issuer=request["issuer"],
        audience=request["audience"],
        leeway=30,
        options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]},
    )
except Exception as error:  # noqa: BLE001 - any failure is a refusal
    print(f"{type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(claims))
