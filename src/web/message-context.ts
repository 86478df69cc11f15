// The page name and public address messages, feeds and public JSON are rendered with. The worker
// gets the same from the server, so an email and the page it links to agree.
import type { MessageContext } from '../domain/notify/links.ts';
import { publicUrl } from '../domain/public-url.ts';
import { SITE } from '../domain/site.ts';

export function messageContext(): MessageContext {
  return { siteName: SITE.name, publicUrl: publicUrl() };
}
