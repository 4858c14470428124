// GET /saml/session: the signed-in identity as JSON (the 'session' guard answers 401 without one).

/** The session of this browser. */
export function session(c) {
  return c.json(c.session);
}
