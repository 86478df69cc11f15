import { describe, expect, test } from 'vitest';
import { overallStatus, worstComponentState } from '../src/domain/status.ts';
import { computeUptime, DAY_MS, formatPercent, startOfUtcDay } from '../src/domain/uptime.ts';

describe('overall status', () => {
  test('all operational and no incident reads as operational', () => {
    expect(overallStatus(['operational', 'operational'], [])).toEqual({
      indicator: 'none',
      description: 'All Systems Operational',
    });
  });
  test('the worst of components and active incident impacts wins', () => {
    expect(overallStatus(['operational', 'partial_outage'], ['minor']).indicator).toBe('major');
    expect(overallStatus(['degraded_performance'], ['critical']).indicator).toBe('critical');
    expect(overallStatus(['under_maintenance'], []).description).toBe('Service Under Maintenance');
  });
  test('worst component state follows severity order', () => {
    expect(worstComponentState(['degraded_performance', 'major_outage', 'under_maintenance'])).toBe('major_outage');
    expect(worstComponentState([])).toBe('operational');
  });
});

describe('uptime', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  const today = startOfUtcDay(now);
  const created = today - 100 * DAY_MS;

  test('major outage counts fully, partial outage at 30%, degraded and maintenance not at all', () => {
    const day = today - 10 * DAY_MS;
    const history = [
      { status: 'operational' as const, changedAt: created },
      { status: 'major_outage' as const, changedAt: day + 1 * 3_600_000 },
      { status: 'operational' as const, changedAt: day + 2 * 3_600_000 }, // 1 h major
      { status: 'partial_outage' as const, changedAt: day + 3 * 3_600_000 },
      { status: 'operational' as const, changedAt: day + 5 * 3_600_000 }, // 2 h partial = 0.6 h
      { status: 'degraded_performance' as const, changedAt: day + 6 * 3_600_000 },
      { status: 'under_maintenance' as const, changedAt: day + 8 * 3_600_000 },
      { status: 'operational' as const, changedAt: day + 9 * 3_600_000 },
    ];
    const uptime = computeUptime(history, now);
    expect(uptime.days).toHaveLength(90);
    const bar = uptime.days.find((d) => d.date === new Date(day).toISOString().slice(0, 10))!;
    expect(bar.worst).toBe('major_outage');
    expect(bar.downtimeMs).toBeCloseTo(1.6 * 3_600_000, 0);
    expect(bar.durations.degraded_performance).toBe(2 * 3_600_000);
    const observed = 89 * DAY_MS + 12 * 3_600_000;
    expect(uptime.percent).toBeCloseTo((100 * (observed - 1.6 * 3_600_000)) / observed, 6);
    expect(uptime.days[89].observedMs).toBe(12 * 3_600_000); // today so far only
  });

  test('an outage spanning midnight is split across both days', () => {
    const history = [
      { status: 'operational' as const, changedAt: created },
      { status: 'major_outage' as const, changedAt: today - 3_600_000 },
      { status: 'operational' as const, changedAt: today + 3_600_000 },
    ];
    const { days } = computeUptime(history, now);
    expect(days[88].downtimeMs).toBe(3_600_000);
    expect(days[89].downtimeMs).toBe(3_600_000);
  });

  test('days before the component existed have no data and do not count', () => {
    const history = [{ status: 'operational' as const, changedAt: today - 2 * DAY_MS }];
    const uptime = computeUptime(history, now);
    expect(uptime.days[0].worst).toBeNull();
    expect(uptime.days[87].worst).toBe('operational');
    expect(uptime.percent).toBe(100);
  });

  test('percentages are never rounded up to 100%', () => {
    expect(formatPercent(99.9999)).toBe('99.99%');
    expect(formatPercent(100)).toBe('100.00%');
    expect(formatPercent(null)).toBe('No data');
  });
});
