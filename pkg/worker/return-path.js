// The one function that turns user input (`?next=`, the login cookie's path, RelayState) into a
// Location on this host. Its output is validated, not only its input:
// - the output is a path-absolute reference (`/` then neither `/` nor `\`), so a browser resolves
//   it against the current page on the same origin, whatever the spelling of the input (dot
//   segments, `%2e`, backslashes, tabs and newlines that URL parsers strip, `//host`, `scheme:`);
// - it is idempotent: returnPath(returnPath(x)) === returnPath(x);
// - reserved paths (the Worker's own routes: sign-in, ACS, logout…) come back as `/`, so that a
//   return after sign-in never lands on a route that starts another sign-in or signs out.
// tests/js/return-path.test.mjs checks these over thousands of generated spellings.

/** Longest return path kept. */
export const MAX_RETURN_PATH = 2048;

/** Where to go when the input is not a usable same-origin path. */
const HOME = '/';

/** `path` is the reserved route `r` ({path} exact, {prefix} with everything below it). */
function isReserved(path, reserved) {
  return reserved.some((r) => (r.prefix !== undefined ? path === r.prefix.replace(/\/$/, '') || path.startsWith(r.prefix) : path === r.path));
}

/** The path, query and fragment of `candidate` resolved against `base`, or `null` when it leaves base's origin. */
function resolve(candidate, base) {
  let url;
  try {
    url = new URL(candidate, base);
  } catch {
    return null;
  }
  return url.origin === base.origin ? url : null;
}

/** A path-absolute reference that every URL parser resolves on the current origin. */
function isPathAbsolute(path) {
  return /^\/(?![/\\])/.test(path) && !/[\u0000-\u0020\u007f]/.test(path);
}

/**
 * The same-origin path to return to: `candidate` normalised (a path with query and fragment)
 * when it stays on `base`'s origin and is not a reserved route, else `/`.
 * @param {unknown} candidate user input
 * @param {URL} base the request's URL
 * @param {{ path?: string, prefix?: string }[]} reserved the Worker's own routes
 */
export function returnPath(candidate, base, reserved = []) {
  if (typeof candidate !== 'string' || candidate.length > MAX_RETURN_PATH) return HOME;
  // Only paths: no scheme-relative or absolute URL, whatever the parser would make of it; no
  // backslash or control character, which parsers read as `/` or silently drop.
  if (!candidate.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(candidate)) return HOME;
  const url = resolve(candidate, base);
  if (url === null) return HOME;
  const path = url.pathname + url.search + url.hash;
  // The output is checked as output: dot segments may have turned `/.//evil` into `//evil`.
  if (path.length > MAX_RETURN_PATH || !isPathAbsolute(path)) return HOME;
  const again = resolve(path, base);
  if (again === null || again.pathname + again.search + again.hash !== path) return HOME;
  return isReserved(url.pathname, reserved) ? HOME : path;
}
