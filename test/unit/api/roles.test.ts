import { describe, expect, it } from 'vitest';
import { PERMISSIONS, type Permission, ROLE_PERMISSIONS, roleAllows } from '../../../src/api/auth/roles.js';

const has = (role: keyof typeof ROLE_PERMISSIONS, permission: Permission) =>
  ROLE_PERMISSIONS[role].has(permission);

describe('roles matrix', () => {
  it('lets a viewer read everything but change nothing', () => {
    for (const permission of [
      'runs:read',
      'events:read',
      'prompts:read',
      'labels:read',
      'stats:read',
    ] as const) {
      expect(has('viewer', permission)).toBe(true);
    }
    for (const permission of [
      'runs:create',
      'runs:feedback',
      'prompts:render',
      'labels:write',
      'keys:manage',
    ] as const) {
      expect(has('viewer', permission)).toBe(false);
    }
  });

  it('lets a runner enqueue and read only its own runs', () => {
    expect([...ROLE_PERMISSIONS.runner].sort()).toEqual(['runs:create', 'runs:feedback', 'runs:read-own']);
  });

  it('gives an editor what viewers and runners have, plus render previews', () => {
    for (const permission of [...ROLE_PERMISSIONS.viewer, ...ROLE_PERMISSIONS.runner]) {
      expect(has('editor', permission)).toBe(true);
    }
    expect(has('editor', 'prompts:render')).toBe(true);
    expect(has('editor', 'labels:write')).toBe(false);
  });

  it('gives a deployer label moves and an admin key management on top', () => {
    expect([...ROLE_PERMISSIONS.deployer].filter((p) => !ROLE_PERMISSIONS.editor.has(p))).toEqual([
      'labels:write',
    ]);
    expect([...ROLE_PERMISSIONS.admin].filter((p) => !ROLE_PERMISSIONS.deployer.has(p))).toEqual([
      'keys:manage',
    ]);
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('allows a route when the role holds any one of its permissions', () => {
    expect(roleAllows('runner', ['runs:read', 'runs:read-own'])).toBe(true);
    expect(roleAllows('runner', ['runs:read'])).toBe(false);
    expect(roleAllows('viewer', [])).toBe(false);
  });
});
