// Reads the shared case manifest (tests/data/generated/cases.json, the one the Rust suite
// tests/generated_cases.rs runs) and runs a case through the JS API. Pure functions over data
// given in: no file system access here, so the same code runs inside workerd (see
// packaging.test.mjs) as in Node.

/** A case's effective setting: the manifest defaults overridden by the case's `config`. */
export function setting(defaults, testCase, key) {
  const config = testCase.config ?? {};
  return Object.hasOwn(config, key) ? config[key] : defaults[key];
}

const encoder = new TextEncoder();

function indexOf(haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The bytes of a `generate` recipe (inputs too large to commit), exactly as
 * tests/generated_cases.rs builds them. `file(name)` returns a file of the data set as bytes.
 */
export function generatedInput(recipe, file) {
  const count = (key) => Number(recipe[key]);
  if (recipe.kind === 'repeat') return encoder.encode(recipe.unit.repeat(count('count')));
  const base = file(recipe.base);
  const anchor = encoder.encode(recipe.anchor);
  const found = indexOf(base, anchor);
  if (found < 0) throw new Error(`recipe anchor ${recipe.anchor} not found in ${recipe.base}`);
  const at = found + anchor.length;
  let inserted;
  switch (recipe.kind) {
    case 'deep_nesting':
      inserted = `<${recipe.element}>`.repeat(count('depth')) + `</${recipe.element}>`.repeat(count('depth'));
      break;
    case 'many_attributes':
      inserted = Array.from({ length: count('count') }, (_, k) => ` ${recipe.name_prefix}${k}="urn:x:${k}"`).join('');
      break;
    case 'long_text':
      inserted = recipe.prefix + recipe.char.repeat(count('length')) + recipe.suffix;
      break;
    case 'many_elements':
      inserted = Array.from({ length: count('count') }, (_, k) => recipe.fragment.replaceAll('{i}', String(k))).join('');
      break;
    default:
      throw new Error(`unknown recipe kind ${recipe.kind}: teach tests/js/manifest.mjs (and tests/generated_cases.rs) about it`);
  }
  const middle = encoder.encode(inserted);
  const out = new Uint8Array(base.length + middle.length);
  out.set(base.subarray(0, at), 0);
  out.set(middle, at);
  out.set(base.subarray(at), at + middle.length);
  return out;
}

/** Standard base64 of bytes, in chunks (the inputs reach several megabytes). */
export function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The JS configuration of a case (what an application would pass). */
export function config(defaults, testCase, file) {
  const get = (key) => setting(defaults, testCase, key);
  return {
    entityId: get('spEntityId'),
    acsUrl: get('acsUrl'),
    idp: { entityId: get('idpEntityId'), certificates: get('idpCerts').map((name) => file(name)) },
    clockSkewSeconds: get('clockSkewSeconds') ?? 180,
    allowSha1: get('allowSha1') ?? false,
    allowUnsolicited: get('allowUnsolicited') ?? false,
    extraAudiences: get('extraAudiences') ?? [],
    // Encrypted assertions: the SP decryption keys as PEM text, tried in order.
    decryptionKeys: (get('spKeys') ?? []).map((name) => new TextDecoder().decode(file(name))),
    decryptOnlySignedResponses: get('decryptOnlySignedResponses') ?? false,
  };
}

/**
 * Runs one case with the package's `ServiceProvider`; returns `{ identity }` or `{ code, message }`.
 * XML cases are base64-encoded first: the JS API takes the POST form value, as applications do.
 */
export function runCase({ ServiceProvider, SamlError }, defaults, testCase, file) {
  const get = (key) => setting(defaults, testCase, key);
  try {
    const sp = new ServiceProvider(config(defaults, testCase, file));
    const bytes = testCase.generate ? generatedInput(testCase.generate, file) : file(testCase.file);
    const value = testCase.encoding === 'base64' ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) : toBase64(bytes);
    const identity = sp.verifyPostResponse(value, { requestId: get('requestId') ?? null, now: new Date(get('now')) });
    sp.free();
    return { identity };
  } catch (error) {
    if (!(error instanceof SamlError)) throw error;
    return { code: error.code, message: error.message, name: error.name, isError: error instanceof Error };
  }
}

/** Compares an identity with a case's expected identity (the same fields as the Rust runner). */
export function identityMismatches(identity, expected = {}) {
  const problems = [];
  for (const key of ['nameId', 'nameIdFormat', 'sessionIndex']) {
    if (expected[key] != null && identity[key] !== expected[key]) {
      problems.push(`${key}: got ${JSON.stringify(identity[key])}, expected ${JSON.stringify(expected[key])}`);
    }
  }
  for (const [name, values] of Object.entries(expected.attributes ?? {})) {
    const actual = Object.hasOwn(identity.attributes, name) ? identity.attributes[name] : undefined;
    if (JSON.stringify(actual) !== JSON.stringify(values)) {
      problems.push(`attribute ${name}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(values)}`);
    }
  }
  return problems;
}

/** Runs every case; returns `{ count, failures, outcomes }` (outcome per case name: 'valid' or a code). */
export function runManifest(api, manifest, file) {
  const failures = [];
  const outcomes = {};
  for (const testCase of manifest.cases) {
    const result = runCase(api, manifest.defaults, testCase, file);
    const outcome = result.identity ? 'valid' : result.code;
    outcomes[testCase.name] = outcome;
    if (outcome !== testCase.expect) {
      failures.push(`${testCase.name}: got ${outcome}${result.message ? ` (${result.message})` : ''}, expected ${testCase.expect}`);
    } else if (result.identity) {
      for (const p of identityMismatches(result.identity, testCase.identity ?? {})) failures.push(`${testCase.name}: ${p}`);
    } else if (result.name !== 'SamlError' || !result.isError) {
      failures.push(`${testCase.name}: the error is not a SamlError Error`);
    }
  }
  return { count: manifest.cases.length, failures, outcomes };
}
