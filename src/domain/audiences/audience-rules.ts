// What an audience may hold, as zod schemas: its name, members (addresses and whole domains,
// lower-cased), IP ranges (CIDRs, IPv4 or IPv6, stored as their network address) and single
// sign-on rules. The admin forms and API v1 both validate through these, so they agree.
import ipaddr from 'ipaddr.js';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { oneOf, preview } from '../errors.ts';
import { idSchema } from '../input.ts';
import {
  MAX_IP_RANGES,
  MAX_MEMBERS,
  MAX_SSO_RULES,
  SSO_CLAIMS,
  type AudienceMember,
  type SsoRule,
} from './vocabulary.ts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const LOCAL_PART = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

/** A domain written as people do ("Example.COM", "bücher.example"), as its lower-case ASCII form; null if it is none. */
export function normaliseDomain(text: string): string | null {
  const trimmed = text.trim().replace(/\.$/, '');
  if (trimmed === '' || /[\s/@:]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  // One label is a host, not a domain; an all-digit last label is an IP address.
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return null;
  return ascii;
}

/** An email address or a whole domain ("@example.com" or "example.com"), lower-cased; null if it is neither. */
export function parseMember(text: string): AudienceMember | null {
  const value = text.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  if (at <= 0) {
    const domain = normaliseDomain(at === 0 ? value.slice(1) : value);
    return domain ? { kind: 'domain', value: domain } : null;
  }
  const local = value.slice(0, at);
  const domain = normaliseDomain(value.slice(at + 1));
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..') || !domain)
    return null;
  return { kind: 'email', value: `${local}@${domain}` };
}

/** How a member is written back: the address, or "@domain" for every address of a domain. */
export const memberText = (m: AudienceMember) => (m.kind === 'domain' ? `@${m.value}` : m.value);

export const memberSchema = z.string({ error: 'must be text' }).transform((text, ctx) => {
  const member = parseMember(text);
  if (!member) {
    ctx.addIssue({
      code: 'custom',
      message: `must be an email address (ana@example.com) or a whole domain (@example.com), not ${preview(text)}`,
      input: text,
    });
    return z.NEVER;
  }
  return member;
});

/** Members, each once, addresses before domains, in order. */
const membersSchema = z
  .array(memberSchema, { error: 'must be a list of email addresses and domains' })
  .max(MAX_MEMBERS, `must have at most ${MAX_MEMBERS}`)
  .transform((members) => uniqueBy(members, (m) => `${m.kind}:${m.value}`));

/**
 * A CIDR range ("203.0.113.0/24", "2001:db8::/32") or one address, as its network address and
 * prefix; a sentence saying what is wrong otherwise. Only dotted-quad IPv4 is read ("10.1" and
 * "0x0a.0.0.1" are refused): what an admin reads back must be what they meant.
 */
export function parseCidr(text: string): { cidr: string } | { problem: string } {
  const value = text.trim();
  const shown = preview(value);
  const [address, prefix, ...rest] = value.split('/');
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const v6 = !v4 && !address.includes('%') && ipaddr.IPv6.isValid(address);
  if (rest.length || (!v4 && !v6))
    return { problem: `must be an IP range such as 203.0.113.0/24 or 2001:db8::/32, not ${shown}` };
  const bits = v4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix))
    return { problem: `has a prefix length that is not a number in ${shown}: write it as /0 to /${bits}` };
  const length = prefix === undefined ? bits : Number(prefix);
  if (length > bits)
    return {
      problem: `has no IP range ${shown}: an ${v4 ? 'IPv4' : 'IPv6'} prefix length is at most /${bits} (a single address)`,
    };
  if (length === 0)
    return {
      problem: `would admit every ${v4 ? 'IPv4' : 'IPv6'} address with ${shown}; to show something to everyone, make it public instead`,
    };
  const network = (v4 ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(`${address}/${length}`);
  return { cidr: `${network.toString()}/${length}` };
}

export const cidrSchema = z.string({ error: 'must be text' }).transform((text, ctx) => {
  const parsed = parseCidr(text);
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.problem, input: text });
    return z.NEVER;
  }
  return parsed.cidr;
});

const ipAllowlistSchema = z
  .array(cidrSchema, { error: 'must be a list of IP ranges' })
  .max(MAX_IP_RANGES, `must have at most ${MAX_IP_RANGES}`)
  .transform((ranges) => [...new Set(ranges)]);

const ssoRuleSchema = z
  .strictObject({
    claim: oneOf(SSO_CLAIMS),
    value: z.string({ error: 'must be text' }).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  })
  .transform((rule, ctx): SsoRule => {
    if (rule.claim === 'groups') return rule;
    const member = parseMember(rule.value);
    const wanted = rule.claim === 'email' ? 'email' : 'domain';
    if (member?.kind !== wanted) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message:
          wanted === 'email'
            ? `must be an email address such as ana@example.com, not ${preview(rule.value)}`
            : `must be a domain such as example.com, not ${preview(rule.value)}`,
        input: rule.value,
      });
      return z.NEVER;
    }
    return { claim: rule.claim, value: member.value };
  });

const ssoRulesSchema = z
  .array(ssoRuleSchema, { error: 'must be a list of rules, each {"claim", "value"}' })
  .max(MAX_SSO_RULES, `must have at most ${MAX_SSO_RULES}`)
  .transform((rules) => uniqueBy(rules, (r) => `${r.claim}:${r.value}`));

const idsSchema = (what: string) =>
  z
    .array(idSchema(`must be ${what} id: a whole number from 1`), { error: `must be a list of ${what} ids` })
    .max(1000, 'must have at most 1000')
    .transform((ids) => [...new Set(ids)].sort((a, b) => a - b));

const nameSchema = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(100, 'must be at most 100 characters');
const descriptionSchema = z.string({ error: 'must be text' }).trim().max(500, 'must be at most 500 characters');

/** A new audience: a name, and optionally everything else. */
export const audienceCreateSchema = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.default(''),
  members: membersSchema.default([]),
  ipAllowlist: ipAllowlistSchema.default([]),
  ssoRules: ssoRulesSchema.default([]),
  componentIds: idsSchema('a component').default([]),
  groupIds: idsSchema('a component group').default([]),
});

/** A change: any subset; a list that is sent replaces the whole list. */
export const audiencePatchSchema = z.strictObject({
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  members: membersSchema.optional(),
  ipAllowlist: ipAllowlistSchema.optional(),
  ssoRules: ssoRulesSchema.optional(),
  componentIds: idsSchema('a component').optional(),
  groupIds: idsSchema('a component group').optional(),
});

export type AudiencePatch = z.output<typeof audiencePatchSchema>;

/** Members to add or remove at once (the admin's textarea, one a line). */
export const memberListSchema = z.strictObject({
  members: membersSchema.refine((members) => members.length > 0, 'needs at least one email address or domain'),
});

/** The audiences a component or group is given to (none: public, or for a component, its group's). */
export const audienceIdsSchema = idsSchema('an audience');

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
