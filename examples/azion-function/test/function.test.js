// The Function runs unchanged in Node: `kvadm/azion` installs globalThis.Azion over a local
// kvadm store, which the test seeds and inspects with kvadm's own client.
import { azionRuntime } from 'kvadm/azion';
import { KV } from 'kvadm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import linkFunction from '../src/function.js';

const store = { backend: azionRuntime.backend };

beforeAll(async () => {
  const links = await KV.create('links', store);
  await links.put('docs', 'https://www.azion.com/en/documentation/');
  await links.put('home', 'https://www.azion.com/', { metadata: { permanent: true } });
});

afterAll(async () => {
  await azionRuntime.uninstall();
});

const get = (path) => linkFunction.fetch(new Request(`https://short.example${path}`));

it('redirects a known name with 302, or 301 when its metadata says permanent', async () => {
  const docs = await get('/docs');
  expect(docs.status).toBe(302);
  expect(docs.headers.get('location')).toBe('https://www.azion.com/en/documentation/');
  expect((await get('/home')).status).toBe(301);
});

it('answers 404 for a name the namespace does not hold, and 400 for none', async () => {
  expect((await get('/nothing')).status).toBe(404);
  expect((await get('/')).status).toBe(400);
});

it('sees a link added by kvadm at once (the local store is strongly consistent)', async () => {
  await new KV('links', store).put('new', 'https://example.com/new');
  expect((await get('/new')).headers.get('location')).toBe('https://example.com/new');
});
