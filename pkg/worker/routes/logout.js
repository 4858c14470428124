// GET /logout: ends the session in this browser and shows the signed-out page. (It does not
// redirect to `/`, which would sign straight back in through single sign-on.)

import { clearCookie } from '../cookies.js';
import { signedOutPage } from '../pages.js';

/** Signs out. */
export function logout(c) {
  return c.html(signedOutPage(), 200, { 'Set-Cookie': clearCookie('session') });
}
