// Runs the Worker (wrangler.toml, pkg/worker.js) in workerd through Miniflare, with bindings
// chosen per test, and a tiny cookie-keeping browser to drive it. No runtime mocks: the Durable
// Object, static assets and WebCrypto are workerd's own. The Worker is bundled first (esbuild,
// as wrangler does), so that its npm dependencies (jose) resolve; the .wasm stays a module.
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { createServer } from 'node:http';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

export const repo = new URL('../../', import.meta.url);
export const generated = new URL('tests/data/generated/', repo);

/** A session secret for tests (the Worker wants at least 32 characters). */
export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/** The Worker's options as wrangler.toml describes them (assets, Durable Object, rules). */
function workerOptionsFromWranglerToml() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(fileURLToPath(new URL('wrangler.toml', repo)));
  return workerOptions;
}

let bundled = null;
/**
 * pkg/worker.js bundled as wrangler bundles it (export conditions workerd/worker/browser, npm
 * packages inlined, `.wasm` imports kept as modules), once per test process, in
 * target/worker-harness/<pid>/. Returns that directory's path.
 */
function bundleWorker() {
  bundled ??= (async () => {
    const dir = new URL(`target/worker-harness/${process.pid}/`, repo);
    mkdirSync(dir, { recursive: true });
    await esbuild.build({
      entryPoints: [fileURLToPath(new URL('pkg/worker.js', repo))],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      external: ['*.wasm', 'cloudflare:*'],
      outfile: fileURLToPath(new URL('worker.js', dir)),
      logLevel: 'silent',
    });
    copyFileSync(new URL('pkg/saml_edge_bg.wasm', repo), new URL('saml_edge_bg.wasm', dir));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return fileURLToPath(dir);
  })();
  return bundled;
}

/**
 * Starts the Worker with exactly `bindings` (wrangler.toml's vars and .dev.vars are replaced).
 * `logs` collects what the Worker prints (one entry per line).
 */
export async function startWorker(bindings, { outboundService, host, port } = {}) {
  const base = workerOptionsFromWranglerToml();
  const dir = await bundleWorker();
  const logs = [];
  const collect = (stream) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(line);
    });
  const mf = new Miniflare({
    ...base,
    bindings,
    modules: true,
    modulesRoot: dir,
    scriptPath: join(dir, 'worker.js'),
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, ...base.modulesRules],
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      collect(stdout);
      collect(stderr);
    },
    ...(outboundService ? { outboundService } : {}),
    // A real listener (the SCIM conformance run, the bench); tests use dispatchFetch.
    ...(port !== undefined ? { host: host ?? '127.0.0.1', port } : {}),
  });
  await mf.ready;
  return {
    mf,
    logs,
    /** One request, redirects not followed. `path` may be absolute (another host). */
    fetch(path, init = {}) {
      return mf.dispatchFetch(new URL(path, 'http://localhost:8787/').href, { redirect: 'manual', ...init });
    },
    /** The log lines that are saml-edge JSON events, parsed. */
    events() {
      return logs.flatMap((line) => {
        try {
          const value = JSON.parse(line);
          return value && value.saml_edge ? [value] : [];
        } catch {
          return [];
        }
      });
    },
    dispose: () => mf.dispose(),
  };
}

/**
 * A local HTTP server standing in for ORIGIN that records every request it gets (`hits`: url,
 * headers, rawHeaders) and answers `body`. `close()` stops it.
 */
export async function recorder(body = 'origin') {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push({ url: req.url, headers: req.headers, rawHeaders: req.rawHeaders });
    res.setHeader('Content-Type', 'text/plain');
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${server.address().port}`;
  return { hits, host, url: `http://${host}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The headers of a recorded request as [name, value], names lower-cased with `_` read as `-`. */
export function received(hit) {
  const list = [];
  for (let i = 0; i < hit.rawHeaders.length; i += 2) list.push([hit.rawHeaders[i].toLowerCase().replace(/_/g, '-'), hit.rawHeaders[i + 1]]);
  return list;
}

/** Parses one Set-Cookie header into `{ name, value, attributes }` (attribute names lower-cased). */
export function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';').map((p) => p.trim());
  const eq = pair.indexOf('=');
  const attributes = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    attributes[(i < 0 ? a : a.slice(0, i)).toLowerCase()] = i < 0 ? true : a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/** A cookie jar that follows Path and Max-Age=0, enough for the Worker's cookies. */
export class Browser {
  constructor(worker) {
    this.worker = worker;
    /** name -> { value, path } */
    this.cookies = new Map();
  }

  cookieHeader(path) {
    return [...this.cookies]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  async request(path, init = {}) {
    const url = new URL(path, 'http://localhost:8787/');
    const headers = new Headers(init.headers ?? {});
    const cookie = this.cookieHeader(url.pathname);
    if (cookie) headers.set('Cookie', cookie);
    const response = await this.worker.fetch(url.href, { ...init, headers });
    for (const header of response.headers.getSetCookie()) {
      const c = parseSetCookie(header);
      if (c.attributes['max-age'] === '0') this.cookies.delete(c.name);
      else this.cookies.set(c.name, { value: c.value, path: c.attributes.path ?? '/' });
    }
    return response;
  }

  /** POSTs a form (application/x-www-form-urlencoded). */
  post(path, fields, init = {}) {
    return this.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(init.headers ?? {}) },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/**
 * Signs in through the demo IdP (demo mode) as far as the ACS: `/login/?next=…`, the user list,
 * the user's signed response. Returns the `SAMLResponse` value, not yet posted.
 */
export async function demoResponse(browser, { next = '/', user = 'b.simon' } = {}) {
  const login = await browser.request(`/login/?next=${encodeURIComponent(next)}`);
  const list = await (await browser.request(login.headers.get('Location'))).text();
  const form = await (await browser.post('/demo-idp/', { request: hiddenInput(list, 'request'), user })).text();
  return hiddenInput(form, 'SAMLResponse');
}

/** The AuthnRequest XML of an HTTP-Redirect URL (raw DEFLATE + base64). */
export function authnRequestOf(location) {
  const samlRequest = new URL(location).searchParams.get('SAMLRequest');
  return inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
}

/** The ID attribute of an AuthnRequest. */
export function requestIdOf(location) {
  return /<samlp:AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(authnRequestOf(location))[1];
}

/** The value of hidden input `name` in an HTML page. */
export function hiddenInput(html, name) {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return match ? match[1].replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))) : null;
}

/** The error code an error page shows. */
export function pageCode(html) {
  return /<code>([^<]*)<\/code>/.exec(html)?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Responses signed by xmlsec1 (the C reference implementation), with the committed test IdP key.

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';

function escapeXml(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An empty signature template for xmlsec1 (`URI` = `#id`). */
function signatureTemplate(id) {
  return (
    `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
    `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
    `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>` +
    `<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>` +
    `<ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>`
  );
}

let counter = 0;
function newId(role) {
  counter += 1;
  return `_${role}${process.pid}x${Date.now().toString(36)}x${counter}`;
}

/**
 * An Entra-shaped Response signed by xmlsec1 (assertion signature, Entra's default), as the
 * base64 form value. Fields default to the test IdP of tests/data/generated.
 * `confirmationLifetimesMs`: one bearer SubjectConfirmation per entry, valid that long.
 */
export function signedResponse({
  requestId,
  acsUrl,
  spEntityId,
  idpEntityId = 'https://sts.windows.net/<tenant>/',
  nameId = 'B.Simon@contoso.com',
  attributes = { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': ['B.Simon@contoso.com'] },
  now = Date.now(),
  lifetimeMs = 60 * 60 * 1000,
  sessionNotOnOrAfter = null,
  assertionId = newId('a'),
  key = 'idp.key',
  cert = 'idp.crt',
  confirmationLifetimesMs = [lifetimeMs],
  nameIdFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
}) {
  const iso = (ms) => new Date(ms).toISOString();
  const irt = requestId === null ? '' : ` InResponseTo="${escapeXml(requestId)}"`;
  const attrs = Object.entries(attributes)
    .map(([n, vs]) => `<Attribute Name="${escapeXml(n)}">${vs.map((v) => `<AttributeValue>${escapeXml(v)}</AttributeValue>`).join('')}</Attribute>`)
    .join('');
  const sno = sessionNotOnOrAfter === null ? '' : ` SessionNotOnOrAfter="${iso(sessionNotOnOrAfter)}"`;
  const xml =
    `<samlp:Response xmlns:samlp="${SAMLP}" ID="${newId('r')}" Version="2.0" IssueInstant="${iso(now)}" Destination="${escapeXml(acsUrl)}"${irt}>` +
    `<Issuer xmlns="${SAML}">${escapeXml(idpEntityId)}</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<Assertion xmlns="${SAML}" ID="${assertionId}" IssueInstant="${iso(now)}" Version="2.0"><Issuer>${escapeXml(idpEntityId)}</Issuer>${signatureTemplate(assertionId)}` +
    `<Subject><NameID Format="${escapeXml(nameIdFormat)}">${escapeXml(nameId)}</NameID>` +
    confirmationLifetimesMs
      .map((ms) => `<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData${irt} NotOnOrAfter="${iso(now + ms)}" Recipient="${escapeXml(acsUrl)}"/></SubjectConfirmation>`)
      .join('') +
    `</Subject>` +
    `<Conditions NotBefore="${iso(now - 5 * 60 * 1000)}" NotOnOrAfter="${iso(now + lifetimeMs)}"><AudienceRestriction><Audience>${escapeXml(spEntityId)}</Audience></AudienceRestriction></Conditions>` +
    `<AttributeStatement>${attrs}</AttributeStatement>` +
    `<AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${assertionId}"${sno}><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
    `</Assertion></samlp:Response>`;
  return Buffer.from(xmlsecSign(xml, key, cert)).toString('base64');
}

/** Signs the Assertion's signature template of `xml` with xmlsec1. */
export function xmlsecSign(xml, key, cert) {
  const dir = mkdtempSync(join(tmpdir(), 'saml-edge-xmlsec-'));
  try {
    const file = join(dir, 'template.xml');
    writeFileSync(file, xml);
    return execFileSync('xmlsec1', [
      '--sign',
      '--privkey-pem',
      `${fileURLToPath(new URL(key, generated))},${fileURLToPath(new URL(cert, generated))}`,
      '--id-attr:ID',
      `${SAML}:Assertion`,
      file,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Verifies `xml` (the Assertion's signature) with xmlsec1 against a PEM certificate file. */
export function xmlsecVerify(xml, certPath) {
  const dir = mkdtempSync(join(tmpdir(), 'saml-edge-xmlsec-'));
  try {
    const file = join(dir, 'signed.xml');
    writeFileSync(file, xml);
    execFileSync('xmlsec1', ['--verify', '--id-attr:ID', `${SAML}:Assertion`, '--pubkey-cert-pem', certPath, file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed test IdP certificate (PEM). */
export const IDP_CERT_PEM = readFileSync(new URL('idp.crt', generated), 'utf8');
