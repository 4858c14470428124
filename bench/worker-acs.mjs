// The Worker's ACS request on workerd (Miniflare, as in tests/js/worker.test.mjs): the wall time
// of `POST /saml/acs` as seen by the client over N sequential sign-ins, each with a fresh
// Entra-shaped response (7 KB, assertion signed RSA-SHA256) from the demo IdP and its own login
// cookie. The time covers workerd's HTTP round trip from Node, the form and cookie checks, the
// verification (wasm), the replay Durable Object and the session cookie. For context it also
// times a signed-in page view (session check + static asset). Not a test: `make bench-worker`.
//
//   node bench/worker-acs.mjs [--requests N]
import { Browser, SECRET, demoResponse, startWorker } from '../tests/js/worker-harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
);
const REQUESTS = Number(args.requests ?? 300);

function summary(label, times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(
    `${label.padEnd(34)} n=${String(times.length).padStart(4)}  median ${at(0.5).toFixed(2)} ms  ` +
      `p90 ${at(0.9).toFixed(2)}  p99 ${at(0.99).toFixed(2)}  min ${sorted[0].toFixed(2)}  max ${sorted.at(-1).toFixed(2)}`,
  );
}

/** One sign-in through the demo IdP; returns the ACS request's wall time (ms) and the browser. */
async function signIn(worker) {
  const browser = new Browser(worker);
  const samlResponse = await demoResponse(browser);
  const started = performance.now();
  const response = await browser.post('/saml/acs', { SAMLResponse: samlResponse });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 303) throw new Error(`ACS answered ${response.status}`);
  return { elapsed, browser };
}

const worker = await startWorker({ SP_ENTITY_ID: 'https://app.example.com/saml/metadata', SESSION_SECRET: SECRET });
try {
  const first = await signIn(worker);
  console.log(`saml-edge Worker on workerd (Miniflare, Node ${process.versions.node}), ${REQUESTS} sequential sign-ins`);
  console.log(`first ACS request of the isolate      ${first.elapsed.toFixed(2)} ms (includes starting the replay Durable Object)`);
  const acs = [];
  const pages = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const { elapsed, browser } = await signIn(worker);
    acs.push(elapsed);
    const started = performance.now();
    const page = await browser.request('/');
    await page.arrayBuffer();
    pages.push(performance.now() - started);
  }
  summary('POST /saml/acs (303, session set)', acs);
  summary('GET / signed in (static asset)', pages);
} finally {
  await worker.dispose();
}
