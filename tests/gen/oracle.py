"""A small, independent model of the saml-edge verification pipeline, used only to cross-check
the expected codes that generate.py assigns by hand.

It is NOT a SAML implementation to rely on: it parses with lxml (which is more lenient than the
strict parser the verifier must have), and it models steps 2-8 of the pipeline documented in
README.md closely enough to catch a wrongly assigned `expect` (for example a case that the author
thought would fail on the digest but that really fails earlier on a duplicate ID). When lxml cannot
tell (most malformed-XML cases), `evaluate` returns "xml_unknown" and the hand-written label stands.

stdlib + lxml only. RSA PKCS#1 v1.5 verification is done with Python integers.
"""

import base64
import hashlib
import re
from datetime import datetime, timezone

from lxml import etree

NS_P = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_A = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
NS_XML = "http://www.w3.org/XML/1998/namespace"

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
ENTITY_FMT = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"

SIG_METHODS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": "sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "sha512",
}
SIG_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
DIGEST_METHODS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
DIGEST_SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"

DIGEST_INFO_PREFIX = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}

LIMITS = dict(input=1024 * 1024, xml=768 * 1024, depth=64, nodes=20000, attrs=64, name=256)

ID_LOCAL_NAMES = {"ID", "Id", "id", "AssertionID", "ResponseID"}


class Reject(Exception):
    def __init__(self, code, why=""):
        super().__init__(code)
        self.code = code
        self.why = why


def q(ns, local):
    return "{%s}%s" % (ns, local)


def parse_time(value):
    """Strict UTC xs:dateTime as the verifier accepts it; None if not acceptable."""
    if value is None:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|\+00:00)", value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    if y == 0 or s > 59:
        return None
    try:
        dt = datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)
    except ValueError:
        return None
    frac = m.group(7) or ""
    ms = int((frac + "000")[:3]) if frac else 0
    return int(dt.timestamp()) * 1000 + ms


def element_children(el):
    return [c for c in el if isinstance(c.tag, str)]


def direct_text(el):
    """Text + CDATA + resolved references of `el`, comments and PIs skipped (child elements'
    own text is not included)."""
    parts = [el.text or ""]
    for c in el:
        parts.append(c.tail or "")
    return "".join(parts)


def has_child_elements(el):
    return any(isinstance(c.tag, str) for c in el)


def b64_text(el):
    txt = re.sub(r"\s+", "", direct_text(el))
    return txt


def c14n(el, prefixes=None):
    kw = dict(method="c14n", exclusive=True, with_comments=False)
    if prefixes:
        kw["inclusive_ns_prefixes"] = prefixes
    return etree.tostring(el, **kw)


def c14n_without(parent, S, prefixes=None):
    """exc-c14n of `parent` with exactly the node `S` removed (its following text stays)."""
    idx = list(parent).index(S)
    tail = S.tail
    prev = S.getprevious()
    prev_tail = prev.tail if prev is not None else None
    parent_text = parent.text
    parent.remove(S)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    try:
        return c14n(parent, prefixes)
    finally:
        if prev is not None:
            prev.tail = prev_tail
        parent.text = parent_text
        parent.insert(idx, S)
        S.tail = tail


class RsaKey:
    def __init__(self, n, e, name):
        self.n = n
        self.e = e
        self.name = name
        self.bits = n.bit_length()

    def verify(self, hash_name, data, sig):
        k = (self.n.bit_length() + 7) // 8
        if len(sig) != k:
            return False
        s = int.from_bytes(sig, "big")
        if s >= self.n:
            return False
        em = pow(s, self.e, self.n).to_bytes(k, "big")
        h = hashlib.new(hash_name, data).digest()
        t = DIGEST_INFO_PREFIX[hash_name] + h
        expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        return em == expected


# ---------------------------------------------------------------------------------------------
# step 1-2: bytes and XML


def check_bytes(data):
    if len(data) == 0:
        raise Reject("empty_input")
    if len(data) > LIMITS["xml"]:
        raise Reject("limit_exceeded", "xml size")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff",):
        raise Reject("xml_not_utf8", "utf-16/32 BOM")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("xml_not_utf8", "invalid utf-8")
    m = re.match(r"<\?xml([^?]*)\?>", text)
    if m:
        decl = m.group(1)
        v = re.search(r"version\s*=\s*[\"']([^\"']*)[\"']", decl)
        if v and v.group(1) != "1.0":
            raise Reject("xml_unsupported_version")
        enc = re.search(r"encoding\s*=\s*[\"']([^\"']*)[\"']", decl)
        if enc and enc.group(1).lower() != "utf-8":
            raise Reject("xml_not_utf8", "encoding declaration")
    if re.search(r"<!DOCTYPE", text):
        raise Reject("xml_doctype_forbidden")
    if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", text):
        raise Reject("xml_invalid_character")
    for m in re.finditer(r"&#(x[0-9a-fA-F]+|[0-9]+);", text):
        v = m.group(1)
        cp = int(v[1:], 16) if v.startswith("x") else int(v)
        if not (cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD
                or 0x10000 <= cp <= 0x10FFFF):
            raise Reject("xml_invalid_character")
    return body


ABS_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!-~]*")


def check_tree(root):
    seen = {}
    count = 0
    for el in root.iter():
        count += 1
        if not isinstance(el.tag, str):
            continue
        depth = 0
        p = el
        while p is not None:
            depth += 1
            p = p.getparent()
        if depth > LIMITS["depth"]:
            raise Reject("limit_exceeded", "depth")
        names = [etree.QName(el).localname] + [etree.QName(a).localname for a in el.attrib]
        names += [p for p in el.nsmap if p]
        if el.prefix:
            names.append(el.prefix)
        if any(len(n.encode()) > LIMITS["name"] for n in names):
            raise Reject("limit_exceeded", "name")
        parent = el.getparent()
        pmap = parent.nsmap if parent is not None else {}
        own = {k: v for k, v in el.nsmap.items() if pmap.get(k, None) != v or k not in pmap}
        if len(el.attrib) + len(own) > LIMITS["attrs"]:
            raise Reject("limit_exceeded", "attributes")
        for prefix, uri in own.items():
            if prefix is None and uri == "":
                continue
            if not ABS_URI.fullmatch(uri or ""):
                raise Reject("xml_invalid_namespace", "ns %r=%r" % (prefix, uri))
        for name, value in el.attrib.items():
            if name.startswith("{%s}" % NS_XML):
                local = name.split("}", 1)[1]
                if local not in ("lang", "space", "base", "id"):
                    raise Reject("xml_invalid_namespace", "xml:%s" % local)
            local = name.split("}", 1)[1] if name.startswith("{") else name
            if local in ID_LOCAL_NAMES:
                if value in seen:
                    raise Reject("xml_duplicate_id", value)
                seen[value] = el
    # text runs: rough count
    if count > LIMITS["nodes"]:
        raise Reject("limit_exceeded", "nodes")


# ---------------------------------------------------------------------------------------------


class Config:
    def __init__(self, d, keys):
        self.sp = d["spEntityId"]
        self.acs = d["acsUrl"]
        self.idp = d["idpEntityId"]
        self.request_id = d["requestId"]
        self.now = parse_time(d["now"])
        self.skew = d["clockSkewSeconds"] * 1000
        self.allow_sha1 = d["allowSha1"]
        self.allow_unsolicited = d["allowUnsolicited"]
        self.extra_audiences = d.get("extraAudiences", [])
        self.keys = [keys[c] for c in d["idpCerts"]]


def evaluate(data, cfgdict, keys):
    """Returns (code, identity_or_None, why)."""
    try:
        cfg = Config(cfgdict, keys)
        for k in cfg.keys:
            if k.bits < 2048:
                raise Reject("config_key_too_small")
        body = check_bytes(data)
        parser = etree.XMLParser(remove_comments=False, remove_pis=False, strip_cdata=False,
                                 resolve_entities=False, no_network=True, huge_tree=False,
                                 load_dtd=False)
        try:
            root = etree.fromstring(body, parser)
        except etree.XMLSyntaxError as e:
            return "xml_unknown", None, str(e)
        check_tree(root)
        identity = verify(root, cfg)
        return "valid", identity, ""
    except Reject as r:
        return r.code, None, r.why


def verify(R, cfg):
    # step 3
    if R.tag != q(NS_P, "Response"):
        raise Reject("not_a_response")
    # step 4
    status = [c for c in element_children(R) if c.tag == q(NS_P, "Status")]
    if not status:
        raise Reject("saml_malformed", "no Status")
    codes = [c for c in element_children(status[0]) if c.tag == q(NS_P, "StatusCode")]
    if not codes:
        raise Reject("saml_malformed", "no StatusCode")
    if codes[0].get("Value") != SUCCESS:
        raise Reject("status_not_success")
    for sub in element_children(codes[0]):
        if sub.tag == q(NS_P, "StatusCode") and sub.get("Value") != SUCCESS:
            raise Reject("status_not_success", "nested")
    # step 5
    for el in R.iter(q(NS_A, "Assertion"), q(NS_A, "EncryptedAssertion")):
        if el.getparent() is not R:
            raise Reject("unexpected_assertion", "nested")
    direct = [c for c in element_children(R) if c.tag == q(NS_A, "Assertion")]
    encrypted = [c for c in element_children(R) if c.tag == q(NS_A, "EncryptedAssertion")]
    if len(direct) + len(encrypted) > 1:
        raise Reject("unexpected_assertion", "several")
    if any(c.tag == q(NS_A, "EncryptedAssertion") for c in element_children(R)):
        raise Reject("encrypted_assertion_unsupported")
    if not direct:
        raise Reject("assertion_missing")
    A = direct[0]
    # step 6
    sigs = {}
    for s in R.iter(q(NS_DS, "Signature")):
        parent = s.getparent()
        if parent is not R and parent is not A:
            raise Reject("signature_misplaced", "parent")
        kids = element_children(parent)
        if len(kids) < 2 or kids[1] is not s or kids[0].tag != q(NS_A, "Issuer"):
            raise Reject("signature_misplaced", "position")
        if parent in sigs:
            raise Reject("signature_misplaced", "two")
        sigs[parent] = s
    if not sigs:
        raise Reject("signature_missing")
    # step 7
    verified = set()
    for parent in (R, A):
        if parent in sigs:
            check_signature(sigs[parent], parent, cfg)
            verified.add(parent)
    # step 8
    return semantics(R, A, R in verified, cfg)


def dchildren(el, local):
    return [c for c in element_children(el) if c.tag == q(NS_DS, local)]


def check_signature(S, parent, cfg):
    # shape
    kids = element_children(S)
    names = [c.tag for c in kids]
    ok = names in ([q(NS_DS, "SignedInfo"), q(NS_DS, "SignatureValue")],
                   [q(NS_DS, "SignedInfo"), q(NS_DS, "SignatureValue"), q(NS_DS, "KeyInfo")])
    if not ok:
        raise Reject("signature_malformed", "Signature children %r" % names)
    if (S.text or "").strip() or any((c.tail or "").strip() for c in S):
        raise Reject("signature_malformed", "text in Signature")
    SI, SV = kids[0], kids[1]
    si_kids = element_children(SI)
    if [c.tag for c in si_kids] != [q(NS_DS, "CanonicalizationMethod"),
                                    q(NS_DS, "SignatureMethod"), q(NS_DS, "Reference")]:
        raise Reject("signature_malformed", "SignedInfo children")
    cm, sm, ref = si_kids
    sv = b64_text(SV)
    if not sv:
        raise Reject("signature_malformed", "empty SignatureValue")
    dvs = dchildren(ref, "DigestValue")
    if len(dvs) != 1 or not b64_text(dvs[0]):
        raise Reject("signature_malformed", "DigestValue")
    if cm.get("Algorithm") != EXC_C14N:
        raise Reject("signature_algorithm_unsupported", "c14n")
    alg = sm.get("Algorithm")
    if alg is None:
        raise Reject("signature_malformed", "SignatureMethod without Algorithm")
    if alg == SIG_SHA1:
        if not cfg.allow_sha1:
            raise Reject("signature_sha1_not_allowed")
        sig_hash = "sha1"
    elif alg in SIG_METHODS:
        sig_hash = SIG_METHODS[alg]
    else:
        raise Reject("signature_algorithm_unsupported", "SignatureMethod %r" % alg)
    pid = parent.get("ID")
    if pid is None or ref.get("URI") != "#" + pid:
        raise Reject("signature_reference_mismatch")
    tr = dchildren(ref, "Transforms")
    prefixes = None
    if len(tr) != 1:
        raise Reject("signature_malformed", "no Transforms")
    tlist = element_children(tr[0])
    if (len(tlist) != 2 or any(t.tag != q(NS_DS, "Transform") for t in tlist)
            or tlist[0].get("Algorithm") != ENVELOPED or tlist[1].get("Algorithm") != EXC_C14N):
        raise Reject("signature_transform_unsupported")
    if element_children(tlist[0]):
        raise Reject("signature_malformed", "enveloped-signature transform with children")
    inc = element_children(tlist[1])
    if inc:
        if len(inc) != 1 or inc[0].tag != q(NS_EC, "InclusiveNamespaces"):
            raise Reject("signature_transform_unsupported", "exc-c14n child")
        prefixes = (inc[0].get("PrefixList") or "").split()
    dm = dchildren(ref, "DigestMethod")
    dalg = dm[0].get("Algorithm") if dm else None
    if dalg == DIGEST_SHA1:
        if not cfg.allow_sha1:
            raise Reject("signature_sha1_not_allowed", "digest")
        dhash = "sha1"
    elif dalg in DIGEST_METHODS:
        dhash = DIGEST_METHODS[dalg]
    else:
        raise Reject("signature_algorithm_unsupported", "DigestMethod %r" % dalg)
    try:
        sig_bytes = base64.b64decode(sv, validate=True)
    except Exception:
        raise Reject("signature_malformed", "SignatureValue base64")
    si_bytes = c14n(SI)
    if not any(k.verify(sig_hash, si_bytes, sig_bytes) for k in cfg.keys):
        raise Reject("signature_invalid")
    try:
        want = base64.b64decode(b64_text(dvs[0]), validate=True)
    except Exception:
        raise Reject("digest_mismatch", "DigestValue base64")
    # digest of parent minus exactly S
    got = hashlib.new(dhash, c14n_without(parent, S, prefixes)).digest()
    if got != want:
        raise Reject("digest_mismatch")


def achildren(el, local, ns=NS_A):
    return [c for c in element_children(el) if c.tag == q(ns, local)]


def semantics(R, A, r_verified, cfg):
    now, skew = cfg.now, cfg.skew
    # Response fields are cross-checked even when only the assertion is signed: they are never
    # trusted, but a check can only reject (src/saml/structure.rs::check_response).
    del r_verified
    if R.get("Version") != "2.0":
        raise Reject("saml_unsupported_version")
    iss = achildren(R, "Issuer")
    if iss:
        if direct_text(iss[0]) != cfg.idp:
            raise Reject("issuer_mismatch", "response")
        fmt = iss[0].get("Format")
        if fmt is not None and fmt != ENTITY_FMT:
            raise Reject("issuer_mismatch", "response format")
    if R.get("Destination") is not None and R.get("Destination") != cfg.acs:
        raise Reject("destination_mismatch")
    irt = R.get("InResponseTo")
    if irt is not None and irt != cfg.request_id:
        raise Reject("in_response_to_mismatch", "response")
    if A.get("Version") != "2.0":
        raise Reject("saml_unsupported_version", "assertion")
    iss = achildren(A, "Issuer")
    if not iss:
        raise Reject("saml_malformed", "assertion issuer")
    if direct_text(iss[0]) != cfg.idp:
        raise Reject("issuer_mismatch", "assertion")
    fmt = iss[0].get("Format")
    if fmt is not None and fmt != ENTITY_FMT:
        raise Reject("issuer_mismatch", "assertion format")
    ii = parse_time(A.get("IssueInstant"))
    if ii is None:
        raise Reject("invalid_time", "IssueInstant")
    if ii > now + skew:
        raise Reject("assertion_not_yet_valid", "IssueInstant")
    subjects = achildren(A, "Subject")
    if len(subjects) != 1:
        raise Reject("saml_malformed", "subjects")
    subj = subjects[0]
    ids = [c for c in element_children(subj)
           if c.tag in (q(NS_A, "NameID"), q(NS_A, "EncryptedID"), q(NS_A, "BaseID"))]
    if len(ids) != 1 or ids[0].tag != q(NS_A, "NameID"):
        raise Reject("saml_malformed", "NameID")
    nameid = ids[0]
    if has_child_elements(nameid) or direct_text(nameid) == "":
        raise Reject("saml_malformed", "NameID content")
    bearers = [sc for sc in achildren(subj, "SubjectConfirmation") if sc.get("Method") == BEARER]
    if not bearers:
        raise Reject("subject_confirmation_invalid", "no bearer")
    first_err = None
    for sc in bearers:
        try:
            check_sc(sc, cfg)
            first_err = None
            break
        except Reject as r:
            if first_err is None:
                first_err = r
    if first_err is not None:
        raise first_err
    conds = achildren(A, "Conditions")
    if len(conds) != 1:
        raise Reject("saml_malformed", "conditions")
    c = conds[0]
    if c.get("NotBefore") is not None:
        nb = parse_time(c.get("NotBefore"))
        if nb is None:
            raise Reject("invalid_time", "Conditions NotBefore")
        if nb > now + skew:
            raise Reject("assertion_not_yet_valid", "Conditions")
    if c.get("NotOnOrAfter") is not None:
        na = parse_time(c.get("NotOnOrAfter"))
        if na is None:
            raise Reject("invalid_time", "Conditions NotOnOrAfter")
        if na + skew <= now:
            raise Reject("assertion_expired", "Conditions")
    ars = achildren(c, "AudienceRestriction")
    if not ars:
        raise Reject("audience_mismatch", "none")
    accepted = {cfg.sp, *cfg.extra_audiences}
    for ar in ars:
        if not any(direct_text(a) in accepted for a in achildren(ar, "Audience")):
            raise Reject("audience_mismatch")
    authn = achildren(A, "AuthnStatement")
    if not authn:
        raise Reject("saml_malformed", "no AuthnStatement")
    for st in authn:
        if st.get("AuthnInstant") is not None and parse_time(st.get("AuthnInstant")) is None:
            raise Reject("invalid_time", "AuthnInstant")
        snoa = st.get("SessionNotOnOrAfter")
        if snoa is not None:
            t = parse_time(snoa)
            if t is None:
                raise Reject("invalid_time", "SessionNotOnOrAfter")
            if t + skew <= now:
                raise Reject("assertion_expired", "session")
    attrs = {}
    for st in achildren(A, "AttributeStatement"):
        for at in achildren(st, "Attribute"):
            name = at.get("Name")
            # repeated names merge, values in document order
            attrs.setdefault(name, []).extend(direct_text(v) for v in achildren(at, "AttributeValue"))
    return {
        "nameId": direct_text(nameid),
        "nameIdFormat": nameid.get("Format"),
        "sessionIndex": authn[0].get("SessionIndex"),
        "attributes": attrs,
    }


def check_sc(sc, cfg):
    scds = achildren(sc, "SubjectConfirmationData")
    if not scds:
        raise Reject("subject_confirmation_invalid", "no SCD")
    d = scds[0]
    if d.get("Recipient") is None:
        raise Reject("subject_confirmation_invalid", "no Recipient")
    if d.get("Recipient") != cfg.acs:
        raise Reject("recipient_mismatch")
    if d.get("NotOnOrAfter") is None:
        raise Reject("subject_confirmation_invalid", "no NotOnOrAfter")
    if d.get("Recipient") != cfg.acs:
        raise Reject("recipient_mismatch")
    na = parse_time(d.get("NotOnOrAfter"))
    if na is None:
        raise Reject("invalid_time", "SCD NotOnOrAfter")
    if na + cfg.skew <= cfg.now:
        raise Reject("assertion_expired", "SCD")
    if d.get("NotBefore") is not None:
        nb = parse_time(d.get("NotBefore"))
        if nb is None:
            raise Reject("invalid_time", "SCD NotBefore")
        if nb > cfg.now + cfg.skew:
            raise Reject("assertion_not_yet_valid", "SCD")
    irt = d.get("InResponseTo")
    if irt is None:
        if not cfg.allow_unsolicited:
            raise Reject("unsolicited_response")
    elif irt != cfg.request_id:
        raise Reject("in_response_to_mismatch", "SCD")
