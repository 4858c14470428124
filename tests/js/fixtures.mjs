// The public fixtures, vendored in the repository: tests/fixtures/ (provenance and licences in
// its SOURCES.md). Every JS test and bench reads them through this module.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixturesDir = new URL('../fixtures/', import.meta.url);

/** A fixture's contents (a Buffer, or a string with an encoding); a missing one throws with its path. */
export function readFixture(relative, encoding) {
  const path = fileURLToPath(new URL(relative, fixturesDir));
  try {
    return readFileSync(path, encoding);
  } catch (err) {
    throw new Error(`cannot read fixture ${path}: ${err.message}`);
  }
}
