// saml-edge for Cloudflare Workers (the `workerd` export condition). Workers forbid compiling
// WebAssembly at run time: wrangler (and Miniflare's CompiledWasm rule) turn this import into a
// precompiled WebAssembly.Module, which is instantiated synchronously here, once per isolate.
import wasmModule from './saml_edge_bg.wasm';
import { initSync } from './core.js';

initSync(wasmModule);

export { ServiceProvider, SamlError, initSync } from './core.js';

/** Nothing to wait for in Workers (the module is instantiated at import); kept for portable code. */
export async function init() {}
