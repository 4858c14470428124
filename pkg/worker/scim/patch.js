// SCIM PATCH (RFC 7644 §3.5.2) as Entra sends it, both modes: `normalisePatch` turns a PatchOp
// body into plain operations `{ op: 'add'|'replace'|'remove', path, value }` (path parsed, or
// null), and `applyPatch` applies them to a stored resource. The result is read again by
// schema.js `readResource` (types checked, unknown attributes dropped), so a PATCH can never
// store what a POST could not. Pure module.
//
// Entra's shapes accepted: `Add`/`Replace`/`Remove` (any case); path-less add/replace whose value
// has dotted keys (`name.givenName`), value-path keys (`emails[type eq "work"].value`) and the
// core schema URN as a key (extension URNs are ignored: not stored); `emails[type eq "work"].value`
// paths (a replace with no such element adds one); member removal by a value list
// (`{"op":"Remove","path":"members","value":[{"value":"<id>"}]}`) and by `members[value eq "<id>"]`;
// `"$ref": null`; stray top-level `id` and per-operation `name` keys.

import { FilterError, getCI, matches, parsePath } from './filter.js';
import { RESOURCE_TYPES, ScimProblem, definitionOf } from './schema.js';

/** Most operations in one PATCH. */
export const MAX_OPERATIONS = 1000;

const OPS = new Set(['add', 'replace', 'remove']);

function pathOf(text) {
  try {
    return parsePath(text);
  } catch (error) {
    if (error instanceof FilterError) throw new ScimProblem(`invalid path ${JSON.stringify(text)}: ${error.message}`, 'invalidPath');
    throw error;
  }
}

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The operations of a PatchOp body, with path-less add/replace expanded into one operation per
 * key. Throws ScimProblem (`invalidSyntax`, `invalidPath`, `noTarget`).
 * @param {string} coreSchema the resource type's core schema URN (keys under it are core attributes)
 */
export function normalisePatch(body, coreSchema) {
  if (!isObject(body)) throw new ScimProblem('the body must be a JSON object (a PatchOp)', 'invalidSyntax');
  const operations = getCI(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimProblem('Operations must be a non-empty array', 'invalidSyntax');
  }
  if (operations.length > MAX_OPERATIONS) throw new ScimProblem(`more than ${MAX_OPERATIONS} operations`, 'tooMany');
  const out = [];
  for (const [i, operation] of operations.entries()) {
    if (!isObject(operation)) throw new ScimProblem(`Operations[${i}] must be an object`, 'invalidSyntax');
    const rawOp = getCI(operation, 'op');
    const op = typeof rawOp === 'string' ? rawOp.toLowerCase() : null;
    if (!OPS.has(op)) throw new ScimProblem(`Operations[${i}].op must be add, replace or remove`, 'invalidSyntax');
    const rawPath = getCI(operation, 'path');
    const value = getCI(operation, 'value');
    if (rawPath !== undefined && rawPath !== null && rawPath !== '') {
      if (typeof rawPath !== 'string') throw new ScimProblem(`Operations[${i}].path must be a string`, 'invalidPath');
      if (op !== 'remove' && value === undefined) throw new ScimProblem(`Operations[${i}] has no value`, 'invalidSyntax');
      out.push({ op, path: pathOf(rawPath), value });
      continue;
    }
    if (op === 'remove') throw new ScimProblem(`Operations[${i}]: remove needs a path`, 'noTarget');
    if (!isObject(value)) throw new ScimProblem(`Operations[${i}]: without a path, value must be an object`, 'invalidSyntax');
    expand(op, value, coreSchema, out);
  }
  return out;
}

/** One operation per key of a path-less add/replace value. */
function expand(op, value, coreSchema, out) {
  for (const [key, v] of Object.entries(value)) {
    if (/^urn:/i.test(key)) {
      // The core schema's URN as a key holds core attributes; `urn:…:User:attr` names one.
      if (key.toLowerCase() === coreSchema.toLowerCase()) {
        if (isObject(v)) expand(op, v, coreSchema, out);
        continue;
      }
      if (key.toLowerCase().startsWith(`${coreSchema.toLowerCase()}:`)) out.push({ op, path: pathOf(key), value: v });
      continue; // extension attributes are not stored
    }
    out.push({ op, path: pathOf(key), value: v });
  }
}

function clone(value) {
  return value === undefined ? undefined : structuredClone(value);
}

function asList(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The equality a simple value filter states (`type eq "work"` -> {type: 'work'}), for a new element. */
function seedOf(filter) {
  if (filter.op === 'eq' && filter.path.sub === null && filter.path.filter === null) return { [filter.path.name]: filter.value };
  if (filter.op === 'and') {
    const l = seedOf(filter.left);
    const r = seedOf(filter.right);
    return l && r ? { ...l, ...r } : null;
  }
  return null;
}

/** Same element of a multi-valued attribute: same `value` (members by id), else deep-equal. */
function sameElement(a, b) {
  const va = getCI(a, 'value');
  const vb = getCI(b, 'value');
  if (va !== undefined && vb !== undefined) return va === vb;
  return JSON.stringify(a) === JSON.stringify(b);
}

function setKey(object, name, value) {
  for (const key of Object.keys(object)) if (key.toLowerCase() === name.toLowerCase() && key !== name) delete object[key];
  if (value === undefined) delete object[name];
  else object[name] = value;
}

/** Applies one operation to `resource` (mutated). */
function applyOne(resource, attributes, { op, path, value }, coreSchema) {
  if (path.urn !== null && path.urn.toLowerCase() !== coreSchema.toLowerCase()) return; // extension: not stored
  const def = definitionOf(attributes, path.name);
  const isExternalId = path.name.toLowerCase() === 'externalid';
  if (!def && !isExternalId) return; // unknown (or id/meta): ignored, as on POST
  const name = def ? def.name : 'externalId';
  if (def?.mutability === 'readOnly') return;
  const current = clone(resource[name]);

  if (path.filter === null && path.sub === null) {
    if (op === 'remove') {
      if (def?.multiValued && value !== undefined && value !== null) {
        // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]}
        const drop = asList(value);
        setKey(resource, name, asList(current).filter((e) => !drop.some((d) => sameElement(e, d))));
      } else {
        setKey(resource, name, undefined);
      }
    } else if (def?.multiValued) {
      if (op === 'replace') setKey(resource, name, clone(asList(value)));
      else {
        const list = asList(current);
        for (const v of asList(value)) if (!list.some((e) => sameElement(e, v))) list.push(clone(v));
        setKey(resource, name, list);
      }
    } else if (def?.type === 'complex' && op === 'add' && isObject(current) && isObject(value)) {
      setKey(resource, name, { ...current, ...clone(value) });
    } else {
      setKey(resource, name, clone(value));
    }
    return;
  }

  if (!def || def.type !== 'complex') throw new ScimProblem(`${path.name} has no sub-attributes`, 'invalidPath');
  const sub = path.sub === null ? null : definitionOf(def.subAttributes, path.sub)?.name ?? path.sub;

  if (!def.multiValued) {
    if (path.filter !== null) throw new ScimProblem(`${def.name} is single-valued: no value filter`, 'invalidPath');
    const object = isObject(current) ? current : {};
    if (op === 'remove') setKey(object, sub, undefined);
    else setKey(object, sub, clone(value));
    setKey(resource, name, Object.keys(object).length ? object : undefined);
    return;
  }

  const list = asList(current).map((e) => (isObject(e) ? e : { value: e }));
  const selected = path.filter === null ? list : list.filter((e) => matches(path.filter, e));
  if (op === 'remove') {
    let kept;
    if (sub === null) kept = list.filter((e) => !selected.includes(e));
    else {
      for (const e of selected) setKey(e, sub, undefined);
      kept = list.filter((e) => !selected.includes(e) || (Object.keys(e).length > 0 && getCI(e, 'value') !== undefined));
    }
    setKey(resource, name, kept);
    return;
  }
  if (selected.length === 0) {
    // Entra: replace emails[type eq "work"].value on a user without a work address adds one.
    const seed = path.filter === null ? {} : seedOf(path.filter);
    if (seed === null) throw new ScimProblem(`no ${def.name} value matches the path's filter`, 'noTarget');
    const element = sub === null ? { ...seed, ...(isObject(value) ? clone(value) : {}) } : { ...seed, [sub]: clone(value) };
    list.push(element);
  } else {
    for (const e of selected) {
      if (sub !== null) setKey(e, sub, clone(value));
      else if (isObject(value)) {
        if (op === 'replace') for (const k of Object.keys(e)) delete e[k];
        Object.assign(e, clone(value));
      } else throw new ScimProblem(`the value for ${def.name}[…] must be an object`, 'invalidValue');
    }
  }
  setKey(resource, name, list);
}

/**
 * `resource` (a stored resource of `type`) with the operations applied; the caller reads the
 * result with `readResource` again. Throws ScimProblem.
 */
export function applyPatch(type, resource, operations) {
  const { attributes, schema } = RESOURCE_TYPES[type];
  const out = structuredClone(resource);
  for (const operation of operations) applyOne(out, attributes, operation, schema);
  return out;
}
