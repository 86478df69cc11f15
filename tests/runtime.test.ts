import { expect, test } from 'vitest';

test('tests run on the pinned Node 24, not the machine Node 20', () => {
  expect(process.version).toMatch(/^v24\./);
});
