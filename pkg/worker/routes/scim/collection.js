// The five operations of a SCIM collection (RFC 7644 §3.2–3.6) over the directory Durable
// Object, shared by /Users and /Groups: list (filter, startIndex/count, attributes), GET, POST,
// PUT, PATCH, DELETE. Each mutation is one directory call (all-or-nothing there); the request is
// read and parsed here first, so a malformed one never reaches the directory.

import { DEFAULT_COUNT, MAX_COUNT } from '../../do/directory.js';
import { FilterError, parseFilter } from '../../scim/filter.js';
import { normalisePatch } from '../../scim/patch.js';
import { RESOURCE_TYPES, ScimProblem, project } from '../../scim/schema.js';
import { baseUrl, fromProblem, intOf, jsonBody, listResponse, membersWanted, projection, queryOf, render, resourceAnswer, scimError } from './http.js';

/** The answer to a directory method's result. */
function answer(c, type, result, status = 200) {
  if (result.error) return fromProblem(result.error);
  return resourceAnswer(c, type, result.record, status);
}

/** GET /{collection}?filter=&startIndex=&count=&attributes=&excludedAttributes= (or POST /{collection}/.search) */
export async function list(c, type, dir, method, query) {
  let filter = null;
  const text = query.filter;
  if (text !== null && text.trim() !== '') {
    try {
      filter = parseFilter(text);
    } catch (error) {
      if (error instanceof FilterError) return scimError(400, `invalid filter: ${error.message}`, 'invalidFilter');
      throw error;
    }
  }
  const startIndex = Math.max(1, intOf(query.startIndex, 1));
  const count = Math.min(MAX_COUNT, Math.max(0, intOf(query.count, DEFAULT_COUNT)));
  const shape = projection(c, type, query);
  const result = await dir[method]({ filter, startIndex, count, withMembers: membersWanted(shape) });
  if (result.error) return fromProblem(result.error);
  const base = baseUrl(c);
  const resources = result.records.map((r) => project(render(type, r, base), shape.include, shape.exclude));
  return listResponse(resources, result.total, startIndex);
}

/** The PatchOp operations of the request, or `{ response }`. */
async function patchOperations(c, type) {
  const read = await jsonBody(c);
  if (read.response) return read;
  try {
    return { operations: normalisePatch(read.body, RESOURCE_TYPES[type].schema) };
  } catch (error) {
    if (error instanceof ScimProblem) return { response: fromProblem(error.toJSON()) };
    throw error;
  }
}

/** Dispatches one request on a collection: `id` is null for the collection itself. */
export async function collection(c, { type, dir, methods }, id) {
  const method = c.request.method;
  const ifMatch = c.request.headers.get('If-Match');
  if (id === null) {
    if (method === 'GET') return list(c, type, dir, methods.list, queryOf(c));
    if (method === 'POST') {
      const read = await jsonBody(c);
      if (read.response) return read.response;
      return answer(c, type, await dir[methods.create](read.body, c.now), 201);
    }
    return scimError(405, `${method} is not allowed on ${RESOURCE_TYPES[type].endpoint} (GET, POST)`, null, { Allow: 'GET, POST' });
  }
  if (id === '.search') {
    if (method !== 'POST') return scimError(405, '/.search takes POST', null, { Allow: 'POST' });
    const read = await jsonBody(c);
    if (read.response) return read.response;
    if (typeof read.body !== 'object' || read.body === null || Array.isArray(read.body)) {
      return scimError(400, 'the body must be a SearchRequest object', 'invalidSyntax');
    }
    return list(c, type, dir, methods.list, queryOf(c, read.body));
  }
  const options = { withMembers: membersWanted(projection(c, type)) };
  switch (method) {
    case 'GET': {
      const result = await dir[methods.get](id, options);
      if (result.error) return fromProblem(result.error);
      const inm = c.request.headers.get('If-None-Match');
      if (inm !== null && inm.split(',').map((t) => t.trim()).includes(`W/"${result.record.version}"`)) {
        return new Response(null, { status: 304, headers: { ETag: `W/"${result.record.version}"` } });
      }
      return resourceAnswer(c, type, result.record);
    }
    case 'PUT': {
      const read = await jsonBody(c);
      if (read.response) return read.response;
      return answer(c, type, await dir[methods.replace](id, read.body, c.now, ifMatch, options));
    }
    case 'PATCH': {
      const read = await patchOperations(c, type);
      if (read.response) return read.response;
      // Groups: 204 (Entra: "Returning a body with a list of all the members isn't advisable"),
      // unless the client asked for attributes; then the members are not even read.
      const asked = c.url.searchParams.has('attributes') || c.url.searchParams.has('excludedAttributes');
      const quiet = type === 'Group' && !asked;
      const result = await dir[methods.patch](id, read.operations, c.now, ifMatch, quiet ? { withMembers: false } : options);
      if (result.error) return fromProblem(result.error);
      if (quiet) return new Response(null, { status: 204, headers: { ETag: `W/"${result.record.version}"` } });
      return resourceAnswer(c, type, result.record);
    }
    case 'DELETE': {
      const result = await dir[methods.delete](id, c.now, ifMatch);
      return result.error ? fromProblem(result.error) : new Response(null, { status: 204 });
    }
    default:
      return scimError(405, `${method} is not allowed on a ${type} (GET, PUT, PATCH, DELETE)`, null, { Allow: 'GET, PUT, PATCH, DELETE' });
  }
}
