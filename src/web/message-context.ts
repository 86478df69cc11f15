// The page name, public address and display zone messages, feeds and public JSON are rendered with. The worker
// reads the same before each batch, so an email and the page it links to agree, and a renamed
// page shows in the next email without a restart.
import type { MessageContext } from '../domain/notify/links.ts';
import { publicUrl } from '../domain/public-url.ts';
import { siteSettings } from './site-settings.ts';

export async function messageContext(): Promise<MessageContext> {
  const { name, timeZone } = await siteSettings();
  return { siteName: name, publicUrl: publicUrl(), timeZone };
}
