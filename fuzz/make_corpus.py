#!/usr/bin/env python3
"""Builds the working fuzz corpora fuzz/corpus/<target>/ (git-ignored) from:

- the committed seed set fuzz/seeds/<target>/ (small, < 2 MB in all);
- tests/data/generated/*.xml and *.b64 (valid xmlsec1-signed responses and the attack corpus,
  written by tests/gen/generate.py);
- tests/fixtures/**/*.xml and every .b64/.base64 fixture, decoded (and inflated when it is
  HTTP-Redirect DEFLATE data).

    python3 fuzz/make_corpus.py [--commit-seeds]

--commit-seeds refreshes fuzz/seeds/ from the same sources (a deterministic small selection).
Files are named by the SHA-1 of their content, like libFuzzer does, so re-running is idempotent.
"""

import base64
import glob
import hashlib
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
GENERATED = os.path.join(ROOT, "tests", "data", "generated")
TARGETS = ["xml_parse", "c14n", "encoding", "metadata", "verify_post_response", "xmlenc"]
SEED_BUDGET = 240 * 1024  # bytes per target in fuzz/seeds (5 targets: about 1.2 MB in all)


def decode_b64(raw):
    try:
        data = base64.b64decode(b"".join(raw.split()), validate=True)
    except Exception:
        return None, None
    stripped = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"<"):
        return data, None
    try:
        return zlib.decompress(data, -15), data
    except Exception:
        return None, None


def sources():
    """(kind, name, bytes): kind is xml, metadata, b64 (the encoded text) or deflate."""
    out = []
    for root, index in ((FIXTURES, "manifest.json"), (GENERATED, "cases.json")):
        if not os.path.isfile(os.path.join(root, index)):
            sys.exit("fuzz/make_corpus.py: %s not found" % os.path.join(root, index))
        for path in sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True)):
            if not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, root)
            with open(path, "rb") as f:
                raw = f.read()
            if path.endswith(".xml"):
                kind = "metadata" if b"EntityDescriptor" in raw[:4096] else "xml"
                out.append((kind, rel, raw))
            elif path.endswith((".b64", ".base64")):
                out.append(("b64", rel, raw))
                xml, deflated = decode_b64(raw)
                if xml is not None:
                    out.append(("xml", rel + ".decoded", xml))
                if deflated is not None:
                    out.append(("deflate", rel + ".deflated", deflated))
    return out


def encrypted_assertion(data):
    """The EncryptedAssertion element of an encrypted response (the xmlenc target's input)."""
    start = data.find(b"<EncryptedAssertion")
    if start < 0:
        start = data.find(b"<saml2:EncryptedAssertion")
    for end_tag in (b"</EncryptedAssertion>", b"</saml2:EncryptedAssertion>"):
        end = data.find(end_tag, start)
        if start >= 0 and end >= 0:
            return data[start:end + len(end_tag)]
    return None


def per_target(items):
    t = {name: [] for name in TARGETS}
    for kind, rel, data in items:
        if kind == "xml" and b"EncryptedAssertion" in data:
            element = encrypted_assertion(data)
            if element is not None:
                t["xmlenc"].append((rel, element))
        if kind in ("xml", "metadata"):
            t["xml_parse"].append((rel, data))
            t["c14n"].append((rel, data))
            t["verify_post_response"].append((rel, data))
            t["metadata"].append((rel, data))
            if len(data) < 64 * 1024:
                t["encoding"].append((rel + ".deflate", zlib.compress(data, 9)[2:-4]))
        elif kind == "b64":
            t["encoding"].append((rel, data))
            t["encoding"].append((rel + ".form", b"SAMLResponse=" + data.replace(b"+", b"%2B")
                                  .replace(b"=", b"%3D").replace(b"\n", b"") + b"&RelayState=x"))
        elif kind == "deflate":
            t["encoding"].append((rel, data))
    return t


def write(dirname, entries):
    os.makedirs(dirname, exist_ok=True)
    n = 0
    for _, data in entries:
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(dirname, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            n += 1
    return n


def seed_selection(target, entries):
    """A small deterministic selection: prefer entries whose path says valid/legit/entra, then
    the smallest of the rest, up to SEED_BUDGET bytes."""
    def rank(e):
        rel, data = e
        preferred = any(k in rel for k in ("entra", "valid", "legit", "metadata", "c14n"))
        return (0 if preferred else 1, len(data), rel)
    chosen, total = [], 0
    for rel, data in sorted(entries, key=rank):
        if len(data) > 48 * 1024 or total + len(data) > SEED_BUDGET:
            continue
        chosen.append((rel, data))
        total += len(data)
    return chosen


def main():
    commit = "--commit-seeds" in sys.argv
    t = per_target(sources())
    for target in TARGETS:
        seeds_dir = os.path.join(HERE, "seeds", target)
        if commit:
            for f in glob.glob(os.path.join(seeds_dir, "*")):
                os.remove(f)
            write(seeds_dir, seed_selection(target, t[target]))
        committed = [(f, open(f, "rb").read()) for f in sorted(glob.glob(os.path.join(seeds_dir, "*")))]
        added = write(os.path.join(HERE, "corpus", target), committed + t[target])
        print("%-22s %4d seed files committed, %4d new corpus files" % (target, len(committed), added))


if __name__ == "__main__":
    main()
