// The links every message carries, built in one place from the page's public URL.
export interface MessageContext {
  siteName: string;
  /** The page's public address without a trailing slash, e.g. https://status.example.com */
  publicUrl: string;
}

export const subscriptionLinks = (ctx: MessageContext, manageToken: string) => ({
  manage: `${ctx.publicUrl}/subscription/${manageToken}`,
  unsubscribe: `${ctx.publicUrl}/subscription/${manageToken}/unsubscribe`,
});

export const passwordLink = (ctx: MessageContext, token: string) => `${ctx.publicUrl}/admin/password?token=${token}`;

export const confirmLink = (ctx: MessageContext, token: string) => `${ctx.publicUrl}/subscribe/confirm/${token}`;

export const incidentLink = (ctx: MessageContext, id: number) => `${ctx.publicUrl}/incidents/${id}`;

export const postmortemLink = (ctx: MessageContext, slug: string) => `${ctx.publicUrl}/postmortems/${slug}`;

export const maintenanceLink = (ctx: MessageContext, id: number) => `${ctx.publicUrl}/maintenance/${id}`;
