// Who may enter and what needs no sign-in, as pure functions (no env, no I/O): the allow rules
// (ALLOW_EMAILS, ALLOW_EMAIL_DOMAINS, ALLOW_GROUPS) checked at the ACS, the public paths
// (PUBLIC_PATHS) served without a session, and the test for requests that look like API calls.
// config.js parses the variables with these functions; tests/js/access.test.mjs runs them in
// plain Node.

/** Entra ID's groups claim (group object IDs, or names for cloud groups when configured). */
export const GROUPS_CLAIM = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
/** Entra ID's groups-overage claim: a Graph link sent instead of the groups (> 150 groups). */
export const GROUPS_OVERAGE_CLAIM = 'http://schemas.microsoft.com/claims/groups.link';

/** A rule list or path list that cannot be used; config.js turns it into a ConfigProblem. */
export class RuleError extends Error {
  /** @param {string} variable the variable at fault @param {string} hint what is wrong, safe to show */
  constructor(variable, hint) {
    super(`${variable}: ${hint}`);
    this.name = 'RuleError';
    this.variable = variable;
    this.hint = hint;
  }
}

/** A comma-separated list: items trimmed, empty ones dropped. */
export function parseList(value) {
  if (value === undefined || value === null) return [];
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A DNS name as ALLOW_EMAIL_DOMAINS takes it: labels of letters, digits and hyphens, no dot at either end. */
const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

/**
 * The allow rules from the three lists (each a comma-separated string or undefined): e-mail
 * addresses and domains lower-cased, groups as given (matched case-insensitively). `null` when no
 * rule is set (everyone the IdP signs in may enter). Throws RuleError naming the bad item.
 */
export function accessRules({ emails, emailDomains, groups } = {}) {
  const rules = {
    emails: parseList(emails).map((e) => e.toLowerCase()),
    emailDomains: parseList(emailDomains).map((d) => d.toLowerCase()),
    groups: parseList(groups).map((g) => g.toLowerCase()),
  };
  for (const email of rules.emails) {
    if (email.indexOf('@') <= 0 || email.indexOf('@') !== email.lastIndexOf('@') || email.endsWith('@')) {
      throw new RuleError('ALLOW_EMAILS', `${JSON.stringify(email)} is not an e-mail address`);
    }
  }
  for (const domain of rules.emailDomains) {
    if (!DOMAIN.test(domain)) {
      throw new RuleError('ALLOW_EMAIL_DOMAINS', `${JSON.stringify(domain)} is not a domain: write contoso.com (no @, no wildcard, no leading dot; list subdomains one by one)`);
    }
  }
  if (rules.emails.length + rules.emailDomains.length + rules.groups.length === 0) return null;
  // Arrays, not Sets: config.js keys its cache on the settings' JSON. The lists are short.
  return Object.freeze({ emails: Object.freeze(rules.emails), emailDomains: Object.freeze(rules.emailDomains), groups: Object.freeze(rules.groups) });
}

/** The part after the last `@` of `email`, lower-cased; `null` without one. */
export function domainOf(email) {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  return at <= 0 || at === email.length - 1 ? null : email.slice(at + 1).toLowerCase();
}

/**
 * What the rules need to know of a verified identity: its e-mail address (`email`, as
 * sessions.js found it), its groups claim and whether Entra sent the groups-overage claim.
 * @param {{ attributes: { [name: string]: string[] } }} identity
 * @param {string | null} email
 */
export function subjectOf(identity, email) {
  const attributes = identity.attributes ?? {};
  return {
    email: email ?? null,
    groups: attributes[GROUPS_CLAIM] ?? [],
    groupsOverage: Object.hasOwn(attributes, GROUPS_OVERAGE_CLAIM),
  };
}

/**
 * Whether `subject` ({ email, groups, groupsOverage }) may enter under `rules` (from
 * accessRules; `null` admits everyone). A user must match at least one rule: the e-mail
 * address exactly, its domain exactly (after the last `@`, case-insensitive: `contoso.com`
 * admits neither `evilcontoso.com` nor `contoso.com.evil` nor `sub.contoso.com`), or one group.
 * Returns `{ allowed: true, rule }` or `{ allowed: false, code, detail }`; when a group rule
 * could have admitted the user but Entra sent the groups-overage claim instead of the groups,
 * the code is `access_groups_overage` (never a silent admission).
 */
export function evaluateAccess(rules, subject) {
  if (rules === null) return { allowed: true, rule: 'none' };
  const email = typeof subject.email === 'string' ? subject.email.toLowerCase() : null;
  if (email !== null && rules.emails.includes(email)) return { allowed: true, rule: 'email' };
  const domain = domainOf(email);
  if (domain !== null && rules.emailDomains.includes(domain)) return { allowed: true, rule: 'email_domain' };
  const groups = Array.isArray(subject.groups) ? subject.groups : [];
  if (groups.some((g) => typeof g === 'string' && rules.groups.includes(g.toLowerCase()))) return { allowed: true, rule: 'group' };
  if (rules.groups.length > 0 && subject.groupsOverage) {
    return {
      allowed: false,
      code: 'access_groups_overage',
      detail: `${email ?? 'a user without e-mail'}: the IdP sent the groups-overage claim instead of the groups; ALLOW_GROUPS cannot be checked`,
    };
  }
  return { allowed: false, code: 'access_denied', detail: `${email ?? 'a user without e-mail'} (groups: ${groups.length}) matches no ALLOW_* rule` };
}

/**
 * PUBLIC_PATHS: comma-separated path prefixes, each starting with `/`. A prefix is matched by
 * whole segments: `/public/` and `/public` both cover `/public` and everything below it, never
 * `/publicity`. `/` alone (the whole site) is refused: remove the sign-in instead.
 * Returns the prefixes without their trailing `/`. Throws RuleError.
 */
export function parsePublicPaths(value) {
  const prefixes = parseList(value).map((prefix) => {
    if (!prefix.startsWith('/') || prefix.startsWith('//') || /[\\%?#\s]|\/\.\.?(\/|$)/.test(prefix)) {
      throw new RuleError('PUBLIC_PATHS', `${JSON.stringify(prefix)} must be a plain path starting with / (no .., %, ?, # or \\)`);
    }
    const base = prefix.replace(/\/+$/, '');
    if (base === '') throw new RuleError('PUBLIC_PATHS', '"/" would make the whole site public');
    return base;
  });
  return Object.freeze(prefixes);
}

/** `path` is `base` or below it (whole segments). */
function under(path, base) {
  return path === base || path.startsWith(`${base}/`);
}

/** Percent-decodings of a path tried at most (an origin that decodes twice sees `%252e` as `.`). */
const MAX_DECODINGS = 3;

/**
 * `path` with every interpretation an origin server might apply: percent-decoded (again while
 * that changes it, up to 3 times), backslashes read as `/`, path parameters dropped (`..;x` is
 * `..` to Tomcat and Jetty), repeated slashes collapsed, dot segments resolved. `null` when it
 * cannot be decoded at all, is still encoded after 3 decodings, or holds control characters.
 */
export function strictPath(path) {
  let decoded;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  for (let round = 1; /%[0-9a-f]{2}/i.test(decoded); round += 1) {
    if (round === MAX_DECODINGS) return null; // still encoded: no reading is trusted
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break; // a literal `%` in a name: no further reading
    }
  }
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return null;
  const segments = [];
  for (const raw of decoded.replace(/\\/g, '/').split('/')) {
    const segment = raw.split(';')[0];
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/**
 * Whether `path` (the normalised path the Worker forwards: WHATWG URL parsing has resolved
 * `..`, `.`, `%2e`) is public under `prefixes` (from parsePublicPaths). It must be under a
 * prefix both as forwarded and as any origin might read it (strictPath: `%2f`, `%5c`, `//`,
 * `..;`, double encoding, a second round of dot segments), so that `/public/..%2fprivate` and
 * `/public/..;/private` are not public.
 */
export function isPublicPath(prefixes, path) {
  if (prefixes.length === 0 || typeof path !== 'string' || !path.startsWith('/')) return false;
  const strict = strictPath(path);
  if (strict === null) return false;
  return prefixes.some((base) => under(path, base) && under(strict, base));
}

/** The `q` of each media range of an Accept header, by lower-cased type. */
function acceptWeights(accept) {
  const weights = new Map();
  for (const part of String(accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!type) continue;
    let q = 1;
    for (const param of params) {
      const m = /^q=([01](?:\.\d{0,3})?)$/.exec(param);
      if (m) q = Number(m[1]);
    }
    weights.set(type, Math.max(q, weights.get(type) ?? 0));
  }
  return weights;
}

/**
 * Whether a request without a session looks like an API call (answered 401 JSON rather than a
 * redirect to the sign-in page): a method other than GET and HEAD, `X-Requested-With:
 * XMLHttpRequest`, or an Accept header that prefers JSON (`application/json` or `+json`) to
 * HTML. `*\/*` alone (fetch()'s default) is not a preference.
 * @param {string} method
 * @param {Headers} headers
 */
export function isApiCall(method, headers) {
  if (method !== 'GET' && method !== 'HEAD') return true;
  if ((headers.get('X-Requested-With') ?? '').trim().toLowerCase() === 'xmlhttprequest') return true;
  const weights = acceptWeights(headers.get('Accept'));
  let json = 0;
  let html = 0;
  for (const [type, q] of weights) {
    if (type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type)) json = Math.max(json, q);
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
  }
  return json > 0 && json > html;
}
