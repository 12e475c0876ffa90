import { defineConfig } from 'drizzle-kit';
import { toolDatabaseUrl } from './tools/local-urls.ts';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  // drizzle-kit studio/push/pull need a URL; without DATABASE_URL_DIRECT, the local stack's.
  dbCredentials: { url: toolDatabaseUrl() },
});
