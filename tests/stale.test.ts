// The stale-state rule: unresolved incidents without a public update for too long, longest silence
// first, and how long "too long" is.
import { describe, expect, test } from 'vitest';
import type { IncidentView } from '../src/domain/incidents.ts';
import { DEFAULT_STALE_MINUTES, staleAfterMs, staleIncidents } from '../src/domain/stale.ts';

const MIN = 60_000;
const incident = (id: number, createdAt: number, updates: number[], resolvedAt: number | null = null) =>
  ({
    id,
    title: `Incident ${id}`,
    createdAt,
    resolvedAt,
    updates: updates.map((u) => ({ createdAt: u })),
  }) as unknown as IncidentView;

describe('stale incidents', () => {
  test('the latest public update counts; resolved incidents never go stale; longest silence first', () => {
    const now = 100 * MIN;
    const list = [
      incident(1, 0, [10 * MIN, 80 * MIN]),
      incident(2, 0, [20 * MIN]),
      incident(3, 0, [30 * MIN]),
      incident(4, 0, [0], 50 * MIN),
    ];
    expect(staleIncidents(list, now, 30 * MIN).map((s) => [s.id, s.silentForMs / MIN])).toEqual([
      [2, 80],
      [3, 70],
    ]);
    expect(staleAfterMs({})).toBe(DEFAULT_STALE_MINUTES * MIN);
    expect(staleAfterMs({ CANDOR_STALE_MINUTES: '10' })).toBe(10 * MIN);
    expect(staleAfterMs({ CANDOR_STALE_MINUTES: 'soon' })).toBe(30 * MIN);
  });
});
