// The one rule for ids in URLs (/incidents/:id, /api/v1/components/:id, …): a positive whole number.

export function routeId(value: string | undefined): number | null {
  const id = Number(value);
  return value && Number.isInteger(id) && id > 0 ? id : null;
}
