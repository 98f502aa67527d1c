import { diffVersions, RegistryError } from '../../registry/index.js';
import { type Db, findVersion, type PromptVersion } from '../../store/index.js';
import { writeJson } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';

async function versionOf(db: Db, slug: string, version: string): Promise<PromptVersion> {
  const found = await findVersion(db, slug, version);
  if (found === null || Array.isArray(found)) {
    throw new RegistryError(
      'registry.version_not_found',
      found === null
        ? `Prompt "${slug}" has no published version "${version}".`
        : `"${version}" is ambiguous for "${slug}".`,
      { details: { slug, version } },
    );
  }
  return found;
}

/** `opm diff <slug> <v1> <v2>`: a unified diff between two published versions and the files they read. */
export const diffCommand: CommandRegistrar = (program, context) => {
  program
    .command('diff')
    .description('show a unified diff between two published versions of a prompt')
    .argument('<slug>', 'e.g. acme/support/triage')
    .argument('<from>', 'the older version')
    .argument('<to>', 'the newer version')
    .option('--json', 'print {"slug","from","to","patch"} as JSON')
    .action(async (slug: string, from: string, to: string, flags: { json?: boolean }) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        const [a, b] = await withRegistryStore(context, async ({ db }) =>
          Promise.all([versionOf(db, slug, from), versionOf(db, slug, to)]),
        );
        const patch = diffVersions(slug, a, b);
        if (json) writeJson(context.io, { slug, from: a.version, to: b.version, patch });
        else context.io.stdout.write(patch);
      });
    });
};
