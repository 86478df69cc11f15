// The one rule for ids in URLs (/incidents/:id, /api/v1/components/:id, ?component=…): the
// canonical id of domain/input.ts. " 1", "01", "1e3" or "0x10" name nothing, so they are 404s.
import { canonicalId } from '../domain/input.ts';

export function routeId(value: string | null | undefined): number | null {
  return canonicalId(value);
}
