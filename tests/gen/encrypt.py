"""XML Encryption writer for the generated corpus (used by generate.py, section `encryption`).

Independent of the Rust code: the symmetric ciphers are Python `cryptography` (OpenSSL), the
RSA-OAEP encoding is RFC 8017 §7.1.1 written out below so that it is deterministic (the seed comes
from a hash of the case name), and every wrapped key is checked by decrypting it with
`cryptography`'s own RSA-OAEP (OpenSSL) before it is used. generate.py then decrypts every
legitimate case with `xmlsec1 --decrypt` as a second, unrelated implementation.

Shapes written (see encrypted_assertion()):

* "inline": Microsoft's (WIF / AD FS / Entra) shape, EncryptedKey inside EncryptedData/KeyInfo,
  X509IssuerSerial in the EncryptedKey's KeyInfo, default-namespace EncryptedAssertion;
* "sibling": Shibboleth's (OpenSAML) shape, EncryptedKey beside EncryptedData, referenced by
  ds:RetrievalMethod, saml2: prefix, Recipient and ReferenceList on the EncryptedKey.

CBC padding is ISO 10126 (random bytes, the last one the length), as .NET writes it.
"""

import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

try:  # cryptography >= 43 moved TripleDES
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    TripleDES = algorithms.TripleDES

XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"

CONTENT = {
    "aes128-cbc": (XENC + "aes128-cbc", 16),
    "aes256-cbc": (XENC + "aes256-cbc", 32),
    "tripledes-cbc": (XENC + "tripledes-cbc", 24),
    "aes128-gcm": (XENC11 + "aes128-gcm", 16),
    "aes256-gcm": (XENC11 + "aes256-gcm", 32),
    "aes192-cbc": (XENC + "aes192-cbc", 24),  # not accepted by saml-edge
}

DIGEST_URI = {"sha1": DS + "sha1", "sha256": XENC + "sha256"}
MGF_URI = {"sha1": XENC11 + "mgf1sha1", "sha256": XENC11 + "mgf1sha256"}
HASH = {"sha1": hashes.SHA1, "sha256": hashes.SHA256}


class Rng:
    """Deterministic bytes: SHA-256(seed | label | counter)."""

    def __init__(self, seed):
        self.seed = seed
        self.n = 0

    def bytes(self, count, label=""):
        out = b""
        while len(out) < count:
            out += hashlib.sha256(("%s|%s|%d" % (self.seed, label, self.n)).encode()).digest()
            self.n += 1
        return out[:count]


def mgf1(seed, length, hash_name):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.new(hash_name, seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def oaep_encrypt(n, e, message, digest, mgf, seed_bytes):
    """RSAES-OAEP-ENCRYPT (RFC 8017 §7.1.1) with an empty label and a given seed."""
    k = (n.bit_length() + 7) // 8
    h_len = hashlib.new(digest).digest_size
    if len(message) > k - 2 * h_len - 2:
        raise ValueError("message too long")
    l_hash = hashlib.new(digest, b"").digest()
    ps = b"\x00" * (k - len(message) - 2 * h_len - 2)
    db = l_hash + ps + b"\x01" + message
    seed = seed_bytes[:h_len]
    db_mask = mgf1(seed, k - h_len - 1, mgf)
    masked_db = bytes(a ^ b for a, b in zip(db, db_mask))
    seed_mask = mgf1(masked_db, h_len, mgf)
    masked_seed = bytes(a ^ b for a, b in zip(seed, seed_mask))
    em = b"\x00" + masked_seed + masked_db
    c = pow(int.from_bytes(em, "big"), e, n)
    return c.to_bytes(k, "big")


def pkcs1v15_encrypt(n, e, message, rng):
    """RSAES-PKCS1-v1_5 (only to build the refused rsa-1_5 case)."""
    k = (n.bit_length() + 7) // 8
    ps = bytes(b or 1 for b in rng.bytes(k - len(message) - 3, "ps"))
    em = b"\x00\x02" + ps + b"\x00" + message
    return pow(int.from_bytes(em, "big"), e, n).to_bytes(k, "big")


def wrap_key(private_key, content_key, digest, mgf, rng, check=True):
    """OAEP-wraps `content_key` for the public half of `private_key` (a cryptography key) and,
    when `check`, unwraps it again with OpenSSL."""
    numbers = private_key.public_key().public_numbers()
    wrapped = oaep_encrypt(numbers.n, numbers.e, content_key, digest, mgf,
                           rng.bytes(64, "oaep-seed"))
    if check:
        back = private_key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(HASH[mgf]()),
                                                         algorithm=HASH[digest](), label=None))
        if back != content_key:
            raise AssertionError("OpenSSL does not unwrap our OAEP encoding")
    return wrapped


def encrypt_content(alg, key, plaintext, rng):
    """The CipherValue bytes: IV ‖ ciphertext (CBC, ISO 10126 padding) or nonce ‖ ct ‖ tag."""
    if alg.endswith("-gcm"):
        nonce = rng.bytes(12, "nonce")
        return nonce + AESGCM(key).encrypt(nonce, plaintext, None)
    block = 8 if alg == "tripledes-cbc" else 16
    pad = block - len(plaintext) % block
    padded = plaintext + rng.bytes(pad - 1, "pad") + bytes([pad])
    iv = rng.bytes(block, "iv")
    cipher = TripleDES(key) if alg == "tripledes-cbc" else algorithms.AES(key)
    enc = Cipher(cipher, modes.CBC(iv)).encryptor()
    return iv + enc.update(padded) + enc.finalize()


def b64(data):
    import base64
    return base64.b64encode(data).decode()


def encryption_method(transport, digest, mgf, ns_prefix):
    """The EncryptedKey's EncryptionMethod element text."""
    p = ns_prefix
    if transport == "rsa-1_5":
        return '<%s:EncryptionMethod Algorithm="%srsa-1_5"/>' % (p, XENC)
    if transport == "rsa-oaep-mgf1p":
        inner = ('<ds:DigestMethod xmlns:ds="%s" Algorithm="%s"/>' % (DS, DIGEST_URI[digest])
                 if digest is not None else "")
        return '<%s:EncryptionMethod Algorithm="%srsa-oaep-mgf1p">%s</%s:EncryptionMethod>' % (
            p, XENC, inner, p)
    inner = ""
    if digest is not None:
        inner += '<ds:DigestMethod xmlns:ds="%s" Algorithm="%s"/>' % (DS, DIGEST_URI[digest])
    if mgf is not None:
        inner += '<xenc11:MGF xmlns:xenc11="%s" Algorithm="%s"/>' % (XENC11, MGF_URI[mgf])
    return '<%s:EncryptionMethod Algorithm="%srsa-oaep">%s</%s:EncryptionMethod>' % (
        p, XENC11, inner, p)


def encrypted_assertion(plaintext, content, transport, recipients, rng, shape="inline",
                        digest="sha1", mgf=None, ids=("_ed", "_ek"), issuer_serial=None,
                        cert_b64=None, tamper=None):
    """The EncryptedAssertion markup for `plaintext` (the serialized Assertion).

    recipients: list of cryptography private keys to wrap the content key for (one EncryptedKey
    each; the first gets ids[1] in the sibling shape). transport: "rsa-oaep-mgf1p",
    "rsa-oaep" (xenc11, with `digest`/`mgf`; None = element absent) or "rsa-1_5".
    tamper: None, "cbc-block" (flip a bit in the first ciphertext block), "gcm-tag" (flip a tag
    bit), "wrong-key-length" (wrap a key of the wrong length).
    """
    content_uri, key_len = CONTENT[content]
    key = rng.bytes(key_len, "content-key")
    data = bytearray(encrypt_content(content, key, plaintext, rng))
    if tamper == "cbc-block":
        data[16 if content != "tripledes-cbc" else 8] ^= 0x01  # first block after the IV
    elif tamper == "gcm-tag":
        data[-1] ^= 0x80
    wrapped_keys = []
    for i, recipient in enumerate(recipients):
        material = key if tamper != "wrong-key-length" else key + b"\x00" * 8
        if transport == "rsa-1_5":
            numbers = recipient.public_key().public_numbers()
            wrapped = pkcs1v15_encrypt(numbers.n, numbers.e, material, rng)
        else:
            oaep_digest = digest or "sha1"
            oaep_mgf = "sha1" if transport == "rsa-oaep-mgf1p" else (mgf or "sha1")
            wrapped = wrap_key(recipient, material, oaep_digest, oaep_mgf, rng)
        wrapped_keys.append(wrapped)

    if shape == "inline":
        hint = ""
        if issuer_serial is not None:
            hint = ('<KeyInfo><ds:X509Data xmlns:ds="%s"><ds:X509IssuerSerial>'
                    '<ds:X509IssuerName>%s</ds:X509IssuerName><ds:X509SerialNumber>%d'
                    '</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></KeyInfo>'
                    % (DS, issuer_serial[0], issuer_serial[1]))
        eks = "".join(
            '<e:EncryptedKey xmlns:e="%s">%s%s<e:CipherData><e:CipherValue>%s</e:CipherValue>'
            '</e:CipherData></e:EncryptedKey>'
            % (XENC, encryption_method(transport, digest, mgf, "e"), hint, b64(w))
            for w in wrapped_keys)
        return ('<EncryptedAssertion xmlns="%s"><xenc:EncryptedData xmlns:xenc="%s" '
                'Type="%sElement"><xenc:EncryptionMethod Algorithm="%s"/>'
                '<KeyInfo xmlns="%s">%s</KeyInfo><xenc:CipherData><xenc:CipherValue>%s'
                '</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></EncryptedAssertion>'
                % (SAML, XENC, XENC, content_uri, DS, eks, b64(bytes(data))))
    # sibling (Shibboleth / OpenSAML)
    ed_id, ek_id = ids
    hint = ""
    if cert_b64 is not None:
        hint = ('<ds:KeyInfo xmlns:ds="%s"><ds:X509Data><ds:X509Certificate>%s'
                '</ds:X509Certificate></ds:X509Data></ds:KeyInfo>' % (DS, cert_b64))
    eks = "".join(
        '<xenc:EncryptedKey xmlns:xenc="%s" Id="%s" Recipient="%s">%s%s<xenc:CipherData>'
        '<xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData><xenc:ReferenceList>'
        '<xenc:DataReference URI="#%s"/></xenc:ReferenceList></xenc:EncryptedKey>'
        % (XENC, ek_id + ("" if i == 0 else "_%d" % i), "https://app.example.com/saml/metadata",
           encryption_method(transport, digest, mgf, "xenc"), hint, b64(w), ed_id)
        for i, w in enumerate(wrapped_keys))
    return ('<saml2:EncryptedAssertion xmlns:saml2="%s"><xenc:EncryptedData xmlns:xenc="%s" '
            'Id="%s" Type="%sElement"><xenc:EncryptionMethod Algorithm="%s"/>'
            '<ds:KeyInfo xmlns:ds="%s"><ds:RetrievalMethod Type="%sEncryptedKey" URI="#%s"/>'
            '</ds:KeyInfo><xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue>'
            '</xenc:CipherData></xenc:EncryptedData>%s</saml2:EncryptedAssertion>'
            % (SAML, XENC, ed_id, XENC, content_uri, DS, XENC, ek_id, b64(bytes(data)), eks))
