// The external summary's sections, in the order customers read them (RCA-GUIDE.md §3).
export const SECTIONS = ['title', 'summary', 'wrong', 'response', 'doing', 'recommendations'] as const;
export type SectionKey = (typeof SECTIONS)[number];

export const SECTION_LABELS: Record<SectionKey, string> = {
  title: 'Title',
  summary: 'Summary and impact',
  wrong: 'What went wrong',
  response: 'How we responded',
  doing: 'What we are doing',
  recommendations: 'Recommendations (optional)',
};

export const REQUIRED_SECTIONS: readonly SectionKey[] = ['title', 'summary', 'wrong', 'response', 'doing'];

export type Draft = Record<SectionKey, string>;

export function emptyDraft(): Draft {
  return { title: '', summary: '', wrong: '', response: '', doing: '', recommendations: '' };
}

/** A draft from stored JSON, tolerating missing keys (older rows, partial saves). */
export function toDraft(value: unknown): Draft {
  const draft = emptyDraft();
  if (value && typeof value === 'object') {
    for (const key of SECTIONS) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'string') draft[key] = v;
    }
  }
  return draft;
}
