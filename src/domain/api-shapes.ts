// The JSON shapes of the automation API (v1), one function per resource.
import type { AudienceView } from './audiences/audience-reads.ts';
import { memberText } from './audiences/audience-rules.ts';
import type { Component, ComponentGroup } from './components.ts';
import type { MaintenanceView } from './maintenance.ts';
import type { Subscriber } from './subscribers.ts';
import type { IncidentTemplate } from './templates.ts';
import type { IncidentView } from './incidents.ts';
import { isoOrNull as iso } from './format.ts';
import { brandAssetUrl } from './brand-assets.ts';
import type { SiteSettings } from './site-settings.ts';

/** `audienceIds`: who may see it (none: the public, or for a group member, its group's audiences). */
export function componentJson(c: Component, audienceIds: readonly number[]) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    status: c.status,
    group_id: c.groupId,
    audience_ids: [...audienceIds],
    position: c.position,
    show_uptime: c.showUptime,
    sla_target: c.slaTarget,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function incidentJson(i: IncidentView, baseUrl: string) {
  return {
    id: i.id,
    title: i.title,
    impact: i.impact,
    status: i.status,
    published: i.published,
    started_at: iso(i.startedAt),
    resolved_at: iso(i.resolvedAt),
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    url: `${baseUrl}/incidents/${i.id}`,
    updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      message: u.body,
      display_at: iso(u.displayAt),
      created_at: iso(u.createdAt),
      edited_at: iso(u.editedAt),
      author: u.authorName,
      affected_components: u.affected.map((a) => ({
        id: a.componentId,
        name: a.name,
        old_status: a.oldStatus,
        new_status: a.newStatus,
      })),
    })),
  };
}

export function groupJson(g: ComponentGroup, audienceIds: readonly number[]) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    position: g.position,
    audience_ids: [...audienceIds],
    created_at: iso(g.createdAt),
  };
}

/** An audience with everything that admits a viewer; never its password hash. */
export function audienceJson(a: AudienceView) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    members: a.members.map(memberText),
    has_password: a.hasPassword,
    ip_allowlist: a.ipAllowlist,
    sso_rules: a.ssoRules.map((r) => ({ claim: r.claim, value: r.value })),
    component_ids: a.componentIds,
    group_ids: a.groupIds,
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
  };
}

export function maintenanceJson(m: MaintenanceView, baseUrl: string) {
  return {
    id: m.id,
    title: m.title,
    body: m.body,
    status: m.status,
    scheduled_for: iso(m.scheduledFor),
    scheduled_until: iso(m.scheduledUntil),
    auto_start: m.autoStart,
    auto_complete: m.autoComplete,
    remind_at: iso(m.remindAt),
    started_at: iso(m.startedAt),
    completed_at: iso(m.completedAt),
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    url: `${baseUrl}/maintenance/${m.id}`,
    components: m.components.map((c) => ({ id: c.id, name: c.name, status: c.status })),
    updates: m.updates.map((u) => ({
      id: u.id,
      status: u.status,
      message: u.body,
      created_at: iso(u.createdAt),
      author: u.authorName,
    })),
  };
}

export function templateJson(t: IncidentTemplate) {
  return {
    id: t.id,
    name: t.name,
    title: t.title,
    status: t.status,
    impact: t.impact,
    message: t.message,
    components: t.components,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

/** Subscribers as the API shows them: never the manage token or a webhook's secret. */
export function subscriberJson(s: Subscriber & { componentCount?: number }) {
  return {
    id: s.id,
    kind: s.kind,
    address: s.address,
    state: s.state,
    all_components: s.allComponents,
    source: s.source,
    created_at: iso(s.createdAt),
    confirmed_at: iso(s.confirmedAt),
    unsubscribed_at: iso(s.unsubscribedAt),
  };
}

/** The page's settings; image URLs are absolute (from PUBLIC_URL), like every link Candor writes. */
export function settingsJson(s: SiteSettings, baseUrl: string) {
  const absolute = (file: string | null) => {
    const path = brandAssetUrl(file);
    return path === null ? null : `${baseUrl}${path}`;
  };
  return {
    name: s.name,
    description: s.description,
    brand_color: s.brandColor,
    header_links: s.headerLinks.map((l) => ({ label: l.label, url: l.url })),
    footer_markdown: s.footerMarkdown,
    time_zone: s.timeZone,
    default_locale: s.defaultLocale,
    support_contact: s.supportContact,
    show_powered_by: s.showPoweredBy,
    private_site: s.privateSite,
    logo_url: absolute(s.logo),
    favicon_url: absolute(s.favicon),
  };
}
