// What a reader may pick from (subscription choices): the groups and components they see, in the
// page's order. Hidden ones are left out, so a picker never names them.
import type { DbOrTx } from '../../db/client.ts';
import { audienceViewer } from './viewer.ts';
import { listComponents, listGroups, type Component, type ComponentGroup } from '../components.ts';
import { subscriberAudienceIds } from './subscriber-audiences.ts';
import { loadVisibility, visibleComponents, type Visibility } from './visibility.ts';

export async function choosableComponents(
  db: DbOrTx,
  visibility: Visibility,
): Promise<{ groups: ComponentGroup[]; components: Component[] }> {
  const [groups, components] = await Promise.all([listGroups(db), listComponents(db)]);
  const shown = visibleComponents(visibility, components, (c) => c.id);
  const withMembers = new Set(shown.map((c) => c.groupId));
  return { groups: groups.filter((g) => withMembers.has(g.id)), components: shown };
}

/** What a subscriber may hear about: the public's, plus the audiences they subscribed as a member of. */
export async function subscriberVisibility(db: DbOrTx, subscriberId: number): Promise<Visibility> {
  return loadVisibility(db, audienceViewer(await subscriberAudienceIds(db, subscriberId)));
}
