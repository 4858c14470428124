// saml-edge for browsers and bundlers (the `browser` and `default` export conditions). Call
// `await init()` once before using ServiceProvider. By default the .wasm is fetched from next to
// this file: `new URL('./saml_edge_bg.wasm', import.meta.url)` is the pattern Vite, webpack 5
// and Parcel recognise and copy into the build. With esbuild (which does not), import the file
// yourself (`import wasmUrl from 'saml-edge/saml_edge_bg.wasm'` with `--loader:.wasm=file`) and
// pass it: `await init(wasmUrl)`.
import { initAsyncOnce } from './core.js';

export { ServiceProvider, SamlError, initSync } from './core.js';

/**
 * Loads the WebAssembly module (once; later calls return at once).
 * @param {URL | string | Request | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module
 *   | Promise<URL | string | Request | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module>} [input]
 */
export function init(input) {
  return initAsyncOnce(input ?? new URL('./saml_edge_bg.wasm', import.meta.url));
}
