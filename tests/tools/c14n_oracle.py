#!/usr/bin/env python3
"""libxml2's exclusive XML canonicalization, as an oracle for tests/c14n_differential.rs.

Reads one JSON object per line on stdin:

    {"id": 7, "xml": "<r>…</r>", "apex": 3, "with_comments": false, "prefixes": ["a", "#default"]}

where `apex` is the index of the apex element in document order (0 = the root), and answers one
JSON object per line on stdout, in the same order:

    {"id": 7, "ok": true, "c14n": "…", "lxml": "…" | null}
    {"id": 7, "ok": false, "error": "…"}

`c14n` is libxml2's exclusive c14n of the document subset "apex and its descendants" (with the
namespace and attribute nodes of those elements), the way XML-DSig processes a same-document
reference: `xmlC14NExecute` with a visibility callback, from the libxml2 that lxml bundles,
called through ctypes. `lxml` is `etree.tostring(apex, method="c14n", exclusive=True,
with_comments=…, inclusive_ns_prefixes=…)` for comparison — it is null when the PrefixList
contains `#default`, because lxml silently drops every PrefixList token that is not a name
already interned in the document's dictionary, and `#default` never is (an lxml wrapper quirk,
not a libxml2 behaviour).
"""

import ctypes
import json
import sys

from lxml import etree

LIB = ctypes.CDLL(etree.__file__)

XML_PARSE_NONET = 1 << 11
XML_C14N_EXCLUSIVE_1_0 = 1
ELEMENT, ATTRIBUTE, NAMESPACE = 1, 2, 18

# struct _xmlNode field offsets on LP64: _private, type, name, children, last, parent, next.
OFF_TYPE, OFF_CHILDREN, OFF_PARENT, OFF_NEXT = 8, 24, 40, 48

VISIBLE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
WRITE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
CLOSE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)

LIB.xmlReadMemory.restype = ctypes.c_void_p
LIB.xmlReadMemory.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p,
                              ctypes.c_int]
LIB.xmlDocGetRootElement.restype = ctypes.c_void_p
LIB.xmlDocGetRootElement.argtypes = [ctypes.c_void_p]
LIB.xmlFreeDoc.argtypes = [ctypes.c_void_p]
LIB.xmlOutputBufferCreateIO.restype = ctypes.c_void_p
LIB.xmlOutputBufferCreateIO.argtypes = [WRITE, CLOSE, ctypes.c_void_p, ctypes.c_void_p]
LIB.xmlOutputBufferClose.argtypes = [ctypes.c_void_p]
LIB.xmlC14NExecute.restype = ctypes.c_int
LIB.xmlC14NExecute.argtypes = [ctypes.c_void_p, VISIBLE, ctypes.c_void_p, ctypes.c_int,
                               ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_void_p]


def field(ptr, offset, ctype=ctypes.c_void_p):
    return ctype.from_address(ptr + offset).value


def elements_in_order(root):
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        children, child = [], field(node, OFF_CHILDREN)
        while child:
            if field(child, OFF_TYPE, ctypes.c_int) == ELEMENT:
                children.append(child)
            child = field(child, OFF_NEXT)
        stack.extend(reversed(children))
    return out


def libxml2_exc_c14n(xml, apex_index, with_comments, prefixes):
    doc = LIB.xmlReadMemory(xml, len(xml), None, None, XML_PARSE_NONET)
    if not doc:
        raise ValueError("libxml2 cannot parse the document")
    try:
        elements = elements_in_order(LIB.xmlDocGetRootElement(doc))
        apex = elements[apex_index]

        def in_subtree(node):
            while node:
                if node == apex:
                    return True
                node = field(node, OFF_PARENT)
            return False

        @VISIBLE
        def visible(_user, node, parent):
            kind = field(node, OFF_TYPE, ctypes.c_int) if node else 0
            return 1 if in_subtree(parent if kind in (ATTRIBUTE, NAMESPACE) else node) else 0

        chunks = []

        @WRITE
        def write(_ctx, buf, length):
            chunks.append(ctypes.string_at(buf, length))
            return length

        @CLOSE
        def close(_ctx):
            return 0

        out = LIB.xmlOutputBufferCreateIO(write, close, None, None)
        tokens = [p.encode() for p in prefixes]
        array = (ctypes.c_char_p * (len(tokens) + 1))(*tokens, None) if tokens else None
        status = LIB.xmlC14NExecute(doc, visible, None, XML_C14N_EXCLUSIVE_1_0, array,
                                    1 if with_comments else 0, out)
        LIB.xmlOutputBufferClose(out)
        if status < 0:
            raise ValueError("xmlC14NExecute failed")
        return b"".join(chunks)
    finally:
        LIB.xmlFreeDoc(doc)


def lxml_exc_c14n(xml, apex_index, with_comments, prefixes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False,
                             remove_pis=False, huge_tree=False)
    root = etree.fromstring(xml, parser)
    apex = list(root.iter(etree.Element))[apex_index]
    return etree.tostring(apex, method="c14n", exclusive=True, with_comments=with_comments,
                          inclusive_ns_prefixes=prefixes or None)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        xml = req["xml"].encode("utf-8")
        args = (xml, req["apex"], req["with_comments"], req["prefixes"])
        try:
            c14n = libxml2_exc_c14n(*args)
            via_lxml = None
            if "#default" not in req["prefixes"]:
                via_lxml = lxml_exc_c14n(*args).decode("utf-8")
            answer = {"id": req["id"], "ok": True, "c14n": c14n.decode("utf-8"),
                      "lxml": via_lxml}
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            answer = {"id": req["id"], "ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
