/** The roles an API key can hold, weakest first. */
export const ROLES = ['viewer', 'runner', 'editor', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The slug of GREETING_PROMPT in the stacks of `startApiStack`. */
export const SLUG = 'acme/greeting';

/** One authenticated route, the roles that may call it, and a body that passes validation. */
export interface MatrixRoute {
  method: string;
  path: string;
  roles: readonly Role[];
  body?: unknown;
}

const READERS: Role[] = ['viewer', 'editor', 'deployer', 'admin'];
const RUNNERS: Role[] = ['runner', 'editor', 'deployer', 'admin'];
const DEPLOYERS: Role[] = ['deployer', 'admin'];

/** Every `/v1` route. The OpenAPI test fails when a route is missing here. */
export const MATRIX: readonly MatrixRoute[] = [
  { method: 'POST', path: '/v1/runs', roles: RUNNERS, body: { slug: SLUG, vars: { person: 'M' } } },
  {
    method: 'POST',
    path: '/v1/runs:batch',
    roles: RUNNERS,
    body: { items: [{ slug: SLUG, vars: { person: 'M' } }] },
  },
  { method: 'GET', path: '/v1/runs', roles: READERS },
  { method: 'GET', path: '/v1/runs/{id}', roles: ROLES },
  { method: 'GET', path: '/v1/runs/{id}/events', roles: ROLES },
  { method: 'POST', path: '/v1/runs/{id}/feedback', roles: RUNNERS, body: { score: 0.5 } },
  { method: 'GET', path: '/v1/events', roles: READERS },
  { method: 'GET', path: '/v1/prompts', roles: READERS },
  { method: 'GET', path: '/v1/prompts/{slug}', roles: READERS },
  {
    method: 'POST',
    path: '/v1/prompts/{slug}/render',
    roles: ['editor', 'deployer', 'admin'],
    body: { vars: { person: 'M' } },
  },
  { method: 'GET', path: '/v1/prompts/{slug}/labels', roles: READERS },
  {
    method: 'POST',
    path: '/v1/prompts/{slug}/deploy',
    roles: DEPLOYERS,
    body: { label: 'matrix', version: 'no-such-version' },
  },
  { method: 'POST', path: '/v1/prompts/{slug}/rollback', roles: DEPLOYERS, body: { label: 'matrix' } },
  { method: 'GET', path: '/v1/audit', roles: READERS },
  { method: 'GET', path: '/v1/stats', roles: READERS },
  { method: 'GET', path: '/v1/keys', roles: ['admin'] },
  { method: 'POST', path: '/v1/keys', roles: ['admin'], body: { name: 'matrix', role: 'viewer' } },
  { method: 'DELETE', path: '/v1/keys/{id}', roles: ['admin'] },
];

/** A concrete path for a matrix route: placeholders filled, event streams told to end at once. */
export function concretePath(route: MatrixRoute): string {
  const filled = route.path
    .replace(
      '{id}',
      route.path.startsWith('/v1/keys') ? '00000000-0000-0000-0000-000000000000' : 'unknown-job',
    )
    .replace('{slug}', encodeURIComponent(SLUG));
  return filled.includes('events') ? `${filled}?timeoutMs=50` : filled;
}
