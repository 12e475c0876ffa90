import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSchemaGenerated } from '../../tools/check-schema';

// Inside the repository, so the copied schema resolves drizzle-orm from node_modules.
const SCRATCH = `.local/check-schema-test-${process.pid}`;

async function schemaWith(name: string, edit: (source: string) => string): Promise<string> {
  await mkdir(SCRATCH, { recursive: true });
  const path = `${SCRATCH}/${name}.ts`;
  await writeFile(path, edit(await readFile('src/db/schema.ts', 'utf8')));
  return `./${path}`;
}

describe('npm run db:check: schema against migrations', () => {
  afterAll(() => rm(SCRATCH, { recursive: true, force: true }));

  it('passes when drizzle/ holds every change in src/db/schema.ts', async () => {
    expect(await checkSchemaGenerated()).toEqual({ ok: true });
  });

  it('fails, naming db:generate, when the schema has a column no migration adds', async () => {
    const schema = await schemaWith('added-column', (source) =>
      source.replace(
        "title: text('title').notNull(),",
        "title: text('title').notNull(),\n    notes: text('notes'),",
      ),
    );
    const result = await checkSchemaGenerated({ schema });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/db:generate/) });
  });

  it('fails when drizzle-kit would have to ask whether a column was renamed', async () => {
    const schema = await schemaWith('renamed-column', (source) =>
      source.replace("title: text('title')", "heading: text('heading')"),
    );
    const result = await checkSchemaGenerated({ schema });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/db:generate/) });
  });
});
