// Packaging: the package as consumers build it.
//  - browser: esbuild bundles an app that imports `saml-edge` for the browser; the bundle must
//    hold no Node built-in, and it must verify a response once loaded.
//  - workerd: wrangler (pinned in package.json) bundles a Worker that imports `saml-edge`, and
//    Miniflare runs it in workerd, where it verifies the whole shared manifest.
//  - types: index.d.ts type-checks a typed consumer under `tsc --strict`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { Browser, demoResponse } from './worker-harness.mjs';

const repo = new URL('../../', import.meta.url);
const work = new URL('target/js-packaging/', repo);
const generated = new URL('tests/data/generated/', repo);
const manifest = JSON.parse(readFileSync(new URL('cases.json', generated), 'utf8'));
const bin = (name) => fileURLToPath(new URL(`node_modules/.bin/${name}`, repo));

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

/** The first legitimate case without overrides, as (config, SAMLResponse value, options). */
function legitCase() {
  const c = manifest.cases.find((x) => x.expect === 'valid' && !x.generate && !Object.keys(x.config ?? {}).length);
  const d = manifest.defaults;
  const bytes = readFileSync(new URL(c.file, generated));
  return {
    name: c.name,
    nameId: c.identity.nameId,
    config: {
      entityId: d.spEntityId,
      acsUrl: d.acsUrl,
      idp: { entityId: d.idpEntityId, certificates: d.idpCerts.map((f) => readFileSync(new URL(f, generated), 'utf8')) },
    },
    response: c.encoding === 'base64' ? bytes.toString('utf8') : bytes.toString('base64'),
    options: { requestId: d.requestId, now: Date.parse(d.now) },
  };
}

/** Node built-ins a browser bundle must not contain (as imports or requires). */
const NODE_BUILTIN = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](?:node:[\w/]+|fs|path|crypto|url|os|zlib|buffer|module|child_process|worker_threads)["']/;

test('browser: an esbuild bundle has no Node built-ins and verifies a response', async () => {
  const app = `
    import { init, ServiceProvider, SamlError } from 'saml-edge';
    import wasmUrl from 'saml-edge/saml_edge_bg.wasm';
    export { wasmUrl };
    export async function verify(wasm, config, response, options) {
      await init(wasm);
      const sp = new ServiceProvider(config);
      try { sp.verifyPostResponse('AAAA', options); } catch (e) { if (!(e instanceof SamlError)) throw e; }
      return sp.verifyPostResponse(response, options);
    }`;
  const src = new URL('browser-src/', work);
  const outdir = new URL('browser/', work);
  mkdirSync(src, { recursive: true });
  writeFileSync(new URL('app.js', src), app);
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('app.js', src))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    loader: { '.wasm': 'file' },
    outdir: fileURLToPath(outdir),
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.endsWith('pkg/browser.js')), `the browser entry point was bundled: ${inputs}`);
  assert.ok(!inputs.some((i) => /pkg\/(node|workerd)\.js$/.test(i)));
  assert.ok(!inputs.some((i) => i.startsWith('node:')), inputs.join(' '));
  const js = readFileSync(new URL('app.js', outdir), 'utf8');
  assert.doesNotMatch(js, NODE_BUILTIN);
  assert.doesNotMatch(js, /\bprocess\.|\bBuffer\b|__dirname|readFileSync/);
  const wasmFiles = readdirSync(outdir).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasmFiles.length, 1, 'esbuild copied the .wasm next to the bundle');
  // Run the bundle (Node stands in for the browser; the module comes in as bytes, as a page
  // would fetch it).
  const bundle = await import(new URL('app.js', outdir));
  assert.equal(bundle.wasmUrl, `./${wasmFiles[0]}`);
  const c = legitCase();
  const bytes = readFileSync(new URL(wasmFiles[0], outdir));
  const identity = await bundle.verify(bytes, c.config, c.response, c.options);
  assert.equal(identity.nameId, c.nameId);
});

test('browser: the Node built-in check is not vacuous (the node entry point fails it)', async () => {
  const result = await esbuild.build({
    stdin: { contents: "export * from 'saml-edge';", resolveDir: fileURLToPath(repo), sourcefile: 'node-app.js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  assert.match(result.outputFiles[0].text, NODE_BUILTIN);
});

test('browser: without an explicit URL the bundle keeps the new URL(..., import.meta.url) pattern', async () => {
  const result = await esbuild.build({
    stdin: { contents: "import { init } from 'saml-edge'; await init();", resolveDir: fileURLToPath(repo), sourcefile: 'auto.js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].text;
  assert.match(js, /new URL\(["']\.\/saml_edge_bg\.wasm["'], import\.meta\.url\)/);
  assert.doesNotMatch(js, NODE_BUILTIN);
});

test('workerd: a wrangler-bundled Worker runs the whole manifest in Miniflare', async (t) => {
  const dir = new URL('worker/', work);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('manifest.mjs', dir), readFileSync(new URL('tests/js/manifest.mjs', repo)));
  writeFileSync(
    new URL('worker.js', dir),
    `import * as api from 'saml-edge';
     import { runManifest } from './manifest.mjs';
     const b64 = (s) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
     export default {
       async fetch(request) {
         const { manifest, files } = await request.json();
         const cache = new Map();
         const file = (name) => {
           if (!cache.has(name)) cache.set(name, b64(files[name]));
           return cache.get(name);
         };
         const started = Date.now();
         const result = runManifest(api, manifest, file);
         const sp = new api.ServiceProvider({ entityId: manifest.defaults.spEntityId, acsUrl: manifest.defaults.acsUrl,
           idp: { entityId: manifest.defaults.idpEntityId, ssoUrl: 'https://login.example/saml2', certificates: [file('idp.crt')] } });
         const login = sp.loginRedirect({ relayState: '/' });
         return Response.json({ ...result, ms: Date.now() - started, login, hasNodeCompat: typeof process !== 'undefined' });
       },
     };`,
  );
  writeFileSync(
    new URL('wrangler.toml', dir),
    'name = "saml-edge-packaging-test"\nmain = "worker.js"\ncompatibility_date = "2025-05-05"\n',
  );
  const out = execFileSync(bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: fileURLToPath(dir),
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CI: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const upload = /Total Upload: ([^\n]+)/.exec(out);
  t.diagnostic(`wrangler: ${upload ? upload[1] : out}`);
  const dist = new URL('dist/', dir);
  const emitted = readdirSync(dist);
  assert.ok(emitted.some((f) => f.endsWith('.wasm')), `wrangler kept the .wasm as a module: ${emitted}`);
  const script = readFileSync(new URL('worker.js', dist), 'utf8');
  assert.doesNotMatch(script, NODE_BUILTIN);
  assert.doesNotMatch(script, /WebAssembly\.(compile|instantiate)\(\s*(bytes|buffer)/);

  const files = {};
  const names = new Set(manifest.cases.flatMap((c) => [c.file, c.generate?.base]).filter(Boolean));
  for (const c of manifest.cases) for (const f of [...(c.config?.idpCerts ?? []), ...(c.config?.spKeys ?? [])]) names.add(f);
  for (const f of manifest.defaults.idpCerts) names.add(f);
  for (const name of names) files[name] = readFileSync(new URL(name, generated)).toString('base64');

  const mf = new Miniflare({
    scriptPath: fileURLToPath(new URL('worker.js', dist)),
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2025-05-05',
    cf: false,
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/', { method: 'POST', body: JSON.stringify({ manifest, files }) });
    const text = await response.text();
    assert.equal(response.status, 200, text.slice(0, 2000));
    const result = JSON.parse(text);
    t.diagnostic(`workerd: ${result.count} cases in ${result.ms} ms, ${result.failures.length} failures`);
    assert.equal(result.count, manifest.cases.length);
    assert.deepEqual(result.failures, []);
    assert.equal(result.hasNodeCompat, false, 'no nodejs_compat');
    assert.match(result.login.requestId, /^_[0-9a-f]{32}$/);
    assert.ok(result.login.url.startsWith('https://login.example/saml2?SAMLRequest='));
  } finally {
    await mf.dispose();
  }
});

test('workerd: a Worker of its own mounts saml-edge/worker (wrangler bundle, Miniflare, demo sign-in)', async () => {
  const dir = new URL('mounted/', work);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('worker.js', dir),
    `import { samlEdge, ReplayGuard } from 'saml-edge/worker';
     export { ReplayGuard };
     export default samlEdge({ app: (request, env, ctx, session) => Response.json({ hello: session.nameId, path: new URL(request.url).pathname }) });`,
  );
  writeFileSync(
    new URL('wrangler.toml', dir),
    [
      'name = "saml-edge-mounted-test"',
      'main = "worker.js"',
      'compatibility_date = "2026-04-01"',
      '[[durable_objects.bindings]]',
      'name = "REPLAY"',
      'class_name = "ReplayGuard"',
      '[[migrations]]',
      'tag = "v1"',
      'new_sqlite_classes = ["ReplayGuard"]',
      '',
    ].join('\n'),
  );
  execFileSync(bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: fileURLToPath(dir),
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const mf = new Miniflare({
    scriptPath: fileURLToPath(new URL('dist/worker.js', dir)),
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    durableObjects: { REPLAY: { className: 'ReplayGuard', useSQLite: true } },
    bindings: {
      SP_ENTITY_ID: 'https://app.example.com/saml/metadata',
      SESSION_SECRET: 'mounted-test-secret-0123456789abcdef0123',
      // jose, bundled by wrangler from the package's dependencies, imports and publishes it.
      JWT_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    },
    cf: false,
  });
  try {
    const browser = new Browser({ fetch: (url, init) => mf.dispatchFetch(url, { redirect: 'manual', ...init }) });
    let response = await browser.request('/reports');
    assert.equal(response.headers.get('Location'), '/login/?next=%2Freports');
    response = await browser.post('/saml/acs', { SAMLResponse: await demoResponse(browser, { next: '/reports' }) });
    assert.equal(response.status, 303);
    assert.deepEqual(await (await browser.request('/reports')).json(), { hello: 'B.Simon@contoso.com', path: '/reports' });
    const jwks = await (await browser.request('/saml/jwks.json')).json();
    assert.deepEqual(jwks.keys.map((k) => [k.kty, k.crv, k.alg, k.use]), [['EC', 'P-256', 'ES256', 'sig']]);
  } finally {
    await mf.dispose();
  }
});

test('the reference deployment (wrangler.toml) bundles within the Free plan and without Node built-ins', (t) => {
  const outdir = fileURLToPath(new URL('deploy/', work));
  const out = execFileSync(bin('wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: fileURLToPath(repo),
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CI: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  assert.ok(upload, out);
  t.diagnostic(`wrangler.toml's Worker: ${upload[0]}`);
  assert.ok(Number(upload[2]) < 3 * 1024, 'under the Free plan\'s 3 MB (gzip)');
  assert.match(out, /env\.REPLAY \(ReplayGuard\)\s+Durable Object/);
  assert.match(out, /env\.DIRECTORY \(Directory\)\s+Durable Object/);
  assert.match(out, /env\.ASSETS\s+Assets/);
  const script = readFileSync(new URL('deploy/worker.js', work), 'utf8');
  assert.doesNotMatch(script, NODE_BUILTIN);
});

test('types: index.d.ts type-checks a strict TypeScript consumer', () => {
  const dir = new URL('types/', work);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('consumer.ts', dir),
    `import { init, ServiceProvider, SamlError, type Identity, type SamlErrorCode, type InspectReport } from 'saml-edge';
     import defaultWorker, { samlEdge, ReplayGuard, Directory, type Session, type WorkerHandler } from 'saml-edge/worker';
     await init();
     const sp = new ServiceProvider({
       entityId: 'https://app.example.com/saml/metadata',
       acsUrl: 'https://app.example.com/saml/acs',
       idp: { entityId: 'https://sts.windows.net/t/', ssoUrl: 'https://login.microsoftonline.com/t/saml2', certificates: ['MII...'] },
       clockSkewSeconds: 180,
       allowUnsolicited: false,
     });
     const metadataSp = new ServiceProvider({ entityId: 'e', acsUrl: 'a', idp: { metadataXml: new Uint8Array(0) } });
     const { url, requestId } = sp.loginRedirect({ relayState: '/dashboard', forceAuthn: false });
     const form: string = sp.loginPostForm({ cspNonce: 'n' }).html;
     try {
       const identity: Identity = sp.verifyPostResponse('...', { requestId, now: new Date() });
       const email: string[] | undefined = identity.attributes['email'];
       const when: string = identity.notOnOrAfter;
       const index: string | null = identity.sessionIndex;
       console.log(email, when, index, url, form, metadataSp.metadata());
     } catch (e) {
       if (e instanceof SamlError) {
         const code: SamlErrorCode = e.code;
         if (code === 'internal_error' || code === 'signature_invalid') console.log(e.message);
       }
     }
     const report: InspectReport = sp.inspect('<samlp:Response/>', { now: Date.now() });
     for (const check of report.checks) console.log(check.name, check.outcome, check.code);
     // @ts-expect-error allowSha1 is a boolean
     new ServiceProvider({ entityId: 'e', acsUrl: 'a', idp: { entityId: 'i', certificates: [] }, allowSha1: 'yes' });
     // @ts-expect-error certificates are required without metadata
     new ServiceProvider({ entityId: 'e', acsUrl: 'a', idp: { entityId: 'i' } });
     // @ts-expect-error not a code
     const bad: SamlErrorCode = 'signature_bad';
     console.log(bad);
     sp.free();
     const handler: WorkerHandler = samlEdge({ app: (_request, _env, _ctx, session: Session) => new Response(session.email ?? session.nameId) });
     console.log(handler, defaultWorker, ReplayGuard, Directory);
     const groups: string[] = ({} as Session).groups;
     const scimId: string | null = ({} as Session).scimId;
     const revoked: Promise<number> = ({} as Directory).revokeSessionsOf({ nameId: 'n', sessionIndexes: ['i'] }, Date.now());
     console.log(groups, scimId, revoked);
     // @ts-expect-error app must return a Response
     samlEdge({ app: () => 'text' });
     export {};
    `,
  );
  writeFileSync(
    new URL('tsconfig.json', dir),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['es2022', 'dom'],
        types: [],
        skipLibCheck: false,
      },
      files: ['consumer.ts'],
    }),
  );
  // The consumer resolves `saml-edge` through node_modules, like an application.
  writeFileSync(new URL('package.json', dir), '{"type":"module"}');
  execFileSync(bin('tsc'), ['-p', fileURLToPath(new URL('tsconfig.json', dir))], { encoding: 'utf8', stdio: 'pipe' });
});
