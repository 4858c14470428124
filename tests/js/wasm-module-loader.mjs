// Module hooks for register-wasm-modules.mjs: a `.wasm` import becomes a module whose default
// export is the compiled WebAssembly.Module.
export async function load(url, context, nextLoad) {
  if (!url.endsWith('.wasm')) return nextLoad(url, context);
  return {
    format: 'module',
    shortCircuit: true,
    source:
      `import { readFileSync } from 'node:fs';\n` +
      `export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));\n`,
  };
}
