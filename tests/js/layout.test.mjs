// The Worker's layout rules (docs/architecture.md, "The Worker"), checked on the source so that
// they stay true as routes are added:
//  - pkg/worker.js only re-exports;
//  - route modules never import each other; imports go one way (app -> routes -> concerns -> lib);
//  - only config.js reads `env`; only cookies.js knows the cookie names; only do/* knows Durable
//    Object instance names and SQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, dirname, resolve } from 'node:path';

const pkg = fileURLToPath(new URL('../../pkg/', import.meta.url));
const workerDir = join(pkg, 'worker');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.js') ? [path] : [];
  });
}

/** Source without comments (line and block), so that prose may name things freely. */
function code(path) {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/([^:'"`\\])\/\/.*$/gm, '$1');
}

function imports(path) {
  return [...code(path).matchAll(/(?:import|export)\s[^;]*?from\s+'([^']+)'/g)].map((m) => m[1]);
}

const modules = files(workerDir).map((path) => ({ path, name: relative(workerDir, path) }));

test('pkg/worker.js only re-exports', () => {
  const statements = code(join(pkg, 'worker.js'))
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  assert.ok(statements.length > 0);
  for (const statement of statements) assert.match(statement, /^export\s+\{[^}]*\}\s+from\s+'[^']+'$/, statement);
});

test('route modules never import each other; lower layers never import routes or the app', () => {
  for (const { path, name } of modules) {
    for (const target of imports(path)) {
      if (!target.startsWith('.')) continue;
      const resolved = relative(workerDir, resolve(dirname(path), target));
      if (name.startsWith('routes/')) {
        const sameFamily = dirname(name) !== 'routes' && dirname(resolved) === dirname(name);
        assert.ok(!resolved.startsWith('routes/') || sameFamily, `${name} imports ${resolved}`);
      } else if (name !== 'app.js') {
        assert.ok(!resolved.startsWith('routes/') && resolved !== 'app.js', `${name} imports ${resolved}`);
      }
      if (name.startsWith('lib/')) assert.ok(resolved.startsWith('lib/'), `lib/ imports only lib/: ${name} imports ${resolved}`);
    }
  }
});

test('only config.js reads env', () => {
  for (const { path, name } of modules) {
    if (name === 'config.js') continue;
    assert.doesNotMatch(code(path), /(?<![.\w])env(\.|\[)/, `${name} reads env`);
  }
});

test('only cookies.js names the cookies; only do/* names Durable Object instances and runs SQL', () => {
  for (const { path, name } of modules) {
    const source = code(path);
    if (name !== 'cookies.js') assert.doesNotMatch(source, /saml_edge_(login|session)|__Host-/, `${name} names a cookie`);
    if (!name.startsWith('do/')) assert.doesNotMatch(source, /idFromName|\.sql\b|\bSELECT\b|\bINSERT\b/, `${name} touches Durable Object storage`);
  }
});
