// saml-edge's Cloudflare Worker: SAML single sign-on in front of any site. This file only
// exports; the routes are in worker/app.js (docs/architecture.md has the module map).
//
// Use it as it is (wrangler.toml: main = "pkg/worker.js"), or mount it in your own Worker:
//   import { samlEdge, ReplayGuard, Directory } from 'saml-edge/worker';
//   export { ReplayGuard, Directory };
//   export default samlEdge({ app: (request, env, ctx, session) => new Response(`Hi ${session.nameId}`) });

export { default, samlEdge } from './worker/app.js';
export { ReplayGuard } from './worker/do/replay.js';
export { Directory } from './worker/do/directory.js';
