// GET /logout: ends the session in this browser and in the session registry (a copy of the cookie
// kept elsewhere is refused at its next registry check), then shows the signed-out page. (It does
// not redirect to `/`, which would sign straight back in through single sign-on.)

import { clearCookie, readCookie } from '../cookies.js';
import { signedOutPage } from '../pages.js';
import { revokeSession } from '../registry.js';
import { readSession } from '../sessions.js';

/** Signs out. */
export async function logout(c) {
  const token = readCookie(c.request.headers.get('Cookie'), 'session');
  const { claims } = await readSession(c.config, token, c.now);
  if (claims && typeof claims.sid === 'string' && (await revokeSession(c, claims.sid, 'logout'))) {
    c.log('signed_out', { nameId: claims.nameId });
  }
  return c.html(signedOutPage(), 200, { 'Set-Cookie': clearCookie('session') });
}
