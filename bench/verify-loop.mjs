// The npm package alone: `verifyPostResponse` of the 5 KB Entra-shaped response in a loop, one
// process, after a warm-up; prints the median and the 10th percentile. For before/after
// comparisons of a change to the wasm path (build each package, then run this against each in
// turn), and for V8 CPU profiles:
//
//   node bench/verify-loop.mjs [--pkg DIR] [--n 5000]
//   node --cpu-prof --cpu-prof-interval 50 bench/verify-loop.mjs --pkg DIR --n 20000
//
// (A profile names Rust functions when DIR holds a build whose name section was kept:
// wasm-bindgen without --remove-name-section, wasm-opt with -g.) `make bench-js` is the
// comparison with node-saml.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
);
const repo = new URL('../', import.meta.url);
const pkg = args.pkg ? pathToFileURL(`${args.pkg}/`) : new URL('pkg/', repo);
const N = Number(args.n ?? 5000);

const { ServiceProvider } = await import(new URL('node.js', pkg));
const generated = new URL('tests/data/generated/', repo);
const d = JSON.parse(readFileSync(new URL('cases.json', generated), 'utf8')).defaults;
const sp = new ServiceProvider({
  entityId: d.spEntityId,
  acsUrl: d.acsUrl,
  idp: { entityId: d.idpEntityId, certificates: [readFileSync(new URL('idp.crt', generated), 'utf8')] },
});
const value = readFileSync(new URL('entra2021_assertion_signed_compact.xml', generated)).toString('base64');
const options = { requestId: d.requestId, now: Date.parse(d.now) };
for (let i = 0; i < 500; i++) sp.verifyPostResponse(value, options);
const times = [];
for (let i = 0; i < N; i++) {
  const t = process.hrtime.bigint();
  sp.verifyPostResponse(value, options);
  times.push(Number(process.hrtime.bigint() - t) / 1e3);
}
times.sort((a, b) => a - b);
console.log(`median ${times[times.length >> 1].toFixed(1)} µs, p10 ${times[Math.floor(times.length / 10)].toFixed(1)} µs (${N} verifications)`);
