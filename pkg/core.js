// The part of saml-edge shared by every entry point (node.js, workerd.js, browser.js): the
// public `ServiceProvider` class, `SamlError`, and recovery from a trapped WebAssembly instance.
// The entry points differ only in how they obtain the compiled module. No Node built-ins here.
//
// The wasm side (src/wasm/) converts and checks; this file only
//  - re-throws the wasm side's errors as `SamlError` instances,
//  - supplies randomness for request IDs (crypto.getRandomValues),
//  - turns a trap (`WebAssembly.RuntimeError`: a Rust panic, which must never happen on any
//    input) into `SamlError('internal_error')`, then re-instantiates the module, so that one bad
//    request cannot leave the instance (a Worker's isolate) broken for every request after it.

import initAsync, {
  initSync as initGlueSync,
  WasmServiceProvider,
  __samlEdgeTrap,
  __samlEdgeMemoryBytes,
  __wbg_reset_state as resetInstance,
} from './saml_edge.js';

/** Module state: ready once instantiated; `generation` counts re-instantiations. */
const state = { ready: false, generation: 0, broken: false };

/** Random bytes for an AuthnRequest ID (128 bits, as the core requires at least). */
const REQUEST_ID_BYTES = 16;

/**
 * A rejected response, request or configuration. `code` is stable (the same as the Rust API and
 * the CLI); `message` is for administrators and logs and may quote the document: never show it
 * to end users.
 */
export class SamlError extends Error {
  /**
   * @param {string} code stable snake_case code
   * @param {string} message explanation for the administrator
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    /** @type {string} */
    this.code = code;
  }
}
Object.defineProperty(SamlError.prototype, 'name', {
  value: 'SamlError',
  writable: true,
  configurable: true,
});

/**
 * Instantiates the module from a compiled `WebAssembly.Module` (or its bytes), once.
 * @param {WebAssembly.Module | ArrayBuffer | ArrayBufferView} module
 */
export function initSync(module) {
  if (state.ready) return;
  initGlueSync({ module });
  state.ready = true;
}

/**
 * Instantiates the module asynchronously (browsers): from a URL, a `Response`, bytes or a
 * compiled module, once. Concurrent calls share one instantiation.
 * @param {unknown} input
 */
export async function initAsyncOnce(input) {
  if (state.ready) return;
  await initAsync({ module_or_path: await input });
  state.ready = true;
}

/** Runs `fn` against the instance, translating its failures (see the file comment). */
function run(fn) {
  if (!state.ready) {
    throw new Error(
      'saml-edge: the WebAssembly module is not loaded yet; `await init()` first ' +
        '(only needed with the browser entry point)',
    );
  }
  if (state.broken) {
    reset();
    if (state.broken) {
      throw new SamlError('internal_error', 'saml-edge could not re-initialise its WebAssembly instance after a trap');
    }
  }
  try {
    return fn();
  } catch (error) {
    throw translate(error);
  }
}

function translate(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    reset();
    return new SamlError(
      'internal_error',
      `saml-edge trapped (${error.message}) and was re-initialised; this is a bug, please ` +
        'report it with the input that caused it',
      { cause: error },
    );
  }
  if (error instanceof Error && error.name === 'SamlError' && typeof error.code === 'string') {
    return new SamlError(error.code, error.message);
  }
  return error;
}

/** A trapped instance may be in any state: replace it. Handles of the old one are abandoned. */
function reset() {
  state.generation += 1;
  try {
    resetInstance();
    state.broken = false;
  } catch {
    state.broken = true; // try again before the next call
  }
}

const utf8 = new TextEncoder();

/**
 * A string `SAMLResponse` value as UTF-8 bytes for the module. wasm-bindgen copies a string
 * argument into wasm memory one UTF-16 unit at a time in JS; `TextEncoder` does it natively
 * (about 5 % of a 5 KB verification). Cut like the module cuts a string (one unit over its
 * limit is enough for `limit_exceeded`), so a huge value is never encoded whole. Anything else
 * goes through as it is, for the module to accept or refuse.
 */
function formValue(raw, value) {
  if (typeof value !== 'string') return value;
  const cap = raw.maxInputBytes + 1;
  return utf8.encode(value.length > cap ? value.slice(0, cap) : value);
}

function structuredCopy(value) {
  try {
    return structuredClone(value);
  } catch {
    return value; // not cloneable: the wasm side refuses what it cannot read
  }
}

/**
 * A configured SAML service provider. Build it once (at start-up) and reuse it for every request.
 * See index.d.ts for the configuration and the methods.
 */
export class ServiceProvider {
  #config;
  #raw = null;
  /** The configured decryption keys imported into WebCrypto (verifyPostResponseAsync). */
  #cryptoKeys = null;
  #generation = -1;

  /** @param {object} config */
  constructor(config) {
    // Kept (as a copy) to rebuild the wasm-side object after a re-initialisation.
    this.#config = structuredCopy(config);
    run(() => this.#handle());
  }

  #handle() {
    if (this.#raw === null || this.#generation !== state.generation) {
      // A handle from an earlier instance points into memory that no longer exists: drop it
      // without calling free().
      this.#raw = null;
      this.#raw = new WasmServiceProvider(this.#config);
      this.#generation = state.generation;
    }
    return this.#raw;
  }

  /** Verifies the HTTP-POST binding's `SAMLResponse` form value; returns the identity. */
  verifyPostResponse(samlResponse, options) {
    return run(() => {
      const raw = this.#handle();
      return raw.verifyPostResponse(formValue(raw, samlResponse), options);
    });
  }

  /**
   * `verifyPostResponse`, with the RSA-OAEP unwrap of an encrypted assertion done by WebCrypto
   * (BoringSSL in Workers, OpenSSL in Node) instead of the WebAssembly module: every check up to
   * the unwrap runs in the module, WebCrypto tries every decryption key on every EncryptedKey,
   * and the module finishes with the content key. WebCrypto has one hash for OAEP and MGF1, so
   * an EncryptedKey whose two hashes differ (xenc11 rsa-oaep, SHA-256 with MGF1-SHA-1) and a
   * runtime without `crypto.subtle` take the module's own (blinded) unwrap. Same results and
   * codes as `verifyPostResponse`.
   */
  async verifyPostResponseAsync(samlResponse, options) {
    const request = run(() => {
      const raw = this.#handle();
      return raw.keyUnwrapRequest(formValue(raw, samlResponse), options);
    });
    const subtle = globalThis.crypto?.subtle;
    if (request === null || !subtle || request.keys.some((k) => k.hash !== k.mgfHash)) {
      return this.verifyPostResponse(samlResponse, options);
    }
    const keys = await this.#webCryptoKeys(options, request.keys.map((k) => k.hash));
    let contentKey = null;
    // Every key on every EncryptedKey, whatever succeeds first (no early exit to time).
    for (const key of keys) {
      for (const wrapped of request.keys) {
        try {
          const unwrapped = new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, key[wrapped.hash], wrapped.ciphertext));
          if (contentKey === null) contentKey = unwrapped;
        } catch {
          // not this key: the module takes a missing key like a wrong one
        }
      }
    }
    return run(() => {
      const raw = this.#handle();
      return raw.verifyPostResponseWithContentKey(formValue(raw, samlResponse), options, contentKey);
    });
  }

  /** The decryption keys as non-extractable WebCrypto keys, one per OAEP hash needed. */
  async #webCryptoKeys(options, hashes) {
    const perCall = options != null && options.decryptionKeys != null;
    if (!perCall && this.#cryptoKeys !== null) return this.#cryptoKeys;
    const ders = run(() => this.#handle().decryptionKeysPkcs8(options));
    const keys = await Promise.all(
      ders.map(async (der) => {
        const byHash = {};
        for (const hash of new Set(['SHA-1', 'SHA-256', ...hashes])) {
          byHash[hash] = await globalThis.crypto.subtle.importKey('pkcs8', der, { name: 'RSA-OAEP', hash }, false, ['decrypt']);
        }
        der.fill(0);
        return byHash;
      }),
    );
    if (!perCall) this.#cryptoKeys = keys;
    return keys;
  }

  /** Runs every check of `verifyPostResponse` (also on raw XML) and reports each outcome. */
  inspect(samlResponse, options) {
    return run(() => {
      const raw = this.#handle();
      return raw.inspect(formValue(raw, samlResponse), options);
    });
  }

  /** A new AuthnRequest for the HTTP-Redirect binding: `{ url, requestId }`. */
  loginRedirect(options) {
    return run(() => this.#handle().loginRedirect(options, randomBytes()));
  }

  /** A new AuthnRequest for the HTTP-POST binding: `{ html, requestId }`. */
  loginPostForm(options) {
    return run(() => this.#handle().loginPostForm(options, randomBytes()));
  }

  /** A LogoutRequest for the HTTP-Redirect binding: `{ url, requestId }`. */
  logoutRequestUrl(options) {
    return run(() => this.#handle().logoutRequestUrl(options, randomBytes()));
  }

  /** A LogoutResponse for the HTTP-Redirect binding: `{ url, requestId }` (the response's ID). */
  logoutResponseUrl(options) {
    return run(() => this.#handle().logoutResponseUrl(options, randomBytes()));
  }

  /**
   * Verifies the IdP's LogoutRequest: the raw query string exactly as received (HTTP-Redirect),
   * or the POST form's `{ SAMLRequest, RelayState }` (HTTP-POST).
   */
  async verifyLogoutRequest(input, options) {
    if (isPostForm(input)) {
      return run(() => this.#handle().verifyLogoutRequestPost(input.SAMLRequest, input.RelayState ?? undefined, options));
    }
    const inflated = await this.#inflateRedirect(input);
    return run(() => this.#handle().verifyLogoutRequest(input, inflated, options));
  }

  /** Verifies the IdP's LogoutResponse to `options.requestId` (a raw query, or `{ SAMLResponse, RelayState }`). */
  async verifyLogoutResponse(input, options) {
    if (isPostForm(input)) {
      return run(() => this.#handle().verifyLogoutResponsePost(input.SAMLResponse, input.RelayState ?? undefined, options));
    }
    const inflated = await this.#inflateRedirect(input);
    return run(() => this.#handle().verifyLogoutResponse(input, inflated, options));
  }

  /**
   * The message of an HTTP-Redirect query, inflated. The module checks the query and hands out
   * the still-DEFLATEd message; the platform's DecompressionStream inflates it (the module has
   * no DEFLATE decoder: 7 KB of .wasm), stopping at the module's `maxInflatedBytes`. The module
   * then verifies the same query with this text.
   */
  async #inflateRedirect(query) {
    const deflated = run(() => this.#handle().redirectMessageDeflated(query));
    return inflateRaw(deflated, run(() => this.#handle().maxInflatedBytes));
  }

  /** The SP metadata XML to upload to the IdP. */
  metadata() {
    return run(() => this.#handle().metadata());
  }

  /** The configured IdP's entity ID (from `idp.entityId` or its metadata). */
  get idpEntityId() {
    return run(() => this.#handle().idpEntityId);
  }

  /** The configured IdP's SingleLogoutService URL from its metadata, or `undefined`. */
  get idpSloUrl() {
    return run(() => this.#handle().idpSloUrl);
  }

  /** Releases the wasm memory now instead of at garbage collection. The object stays usable. */
  free() {
    if (this.#raw !== null && this.#generation === state.generation) this.#raw.free();
    this.#raw = null;
  }
}

/** An HTTP-POST logout message: the form's values as an object (a query string is a string). */
function isPostForm(input) {
  return typeof input === 'object' && input !== null && !ArrayBuffer.isView(input);
}

/**
 * Inflates raw DEFLATE (RFC 1951) with the platform's DecompressionStream (browsers, Node 18+,
 * Workers), reading at most `maxBytes`: beyond, `limit_exceeded` (the work stops there, so a
 * DEFLATE bomb costs at most the cap); corrupt or truncated data, `invalid_deflate`. The same
 * codes and messages as the Rust decoder. (Bytes after the final block are not detected here;
 * the query signature covers them.)
 */
async function inflateRaw(deflated, maxBytes) {
  const reader = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw new SamlError(
          'limit_exceeded',
          `the message exceeds the limit \`max_inflated_bytes\` (${maxBytes}); raise it in Limits only if a legitimate IdP really sends such messages`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof SamlError) throw error;
    throw new SamlError('invalid_deflate', 'the message is not valid raw DEFLATE data (HTTP-Redirect binding)', { cause: error });
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function randomBytes() {
  return globalThis.crypto.getRandomValues(new Uint8Array(REQUEST_ID_BYTES));
}

/**
 * Not part of the API (not exported by the entry points): traps the instance the way a Rust
 * panic would, through the same path as every method, so tests can check the recovery.
 */
export function __trapForTests() {
  return run(() => __samlEdgeTrap());
}

/** Not part of the API: the size of the instance's memory, in bytes (for tests). */
export function __memoryBytesForTests() {
  return run(() => __samlEdgeMemoryBytes());
}
