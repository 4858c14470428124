// The tests that judge each Stryker mutant, in one process (node --test would start one per file):
// node:test sets a failing exit code when any test fails.
await import('../../tests/js/access.test.mjs');
await import('../../tests/js/return-path.test.mjs');
await import('../../tests/js/scim-filter.test.mjs');
await import('../../tests/js/scim-patch.test.mjs');
