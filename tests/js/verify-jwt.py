"""Verifies a saml-edge identity token with PyJWT, as an origin written in Python would.

Reads {"jwks": {...}, "token": "...", "issuer": "...", "audience": "..."} on stdin; prints the
verified claims as JSON, or exits 1 with the reason. Used by tests/js/identity.test.mjs.
"""
import json
import sys

import jwt

request = json.load(sys.stdin)
try:
    kid = jwt.get_unverified_header(request["token"])["kid"]
    keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(request["jwks"]).keys}
    key = keys[kid]
    claims = jwt.decode(
        request["token"],
        key=key,
        algorithms=[key.algorithm_name],
        audience=request["audience"],
        issuer=request["issuer"],
        options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]},
    )
except Exception as error:  # noqa: BLE001 - any failure is a refusal
    print(f"{type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(claims))
