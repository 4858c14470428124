// SCIM 2.0 provisioning endpoint, /scim/v2 (RFC 7643/7644, as Microsoft Entra ID's provisioning
// service uses it): the 'scim' guard (SCIM_TOKEN set, else 404; a bearer token from it, else a 401
// SCIM error) and the dispatch to users, groups and discovery. Every answer is
// application/scim+json; errors are SCIM Error objects.

import { ConfigProblem } from '../../config.js';
import { registryFor } from '../../registry.js';
import { tokenAccepted } from '../../scim/auth.js';
import { serviceProviderConfig, resourceTypes, schemas } from './discovery.js';
import { groups } from './groups.js';
import { scimError } from './http.js';
import { users } from './users.js';

const BASE = '/scim/v2';
const READ = ['GET', 'HEAD'];
const ENDPOINTS = ['Users', 'Groups', 'ServiceProviderConfig', 'ResourceTypes', 'Schemas'];

/** The 'scim' guard: a Response when it stops the request. */
export async function scimGuard(c) {
  if (c.config.scimTokens === null) return new Response('Not found', { status: 404 });
  if (await tokenAccepted(c.request.headers.get('Authorization'), c.config.scimTokens)) return null;
  c.log('scim_unauthorized', { path: c.url.pathname, method: c.request.method });
  return scimError(401, 'a valid bearer token is required (Authorization: Bearer <SCIM_TOKEN>)', null, {
    'WWW-Authenticate': 'Bearer realm="saml-edge SCIM"',
  });
}

function onlyRead(c, answer) {
  if (READ.includes(c.request.method)) return answer();
  return scimError(405, `${c.request.method} is not allowed here (GET)`, null, { Allow: 'GET' });
}

/** Decodes one path segment; `null` when it is malformed. */
function segment(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Every request under /scim/: a failure is a SCIM 500 (the log has the detail), never a page. */
export async function scim(c) {
  try {
    const response = await dispatch(c);
    // An audit line per change (never the body: it holds personal data).
    if (!READ.includes(c.request.method)) c.log('scim', { method: c.request.method, path: c.url.pathname, status: response.status });
    return response;
  } catch (error) {
    if (error instanceof ConfigProblem) {
      c.log('configuration_error', { variable: error.variable, detail: error.message });
      return scimError(500, `the Worker is misconfigured (${error.variable}); the Worker log has the detail`);
    }
    c.log('internal_error', { detail: String(error?.stack ?? error), path: c.url.pathname });
    return scimError(500, 'internal error; the Worker log has the detail');
  }
}

async function dispatch(c) {
  const path = c.url.pathname;
  if (path !== BASE && !path.startsWith(`${BASE}/`)) return scimError(404, 'the SCIM base URL is /scim/v2');
  const parts = path.slice(BASE.length).split('/').filter((p) => p !== '').map(segment);
  if (parts.includes(null) || parts.length === 0 || parts.length > 2) return scimError(404, 'no such SCIM endpoint');
  const [name, id = null] = parts;
  // Endpoint names as RFC 7644 spells them; some clients send them lower-cased.
  const collection = ENDPOINTS.find((e) => e.toLowerCase() === name.toLowerCase()) ?? name;
  switch (collection) {
    case '.search':
      // RFC 7644 §3.4.3: searching several resource types at once is optional.
      return scimError(501, 'search across resource types is not supported: POST /Users/.search or /Groups/.search');
    case 'Users':
      return users(c, registryFor(c), id);
    case 'Groups':
      return groups(c, registryFor(c), id);
    case 'ServiceProviderConfig':
      return id === null ? onlyRead(c, () => serviceProviderConfig(c)) : scimError(404, 'no such SCIM endpoint');
    case 'ResourceTypes':
      return onlyRead(c, () => resourceTypes(c, id));
    case 'Schemas':
      return onlyRead(c, () => schemas(c, id));
    default:
      return scimError(404, 'no such SCIM endpoint');
  }
}
