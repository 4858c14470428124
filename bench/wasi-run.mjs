// Runs a wasm32-wasip1 build of an example under Node's WASI, with the repository as its only
// preopened directory: the wasm stage profile of the README.
//
//   cargo build --release --example stage_profile --target wasm32-wasip1
//   node --no-warnings bench/wasi-run.mjs target/wasm32-wasip1/release/examples/stage_profile.wasm
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';

const [bin, ...args] = process.argv.slice(2);
const root = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '');
const wasi = new WASI({ version: 'preview1', args: [bin, ...args], env: {}, preopens: { [root]: root } });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(bin)), wasi.getImportObject());
wasi.start(instance);
