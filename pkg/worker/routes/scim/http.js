// What the SCIM routes share: SCIM JSON answers and Error objects (RFC 7644 §3.12), reading a
// request body (1 MiB cap, JSON), query parameters, and rendering a directory record as a SCIM
// resource (meta with resourceType, created, lastModified, location, version).

import { boundedText } from '../../lib/body.js';
import { ERROR_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE, RESOURCE_TYPES, USER_SCHEMA, attributeList, project } from '../../scim/schema.js';

/** Largest SCIM request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** A SCIM JSON answer, never cached. */
export function scimJson(value, status = 200, headers = {}) {
  return new Response(status === 204 ? null : JSON.stringify(value), {
    status,
    headers: { 'Content-Type': SCIM_CONTENT_TYPE, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers },
  });
}

/**
 * A SCIM Error: `status` as a string, `scimType` when RFC 7644 defines one, `detail` our own
 * words (never the request's token, never a stack).
 */
export function scimError(status, detail, scimType = null, headers = {}) {
  const body = { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), ...(detail ? { detail } : {}) };
  return scimJson(body, status, headers);
}

/** The answer for a directory method's `{ error }`. */
export function fromProblem({ status, scimType, detail }) {
  return scimError(status, detail, scimType);
}

/** The JSON body of a request: `{ body }` or `{ response }` (413 over 1 MiB, 400 not JSON). */
export async function jsonBody(c) {
  const text = await boundedText(c.request, MAX_BODY_BYTES);
  if (text === null) return { response: scimError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`) };
  if (text.trim() === '') return { response: scimError(400, 'the body is empty; a JSON object is expected', 'invalidSyntax') };
  try {
    return { body: JSON.parse(text) };
  } catch (error) {
    return { response: scimError(400, `the body is not valid JSON (${error.message})`, 'invalidSyntax') };
  }
}

/** The SCIM base URL of this Worker: `https://<worker>/scim/v2`. */
export function baseUrl(c) {
  return `${c.url.origin}/scim/v2`;
}

/**
 * The query of a list or search: from the URL, or from a POST /.search body (RFC 7644 §3.4.3;
 * `attributes` there may be an array). Values are strings or null.
 */
export function queryOf(c, body = null) {
  const pick = (name) => {
    if (body === null) return c.url.searchParams.get(name);
    const value = body[name];
    if (Array.isArray(value)) return value.join(',');
    return value === undefined || value === null ? null : String(value);
  };
  return {
    filter: pick('filter'),
    startIndex: pick('startIndex'),
    count: pick('count'),
    attributes: pick('attributes'),
    excludedAttributes: pick('excludedAttributes'),
  };
}

/** An integer parameter, or `fallback` (absent or not a number). */
export function intOf(value, fallback) {
  if (value === null || !/^-?\d{1,9}$/.test(value.trim())) return fallback;
  return Number(value.trim());
}

/** `attributes` / `excludedAttributes` of a query (default: the request URL's) for resource `type`. */
export function projection(c, type, query = queryOf(c)) {
  return { include: attributeList(query.attributes, type), exclude: attributeList(query.excludedAttributes, type) };
}

/** Whether the query's projection leaves group members out (Entra: excludedAttributes=members). */
export function membersWanted({ include, exclude }) {
  if (include) return include.some((a) => a === 'members' || a.startsWith('members.'));
  if (exclude) return !exclude.includes('members');
  return true;
}

const iso = (ms) => new Date(ms).toISOString();

/** The ETag of a record. */
export function etagOf(record) {
  return `W/"${record.version}"`;
}

/** A directory record as a SCIM resource of `type` ('User' or 'Group'). */
export function render(type, record, base) {
  const location = `${base}${RESOURCE_TYPES[type].endpoint}/${record.id}`;
  const { externalId, ...data } = record.data;
  const resource = {
    schemas: [type === 'User' ? USER_SCHEMA : GROUP_SCHEMA],
    id: record.id,
    ...(externalId !== undefined ? { externalId } : {}),
    ...data,
  };
  if (type === 'Group' && record.members && record.members.length > 0) {
    resource.members = record.members.map((m) => ({ value: m.value, $ref: `${base}/Users/${m.value}`, type: 'User' }));
  }
  resource.meta = { resourceType: type, created: iso(record.created), lastModified: iso(record.modified), location, version: etagOf(record) };
  return resource;
}

/** One resource as answered (projection applied), with Location and ETag. */
export function resourceAnswer(c, type, record, status = 200) {
  const resource = render(type, record, baseUrl(c));
  const { include, exclude } = projection(c, type);
  return scimJson(project(resource, include, exclude), status, { ETag: etagOf(record), ...(status === 201 ? { Location: resource.meta.location } : {}) });
}

/** A ListResponse of `resources` (already rendered and projected). */
export function listResponse(resources, total, startIndex) {
  return scimJson({ schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources });
}
