// /scim/v2/Users and /scim/v2/Users/{id}: the users the directory holds (Entra ID provisions
// userPrincipalName as userName; deprovisioning is PATCH active=false, DELETE when hard-deleted).

import { collection } from './collection.js';

const METHODS = { list: 'listUsers', create: 'createUser', get: 'getUser', replace: 'replaceUser', patch: 'patchUser', delete: 'deleteUser' };

/** One request on /Users (`id` null) or /Users/{id}. */
export function users(c, dir, id) {
  return collection(c, { type: 'User', dir, methods: METHODS }, id);
}
