// The page name and public address messages are rendered with, for the admin's previews (the
// worker gets the same from the server's configured URL).
import type { MessageContext } from '../domain/notify/links.ts';
import { SITE } from '../domain/site.ts';

export function messageContext(requestUrl: URL): MessageContext {
  return { siteName: SITE.name, publicUrl: (process.env.PUBLIC_URL ?? requestUrl.origin).replace(/\/$/, '') };
}
