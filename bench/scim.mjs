// SCIM requests per second one directory Durable Object sustains on workerd (Miniflare, as in
// tests/js/scim.test.mjs): a bounded number of requests, CONCURRENCY in flight, to the Worker on
// loopback, all landing on the one Directory instance of the single-tenant Worker. Phases follow
// Entra's provisioning cycle: create users, match them by filter, read by id, deactivate with
// PATCH, add them to a group; plus a request that does not touch the directory
// (/ServiceProviderConfig) as the Worker-only ceiling. Not a test: `make bench-scim`.
//
//   node bench/scim.mjs [--users N] [--concurrency C]
import { randomBytes } from 'node:crypto';
import { SECRET, startWorker } from '../tests/js/worker-harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
);
const USERS = Math.min(5000, Number(args.users ?? 400));
const CONCURRENCY = Math.min(64, Number(args.concurrency ?? 8));
const TOKEN = randomBytes(32).toString('hex');
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const worker = await startWorker({ SP_ENTITY_ID: 'https://app.example.com/saml/metadata', SESSION_SECRET: SECRET, SCIM_TOKEN: TOKEN });

async function scim(method, path, body, expected) {
  const response = await worker.fetch(`/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Runs `count` requests (`make(i)`), CONCURRENCY at a time; prints req/s and latency. */
async function phase(label, count, make) {
  const times = [];
  let next = 0;
  const results = new Array(count);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        const t = performance.now();
        results[i] = await make(i);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(
    `${label.padEnd(44)} n=${String(count).padStart(5)}  ${(count / seconds).toFixed(0).padStart(5)} req/s  ` +
      `median ${at(0.5).toFixed(2)} ms  p99 ${at(0.99).toFixed(2)} ms`,
  );
  return results;
}

try {
  await scim('GET', '/ServiceProviderConfig', null, 200); // isolate and Durable Object warm
  await scim('GET', '/Users?count=1', null, 200);
  console.log(`saml-edge SCIM on workerd (Miniflare, Node ${process.versions.node}), one Directory object, ${CONCURRENCY} requests in flight`);
  const users = await phase('POST /Users', USERS, (i) =>
    scim('POST', '/Users', { userName: `bench.user${i}@contoso.com`, active: true, emails: [{ type: 'work', value: `bench.user${i}@contoso.com` }] }, 201),
  );
  await phase('GET /Users?filter=userName eq "…"', USERS * 2, (i) =>
    scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "BENCH.user${i % USERS}@contoso.com"`)}`, null, 200),
  );
  await phase('GET /Users/{id}', USERS * 2, (i) => scim('GET', `/Users/${users[i % USERS].id}`, null, 200));
  await phase('PATCH /Users/{id} active "False"', USERS, (i) =>
    scim('PATCH', `/Users/${users[i].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, 200),
  );
  const group = await scim('POST', '/Groups', { displayName: 'Bench group', members: [] }, 201);
  await phase('PATCH /Groups/{id} add one member', USERS, (i) =>
    scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: users[i].id }] }] }, 204),
  );
  await phase('GET /ServiceProviderConfig (no directory)', USERS * 2, () => scim('GET', '/ServiceProviderConfig', null, 200));
} finally {
  await worker.dispose();
}
