import { defineConfig } from 'drizzle-kit';

// Run from the repository root: `drizzle-kit generate --config src/store/drizzle.config.ts`.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './src/store/schema/runs.ts',
    './src/store/schema/webhook-deliveries.ts',
    './src/store/schema/api-keys.ts',
    './src/store/schema/run-feedback.ts',
  ],
  out: './migrations',
  casing: 'snake_case',
});
