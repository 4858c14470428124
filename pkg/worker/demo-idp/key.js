// THE DEMO IdP's KEY PAIR — PUBLIC, FOR LOCAL DEMOS AND TESTS ONLY. NEVER TRUST IT.
//
// Anyone can read this private key (it is published with saml-edge), so anyone can sign a
// response with it. The Worker uses it only in demo mode: no IdP configured (no IDP_CERT, no
// IDP_METADATA_XML) and a loopback host (localhost, 127.0.0.1, [::1]). As soon as an IdP is
// configured, this certificate is not trusted and /demo-idp/ answers 404. Generated with
//   openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -set_serial 1 \
//     -subj "/CN=saml-edge DEMO IdP - PUBLIC TEST KEY - NEVER TRUST"

/** The demo IdP's self-signed certificate (PEM). */
export const DEMO_IDP_CERTIFICATE_PEM = `
-----BEGIN CERTIFICATE-----
MIIDSjCCAjKgAwIBAgIBATANBgkqhkiG9w0BAQsFADA9MTswOQYDVQQDDDJzYW1s
LWVkZ2UgREVNTyBJZFAgLSBQVUJMSUMgVEVTVCBLRVkgLSBORVZFUiBUUlVTVDAg
Fw0yNjExMjkxNDExMzJaGA8yMTI2MTEwNTE0MTEzMlowPTE7MDkGA1UEAwwyc2Ft
bC1lZGdlIERFTU8gSWRQIC0gUFVCTElDIFRFU1QgS0VZIC0gTkVWRVIgVFJVU1Qw
ggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQD2dswa4pvzi//nnuFmgWK3
h73o5H7x+i3TGR/GjjyA51M1aztt/X21SlU8hmJc/BX6fEWdg0146OXvMWQwvSlj
MN+5dvtLuY/xr3TGr0TY83Qg4h0keX2pkUcUEDVc+DBZcaLrvWR9dlQiA8OK9Ilc
0+K+iQb2qFEwmWESFioSH48G+ogbeUUa2v3Bzj5ioqWs1lNNkV5Z7sz2tUQf9mCY
uTtlDwNPX1MoO2cEWwGqTpoEmDyeJK7I6QFXbe/QpLaw2ItersNtd/kB+AdU/hxk
C5SAyuGY9lVe29zFATvvYh/SzbkHjLcnyF0doMU2TgWFCIxAYBU/9iJ8shsJrSU/
AgMBAAGjUzBRMB0GA1UdDgQWBBQe7fkglwjeEP+nvcIsBh2yCduGjDAfBgNVHSME
GDAWgBQe7fkglwjeEP+nvcIsBh2yCduGjDAPBgNVHRMBAf8EBTADAQH/MA0GCSqG
SIb3DQEBCwUAA4IBAQDTwMtTz7OCyerBiUPpPM46udcU+RxhNMR1ukqn3kHL2SaD
aZaWAk6mIu0NKEq42Q8aDhsnxyKVmW57kElrRTemH9BuqUVkUnGmvvyBD4nkBfzm
S/uJwrKzwpA4rUZcQtnrGahhc3tlZicVqaTGgElb9MW/ORCQ0jrd7ejkM87eIvZC
BzgspQNYCbmtRVynjRrU8fNSPte7g6oN6C+TgnR5qZKyb0ucE0s+pSW2B9KhHLpT
G13jXdtrCaNhzrKt+nfHkiNWTaBeuMIRsG34Q04TUcW0hb9NU2zFR3QmHLBdpvss
C7zTt/OhPbk/EoS/Vv9ida9/chHLptrhNhmjzgLY
-----END CERTIFICATE-----
`;

/** The demo IdP's RSA-2048 private key (PKCS#8 PEM). Public: see the file comment. */
export const DEMO_IDP_PRIVATE_KEY_PEM = `
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQD2dswa4pvzi//n
nuFmgWK3h73o5H7x+i3TGR/GjjyA51M1aztt/X21SlU8hmJc/BX6fEWdg0146OXv
MWQwvSljMN+5dvtLuY/xr3TGr0TY83Qg4h0keX2pkUcUEDVc+DBZcaLrvWR9dlQi
A8OK9Ilc0+K+iQb2qFEwmWESFioSH48G+ogbeUUa2v3Bzj5ioqWs1lNNkV5Z7sz2
tUQf9mCYuTtlDwNPX1MoO2cEWwGqTpoEmDyeJK7I6QFXbe/QpLaw2ItersNtd/kB
+AdU/hxkC5SAyuGY9lVe29zFATvvYh/SzbkHjLcnyF0doMU2TgWFCIxAYBU/9iJ8
shsJrSU/AgMBAAECggEAAlpZ/SZir22Lu44Eat0bWyiG7fKYf6jlcm7P+IOicjyY
dRnD+dCCDbla8kv6I8HIV+7YdKDXRtXlCWaNpVAjqq3BxQcsw6lO2tN+UuiYyKrH
q19dQIbkZeUG1QXelzegsTSThe/18KNbju49mgBW+2A5JEaHSX2L4OHl+lfkfkMd
Z53U+sxzWmQt/Ep1dxlJW+yjd3Vq5DYhdezbug6ky3+Po57KlnRKb1QtnJUYune8
eWPnRHptUqzpdBIL2ezDyCKOyduyvNH5UedRUmvRTVjfHVMGlEWKZ1Za8oDDPApm
KAsjRTlpkWl6067hqVK5kGwCFr7tqDbknzGeZCMvYQKBgQD8tnLje3NSJpGJ8SIU
Uj+xL5vcbGmwimHxpFLTq5c14pAkb1WHSj7jy9jA32aSjJUq79DITlRgyB8yA80y
buEaaI2IasNGh7JPw//0jpVITBfZAEsCw0D9LL2+PQxnJbaJTK4JcAW2wIX1iLK4
rfa+bIaXMm+SPwluV/K+uRl3sQKBgQD5q4pDZTNN2m2Tz2ZMEbcxGHBQYNyFumaq
eNoOsvVj77T3pyAZco86MFqgYKz53UuqW67FlETcfIhKffn4LUaGxi0shG2hgpmM
7GvGO1+H6/bRG4PdfFNHMn0zl8J5n/L5fy8bDcTeyZNSPRQ7o5jKPaTMyMioc6yr
Gz0B2l2X7wKBgEd0w2mlR4dsFmz9vNgoJZBRWO3rzbq4dldgUnc9pqT66i0TOgjm
KoA47JIk2RkJHUilxNBOrbcr/v4iawwepBHWjGaNYaf4yKebUS1yf62QrpGSbqNa
WG7+DqzTEEW+OS37e555iXQSXg5+V6K2tfVENI5eGYQtxNnpjl71cckRAoGBAMGB
THYTt4G9q3QGKPkIOf2ZPWNuzzvuTqgNZqRB26MLJC1VoLFYct3coEDw7N/zvjNZ
P8nusrhY5KEnplfNb34Blv2L3hRxzmTE0HshhVcpcXB8bOV6+GiUHymfk6EEcSMi
ifXj5BPwE3iH0miu0TreMB5v9+VnUgqD3/LRtfyNAoGBAO6IS5AiSvFDS0TNDXZO
TLzcMw+ayl7SGAgAGln2loMnhDleTbHyLZJqeu3e2JLsZp64UnsPN5ONU0+xnvuP
9F73XBwDUmItMlvavWTmtAMSssOhNBqROr0Gv4lDMUwNdL1BZTv5Il9C8m+6yWfY
0eMvRFNt73V6WGVYlyaUUCxr
-----END PRIVATE KEY-----
`;

/** Where the demo IdP is served, and the path part of its entity ID (demo mode only). */
export const DEMO_IDP_PATH = '/demo-idp/';
