import { z } from 'zod';
import { Policy } from './schema.js';

/** The JSON Schema of policy files, for editors; generated from the zod schema, never by hand. */
export function policyJsonSchema(): string {
  const schema = z.toJSONSchema(Policy, { io: 'input', unrepresentable: 'any' });
  return (
    JSON.stringify(
      { ...schema, $id: 'https://baomi.invalid/policy.schema.json', title: 'baomi policy (baomi.policy/1)' },
      null,
      2,
    ) + '\n'
  );
}
