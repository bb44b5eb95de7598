/** Azion's namespace name rule, checked before any request so a bad name costs no round trip. */
import { ValidationError } from '../errors.js';
import { AZION_LIMITS, AZION_NAMESPACE_NAME_PATTERN } from '../limits.js';

export function validateAzionNamespaceName(name: string): string {
  if (AZION_NAMESPACE_NAME_PATTERN.test(name)) return name;
  const { namespaceNameMinChars: min, namespaceNameMaxChars: max } = AZION_LIMITS;
  const problem =
    name.length < min || name.length > max ? `it has ${name.length} characters` : 'it contains a character other than A-Z a-z 0-9 _ -';
  throw new ValidationError(
    'NAMESPACE_NAME_INVALID',
    `invalid Azion namespace name ${JSON.stringify(name)}: Azion names are ${min} to ${max} characters of A-Z a-z 0-9 _ - (${problem})`,
    {
      hint: 'choose a name like "users" or "cache_v2" (no "." on Azion)',
      details: { namespace: name, limit: name.length < min ? min : max, actual: name.length },
    },
  );
}
