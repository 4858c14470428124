// The SCIM resources the directory stores (RFC 7643): the attribute definitions (published as
// /Schemas, and the one source the validation reads), reading a client's resource into the
// stored form, and shaping a stored resource for an answer (`attributes`/`excludedAttributes`).
// Pure module.
//
// What is stored is only what is defined here: unknown attributes and extension URNs are ignored,
// never stored; `null` is "absent" (Entra sends `"title": null`); readOnly attributes in a request
// are ignored. Entra's quirks are read here: `"True"`/`"False"` for booleans, a one-element array
// for a single-valued attribute.

import { getCI } from './filter.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An attribute definition (RFC 7643 §7), with the defaults filled in. */
function attr(name, type, more = {}) {
  return {
    name,
    type,
    multiValued: false,
    description: more.description ?? name,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...more,
    ...(more.subAttributes ? { subAttributes: more.subAttributes } : {}),
  };
}

const str = (name, more) => attr(name, 'string', more);

export const USER_ATTRIBUTES = Object.freeze([
  str('userName', { required: true, uniqueness: 'server', description: 'Unique identifier for the User (Entra ID: userPrincipalName). Compared case-insensitively.' }),
  attr('name', 'complex', {
    description: "The components of the user's name.",
    subAttributes: [str('formatted'), str('familyName'), str('givenName'), str('middleName'), str('honorificPrefix'), str('honorificSuffix')],
  }),
  str('displayName'),
  str('title'),
  attr('active', 'boolean', { description: 'Whether the user may sign in. false ends their sessions.' }),
  attr('emails', 'complex', {
    multiValued: true,
    description: 'E-mail addresses; a "work" address can match the SAML e-mail claim at sign-in.',
    subAttributes: [str('value'), str('display'), str('type', { canonicalValues: ['work', 'home', 'other'] }), attr('primary', 'boolean')],
  }),
]);

export const GROUP_ATTRIBUTES = Object.freeze([
  str('displayName', { required: true, uniqueness: 'server', description: 'The group name (unique, case-insensitively); shown in the session as groups.' }),
  attr('members', 'complex', {
    multiValued: true,
    description: 'The users in the group.',
    subAttributes: [
      str('value', { mutability: 'immutable', caseExact: true }),
      attr('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User'] }),
      str('type', { mutability: 'immutable', canonicalValues: ['User'] }),
    ],
  }),
]);

/** The resource types: endpoint, core schema, attributes. */
export const RESOURCE_TYPES = Object.freeze({
  User: { name: 'User', endpoint: '/Users', schema: USER_SCHEMA, attributes: USER_ATTRIBUTES, description: 'User Account' },
  Group: { name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, attributes: GROUP_ATTRIBUTES, description: 'Group' },
});

/** A client error in a resource or request: becomes a SCIM 400 (or `status`). */
export class ScimProblem extends Error {
  constructor(detail, scimType = 'invalidValue', status = 400) {
    super(detail);
    this.name = 'ScimProblem';
    this.scimType = scimType;
    this.status = status;
  }
  /** The plain form that crosses the Durable Object boundary. */
  toJSON() {
    return { status: this.status, scimType: this.scimType, detail: this.message };
  }
}

/** The definition of attribute `name` (case-insensitive) in `attributes`, or undefined. */
export function definitionOf(attributes, name) {
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}

const MAX_STRING = 4096;
const MAX_VALUES = 10000;

function simple(def, value, where) {
  switch (def.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Entra (without aadOptscim062020) sends "True" / "False".
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw new ScimProblem(`${where} must be a boolean (true or false)`);
    case 'string':
    case 'reference':
      if (typeof value !== 'string') throw new ScimProblem(`${where} must be a string`);
      if (value.length > MAX_STRING) throw new ScimProblem(`${where} is longer than ${MAX_STRING} characters`);
      return value;
    default:
      throw new ScimProblem(`${where} has an unsupported type`);
  }
}

function single(def, value, where) {
  if (def.type !== 'complex') return simple(def, value, where);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScimProblem(`${where} must be an object`);
  const out = readAttributes(def.subAttributes, value, where);
  return Object.keys(out).length === 0 ? undefined : out;
}

function one(def, value, where) {
  if (def.multiValued) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length > MAX_VALUES) throw new ScimProblem(`${where} has more than ${MAX_VALUES} values`);
    const out = list.filter((v) => v !== null).map((v, i) => single(def, v, `${where}[${i}]`)).filter((v) => v !== undefined);
    return out.length === 0 ? undefined : out;
  }
  // Entra sends some single-valued attributes as a one-element array (manager).
  if (Array.isArray(value)) {
    if (value.length !== 1) throw new ScimProblem(`${where} is single-valued`);
    [value] = value;
    if (value === null) return undefined;
  }
  return single(def, value, where);
}

/** The defined, writable attributes of `input`, read and checked; unknown ones dropped. */
export function readAttributes(attributes, input, where = '') {
  const out = {};
  for (const def of attributes) {
    if (def.mutability === 'readOnly') continue;
    const value = getCI(input, def.name);
    if (value === undefined || value === null) continue;
    const read = one(def, value, where ? `${where}.${def.name}` : def.name);
    if (read !== undefined) out[def.name] = read;
  }
  return out;
}

/**
 * A client's resource (POST/PUT body, or the result of a PATCH) as stored: the defined
 * attributes plus `externalId`. Throws ScimProblem.
 */
export function readResource(type, input) {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ScimProblem('the body must be a JSON object', 'invalidSyntax');
  }
  const { attributes } = RESOURCE_TYPES[type];
  // Attributes sent under the core schema's URN as a key are the same attributes.
  const core = getCI(input, RESOURCE_TYPES[type].schema);
  const merged = typeof core === 'object' && core !== null && !Array.isArray(core) ? { ...core, ...input } : input;
  const out = readAttributes(attributes, merged);
  const externalId = getCI(merged, 'externalId');
  if (externalId !== undefined && externalId !== null) out.externalId = simple({ type: 'string' }, externalId, 'externalId');
  for (const def of attributes) {
    if (def.required && (out[def.name] === undefined || out[def.name] === '')) {
      throw new ScimProblem(`${def.name} is required`, 'invalidValue');
    }
  }
  if (type === 'Group' && out.members) {
    for (const [i, m] of out.members.entries()) {
      if (typeof m.value !== 'string' || m.value === '') throw new ScimProblem(`members[${i}].value is required`);
    }
  }
  return out;
}

/** A parsed list of attribute names (`attributes=` / `excludedAttributes=`), lower-cased, URN of the core schema removed. */
export function attributeList(text, type) {
  if (text === null || text === undefined || text.trim() === '') return null;
  const urn = `${RESOURCE_TYPES[type].schema.toLowerCase()}:`;
  return text
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter((a) => a !== '')
    .map((a) => (a.startsWith(urn) ? a.slice(urn.length) : a));
}

const ALWAYS = new Set(['id', 'schemas']);

/**
 * `resource` with only the requested attributes (RFC 7644 §3.9): `include` keeps `id`, `schemas`
 * and the named (sub-)attributes; `exclude` removes the named ones (never `id`, `schemas`).
 */
export function project(resource, include, exclude) {
  if (include) {
    const out = {};
    for (const [key, value] of Object.entries(resource)) {
      const k = key.toLowerCase();
      if (ALWAYS.has(k) || include.includes(k)) {
        out[key] = value;
        continue;
      }
      const subs = include.filter((a) => a.startsWith(`${k}.`)).map((a) => a.slice(k.length + 1));
      if (subs.length === 0 || typeof value !== 'object' || value === null) continue;
      const pick = (v) => Object.fromEntries(Object.entries(v).filter(([s]) => subs.includes(s.toLowerCase())));
      out[key] = Array.isArray(value) ? value.map(pick) : pick(value);
    }
    return out;
  }
  if (exclude) {
    const out = {};
    for (const [key, value] of Object.entries(resource)) {
      const k = key.toLowerCase();
      if (!ALWAYS.has(k) && exclude.includes(k)) continue;
      const subs = exclude.filter((a) => a.startsWith(`${k}.`)).map((a) => a.slice(k.length + 1));
      if (subs.length > 0 && typeof value === 'object' && value !== null) {
        const drop = (v) => Object.fromEntries(Object.entries(v).filter(([s]) => !subs.includes(s.toLowerCase())));
        out[key] = Array.isArray(value) ? value.map(drop) : drop(value);
      } else {
        out[key] = value;
      }
    }
    return out;
  }
  return resource;
}

/** The /Schemas resource of a resource type. */
export function schemaResource(type, baseUrl) {
  const rt = RESOURCE_TYPES[type];
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: rt.schema,
    name: rt.name,
    description: rt.description,
    attributes: rt.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${rt.schema}` },
  };
}

/** The /ResourceTypes resource of a resource type. */
export function resourceTypeResource(type, baseUrl) {
  const rt = RESOURCE_TYPES[type];
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: [],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.name}` },
  };
}
