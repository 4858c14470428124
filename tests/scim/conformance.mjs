// `make scim-conformance`: starts the Worker on workerd (Miniflare, a free loopback port, demo
// IdP, a random SCIM_TOKEN) and runs scim2-tester (tests/scim/conformance.py, from the venv the
// Makefile made) against http://127.0.0.1:<port>/scim/v2. Exits with the checker's status.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SECRET, startWorker } from '../js/worker-harness.mjs';

const python = process.argv[2] ?? 'python3';
const token = randomBytes(32).toString('hex');
const worker = await startWorker(
  { SP_ENTITY_ID: 'https://saml-edge.example.com/saml/metadata', SESSION_SECRET: SECRET, SCIM_TOKEN: token },
  { host: '127.0.0.1', port: 0 },
);
let status = 1;
try {
  const url = new URL('/scim/v2', await worker.mf.ready).href;
  console.log(`scim2-tester against ${url} (workerd via Miniflare)`);
  // Asynchronously: Node must keep reading workerd's output (a blocked event loop would let the
  // pipe fill and stall the Worker).
  const child = spawn(python, [new URL('conformance.py', import.meta.url).pathname], {
    stdio: 'inherit',
    env: { ...process.env, SCIM_URL: url, SCIM_TOKEN: token, PYTHONUNBUFFERED: '1' },
  });
  status = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
} finally {
  await worker.dispose();
}
process.exit(status);
