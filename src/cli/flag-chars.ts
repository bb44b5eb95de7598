import type { Interfaces } from '@oclif/core';

/**
 * `-0`, the short flag `find -print0`, `xargs -0` and `sort -z` users know for
 * NUL-separated names. oclif types short flags as letters only; its parser matches the
 * character as given, so a digit works.
 */
export const NUL_SEPARATED_CHAR = '0' as unknown as NonNullable<Interfaces.BooleanFlag<boolean>['char']>;
