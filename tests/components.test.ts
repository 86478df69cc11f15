// Components and their groups on a real, migrated libSQL file.
import { beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import { createComponent, createGroup, deleteGroup } from '../src/domain/components.ts';
import { loadStatusPage } from '../src/domain/public-page.ts';
import { freshDb } from './support/db.ts';
import { EVERYTHING } from '../src/domain/audiences/visibility.ts';

let db: Db;

beforeEach(async () => {
  ({ db } = await freshDb());
});

describe('component groups', () => {
  test('groups keep their components when deleted', async () => {
    const g = await createGroup(db, { name: 'Core' });
    await createComponent(db, { name: 'API', groupId: g.id });
    await expect(createComponent(db, { name: 'X', groupId: 999 })).rejects.toThrow('No component group with id 999');
    await deleteGroup(db, g.id);
    expect((await loadStatusPage(db, EVERYTHING)).ungrouped.map((c) => c.name)).toEqual(['API']);
  });
});
