// saml-edge (wasm, imported by name from pkg/) vs @node-saml/node-saml on the same Entra ID
// response, in one Node process: warm-up, then interleaved rounds (a batch of one library, then
// a batch of the other) so that machine noise hits both alike; median vs median. Then cold start
// (import + construct + first verification) in fresh processes. Not a test: `make bench-js`.
//
//   node bench/compare.mjs [--rounds N] [--batch N] [--cold N]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFixture } from '../tests/js/fixtures.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
);
const ROUNDS = Number(args.rounds ?? 15);
const BATCH = Number(args.batch ?? 20);
const COLD_RUNS = Number(args.cold ?? 7);

const repo = new URL('../', import.meta.url);
const generated = new URL('tests/data/generated/', repo);

/** The responses: a real Entra ID response, and the generated Entra-shaped one (2021 claims). */
function responses() {
  const d = JSON.parse(readFileSync(new URL('cases.json', generated), 'utf8')).defaults;
  return [
    {
      name: 'Entra ID (tercen/saml, real, assertion signed)',
      xml: readFixture('entra/tercen/azure_ad_response.xml'),
      cert: readFixture('entra/tercen/azure-ad-cert.pem', 'utf8'),
      sp: 'https://devpg.tercen.com/_service/sso/auth/saml',
      acs: 'https://devpg.tercen.com/_service/sso/auth/saml',
      idp: 'https://sts.windows.net/5b5c94c6-14cf-42da-85bc-4e08722b253b/',
      requestId: 'id6491e192-e2d9-4970-ab03-e38ffda6e033',
      now: Date.parse('2022-02-23T17:49:23.872Z'),
    },
    {
      name: 'Entra-shaped (tests/data/generated entra2021_assertion_signed_compact)',
      xml: readFileSync(new URL('entra2021_assertion_signed_compact.xml', generated)),
      cert: readFileSync(new URL('idp.crt', generated), 'utf8'),
      sp: d.spEntityId,
      acs: d.acsUrl,
      idp: d.idpEntityId,
      requestId: d.requestId,
      now: Date.parse(d.now),
    },
  ];
}

/**
 * The size series (the 5 KB Entra-shaped response above is its first point): 150 group claims
 * (tests/data/generated), 100 KB and 0.75 MB (target/bench-data, made and signed by xmlsec1 with
 * bench/make_sizes.py; `make bench-js` builds them).
 */
function sizeSeries() {
  const data = new URL('target/bench-data/', repo);
  const base = responses()[1];
  const at = (name, url) => ({ ...base, name, xml: readFileSync(url) });
  return [
    at('size series: 150 group claims (entra2021_groups150)', new URL('entra2021_groups150.xml', generated)),
    at('size series: 100 KB (target/bench-data/entra_100k.xml)', new URL('entra_100k.xml', data)),
    at('size series: 0.75 MB (target/bench-data/entra_750k.xml)', new URL('entra_750k.xml', data)),
  ];
}

/** node-saml reads the clock itself: pin `new Date()`/`Date.now()` to the response's time. */
function pinClock(now) {
  const RealDate = globalThis.__RealDate ?? Date;
  globalThis.__RealDate = RealDate;
  globalThis.Date = class extends RealDate {
    constructor(...a) {
      if (a.length) super(...a);
      else super(now);
    }
    static now() {
      return now;
    }
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function setUp(r) {
  const { ServiceProvider } = await import('saml-edge');
  const { SAML } = await import('@node-saml/node-saml');
  const sp = new ServiceProvider({ entityId: r.sp, acsUrl: r.acs, idp: { entityId: r.idp, certificates: [r.cert] } });
  const saml = new SAML({
    callbackUrl: r.acs,
    entryPoint: 'https://login.microsoftonline.com/x/saml2',
    issuer: r.sp,
    audience: r.sp,
    idpCert: r.cert,
    wantAuthnResponseSigned: false, // Entra's default signs the assertion only
    wantAssertionsSigned: true,
    acceptedClockSkewMs: 180_000,
  });
  const value = r.xml.toString('base64');
  const ours = () => sp.verifyPostResponse(value, { requestId: r.requestId, now: r.now });
  const theirs = () => saml.validatePostResponseAsync({ SAMLResponse: value });
  return { ours, theirs };
}

const summary = [];

async function warm(r) {
  pinClock(r.now);
  const { ours, theirs } = await setUp(r);
  const a = ours();
  const b = await theirs();
  const theirNameId = b.profile?.nameID;
  if (a.nameId !== theirNameId) throw new Error(`the libraries disagree: ${a.nameId} vs ${theirNameId}`);
  // Fewer verifications per batch for the large responses (node-saml takes ~0.1 s at 0.75 MB).
  const batch = Math.max(2, Math.round(BATCH * Math.min(1, 20_000 / r.xml.length)));
  for (let i = 0; i < Math.max(3, batch); i++) {
    ours();
    await theirs();
  }
  const times = { ours: [], theirs: [] };
  const now = () => process.hrtime.bigint();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < batch; i++) {
      const t = now();
      ours();
      times.ours.push(Number(now() - t) / 1e6);
    }
    for (let i = 0; i < batch; i++) {
      const t = now();
      await theirs();
      times.theirs.push(Number(now() - t) / 1e6);
    }
  }
  const m = { ours: median(times.ours), theirs: median(times.theirs) };
  console.log(`\n${r.name}: ${r.xml.length} bytes, ${ROUNDS} interleaved rounds x ${batch} verifications each`);
  console.log(`  saml-edge verifyPostResponse                 median ${m.ours.toFixed(3)} ms  (min ${Math.min(...times.ours).toFixed(3)})`);
  console.log(`  @node-saml/node-saml validatePostResponseAsync median ${m.theirs.toFixed(3)} ms  (min ${Math.min(...times.theirs).toFixed(3)})`);
  console.log(`  ratio node-saml / saml-edge: ${(m.theirs / m.ours).toFixed(2)}x`);
  summary.push({ bytes: r.xml.length, ...m });
}

/** In a fresh process: import, construct, first verification (ms), for one library. */
async function coldChild(which) {
  const t0 = performance.now();
  const r = responses()[0];
  pinClock(r.now);
  const t1 = performance.now();
  const value = r.xml.toString('base64');
  if (which === 'saml-edge') {
    const { ServiceProvider } = await import('saml-edge');
    const t2 = performance.now();
    const sp = new ServiceProvider({ entityId: r.sp, acsUrl: r.acs, idp: { entityId: r.idp, certificates: [r.cert] } });
    const t3 = performance.now();
    sp.verifyPostResponse(value, { requestId: r.requestId, now: r.now });
    const t4 = performance.now();
    const t5 = performance.now();
    sp.verifyPostResponse(value, { requestId: r.requestId, now: r.now });
    const t6 = performance.now();
    console.log(JSON.stringify({ import: t2 - t1, construct: t3 - t2, first: t4 - t3, second: t6 - t5, setup: t1 - t0 }));
  } else {
    const { SAML } = await import('@node-saml/node-saml');
    const t2 = performance.now();
    const saml = new SAML({ callbackUrl: r.acs, issuer: r.sp, audience: r.sp, idpCert: r.cert, wantAuthnResponseSigned: false, acceptedClockSkewMs: 180_000 });
    const t3 = performance.now();
    await saml.validatePostResponseAsync({ SAMLResponse: value });
    const t4 = performance.now();
    const t5 = performance.now();
    await saml.validatePostResponseAsync({ SAMLResponse: value });
    const t6 = performance.now();
    console.log(JSON.stringify({ import: t2 - t1, construct: t3 - t2, first: t4 - t3, second: t6 - t5, setup: t1 - t0 }));
  }
}

function cold(which) {
  const runs = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--cold-child', which], { encoding: 'utf8' });
    runs.push(JSON.parse(out.trim().split('\n').pop()));
  }
  const m = (k) => median(runs.map((x) => x[k]));
  console.log(
    `  ${which.padEnd(21)} import ${m('import').toFixed(1)} ms, construct ${m('construct').toFixed(1)} ms, ` +
      `first verify ${m('first').toFixed(1)} ms (import + first verify ${(m('import') + m('construct') + m('first')).toFixed(1)} ms; ` +
      `second verify ${m('second').toFixed(2)} ms)`,
  );
}

if (args['cold-child']) {
  await coldChild(args['cold-child']);
} else {
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs; .wasm ${readFileSync(new URL('pkg/saml_edge_bg.wasm', repo)).length} bytes`);
  for (const r of [...responses(), ...sizeSeries()]) await warm(r);
  console.log('\nsize series (Entra-shaped, assertion signed; medians):');
  console.log('  XML bytes   saml-edge ms   node-saml ms   ratio   saml-edge MB/s');
  for (const x of summary.slice(1)) {
    console.log(
      `  ${String(x.bytes).padStart(9)}   ${x.ours.toFixed(3).padStart(12)}   ${x.theirs.toFixed(3).padStart(12)}` +
        `   ${(x.theirs / x.ours).toFixed(1).padStart(5)}x   ${(x.bytes / 1e3 / x.ours).toFixed(1).padStart(14)}`,
    );
  }
  console.log(`\ncold start in a fresh process (median of ${COLD_RUNS}), real Entra response:`);
  cold('saml-edge');
  cold('node-saml');
}
