/**
 * Architecture rules (STYLE.md habit 1): capabilities talk to each other only through their
 * index.ts, only along the allowed edges, and there are no runtime cycles.
 */
const allowed = {
  config: ['errors'],
  errors: [],
  prompty: ['errors'],
  telemetry: ['config', 'errors'],
  store: ['config', 'errors'],
  registry: ['prompty', 'store', 'errors', 'telemetry'],
  gateway: ['config', 'errors', 'telemetry', 'prompty'],
  queue: ['config', 'errors', 'telemetry', 'store'],
  worker: ['registry', 'prompty', 'gateway', 'store', 'queue', 'telemetry', 'errors', 'config'],
  eval: ['queue', 'registry', 'store', 'gateway', 'errors'],
  api: ['registry', 'store', 'queue', 'eval', 'telemetry', 'errors', 'config'],
  'http-client': ['errors', 'api'],
  // The CLI entry starts telemetry for long-running commands before they load what it instruments.
  cli: [
    'api',
    'registry',
    'store',
    'queue',
    'worker',
    'eval',
    'config',
    'errors',
    'prompty',
    'gateway',
    'telemetry',
  ],
};

const capabilityRules = Object.entries(allowed).map(([from, targets]) => {
  const others = Object.keys(allowed).filter((name) => name !== from && !targets.includes(name));
  return {
    name: `${from}-imports-only-allowed-capabilities`,
    severity: 'error',
    comment: `src/${from} may import only: ${targets.join(', ') || 'nothing internal'}`,
    from: { path: `^src/${from}/` },
    to: { path: `^src/(${others.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Runtime import cycles make initialisation order fragile.',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-through-index',
      severity: 'error',
      comment: 'Another capability is entered only through its index.ts.',
      from: { path: '^src/([^/]+)/' },
      // api/contract is the client-safe door (zod only) that the HTTP client and the UI import;
      // it shares the queue's zod-only run options and result schemas.
      to: {
        path: '^src/([^/]+)/.+',
        pathNot: [
          '^src/$1/',
          '^src/[^/]+/index\\.ts$',
          '^src/api/contract(\\.ts$|/)',
          '^src/queue/(results|run-options)\\.ts$',
        ],
      },
    },
    {
      name: 'workers-through-index',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^src/[^/]+/.+', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    {
      name: 'http-client-only-contract',
      severity: 'error',
      comment: 'The HTTP client must not pull the server (Redis, Postgres) into client bundles.',
      from: { path: '^src/http-client/' },
      to: { path: '^src/api/', pathNot: '^src/api/contract(\\.ts$|/)' },
    },
    {
      name: 'client-safe-modules-stay-zod-only',
      severity: 'error',
      comment:
        'api/contract and the queue schemas it shares are loaded by HTTP clients and the UI: zod only.',
      from: { path: '^src/(api/contract|queue/results\\.ts$|queue/run-options\\.ts$)' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'], pathNot: 'node_modules/zod/' },
    },
    ...capabilityRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
