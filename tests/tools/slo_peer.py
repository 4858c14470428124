#!/usr/bin/env python3
"""An independent Single Logout peer for saml-edge's tests: pysaml2 (which drives xmlsec1) as
the IdP, and Python `cryptography` for hand-built HTTP-Redirect query signatures.

Every command prints one JSON object on stdout.

  idp-request  CONF.json              pysaml2 create_logout_request + apply_binding(HTTP-Redirect,
                                      sign=True): {"url", "id"}; with "binding": "post", the
                                      message signed by xmlsec1 (enveloped) for HTTP-POST:
                                      {"form": {"SAMLRequest", "RelayState"}, "id"}
  idp-response CONF.json ID           pysaml2 create_logout_response (Success) to request ID,
                                      Redirect-bound and signed: {"url", "id"}; with "binding":
                                      "post": {"form": {"SAMLResponse", "RelayState"}, "id"}
  parse-request CONF.json URL         pysaml2 parse_logout_request of the SP's Redirect URL:
                                      {"id", "issuer", "nameId", "format", "nameQualifier",
                                       "spNameQualifier", "sessionIndexes", "destination"}
  sign-query KEY PARAM XMLFILE RELAY ALG CASE
                                      DEFLATE + base64 + a query signature by `cryptography`
                                      over SAMLRequest|SAMLResponse=…[&RelayState=…]&SigAlg=…
                                      with upper- or lower-case percent-escapes: {"query"}
                                      (RELAY "-" for none; ALG sha1|sha256; CASE upper|lower)

CONF.json: {"idp_entity_id", "idp_slo_url", "key", "cert", "sp_metadata", "sp_slo_url",
"sp_entity_id", "relay_state", "name_id", "name_id_format", "session_index", "issuer"?,
"sigalg"?, "want_signed"? (default true: parse-request then requires and verifies the SP's
query signature), "binding"? ("redirect" or "post")}.
"""

import base64
import json
import re
import sys
import urllib.parse
import zlib

SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def server(conf):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.server import Server

    with open(conf["sp_metadata"]) as f:
        sp_metadata = f.read()
    config = IdPConfig().load(
        {
            "entityid": conf["idp_entity_id"],
            "service": {
                "idp": {
                    # pysaml2 verifies the query signature of incoming requests only then.
                    "want_authn_requests_signed": conf.get("want_signed", True),
                    "endpoints": {
                        "single_sign_on_service": [(conf["idp_slo_url"], BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(conf["idp_slo_url"], BINDING_HTTP_REDIRECT)],
                    },
                }
            },
            "key_file": conf["key"],
            "cert_file": conf["cert"],
            "metadata": {"inline": [sp_metadata]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
        }
    )
    return Server(config=config)


def location(info):
    return dict(info["headers"])["Location"]


def idp_request(conf):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import NameID

    srv = server(conf)
    name_id = NameID(text=conf["name_id"], format=conf.get("name_id_format"))
    req_id, request = srv.create_logout_request(
        destination=conf["sp_slo_url"],
        issuer_entity_id=conf["sp_entity_id"],
        name_id=name_id,
        session_indexes=[conf["session_index"]] if conf.get("session_index") else None,
        sign=conf.get("binding") == "post",
        sign_alg=conf.get("sigalg", SHA256),
        digest_alg=DIGEST_SHA256,
    )
    if conf.get("binding") == "post":
        return {"form": post_form("SAMLRequest", request, conf), "id": req_id}
    info = srv.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(request),
        conf["sp_slo_url"],
        conf.get("relay_state", ""),
        sign=True,
        sigalg=conf.get("sigalg", SHA256),
    )
    return {"url": location(info), "id": req_id}


def idp_response(conf, in_response_to):
    from saml2 import BINDING_HTTP_REDIRECT, samlp
    from saml2.s_utils import success_status_factory

    srv = server(conf)
    request = samlp.LogoutRequest(id=in_response_to, issuer=srv._issuer(conf["sp_entity_id"]))
    response = srv.create_logout_response(
        request,
        bindings=[BINDING_HTTP_REDIRECT],
        status=success_status_factory(),
        sign=conf.get("binding") == "post",
        issuer=srv._issuer(conf.get("issuer") or conf["idp_entity_id"]),
        sign_alg=conf.get("sigalg", SHA256),
        digest_alg=DIGEST_SHA256,
    )
    if conf.get("binding") == "post":
        return {"form": post_form("SAMLResponse", response, conf), "id": in_response_to_id(response)}
    # create_logout_response addresses the SP's SLO from its metadata.
    info = srv.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        conf["sp_slo_url"],
        conf.get("relay_state", ""),
        response=True,
        sign=True,
        sigalg=conf.get("sigalg", SHA256),
    )
    return {"url": location(info), "id": response.id}


def post_form(param, message, conf):
    """The HTTP-POST form values of a message pysaml2 signed (enveloped, by xmlsec1)."""
    xml = message if isinstance(message, str) else str(message)
    return {param: base64.b64encode(xml.encode("utf-8")).decode("ascii"),
            "RelayState": conf.get("relay_state", "")}


def in_response_to_id(response):
    """The ID of a signed response (a string once signed) or of the object."""
    if isinstance(response, str):
        return re.search(r' ID="([^"]+)"', response).group(1)
    return response.id


def parse_request(conf, url):
    from saml2 import BINDING_HTTP_REDIRECT

    srv = server(conf)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    parsed = srv.parse_logout_request(
        query["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        relay_state=query.get("RelayState"),
        sigalg=query.get("SigAlg"),
        signature=query.get("Signature"),
    )
    message = parsed.message
    return {
        "id": message.id,
        "issuer": message.issuer.text,
        "nameId": message.name_id.text,
        "format": message.name_id.format,
        "nameQualifier": message.name_id.name_qualifier,
        "spNameQualifier": message.name_id.sp_name_qualifier,
        "sessionIndexes": [s.text for s in message.session_index],
        "destination": message.destination,
        "relayState": query.get("RelayState"),
        "signed": "Signature" in query,
    }


def encode(value, case):
    encoded = urllib.parse.quote(value, safe="")
    if case == "lower":
        encoded = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)
    return encoded


def sign_query(key_path, param, xml_path, relay, alg, case):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    with open(xml_path, "rb") as f:
        xml = f.read()
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(xml) + compressor.flush()
    query = f"{param}={encode(base64.b64encode(deflated).decode(), case)}"
    if relay != "-":
        query += f"&RelayState={encode(relay, case)}"
    uri, digest = (SHA1, hashes.SHA1()) if alg == "sha1" else (SHA256, hashes.SHA256())
    query += f"&SigAlg={encode(uri, case)}"
    signature = key.sign(query.encode("ascii"), padding.PKCS1v15(), digest)
    query += f"&Signature={encode(base64.b64encode(signature).decode(), case)}"
    return {"query": query}


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "sign-query":
        out = sign_query(*args)
    else:
        with open(args[0]) as f:
            conf = json.load(f)
        if command == "idp-request":
            out = idp_request(conf)
        elif command == "idp-response":
            out = idp_response(conf, args[1])
        elif command == "parse-request":
            out = parse_request(conf, args[1])
        else:
            raise SystemExit(f"unknown command {command}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
