/** Regenerate policies/policy.schema.json from the zod schema: `npm run gen:schema`. */
import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_POLICY_FILE } from '../policies/load.js';
import { policyJsonSchema } from '../policies/json-schema.js';

const target = path.join(path.dirname(BUILTIN_POLICY_FILE), 'policy.schema.json');
fs.writeFileSync(target, policyJsonSchema());
process.stdout.write(`wrote ${target}\n`);
