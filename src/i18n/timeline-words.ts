// The post-incident picture's own words in the reader's language (the public post-mortem page).
import { formatUtcDay } from '../domain/format.ts';
import type { Locale } from '../domain/locales.ts';
import type { TimelineWords } from '../domain/rca/timeline-svg.ts';
import { t } from './t.ts';

export function timelineWords(locale: Locale): TimelineWords {
  return {
    kind: {
      detection: t(locale, 'timeline.detection'),
      response: t(locale, 'timeline.response'),
      remediation: t(locale, 'timeline.remediation'),
      communication: t(locale, 'timeline.communication'),
      decision: t(locale, 'timeline.decision'),
    },
    effect: {
      positive: t(locale, 'timeline.positive'),
      negative: t(locale, 'timeline.negative'),
      neutral: t(locale, 'timeline.neutral'),
    },
    phaseTip: (phase, from, to) => t(locale, 'timeline.phaseTip', { phase, from, to }),
    // Phase names are common nouns inside the list, except in German, where nouns keep their capital.
    inList: (phase) => (locale === 'de' ? phase : phase.toLocaleLowerCase(locale)),
    description: (count, from, to, phases) =>
      t(locale, 'timeline.description', { count, from, to }) +
      (phases ? t(locale, 'timeline.phases', { list: phases }) : '') +
      t(locale, 'timeline.end'),
    day: (ms) => formatUtcDay(ms, locale),
  };
}
