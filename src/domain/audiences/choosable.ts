// What a reader may pick from (subscription choices): the groups and components they see, in the
// page's order. Hidden ones are left out, so a picker never names them.
import type { DbOrTx } from '../../db/client.ts';
import { listComponents, listGroups, type Component, type ComponentGroup } from '../components.ts';
import { visibleComponents, type Visibility } from './visibility.ts';

export async function choosableComponents(
  db: DbOrTx,
  visibility: Visibility,
): Promise<{ groups: ComponentGroup[]; components: Component[] }> {
  const [groups, components] = await Promise.all([listGroups(db), listComponents(db)]);
  const shown = visibleComponents(visibility, components, (c) => c.id);
  const withMembers = new Set(shown.map((c) => c.groupId));
  // A group given to other audiences is not named, even when a member of it is seen: that member
  // is offered under "Other".
  const hiddenGroups = new Set(visibility.hiddenGroupIds);
  return { groups: groups.filter((g) => withMembers.has(g.id) && !hiddenGroups.has(g.id)), components: shown };
}

export { subscriberVisibility } from './subscriber-audiences.ts';
