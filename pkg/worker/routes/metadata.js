// GET /saml/metadata: the SP metadata XML (Entra ID: "Upload metadata file").

/** The SP metadata. */
export function metadata(c) {
  return new Response(c.config.sp.metadata(), {
    headers: {
      'Content-Type': 'application/samlmetadata+xml; charset=utf-8',
      'Content-Disposition': 'inline; filename="saml-edge-metadata.xml"',
    },
  });
}
