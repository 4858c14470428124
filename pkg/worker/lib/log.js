// The Worker's log: one JSON object per line, `{"saml_edge": event, ...fields}` (wrangler tail).

/** Logs `event` with `fields`. */
export function log(event, fields = {}) {
  console.log(JSON.stringify({ saml_edge: event, ...fields }));
}
