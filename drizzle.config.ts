import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  schema: './db/schema.ts',
  out: './db/migrations',
  dialect: 'turso',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'file:data/candor.db', authToken: process.env.DATABASE_AUTH_TOKEN },
});
