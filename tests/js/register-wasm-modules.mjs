// `node --import ./tests/js/register-wasm-modules.mjs`: makes `import m from './x.wasm'` yield a
// compiled WebAssembly.Module, as wrangler's CompiledWasm rule does in workerd, so the package's
// `workerd` entry point can run under Node with `--conditions=workerd`.
import { register } from 'node:module';

register('./wasm-module-loader.mjs', import.meta.url);
