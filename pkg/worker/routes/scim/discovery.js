// SCIM discovery (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes, /Schemas. What they
// publish is what the directory stores (scim/schema.js), so a client that fills every published
// attribute gets each one back.

import { MAX_COUNT } from '../../do/directory.js';
import { RESOURCE_TYPES, resourceTypeResource, schemaResource } from '../../scim/schema.js';
import { baseUrl, listResponse, scimError, scimJson } from './http.js';

/** GET /ServiceProviderConfig. */
export function serviceProviderConfig(c) {
  return scimJson({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/saml-edge/saml-edge#automated-user-provisioning',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'Authorization: Bearer <one of SCIM_TOKEN> (Entra ID: "Secret Token")',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl(c)}/ServiceProviderConfig` },
  });
}

/** GET /ResourceTypes[/{name}]. */
export function resourceTypes(c, name) {
  const base = baseUrl(c);
  if (name === null) {
    const all = Object.keys(RESOURCE_TYPES).map((t) => resourceTypeResource(t, base));
    return listResponse(all, all.length, 1);
  }
  if (!Object.hasOwn(RESOURCE_TYPES, name)) return scimError(404, `no resource type ${name}`);
  return scimJson(resourceTypeResource(name, base));
}

/** GET /Schemas[/{urn}]. */
export function schemas(c, id) {
  const base = baseUrl(c);
  const all = Object.keys(RESOURCE_TYPES).map((t) => schemaResource(t, base));
  if (id === null) return listResponse(all, all.length, 1);
  const one = all.find((s) => s.id === id);
  return one ? scimJson(one) : scimError(404, `no schema ${id}`);
}
