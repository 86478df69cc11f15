// The names people see for input fields, so an error says "Reminder must be 0 or more minutes"
// instead of "remindMinutes: Too small". Keys are the field names of forms and API bodies; a key
// missing here is spelled out from its camelCase ("scheduledUntil" → "Scheduled until").
export interface FieldLabel {
  label: string;
  /** What a number in the field counts ("minutes"), said after a limit. */
  unit?: string;
}

const LABELS: Record<string, FieldLabel> = {
  title: { label: 'Title' },
  message: { label: 'Message' },
  body: { label: 'Description' },
  impact: { label: 'Impact' },
  status: { label: 'Status' },
  components: { label: 'Components' },
  componentIds: { label: 'Components' },
  scheduledFor: { label: 'Start' },
  scheduledUntil: { label: 'End' },
  remindMinutes: { label: 'Reminder', unit: 'minutes' },
  dueAt: { label: 'Due date' },
  rcaDueAt: { label: 'RCA due date' },
  at: { label: 'Time' },
  endAt: { label: 'End time' },
  startedAt: { label: 'Start time' },
  email: { label: 'Email' },
  password: { label: 'Password' },
  current: { label: 'Current password' },
  name: { label: 'Name' },
  role: { label: 'Role' },
  url: { label: 'URL' },
  mode: { label: 'What to import' },
  pageId: { label: 'Page id' },
  apiKey: { label: 'API key' },
  apiBase: { label: 'API address' },
  platform: { label: 'Chat app' },
  ticketUrl: { label: 'Ticket URL' },
  publicText: { label: 'Public wording' },
  changeNote: { label: 'Change note' },
  incidentIds: { label: 'Incidents' },
  slaTarget: { label: 'SLA target', unit: '%' },
  position: { label: 'Position' },
  page: { label: 'Page' },
  childId: { label: 'Entry' },
  brandColor: { label: 'Brand colour' },
  footerMarkdown: { label: 'Footer text' },
  timeZone: { label: 'Time zone' },
  defaultLocale: { label: 'Default language' },
  supportContact: { label: 'Support contact' },
  showPoweredBy: { label: '"Powered by Candor"' },
  label: { label: 'Link text' },
  audienceIds: { label: 'Visible to' },
  groupIds: { label: 'Groups' },
  members: { label: 'Members' },
  member: { label: 'Member' },
  ipAllowlist: { label: 'IP ranges' },
  ssoRules: { label: 'Single sign-on rules' },
  claim: { label: 'Claim' },
  privateSite: { label: 'Private site' },
};

/**
 * The label of the field at `path`: its last known field, else its last named segment, with what
 * follows (a list position, an id key) in brackets: "Components (3)".
 */
export function fieldLabel(path: readonly PropertyKey[]): FieldLabel {
  const names = path.map(String);
  let at = names.findLastIndex((p) => Object.hasOwn(LABELS, p));
  if (at === -1) at = names.findLastIndex((p) => !/^\d+$/.test(p));
  if (at === -1) return { label: names.length ? `Item ${Number(names[0]) + 1}` : 'The input' };
  const key = names[at];
  const found = Object.hasOwn(LABELS, key) ? LABELS[key] : { label: spellOut(key) };
  const rest = names.slice(at + 1);
  if (rest.length === 0) return found;
  return { ...found, label: `${found.label} (${rest.length > 2 ? `${rest[0]}, …` : rest.join(', ')})` };
}

function spellOut(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
