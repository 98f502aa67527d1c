import { defineConfig } from 'drizzle-kit';

// Run from the repository root: `drizzle-kit generate --config src/store/drizzle.config.ts`.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './src/store/schema/runs.ts',
    './src/store/schema/webhook-deliveries.ts',
    './src/store/schema/api-keys.ts',
    './src/store/schema/run-feedback.ts',
    './src/store/schema/prompts.ts',
    './src/store/schema/versions.ts',
    './src/store/schema/labels.ts',
    './src/store/schema/audit.ts',
  ],
  out: './migrations',
  casing: 'snake_case',
});
