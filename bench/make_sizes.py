#!/usr/bin/env python3
"""The size series of `make bench` and `make bench-js`: Entra-shaped responses of about 100 KB
and 0.75 MB, built deterministically from tests/data/generated/entra2021_groups150.xml (150
group claims, 17 KB) by adding group claims (distinguished names, compact) to its groups
attribute, then signed by xmlsec1 with the generated IdP key (assertion signed, RSA-SHA256,
exclusive c14n: the Entra default) and checked with `xmlsec1 --verify`.

The largest is the largest this shape can be under the default Limits: its POST field (base64)
stays under max_input_bytes (1 MiB), its XML under max_xml_bytes (768 KiB) and its node count
under max_nodes (20,000), so the wasm package, which always uses the defaults, verifies it too.

    python3 bench/make_sizes.py [OUT_DIR]     # default target/bench-data

PKCS#1 v1.5 signing is deterministic: the output is the same bytes on every run.
"""

import hashlib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "tests", "data", "generated")
GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
NS_A = "urn:oasis:names:tc:SAML:2.0:assertion"
# name -> target XML size in bytes
SIZES = {"entra_100k.xml": 100_000, "entra_750k.xml": 750_000}


def guid(i):
    h = hashlib.sha256(b"saml-edge bench group %d" % i).hexdigest()
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def template(base, size):
    # The signature is recomputed: empty the values, drop KeyInfo (never read by the SP).
    text = re.sub(r"<DigestValue>[^<]*</DigestValue>", "<DigestValue></DigestValue>", base)
    text = re.sub(r"<SignatureValue>[^<]*</SignatureValue>", "<SignatureValue></SignatureValue>", text)
    text = re.sub(r"\s*<KeyInfo>.*?</KeyInfo>", "", text, flags=re.S)
    anchor = '<Attribute Name="%s">' % GROUPS
    assert text.count(anchor) == 1, "groups attribute not found"
    extra, i = [], 0
    grow = size - len(text)
    total = 0
    while total < grow:
        value = "<AttributeValue>CN=%s,OU=Groups,OU=Contoso,DC=contoso,DC=com</AttributeValue>" % guid(i)
        extra.append(value)
        total += len(value)
        i += 1
    return text.replace(anchor, anchor + "".join(extra), 1), i


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "bench-data")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(GEN, "entra2021_groups150.xml"), encoding="utf-8") as f:
        base = f.read()
    key, cert = os.path.join(GEN, "idp.key"), os.path.join(GEN, "idp.crt")
    ids = ["--id-attr:ID", NS_A + ":Assertion"]
    for name, size in SIZES.items():
        text, added = template(base, size)
        dst = os.path.join(out_dir, name)
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.xml")
            with open(src, "w", encoding="utf-8") as f:
                f.write(text)
            run(["xmlsec1", "--sign", "--privkey-pem", key] + ids + ["--output", dst, src])
        run(["xmlsec1", "--verify", "--pubkey-cert-pem", cert, "--enabled-key-data", "rsa,x509",
             "--enabled-reference-uris", "same-doc"] + ids + [dst])
        print("%s: %d bytes (%d group claims added), signed and verified by xmlsec1"
              % (dst, os.path.getsize(dst), added))


if __name__ == "__main__":
    main()
