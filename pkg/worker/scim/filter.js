// SCIM filters and attribute paths (RFC 7644 §3.4.2.2, §3.5.2): a recursive-descent parser over
// a token stream, never string splitting. Pure module (no Worker or Durable Object imports), so
// that the Durable Object, the routes and the unit tests share it.
//
// Grammar (operators and attribute names are case-insensitive):
//   filter    = or
//   or        = and *("or" and)
//   and       = unary *("and" unary)
//   unary     = "not" "(" filter ")" / "(" filter ")" / attrExp
//   attrExp   = attrPath ["[" filter "]" ["." subAttr]] ( "pr" / compareOp compValue )
//             / attrPath "[" filter "]"                      (a valuePath)
//   attrPath  = [URN ":"] name ["." subAttr]
//   compValue = "false" / "null" / "true" / number / JSON string
// Entra sends `emails[type eq "work"].value eq "…"` (a valuePath followed by a sub-attribute):
// accepted as a comparison on the elements the bracket selects.
//
// AST: { op: 'and' | 'or', left, right } | { op: 'not', expr }
//    | { op: 'pr', path } | { op: 'valuePath', path } | { op: <compareOp>, path, value }
// path = { urn: string | null, name: string, sub: string | null, filter: AST | null }, names as
// written (compare them lower-cased).

/** Thrown for a filter or path that does not parse; `scimType` is what RFC 7644 names. */
export class FilterError extends Error {
  constructor(message, scimType = 'invalidFilter') {
    super(message);
    this.name = 'FilterError';
    this.scimType = scimType;
  }
}

/** Longest filter or path accepted (characters) and deepest nesting. */
export const MAX_FILTER_LENGTH = 2048;
const MAX_DEPTH = 16;

export const COMPARE_OPS = Object.freeze(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);

const NAME = /^[A-Za-z][A-Za-z0-9_$-]*$/;

/** Tokens: punctuation, JSON strings, and words (names, URNs, numbers, keywords). */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      tokens.push({ kind: ch, at: i });
      i += 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new FilterError(`unterminated string at ${i}`);
      let value;
      try {
        value = JSON.parse(text.slice(i, j + 1));
      } catch {
        throw new FilterError(`invalid string at ${i}`);
      }
      tokens.push({ kind: 'string', value, at: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_:.$+\-]/.test(text[j])) j += 1;
      if (j === i) throw new FilterError(`unexpected character ${JSON.stringify(ch)} at ${i}`);
      tokens.push({ kind: 'word', value: text.slice(i, j), at: i });
      i = j;
    }
  }
  return tokens;
}

/** `[URN:]name[.sub]` from one word. */
function attrPath(word, at) {
  let urn = null;
  let rest = word;
  if (/^urn:/i.test(word)) {
    const colon = word.lastIndexOf(':');
    urn = word.slice(0, colon);
    rest = word.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => NAME.test(p))) throw new FilterError(`invalid attribute path ${JSON.stringify(word)} at ${at}`);
  return { urn, name: parts[0], sub: parts[1] ?? null, filter: null };
}

function literal(token) {
  if (token === undefined) throw new FilterError('missing comparison value');
  if (token.kind === 'string') return token.value;
  if (token.kind === 'word') {
    const w = token.value.toLowerCase();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.value)) return Number(token.value);
  }
  throw new FilterError(`invalid comparison value at ${token.at}`);
}

class Parser {
  constructor(text) {
    if (typeof text !== 'string') throw new FilterError('the filter must be a string');
    if (text.length > MAX_FILTER_LENGTH) throw new FilterError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
    this.tokens = tokenize(text);
    this.i = 0;
    this.depth = 0;
  }

  peek() {
    return this.tokens[this.i];
  }

  next() {
    return this.tokens[this.i++];
  }

  keyword(word) {
    const t = this.peek();
    if (t && t.kind === 'word' && t.value.toLowerCase() === word) {
      this.i += 1;
      return true;
    }
    return false;
  }

  expect(kind) {
    const t = this.next();
    if (!t || t.kind !== kind) throw new FilterError(`expected ${JSON.stringify(kind)}${t ? ` at ${t.at}` : ' at the end'}`);
    return t;
  }

  enter() {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new FilterError(`the filter nests deeper than ${MAX_DEPTH} levels`);
  }

  filter() {
    this.enter();
    let left = this.and();
    while (this.keyword('or')) left = { op: 'or', left, right: this.and() };
    this.depth -= 1;
    return left;
  }

  and() {
    let left = this.unary();
    while (this.keyword('and')) left = { op: 'and', left, right: this.unary() };
    return left;
  }

  unary() {
    const t = this.peek();
    if (t === undefined) throw new FilterError('the filter ends where an expression was expected');
    if (t.kind === 'word' && t.value.toLowerCase() === 'not' && this.tokens[this.i + 1]?.kind === '(') {
      this.i += 2;
      const expr = this.filter();
      this.expect(')');
      return { op: 'not', expr };
    }
    if (t.kind === '(') {
      this.i += 1;
      const expr = this.filter();
      this.expect(')');
      return expr;
    }
    return this.attrExp();
  }

  /** An attribute path with an optional `[filter]` and `.sub` after it. */
  path() {
    const t = this.next();
    if (!t || t.kind !== 'word') throw new FilterError(`expected an attribute path${t ? ` at ${t.at}` : ' at the end'}`);
    const path = attrPath(t.value, t.at);
    if (this.peek()?.kind === '[') {
      if (path.sub !== null) throw new FilterError(`a value filter follows a sub-attribute at ${t.at}`);
      this.i += 1;
      path.filter = this.filter();
      this.expect(']');
      const after = this.peek();
      if (after && after.kind === 'word' && after.value.startsWith('.')) {
        const sub = after.value.slice(1);
        if (!NAME.test(sub)) throw new FilterError(`invalid sub-attribute at ${after.at}`);
        path.sub = sub;
        this.i += 1;
      }
    }
    return path;
  }

  attrExp() {
    const path = this.path();
    const t = this.peek();
    const op = t && t.kind === 'word' ? t.value.toLowerCase() : null;
    if (op === 'pr') {
      this.i += 1;
      return { op: 'pr', path };
    }
    if (COMPARE_OPS.includes(op)) {
      this.i += 1;
      return { op, path, value: literal(this.next()) };
    }
    if (path.filter !== null && path.sub === null) return { op: 'valuePath', path };
    throw new FilterError(`expected an operator after the attribute path${t ? ` at ${t.at}` : ' at the end'}`);
  }

  done() {
    const t = this.peek();
    if (t !== undefined) throw new FilterError(`unexpected ${JSON.stringify(t.value ?? t.kind)} at ${t.at}`);
  }
}

/** Parses a filter (the `filter` query parameter). Throws FilterError (`invalidFilter`). */
export function parseFilter(text) {
  const parser = new Parser(text);
  const ast = parser.filter();
  parser.done();
  return ast;
}

/** Parses a PATCH path (`attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, URN-prefixed). Throws FilterError (`invalidPath`). */
export function parsePath(text) {
  try {
    const parser = new Parser(text);
    const path = parser.path();
    parser.done();
    return path;
  } catch (error) {
    if (error instanceof FilterError) throw new FilterError(error.message, 'invalidPath');
    throw error;
  }
}

/** A value of `object` by case-insensitive key. */
export function getCI(object, name) {
  if (object === null || typeof object !== 'object') return undefined;
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

function compare(op, actual, expected) {
  if (actual === undefined || actual === null) return op === 'ne' ? expected !== null : expected === null && op === 'eq';
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'sw':
      return typeof a === 'string' && typeof e === 'string' && a.startsWith(e);
    case 'ew':
      return typeof a === 'string' && typeof e === 'string' && a.endsWith(e);
    case 'gt':
      return typeof a === typeof e && a > e;
    case 'lt':
      return typeof a === typeof e && a < e;
    case 'ge':
      return typeof a === typeof e && a >= e;
    case 'le':
      return typeof a === typeof e && a <= e;
    default:
      return false;
  }
}

/** The values `path` names in `object` (multi-valued attributes flattened). */
function valuesAt(object, path) {
  let values = getCI(object, path.name);
  if (values === undefined || values === null) return [];
  values = Array.isArray(values) ? values : [values];
  if (path.filter !== null) values = values.filter((v) => matches(path.filter, v));
  if (path.sub !== null) values = values.map((v) => getCI(v, path.sub)).filter((v) => v !== undefined && v !== null);
  return values;
}

/**
 * Whether `object` satisfies the filter `ast`, strings compared case-insensitively. Used on the
 * elements of multi-valued attributes (`emails[type eq "work"]`, `members[value eq "…"]`).
 */
export function matches(ast, object) {
  switch (ast.op) {
    case 'and':
      return matches(ast.left, object) && matches(ast.right, object);
    case 'or':
      return matches(ast.left, object) || matches(ast.right, object);
    case 'not':
      return !matches(ast.expr, object);
    case 'pr':
    case 'valuePath':
      return valuesAt(object, ast.path).some((v) => v !== '' && !(Array.isArray(v) && v.length === 0));
    default: {
      const values = valuesAt(object, ast.path);
      if (values.length === 0) return compare(ast.op, undefined, ast.value);
      return values.some((v) => compare(ast.op, v, ast.value));
    }
  }
}
