import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { policyJsonSchema } from '../../policies/json-schema.js';
import { REPO } from '../helpers.js';

test('policies/policy.schema.json is in step with the zod schema (npm run gen:schema)', () => {
  expect(fs.readFileSync(path.join(REPO, 'policies', 'policy.schema.json'), 'utf8')).toBe(policyJsonSchema());
});
