// The Azion settings resolve like every other (flags > env > profile > default), are checked
// when stored, and the two secrets never show unmasked.
import { expect, it } from 'vitest';
import { displayValue, validateSettingValue } from '../../src/lib/config-file.js';
import { resolveSettings } from '../../src/lib/settings.js';

it('reads the Azion settings from the environment, then the profile, then the defaults', () => {
  const { settings, sources } = resolveSettings({
    flags: {},
    env: { KVADM_BACKEND: 'azion', KVADM_AZION_TOKEN: 'from-env', KVADM_AZION_BRIDGE_URL: 'https://bridge.example/client/v4' },
    profileValues: { 'azion-token': 'from-profile', 'azion-bridge-token': 'bridge-secret' },
    profileName: 'prod',
  });
  expect(settings).toMatchObject({
    backend: 'azion',
    azionToken: 'from-env',
    azionApiUrl: 'https://api.azion.com/v4',
    azionBridgeUrl: 'https://bridge.example/client/v4',
    azionBridgeToken: 'bridge-secret',
  });
  expect([sources['azion-token'], sources['azion-api-url'], sources['azion-bridge-token']]).toEqual(['env', 'default', 'profile']);
});

it('refuses a bad Azion URL or token when stored, naming the setting, and masks both secrets', () => {
  expect(() => validateSettingValue('azion-api-url', 'ftp://x')).toThrow('invalid azion-api-url "ftp://x": only http and https URLs');
  expect(() => validateSettingValue('azion-bridge-url', 'not a url')).toThrow('invalid azion-bridge-url');
  expect(() => validateSettingValue('azion-token', 'has space')).toThrow('invalid token');
  expect(displayValue('azion-token', 'abcdefghijklmnop', false)).toBe('****mnop');
  expect(displayValue('azion-bridge-token', 'short', false)).toBe('********');
  expect(displayValue('azion-api-url', 'https://api.azion.com/v4', false)).toBe('https://api.azion.com/v4');
});
