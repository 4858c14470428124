// POST /saml/acs: the Assertion Consumer Service. Checks the login cookie, verifies the
// SAMLResponse for that request ID (the verifier, in Rust), applies the allow rules (access.js:
// ALLOW_EMAILS, ALLOW_EMAIL_DOMAINS, ALLOW_GROUPS), records the assertion and request IDs in the
// replay Durable Object, then registers the session in the directory (which, with
// ACCESS_REQUIRES_PROVISIONING=true, admits only provisioned, active SCIM users), starts the
// session and answers 303 to the return path.

import { SamlError } from '../../workerd.js';
import { evaluateAccess, subjectOf } from '../access.js';
import { ConfigProblem } from '../config.js';
import { clearCookie, readCookie, setCookie } from '../cookies.js';
import { SIGNED_IN } from '../do/directory.js';
import { CONSUMED, replayGuard } from '../do/replay.js';
import { boundedText, discardBody, mediaType } from '../lib/body.js';
import { newSessionId, registryFor } from '../registry.js';
import { emailOf, issueSession } from '../sessions.js';
import { PURPOSE_LOGIN, TOKEN_MISSING, verifyToken } from '../tokens.js';

/** Largest ACS form body read (a SAMLResponse is 5–20 KB; the verifier's own limit is 1 MiB of XML). */
const MAX_FORM_BYTES = 4 * 1024 * 1024;

/** The pending sign-in of this browser: `{ requestId, returnPath, expires }`, or a refusal. */
async function pendingSignIn(c, form) {
  const token = readCookie(c.request.headers.get('Cookie'), 'login');
  const pending = await verifyToken(PURPOSE_LOGIN, c.config.tokenBinding, token, c.config.secrets, c.now);
  if (pending.claims) {
    const { rid, next, exp } = pending.claims;
    return { requestId: typeof rid === 'string' ? rid : null, returnPath: c.returnPath(next), expires: exp };
  }
  if (pending.error === TOKEN_MISSING && c.config.allowUnsolicited) {
    // IdP-initiated: RelayState, when it is a same-origin path, says where to go.
    return { requestId: null, returnPath: c.returnPath(form.get('RelayState')), expires: c.now };
  }
  return { refused: c.refuse(`request_cookie_${pending.error}`, `login cookie ${pending.error}`) };
}

/** Records the assertion (until it can no longer be accepted) and the request as used. */
function consume(c, identity, pending) {
  if (!c.bindings.replay) throw new ConfigProblem('REPLAY', 'the Durable Object binding is missing (see wrangler.toml)');
  const skewMs = c.config.clockSkewSeconds * 1000;
  return replayGuard(c.bindings.replay).consume({
    assertionId: identity.assertionId,
    assertionExpires: Date.parse(identity.notOnOrAfter) + skewMs,
    requestId: pending.requestId,
    requestExpires: pending.expires + skewMs,
    now: c.now,
  });
}

/**
 * Registers the session (one directory call: match the SCIM user, check access, insert the
 * session): `{ session }` (null without a registry) or `{ outcome, detail }` when refused.
 */
async function register(c, identity, exp) {
  const registry = registryFor(c);
  if (registry === null) return { session: null };
  const sessionId = newSessionId();
  const email = emailOf(identity);
  const answer = await registry.signIn({
    sessionId,
    nameId: identity.nameId,
    email,
    nameIdFormat: identity.nameIdFormat ?? null,
    nameQualifier: identity.nameQualifier ?? null,
    spNameQualifier: identity.spNameQualifier ?? null,
    sessionIndex: identity.sessionIndex ?? null,
    issuer: identity.issuer,
    created: c.now,
    expires: exp,
    requireProvisioning: c.config.accessRequiresProvisioning,
  });
  if (answer.outcome !== SIGNED_IN) {
    return { outcome: answer.outcome, detail: `NameID ${identity.nameId} (e-mail ${email}): ${answer.outcome}` };
  }
  return { session: { sessionId, userId: answer.userId, groups: answer.groups } };
}

/** Verifies the posted response and starts the session. */
export async function acs(c) {
  if (mediaType(c.request) !== 'application/x-www-form-urlencoded') {
    await discardBody(c.request, MAX_FORM_BYTES);
    return c.refuse('invalid_form', `ACS called with Content-Type ${JSON.stringify(mediaType(c.request))}`);
  }
  const body = await boundedText(c.request, MAX_FORM_BYTES);
  if (body === null) return c.refuse('limit_exceeded', `ACS form larger than ${MAX_FORM_BYTES} bytes`, { status: 413 });
  const form = new URLSearchParams(body);
  const pending = await pendingSignIn(c, form);
  if (pending.refused) return pending.refused;

  let identity;
  try {
    const options = { requestId: pending.requestId, now: c.now };
    // With decryption keys, WebCrypto unwraps the content key of an encrypted assertion (the
    // package's verifyPostResponseAsync; SECURITY.md, "Encrypted assertions").
    identity =
      c.config.decryptionKeys.length > 0
        ? await c.config.sp.verifyPostResponseAsync(form.get('SAMLResponse'), options)
        : c.config.sp.verifyPostResponse(form.get('SAMLResponse'), options);
  } catch (error) {
    if (!(error instanceof SamlError)) throw error;
    return c.refuse(error.code, error.message);
  }
  // A user no rule admits gets no session (and nothing is recorded).
  const access = evaluateAccess(c.config.access, subjectOf(identity, emailOf(identity)));
  if (!access.allowed) return c.refuse(access.code, `${identity.nameId}: ${access.detail}`);
  const sessionEnd = identity.sessionNotOnOrAfter === null ? Infinity : Date.parse(identity.sessionNotOnOrAfter);
  const exp = Math.min(c.now + c.config.sessionTtlSeconds * 1000, sessionEnd);
  if (exp <= c.now) return c.refuse('session_expired', `SessionNotOnOrAfter ${identity.sessionNotOnOrAfter} has passed`);

  // One after the other, not at once: a replay must reach the directory not at all (no session
  // row to undo, no write per replayed response, no timing that tells whether the directory
  // would admit the user).
  const outcome = await consume(c, identity, pending);
  if (outcome !== CONSUMED) {
    return c.refuse(outcome, `assertion ${identity.assertionId} (request ${pending.requestId}): ${outcome}`);
  }
  const registered = await register(c, identity, exp);
  if (registered.outcome) return c.refuse(registered.outcome, registered.detail);
  const { token, dropped } = await issueSession(c.config, identity, c.now, exp, registered.session);
  if (dropped.length > 0) {
    c.log('session_attributes_dropped', {
      nameId: identity.nameId,
      dropped,
      detail: 'the session cookie would exceed 4 KB: send fewer claims (Entra ID: Attributes & Claims)',
    });
  }
  c.log('signed_in', {
    nameId: identity.nameId,
    issuer: identity.issuer,
    assertionId: identity.assertionId,
    ...(registered.session ? { scimId: registered.session.userId } : {}),
  });
  return c.redirect(pending.returnPath, 303, [setCookie('session', token, (exp - c.now) / 1000), clearCookie('login')]);
}
