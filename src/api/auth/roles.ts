import type { ApiRole } from '../contract.js';

/** What a request may do. Routes declare one; roles grant sets of them. */
export const PERMISSIONS = [
  'runs:create',
  /** Read any run. */
  'runs:read',
  /** Read the runs this key enqueued. */
  'runs:read-own',
  'runs:feedback',
  /** Follow every completion (`GET /v1/events`). */
  'events:read',
  'prompts:read',
  'prompts:render',
  'labels:read',
  'labels:write',
  'stats:read',
  'keys:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = [
  'runs:read',
  'events:read',
  'prompts:read',
  'labels:read',
  'stats:read',
];
const RUNNER: readonly Permission[] = ['runs:create', 'runs:read-own', 'runs:feedback'];
const EDITOR: readonly Permission[] = [...VIEWER, ...RUNNER, 'prompts:render'];
const DEPLOYER: readonly Permission[] = [...EDITOR, 'labels:write'];

/**
 * The roles matrix. `viewer` reads; `runner` enqueues and reads its own runs; `editor` does both
 * and renders previews; `deployer` also moves labels; `admin` also manages keys.
 */
export const ROLE_PERMISSIONS: Readonly<Record<ApiRole, ReadonlySet<Permission>>> = {
  viewer: new Set(VIEWER),
  runner: new Set(RUNNER),
  editor: new Set(EDITOR),
  deployer: new Set(DEPLOYER),
  admin: new Set([...DEPLOYER, 'keys:manage']),
};

/** Whether `role` holds at least one of `permissions`. */
export function roleAllows(role: ApiRole, permissions: readonly Permission[]): boolean {
  const granted = ROLE_PERMISSIONS[role];
  return permissions.some((permission) => granted.has(permission));
}
