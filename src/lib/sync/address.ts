/**
 * Store addresses of diff, sync and copy: `[PROFILE:]NAMESPACE`. Namespace names cannot
 * hold ":" (docs/ARCHITECTURE.md), so the first ":" always ends the profile.
 */
import { UsageError } from '../errors.js';
import { NAMESPACE_NAME_PATTERN } from '../limits.js';

export interface StoreAddress {
  /** The `kvadm config` profile whose settings reach the store; undefined = the command's own settings. */
  profile: string | undefined;
  namespace: string;
  /** As the user wrote it, for messages. */
  text: string;
}

const PROFILE_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
const ADDRESS_HINT = 'write a store as NAMESPACE or PROFILE:NAMESPACE, for example users or prod:users';

export function parseStoreAddress(text: string, role: 'SRC' | 'DST'): StoreAddress {
  const colon = text.indexOf(':');
  const profile = colon < 0 ? undefined : text.slice(0, colon);
  const namespace = colon < 0 ? text : text.slice(colon + 1);
  if (profile !== undefined && !PROFILE_PATTERN.test(profile)) {
    throw new UsageError(
      `${role} ${JSON.stringify(text)}: ${JSON.stringify(profile)} is not a profile name (1 to 64 characters of A-Z a-z 0-9 . _ -, not starting with ".")`,
      ADDRESS_HINT,
    );
  }
  if (!NAMESPACE_NAME_PATTERN.test(namespace)) {
    throw new UsageError(
      `${role} ${JSON.stringify(text)}: ${JSON.stringify(namespace)} is not a namespace name (1 to 64 characters of A-Z a-z 0-9 . _ -, not starting with ".")`,
      ADDRESS_HINT,
    );
  }
  return { profile, namespace, text };
}
