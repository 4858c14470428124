// The shared case manifest (tests/data/generated/cases.json) through the built package, imported
// by name like an application would. Run twice by `make js`: with the `node` export condition,
// and with `--conditions=workerd` (the Workers entry point; register-wasm-modules.mjs gives Node
// the `.wasm` import that wrangler gives workerd). Every verdict and error code must equal the
// manifest's, which tests/generated_cases.rs checks for the Rust API: the two cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from 'saml-edge';
import { runCase, identityMismatches } from './manifest.mjs';

const dataDir = new URL('../data/generated/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('cases.json', dataDir), 'utf8'));
const files = new Map();
const file = (name) => {
  if (!files.has(name)) files.set(name, new Uint8Array(readFileSync(new URL(name, dataDir))));
  return files.get(name);
};

const condition = process.execArgv.some((a) => /^--conditions?=workerd$/.test(a)) ? 'workerd' : 'node';

test(`saml-edge resolves to the ${condition} entry point`, () => {
  assert.match(import.meta.resolve('saml-edge'), new RegExp(`/pkg/${condition}\\.js$`));
});

test(`manifest: ${manifest.cases.length} cases (${condition} condition)`, async (t) => {
  assert.ok(manifest.cases.length > 100, 'the manifest holds the full catalogue');
  for (const testCase of manifest.cases) {
    await t.test(testCase.name, () => {
      const result = runCase(api, manifest.defaults, testCase, file);
      const outcome = result.identity ? 'valid' : result.code;
      assert.equal(outcome, testCase.expect, result.message);
      if (result.identity) {
        assert.deepEqual(identityMismatches(result.identity, testCase.identity ?? {}), []);
      } else {
        assert.equal(result.name, 'SamlError');
        assert.ok(result.isError, 'a SamlError is an Error');
      }
    });
  }
});
