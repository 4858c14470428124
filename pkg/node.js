// saml-edge for Node (the `node` export condition): loads the .wasm next to this file
// synchronously at import, so the API is usable right away.
import { readFileSync } from 'node:fs';
import { initSync } from './core.js';

initSync(new WebAssembly.Module(readFileSync(new URL('./saml_edge_bg.wasm', import.meta.url))));

export { ServiceProvider, SamlError, initSync } from './core.js';

/** Nothing to wait for in Node (the module is loaded at import); kept for portable code. */
export async function init() {}
