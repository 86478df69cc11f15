// The figures derived from a review's key moments (RCA-GUIDE.md §2): time to acknowledge, time
// to recover, and how long each phase of the incident lasted.

export const MOMENTS = ['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt'] as const;
export type Moment = (typeof MOMENTS)[number];
export const MOMENT_LABELS: Record<Moment, string> = {
  startedAt: 'Started (impact began)',
  detectedAt: 'Detected',
  acknowledgedAt: 'Acknowledged',
  mitigatedAt: 'Mitigated',
  resolvedAt: 'Resolved',
};

export type KeyMoments = Record<Moment, number | null>;

export interface Phase {
  name: 'detection' | 'response' | 'remediation';
  label: string;
  from: number;
  to: number;
}

export interface ReviewMetrics {
  /** detected → acknowledged */
  ttaMs: number | null;
  /** started → resolved: how long customers were affected */
  ttrMs: number | null;
  phases: Phase[];
  /** started → detected: the detection phase */
  detectionMs: number | null;
  /** detected → mitigated: the response phase */
  responseMs: number | null;
  /** mitigated → resolved: the remediation phase */
  remediationMs: number | null;
  /** detected → the first public update: how long customers waited for our first word */
  firstWordMs: number | null;
}

const span = (from: number | null, to: number | null) => (from !== null && to !== null ? to - from : null);

export function computeMetrics(m: KeyMoments, firstPublicUpdateAt: number | null): ReviewMetrics {
  const phases: Phase[] = [];
  const add = (name: Phase['name'], label: string, from: number | null, to: number | null) => {
    if (from !== null && to !== null) phases.push({ name, label, from, to });
  };
  add('detection', 'Detection', m.startedAt, m.detectedAt);
  add('response', 'Response', m.detectedAt, m.mitigatedAt);
  add('remediation', 'Remediation', m.mitigatedAt, m.resolvedAt);
  return {
    ttaMs: span(m.detectedAt, m.acknowledgedAt),
    ttrMs: span(m.startedAt, m.resolvedAt),
    phases,
    detectionMs: span(m.startedAt, m.detectedAt),
    responseMs: span(m.detectedAt, m.mitigatedAt),
    remediationMs: span(m.mitigatedAt, m.resolvedAt),
    firstWordMs: span(m.detectedAt, firstPublicUpdateAt),
  };
}

/** Moments must follow one another; returns what is out of order, in words. */
export function momentOrderProblems(m: KeyMoments): string[] {
  const problems: string[] = [];
  let previous: Moment | null = null;
  for (const name of MOMENTS) {
    const value = m[name];
    if (value === null) continue;
    if (previous !== null && value < m[previous]!) {
      problems.push(
        `${name}: ${MOMENT_LABELS[name].toLowerCase()} cannot be before ${MOMENT_LABELS[previous].toLowerCase()}`,
      );
    }
    previous = name;
  }
  return problems;
}
