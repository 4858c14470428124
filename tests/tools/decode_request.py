#!/usr/bin/env python3
"""Independent decoder for what saml-edge sends, used by tests/authn_request.rs and
tests/metadata.rs. Nothing here shares code with the Rust crate: URLs are split with
urllib, the Redirect binding is undone with zlib (raw inflate, wbits=-15) and base64, HTML
and XML are read with lxml.

Usage (each prints one JSON object on stdout; exit 1 with a message on stderr on failure):

  decode_request.py redirect URL OUTDIR
      Decodes an HTTP-Redirect AuthnRequest URL. Writes OUTDIR/request.xml, and for a signed
      URL OUTDIR/signed_octets.txt (SAMLRequest=…&RelayState=…&SigAlg=… exactly as in the URL)
      and OUTDIR/signature.bin (the decoded Signature), for `openssl dgst -verify`.
  decode_request.py post HTMLFILE OUTDIR
      Reads an HTTP-POST form page; writes the decoded SAMLRequest to OUTDIR/request.xml
      (for xmlsec1) and reports the form, the script and the noscript fallback.
  decode_request.py sp-metadata XMLFILE
      Checks SP metadata for the shape Entra ID's "Upload metadata file" accepts and reports
      what it found.
"""

import base64
import json
import os
import sys
import urllib.parse
import zlib

from lxml import etree, html as lxml_html

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def strict_parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def describe_request(xml_bytes):
    """Every attribute and child of an AuthnRequest, as lxml reads it."""
    root = etree.fromstring(xml_bytes, strict_parser())
    if root.tag != "{%s}AuthnRequest" % SAMLP:
        fail("root is %s, not samlp:AuthnRequest" % root.tag)
    children = [etree.QName(child).localname for child in root if isinstance(child.tag, str)]
    issuer = root.find("{%s}Issuer" % SAML)
    policy = root.find("{%s}NameIDPolicy" % SAMLP)
    context = root.find("{%s}RequestedAuthnContext" % SAMLP)
    return {
        "attributes": dict(root.attrib),
        "namespaces": {k or "": v for k, v in root.nsmap.items()},
        "children": children,
        "issuer": issuer.text if issuer is not None else None,
        "issuerAttributes": dict(issuer.attrib) if issuer is not None else None,
        "nameIdPolicy": dict(policy.attrib) if policy is not None else None,
        "requestedAuthnContext": None
        if context is None
        else {
            "attributes": dict(context.attrib),
            "classRefs": [c.text for c in context.findall("{%s}AuthnContextClassRef" % SAML)],
        },
        "hasSubject": root.find(".//{%s}Subject" % SAML) is not None,
        "hasSignature": root.find("{%s}Signature" % DS) is not None,
    }


def redirect(url, outdir):
    split = urllib.parse.urlsplit(url)
    raw_pairs = [p for p in split.query.split("&") if p]
    raw = {}
    for pair in raw_pairs:
        name, _, value = pair.partition("=")
        if name in raw:
            fail("parameter %s repeated" % name)
        raw[name] = value
    if "SAMLRequest" not in raw:
        fail("no SAMLRequest parameter")
    decoded = {name: urllib.parse.unquote(value) for name, value in raw.items()}
    deflated = base64.b64decode(decoded["SAMLRequest"], validate=True)
    inflater = zlib.decompressobj(wbits=-15)  # raw DEFLATE, no zlib header
    xml_bytes = inflater.decompress(deflated) + inflater.flush()
    if not inflater.eof or inflater.unused_data:
        fail("SAMLRequest is not exactly one raw DEFLATE stream")
    with open(os.path.join(outdir, "request.xml"), "wb") as f:
        f.write(xml_bytes)
    result = {
        "endpoint": urllib.parse.urlunsplit((split.scheme, split.netloc, split.path, "", "")),
        "parameterOrder": [p.partition("=")[0] for p in raw_pairs],
        "relayState": decoded.get("RelayState"),
        "loginHint": decoded.get("login_hint"),
        "sigAlg": decoded.get("SigAlg"),
        "request": describe_request(xml_bytes),
    }
    if "Signature" in raw:
        octets = "SAMLRequest=" + raw["SAMLRequest"]
        if "RelayState" in raw:
            octets += "&RelayState=" + raw["RelayState"]
        octets += "&SigAlg=" + raw["SigAlg"]
        with open(os.path.join(outdir, "signed_octets.txt"), "wb") as f:
            f.write(octets.encode("ascii"))
        with open(os.path.join(outdir, "signature.bin"), "wb") as f:
            f.write(base64.b64decode(decoded["Signature"], validate=True))
        result["signedOctetsPrefixOfQuery"] = split.query.startswith(octets)
    print(json.dumps(result))


def post(html_file, outdir):
    with open(html_file, "rb") as f:
        page = lxml_html.document_fromstring(f.read())
    forms = page.findall(".//form")
    if len(forms) != 1:
        fail("expected one form, found %d" % len(forms))
    form = forms[0]
    fields = {i.get("name"): i.get("value") for i in form.findall(".//input") if i.get("type") == "hidden"}
    xml_bytes = base64.b64decode(fields.get("SAMLRequest") or "", validate=True)
    with open(os.path.join(outdir, "request.xml"), "wb") as f:
        f.write(xml_bytes)
    scripts = page.findall(".//script")
    noscript = page.findall(".//noscript")
    # lxml.html keeps <noscript> content as markup; a browser without JavaScript shows it.
    noscript_text = "".join(etree.tostring(n, encoding="unicode") for n in noscript)
    print(
        json.dumps(
            {
                "method": form.get("method"),
                "action": form.get("action"),
                "fields": sorted(fields),
                "relayState": fields.get("RelayState"),
                "scripts": [{"nonce": s.get("nonce"), "text": s.text} for s in scripts],
                "noscriptHasSubmitButton": "<button type=\"submit\"" in noscript_text,
                "request": describe_request(xml_bytes),
            }
        )
    )


def sp_metadata(xml_file):
    """The shape Entra ID's "Upload metadata file" reads: an EntityDescriptor with an entityID
    and an SPSSODescriptor with at least one HTTP-POST AssertionConsumerService Location."""
    with open(xml_file, "rb") as f:
        root = etree.fromstring(f.read(), strict_parser())
    problems = []
    if root.tag != "{%s}EntityDescriptor" % MD:
        problems.append("root is %s" % root.tag)
    if not root.get("entityID"):
        problems.append("no entityID")
    sps = root.findall("{%s}SPSSODescriptor" % MD)
    if len(sps) != 1:
        problems.append("%d SPSSODescriptor" % len(sps))
    allowed_root_children = {"{%s}Signature" % DS, "{%s}SPSSODescriptor" % MD}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in allowed_root_children:
            problems.append("unexpected %s" % child.tag)
    sp = sps[0] if sps else etree.Element("x")
    order = ["KeyDescriptor", "SingleLogoutService", "NameIDFormat", "AssertionConsumerService"]
    seen = [etree.QName(c).localname for c in sp if isinstance(c.tag, str)]
    positions = [order.index(n) if n in order else -1 for n in seen]
    if -1 in positions or positions != sorted(positions):
        problems.append("SPSSODescriptor children out of schema order or unknown: %s" % seen)
    protocols = (sp.get("protocolSupportEnumeration") or "").split()
    if SAMLP not in protocols:
        problems.append("protocolSupportEnumeration lacks SAML 2.0")
    acs = sp.findall("{%s}AssertionConsumerService" % MD)
    post_acs = [a for a in acs if a.get("Binding") == HTTP_POST and a.get("Location")]
    if not post_acs:
        problems.append("no HTTP-POST AssertionConsumerService with a Location")
    certs = [
        "".join(c.text.split())
        for c in sp.findall("{%s}KeyDescriptor/{%s}KeyInfo/{%s}X509Data/{%s}X509Certificate" % (MD, DS, DS, DS))
    ]
    print(
        json.dumps(
            {
                "problems": problems,
                "entityID": root.get("entityID"),
                "hasValidUntil": root.get("validUntil") is not None,
                "rootId": root.get("ID"),
                "signed": root.find("{%s}Signature" % DS) is not None,
                "authnRequestsSigned": sp.get("AuthnRequestsSigned"),
                "wantAssertionsSigned": sp.get("WantAssertionsSigned"),
                "acs": [dict(a.attrib) for a in acs],
                "slo": [dict(s.attrib) for s in sp.findall("{%s}SingleLogoutService" % MD)],
                "nameIdFormats": [n.text for n in sp.findall("{%s}NameIDFormat" % MD)],
                "signingCertificates": certs,
            }
        )
    )


def main(argv):
    if len(argv) == 4 and argv[1] == "redirect":
        redirect(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "post":
        post(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "sp-metadata":
        sp_metadata(argv[2])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv)
