// The RCA glossary (internal terms with their customer wording, and team names), edited in the
// admin and the API. content/glossary.json is the first start's glossary; after that it lives in
// the database, read whenever a review is loaded for the lint, so an edit applies at once on every
// instance. Changes are validated whole and audited.
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { InputError, parseInput } from '../errors.ts';
import {
  readSettingsDocument,
  seedSettingsDocument,
  SETTINGS_KEYS,
  writeSettingsDocumentIn,
} from '../settings-store.ts';
import { GLOSSARY, type Glossary } from './lint-rules.ts';

const MAX_TERMS = 1000;

const words = (max: number) =>
  z.string({ error: 'must be text' }).trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const glossarySchema = z
  .strictObject({
    terms: z
      .array(z.strictObject({ term: words(100), customer: words(300) }), { error: 'must be a list of terms' })
      .max(MAX_TERMS, `must have at most ${MAX_TERMS.toLocaleString('en')} terms`),
    teams: z
      .array(words(100), { error: 'must be a list of team names' })
      .max(MAX_TERMS, `must have at most ${MAX_TERMS.toLocaleString('en')} teams`),
  })
  .meta({ id: 'Glossary' });

/** The same word twice would give the lint two suggestions for one match: refused, naming it. */
function assertUnique(glossary: Glossary): void {
  const repeated = (list: string[]) => [
    ...new Set(list.map((w) => w.toLowerCase()).filter((w, i, all) => all.indexOf(w) !== i)),
  ];
  const terms = repeated(glossary.terms.map((t) => t.term));
  const teams = repeated(glossary.teams);
  const problems = [
    ...terms.map((t) => `terms: "${t}" is listed more than once (terms match whatever their case)`),
    ...teams.map((t) => `teams: "${t}" is listed more than once`),
  ];
  if (problems.length) throw new InputError(problems.join('; '), problems);
}

/** The glossary the lint uses now. */
export async function loadGlossary(db: DbOrTx): Promise<Glossary> {
  const stored = glossarySchema.safeParse(await readSettingsDocument(db, SETTINGS_KEYS.glossary));
  return stored.success ? stored.data : GLOSSARY;
}

/** Replaces the whole glossary (what the admin's editor and PUT /settings/glossary send). */
export async function replaceGlossary(db: Db, input: unknown, now = Date.now()): Promise<Glossary> {
  const glossary = parseInput(glossarySchema, input);
  assertUnique(glossary);
  return db.transaction(async (tx) => {
    const before = await loadGlossary(tx);
    await writeSettingsDocumentIn(tx, SETTINGS_KEYS.glossary, glossary);
    await recordAudit(
      tx,
      {
        action: 'glossary.update',
        subjectType: 'settings',
        subjectId: SETTINGS_KEYS.glossary,
        before,
        after: glossary,
      },
      now,
    );
    return glossary;
  });
}

/** content/glossary.json on the first start. */
export function seedGlossary(db: DbOrTx): Promise<void> {
  return seedSettingsDocument(db, SETTINGS_KEYS.glossary, GLOSSARY);
}
