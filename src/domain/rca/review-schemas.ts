// What a review accepts (RCA-GUIDE.md §2): the zod schemas of the review, its timeline entries,
// contributing factors and action items, with messages written for the person typing.
import { z } from 'zod';
import { oneOf } from '../errors.ts';
import { dateInput, idSchema, timeInput } from '../input.ts';
import { optionalHttpUrlSchema } from '../urls.ts';
import {
  ACTION_CATEGORIES,
  ACTION_PRIORITIES,
  ACTION_STATUSES,
  DETECTED_BY,
  EFFECTS,
  FACTOR_KINDS,
  SEVERITIES,
  TIMELINE_KINDS,
} from './vocabulary.ts';

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max.toLocaleString('en')} characters`);
const requiredText = (max: number, hint = 'is required') => text(max).min(1, hint);
const optionalTime = z.union([z.literal('').transform(() => null), z.null(), timeInput()]).default(null);
const requiredTime = timeInput();
const idList = z.array(idSchema('must be incident ids')).default([]);
const checkbox = z.boolean().default(false);

export const requestReviewSchema = z.object({
  title: requiredText(200, 'is required: name the review (internal)'),
  severity: oneOf(SEVERITIES),
  incidentIds: idList.refine((ids) => ids.length > 0, 'choose at least one incident the review covers'),
  requestContext: requiredText(5000, 'is required: say which customers asked, or why this needs an RCA'),
  rcaDueAt: optionalTime,
});

export const updateReviewSchema = z.object({
  title: requiredText(200),
  severity: oneOf(SEVERITIES),
  incidentIds: idList.refine((ids) => ids.length > 0, 'choose at least one incident the review covers'),
  customerImpact: text(10_000).default(''),
  customersAffected: checkbox,
  detectedBy: oneOf(DETECTED_BY),
  newFailureMode: checkbox,
  startedAt: optionalTime,
  detectedAt: optionalTime,
  acknowledgedAt: optionalTime,
  mitigatedAt: optionalTime,
  resolvedAt: optionalTime,
  fiveWhys: z.array(text(1000)).max(10, 'at most 10 whys').default([]),
  learnings: text(20_000).default(''),
  rcaDueAt: optionalTime,
});

// Entries customers may see carry their own wording; the internal description never goes out.
const publicFields = { public: checkbox, publicText: text(2000).default('') };
const hasPublicWording = (v: { public: boolean; publicText: string }) => !v.public || v.publicText.length > 0;
const publicWordingIssue = {
  path: ['publicText'],
  message: 'is required when the entry is public: write it for customers',
};

export const timelineEntrySchema = z
  .object({
    at: requiredTime,
    endAt: optionalTime,
    actor: requiredText(200, 'is required: who or what acted (a person or automation)'),
    kind: oneOf(TIMELINE_KINDS),
    effect: oneOf(EFFECTS),
    description: requiredText(5000),
    ...publicFields,
  })
  .refine(hasPublicWording, publicWordingIssue)
  .refine((v) => v.endAt === null || v.endAt >= v.at, { path: ['endAt'], message: 'must not be before the start' });

export const factorSchema = z
  .object({ kind: oneOf(FACTOR_KINDS), description: requiredText(5000), ...publicFields })
  .refine(hasPublicWording, publicWordingIssue);

export const actionItemSchema = z
  .object({
    title: requiredText(300),
    owner: requiredText(200, 'is required: one person owns each action item'),
    priority: oneOf(ACTION_PRIORITIES),
    dueAt: dateInput(),
    status: oneOf(ACTION_STATUSES).default('open'),
    ticketUrl: optionalHttpUrlSchema,
    category: oneOf(ACTION_CATEGORIES),
    ...publicFields,
  })
  .refine(hasPublicWording, publicWordingIssue);
