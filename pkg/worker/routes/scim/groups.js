// /scim/v2/Groups and /scim/v2/Groups/{id}: groups and their members (users). Entra ID reads
// them with excludedAttributes=members and changes members with PATCH; the names of a user's
// groups are what their session shows as `groups`.

import { collection } from './collection.js';

const METHODS = { list: 'listGroups', create: 'createGroup', get: 'getGroup', replace: 'replaceGroup', patch: 'patchGroup', delete: 'deleteGroup' };

/** One request on /Groups (`id` null) or /Groups/{id}. */
export function groups(c, dir, id) {
  return collection(c, { type: 'Group', dir, methods: METHODS }, id);
}
