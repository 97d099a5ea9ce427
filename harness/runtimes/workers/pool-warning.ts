/** LiveKit's deployment page, said whenever workers register on a server this harness did not start. */
export const PRODUCTION_POOL_WARNING =
  'LIVEKIT_URL points at an external server: these workers register there, and a worker on the same project as production joins the production pool; use a separate project (or the local server) for load tests';
