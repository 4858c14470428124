// The Worker's configuration: wrangler vars and secrets (names as in the README) turned into a
// frozen Config with its ServiceProvider, checked once per isolate and cached. This is the only
// module that reads `env` (variables, secrets and bindings).
//
// A misconfiguration throws a ConfigProblem naming the variable; the Worker answers it with a
// 500 page that names the variable (never a stack trace) and logs the detail.

import { ServiceProvider, SamlError } from '../workerd.js';
import { RuleError, accessRules, parsePublicPaths } from './access.js';
import { DEMO_IDP_CERTIFICATE_PEM, DEMO_IDP_PATH } from './demo-idp/key.js';

/** The SP's single logout endpoint (routes/logout-slo.js). */
export const SLO_PATH = '/saml/slo';
import { tokenBinding } from './tokens.js';

/** Default session lifetime: 8 hours. */
const DEFAULT_SESSION_TTL_SECONDS = 8 * 60 * 60;
/** Default clock skew, as the verifier's default. */
const DEFAULT_CLOCK_SKEW_SECONDS = 180;
/** Shortest SESSION_SECRET accepted (characters). */
const MIN_SECRET_LENGTH = 32;
/** Shortest SCIM bearer token accepted (characters), and the most tokens (rotation). */
const MIN_SCIM_TOKEN_LENGTH = 32;
const MAX_SCIM_TOKENS = 4;
/** Default interval between two checks of a session against the registry. */
const DEFAULT_SESSION_REFRESH_SECONDS = 60;
/**
 * The organization of the single-tenant Worker: the directory Durable Object is keyed per
 * organization, so a multi-tenant Worker adds organizations without moving data.
 */
export const DEFAULT_ORGANIZATION = 'default';

/** A configuration error: `variable` is shown to visitors, `detail` only logged. */
export class ConfigProblem extends Error {
  /**
   * @param {string} variable the wrangler var or secret to fix
   * @param {string} hint what to do, safe to show (no configured value in it)
   * @param {string} [detail] more, for the log only
   */
  constructor(variable, hint, detail) {
    super(`${variable}: ${hint}${detail ? ` (${detail})` : ''}`);
    this.name = 'ConfigProblem';
    this.variable = variable;
    this.hint = hint;
  }
}

/** Loopback hosts, where demo mode may run. */
function isLoopback(hostname) {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

function text(env, name) {
  const value = env[name];
  if (value === undefined || value === null) return undefined;
  // wrangler.toml may give numbers and booleans unquoted (ALLOW_UNSOLICITED = true).
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ConfigProblem(name, 'must be a string, a number or a boolean');
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env, name, fallback, min, max) {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigProblem(name, `must be a whole number of seconds from ${min} to ${max}`);
  }
  return Number(value);
}

function boolean(env, name) {
  const value = text(env, name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigProblem(name, 'must be "true" or "false"');
}

function absoluteUrl(env, name, value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigProblem(name, 'must be an absolute https:// URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigProblem(name, 'must be an absolute https:// URL');
  }
  return url;
}

/** IDP_CERT: PEM blocks or bare base64 (Entra's "Certificate (Base64)"), comma-separated. */
function certificates(value) {
  return value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** `parse()` with a RuleError (access.js) turned into the ConfigProblem naming its variable. */
function rules(parse) {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    throw new ConfigProblem(error.variable, 'is not usable; the Worker log has the detail (see the README\'s configuration table)', error.hint);
  }
}

/** SCIM_TOKEN: comma-separated bearer tokens, each at least 32 characters; `null` when unset (SCIM off). */
function scimTokens(env) {
  const value = text(env, 'SCIM_TOKEN');
  if (value === undefined) return null;
  const tokens = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tokens.length > MAX_SCIM_TOKENS) throw new ConfigProblem('SCIM_TOKEN', `holds more than ${MAX_SCIM_TOKENS} tokens`);
  for (const token of tokens) {
    if (token.length < MIN_SCIM_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
      throw new ConfigProblem(
        'SCIM_TOKEN',
        `each token (comma-separated) must be at least ${MIN_SCIM_TOKEN_LENGTH} visible ASCII characters, e.g. \`openssl rand -hex 32\``,
      );
    }
  }
  return tokens.length > 0 ? tokens : null;
}

/**
 * Reads every setting that does not depend on the request. Throws ConfigProblem.
 * @returns the settings (see the fields below)
 */
export function readSettings(env) {
  const secret = text(env, 'SESSION_SECRET');
  if (secret === undefined) {
    throw new ConfigProblem(
      'SESSION_SECRET',
      'is not set: run `wrangler secret put SESSION_SECRET` with at least 32 random characters (e.g. `openssl rand -base64 32`)',
    );
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigProblem('SESSION_SECRET', `is too short: use at least ${MIN_SECRET_LENGTH} random characters`);
  }
  const previous = text(env, 'SESSION_SECRET_PREVIOUS');
  const spEntityId = text(env, 'SP_ENTITY_ID');
  if (spEntityId === undefined) {
    throw new ConfigProblem('SP_ENTITY_ID', 'is not set: use the value of Entra ID\'s "Identifier (Entity ID)"');
  }
  const acsUrl = text(env, 'ACS_URL');
  if (acsUrl !== undefined) absoluteUrl(env, 'ACS_URL', acsUrl);
  const origin = text(env, 'ORIGIN');
  if (text(env, 'JWT_SIGNING_KEY_PREVIOUS') !== undefined && text(env, 'JWT_SIGNING_KEY') === undefined) {
    throw new ConfigProblem('JWT_SIGNING_KEY', 'is not set while JWT_SIGNING_KEY_PREVIOUS is: set the current key too (README, "Trusting saml-edge from your origin")');
  }
  const metadataXml = text(env, 'IDP_METADATA_XML');
  const idpCert = text(env, 'IDP_CERT');
  const idpEntityId = text(env, 'IDP_ENTITY_ID');
  const idpSsoUrl = text(env, 'IDP_SSO_URL');
  // Single logout: Entra ID's "Logout URL" (else the SingleLogoutService of IDP_METADATA_XML).
  const idpSloUrl = text(env, 'IDP_SLO_URL');
  if (idpSloUrl !== undefined) absoluteUrl(env, 'IDP_SLO_URL', idpSloUrl);
  let idp = null; // null: demo mode
  if (metadataXml !== undefined) {
    idp = { metadataXml, ...(idpEntityId ? { entityId: idpEntityId } : {}) };
    if (idpCert !== undefined) idp.certificates = certificates(idpCert);
  } else if (idpCert !== undefined || idpEntityId !== undefined || idpSsoUrl !== undefined) {
    for (const [name, value, what] of [
      ['IDP_CERT', idpCert, 'Entra ID\'s "Certificate (Base64)" (several comma-separated during a rollover)'],
      ['IDP_ENTITY_ID', idpEntityId, 'Entra ID\'s "Microsoft Entra Identifier"'],
      ['IDP_SSO_URL', idpSsoUrl, 'Entra ID\'s "Login URL"'],
    ]) {
      if (value === undefined) throw new ConfigProblem(name, `is not set: use ${what} (or set IDP_METADATA_XML instead)`);
    }
    absoluteUrl(env, 'IDP_SSO_URL', idpSsoUrl);
    idp = { entityId: idpEntityId, ssoUrl: idpSsoUrl, certificates: certificates(idpCert) };
  }
  if (idp !== null && idpSloUrl !== undefined) idp.sloUrl = idpSloUrl;
  return {
    secrets: previous === undefined ? [secret] : [secret, previous],
    spEntityId,
    acsUrl,
    idp,
    sessionTtlSeconds: integer(env, 'SESSION_TTL_SECONDS', DEFAULT_SESSION_TTL_SECONDS, 60, 30 * 24 * 60 * 60),
    clockSkewSeconds: integer(env, 'CLOCK_SKEW_SECONDS', DEFAULT_CLOCK_SKEW_SECONDS, 0, 3600),
    allowUnsolicited: boolean(env, 'ALLOW_UNSOLICITED'),
    origin: origin === undefined ? null : absoluteUrl(env, 'ORIGIN', origin).origin,
    // Encrypted assertions (Entra ID "Token encryption").
    ...decryptionSettings(env),
    // Identity for the origin (identity-token.js, imported there) and access (access.js).
    jwtSigningKey: text(env, 'JWT_SIGNING_KEY'),
    jwtSigningKeyPrevious: text(env, 'JWT_SIGNING_KEY_PREVIOUS'),
    access: rules(() => accessRules({ emails: text(env, 'ALLOW_EMAILS'), emailDomains: text(env, 'ALLOW_EMAIL_DOMAINS'), groups: text(env, 'ALLOW_GROUPS') })),
    publicPaths: rules(() => parsePublicPaths(text(env, 'PUBLIC_PATHS'))),
    scimTokens: scimTokens(env),
    accessRequiresProvisioning: boolean(env, 'ACCESS_REQUIRES_PROVISIONING'),
    sessionRefreshSeconds: integer(env, 'SESSION_REFRESH_SECONDS', DEFAULT_SESSION_REFRESH_SECONDS, 1, 3600),
    organization: DEFAULT_ORGANIZATION,
  };
}

/** The variable behind each setting the core names in its `config_*` messages. */
const VARIABLE_OF_SETTING = {
  entity_id: 'SP_ENTITY_ID',
  acs_url: 'ACS_URL',
  clock_skew: 'CLOCK_SKEW_SECONDS',
  'idp.certificates': 'IDP_CERT',
  'idp.entity_id': 'IDP_ENTITY_ID',
  'idp.sso_url': 'IDP_SSO_URL',
  idp: 'IDP_METADATA_XML',
  idp_metadata: 'IDP_METADATA_XML',
};

/**
 * SP_DECRYPTION_KEY (+ SP_DECRYPTION_KEY_PREVIOUS during a rollover): PEM private keys that
 * decrypt EncryptedAssertions, tried in that order; SP_ENCRYPTION_CERT: the certificate(s) of
 * those keys published in the SP metadata (`KeyDescriptor use="encryption"`);
 * DECRYPT_ONLY_SIGNED_RESPONSES: decrypt only what a verified Response signature covers.
 */
function decryptionSettings(env) {
  const current = text(env, 'SP_DECRYPTION_KEY');
  const previous = text(env, 'SP_DECRYPTION_KEY_PREVIOUS');
  const certificate = text(env, 'SP_ENCRYPTION_CERT');
  const onlySigned = boolean(env, 'DECRYPT_ONLY_SIGNED_RESPONSES');
  if (current === undefined) {
    for (const [name, value] of [['SP_DECRYPTION_KEY_PREVIOUS', previous], ['SP_ENCRYPTION_CERT', certificate], ['DECRYPT_ONLY_SIGNED_RESPONSES', onlySigned || undefined]]) {
      if (value !== undefined) throw new ConfigProblem(name, 'is set without SP_DECRYPTION_KEY: first run `wrangler secret put SP_DECRYPTION_KEY` with the key');
    }
  }
  return {
    decryptionKeys: [current, previous].filter((key) => key !== undefined),
    encryptionCertificates: certificate === undefined ? [] : certificates(certificate),
    decryptOnlySignedResponses: onlySigned,
  };
}

/** The ServiceProvider options for encrypted assertions (none without a decryption key). */
function decryptionOptions(settings) {
  if (settings.decryptionKeys.length === 0) return {};
  return {
    decryptionKeys: settings.decryptionKeys,
    decryptOnlySignedResponses: settings.decryptOnlySignedResponses,
    ...(settings.encryptionCertificates.length > 0 ? { encryptionCertificates: settings.encryptionCertificates } : {}),
  };
}

/**
 * The variable behind a decryption-key or encryption-certificate error, or `null`: each key is
 * tried alone to tell SP_DECRYPTION_KEY from SP_DECRYPTION_KEY_PREVIOUS (error path only).
 */
function decryptionVariableOf(error, settings) {
  if (/encryption_certificate/.test(error.message)) return 'SP_ENCRYPTION_CERT';
  if (!/sp_decryption_key|decryption key/i.test(error.message)) return null;
  const [current, previous] = settings.decryptionKeys;
  if (previous !== undefined) {
    try {
      new ServiceProvider({ entityId: 'urn:probe', acsUrl: 'https://probe.invalid/acs', idp: { entityId: 'urn:probe', ssoUrl: 'https://probe.invalid/sso', certificates: [DEMO_IDP_CERTIFICATE_PEM] }, decryptionKeys: [current] }).free();
    } catch {
      return 'SP_DECRYPTION_KEY';
    }
    return 'SP_DECRYPTION_KEY_PREVIOUS';
  }
  return 'SP_DECRYPTION_KEY';
}

/** Which variable a ServiceProvider configuration error is about. */
function variableOf(error, settings) {
  const decryption = decryptionVariableOf(error, settings);
  if (decryption !== null) return decryption;
  const fromMetadata = settings.idp !== null && settings.idp.metadataXml !== undefined;
  if (error.code === 'config_invalid_certificate' || error.code === 'config_key_too_small') {
    return fromMetadata && settings.idp.certificates === undefined ? 'IDP_METADATA_XML' : 'IDP_CERT';
  }
  const setting = /the setting (\S+) is/.exec(error.message)?.[1];
  const variable = VARIABLE_OF_SETTING[setting];
  if (variable === 'IDP_SSO_URL' || variable === 'IDP_ENTITY_ID') return fromMetadata ? 'IDP_METADATA_XML' : variable;
  return variable ?? (fromMetadata ? 'IDP_METADATA_XML' : 'SP_ENTITY_ID');
}

/**
 * A ServiceProvider's `config_*` SamlError (with `anyCode`, any SamlError: the constructor's
 * metadata errors) as the ConfigProblem naming the variable behind it; other errors unchanged.
 */
export function asConfigProblem(error, settings, anyCode = false) {
  if (!(error instanceof SamlError) || !(anyCode || error.code.startsWith('config_'))) return error;
  return new ConfigProblem(variableOf(error, settings), `is not usable (${error.code}); the Worker log has the detail`, error.message);
}

/**
 * The Worker's configuration for one request's origin: settings plus a built ServiceProvider.
 * `demo` is true in demo mode (no IdP configured, loopback host).
 */
export function buildConfig(settings, requestUrl) {
  const acsUrl = settings.acsUrl ?? `${requestUrl.origin}/saml/acs`;
  let idp = settings.idp;
  const demo = idp === null;
  if (demo) {
    if (!isLoopback(requestUrl.hostname)) {
      throw new ConfigProblem(
        'IDP_CERT',
        'no identity provider is configured: set IDP_CERT, IDP_ENTITY_ID and IDP_SSO_URL (or IDP_METADATA_XML); the built-in demo IdP only runs on localhost',
      );
    }
    idp = {
      entityId: `${requestUrl.origin}${DEMO_IDP_PATH}`,
      ssoUrl: `${requestUrl.origin}${DEMO_IDP_PATH}`,
      certificates: [DEMO_IDP_CERTIFICATE_PEM],
    };
  }
  let sp;
  try {
    sp = new ServiceProvider({
      entityId: settings.spEntityId,
      acsUrl,
      // Published in the SP metadata: Entra ID's "Logout URL" for this application.
      sloUrl: `${new URL(acsUrl).origin}${SLO_PATH}`,
      idp,
      clockSkewSeconds: settings.clockSkewSeconds,
      allowUnsolicited: settings.allowUnsolicited,
      ...decryptionOptions(settings),
    });
    // The URLs an AuthnRequest carries are checked when one is built: build one now, so that
    // a bad IDP_SSO_URL or ACS_URL shows on every route from the start.
    sp.loginRedirect();
  } catch (error) {
    throw asConfigProblem(error, settings, true);
  }
  const idpEntityId = sp.idpEntityId;
  return Object.freeze({
    ...settings,
    sp,
    acsUrl,
    // Where the browser goes for SAML single logout (IDP_SLO_URL or the IdP metadata's), or null:
    // /logout then ends the session here only.
    idpSloUrl: demo ? null : (sp.idpSloUrl ?? null),
    demo,
    idpEntityId,
    demoCertificatePem: demo ? DEMO_IDP_CERTIFICATE_PEM : null,
    // Tokens (cookies) are valid only for this SP and this IdP.
    tokenBinding: tokenBinding({ spEntityId: settings.spEntityId, idpEntityId }),
  });
}

/** Per-isolate cache: one Config per (settings, origin). */
const configs = new Map();
const CACHE_LIMIT = 16;
/**
 * The settings and their cache key per `env` object: workerd passes the same `env` to every
 * request of an isolate, so the variables are read once, not on every page view. (A Worker
 * that mounts samlEdge() with a new `env` object per request still hits `states` by key.)
 */
const settingsOfEnv = new WeakMap();

/** The Config for `env` and `requestUrl`, built on first use. Throws ConfigProblem. */
export function configFor(env, requestUrl) {
  let known = settingsOfEnv.get(env);
  if (!known) {
    const settings = readSettings(env);
    known = { settings, key: JSON.stringify(settings) };
    settingsOfEnv.set(env, known);
  }
  const { settings } = known;
  // The ACS URL's default and the demo IdP (loopback check included) depend on the origin.
  const perOrigin = settings.acsUrl === undefined || settings.idp === null;
  const key = perOrigin ? `${known.key} ${requestUrl.origin}` : known.key;
  let config = configs.get(key);
  if (!config) {
    config = buildConfig(settings, requestUrl);
    if (configs.size >= CACHE_LIMIT) configs.clear();
    configs.set(key, config);
  }
  return config;
}

/**
 * The Worker's bindings in `env`: `assets` (static assets, ASSETS), `replay` (the replay
 * Durable Object namespace, REPLAY) and `directory` (the directory and session registry,
 * DIRECTORY); `null` when absent.
 */
export function bindingsOf(env) {
  return { assets: env.ASSETS ?? null, replay: env.REPLAY ?? null, directory: env.DIRECTORY ?? null };
}
