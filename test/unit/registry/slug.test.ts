import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/registry/errors.js';
import {
  assertValidSlug,
  explainInvalidSlug,
  isValidSlug,
  MAX_SLUG_LENGTH,
  pathToSlug,
  slugToPath,
} from '../../../src/registry/slug.js';

describe('slug rules', () => {
  it.each(['acme/support/triage', 'a', '0day', 'acme/support/classify-language', 'r/p_2/x-1'])(
    'accepts %s',
    (slug) => {
      expect(isValidSlug(slug)).toBe(true);
      expect(assertValidSlug(slug)).toBe(slug);
    },
  );

  it.each([
    ['empty', ''],
    ['parent traversal', '../etc/passwd'],
    ['traversal in the middle', 'acme/../../secret'],
    ['a dot segment', 'acme/./triage'],
    ['an absolute path', '/etc/passwd'],
    ['a windows drive path', 'C:/Windows/win'],
    ['backslashes', 'acme\\support\\triage'],
    ['uppercase', 'Acme/Support'],
    ['a leading slash', '/acme/triage'],
    ['a trailing slash', 'acme/triage/'],
    ['a double slash', 'acme//triage'],
    ['a leading dash', 'acme/-triage'],
    ['a leading underscore', '_shared/style'],
    ['spaces', 'acme/support triage'],
    ['the .prompty extension', 'acme/support/triage.prompty'],
    ['a NUL byte', 'acme/tri\u0000age'],
    ['unicode letters', 'acme/triagé'],
    ['too many characters', 'a'.repeat(MAX_SLUG_LENGTH + 1)],
  ])('rejects %s', (_label, slug) => {
    expect(isValidSlug(slug)).toBe(false);
    expect(() => assertValidSlug(slug)).toThrow(RegistryError);
  });

  it('names the broken rule in the error', () => {
    try {
      assertValidSlug('Acme/triage');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).code).toBe('registry.invalid_slug');
      expect((error as RegistryError).message).toContain('lowercase');
      expect((error as RegistryError).details).toMatchObject({ slug: 'Acme/triage' });
    }
  });

  it('explains nothing for a valid slug', () => {
    expect(explainInvalidSlug('acme/support/triage')).toBeNull();
  });
});

describe('slugToPath', () => {
  it('maps a slug to <root>/<slug>.prompty', () => {
    expect(slugToPath('/srv/prompts', 'acme/support/triage')).toBe(
      path.join('/srv/prompts', 'acme', 'support', 'triage.prompty'),
    );
  });

  it('refuses a traversal slug instead of building a path out of the root', () => {
    expect(() => slugToPath('/srv/prompts', '../../etc/passwd')).toThrow(/Invalid slug/);
  });
});

describe('pathToSlug', () => {
  it('maps a file under the root back to its slug', () => {
    expect(pathToSlug('/srv/prompts', '/srv/prompts/acme/support/triage.prompty')).toBe(
      'acme/support/triage',
    );
  });

  it('returns null for a file outside the root', () => {
    expect(pathToSlug('/srv/prompts', '/srv/other/x.prompty')).toBeNull();
    expect(pathToSlug('/srv/prompts', '/srv/prompts-evil/x.prompty')).toBeNull();
  });

  it('returns null for a file whose path breaks the slug rules', () => {
    expect(pathToSlug('/srv/prompts', '/srv/prompts/Acme/Triage.prompty')).toBeNull();
    expect(pathToSlug('/srv/prompts', '/srv/prompts/acme/my prompt.prompty')).toBeNull();
  });

  it('returns null for a file that is not a .prompty file', () => {
    expect(pathToSlug('/srv/prompts', '/srv/prompts/acme/readme.md')).toBeNull();
  });
});
