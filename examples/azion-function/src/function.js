// An Azion edge Function: short links kept in the Azion KV namespace "links".
// GET /SLUG redirects to the URL stored under the key SLUG (301 when its metadata says
// {"permanent": true}, 302 otherwise) and counts nothing: reads only, so the per-key
// limit of one write a second never applies. It uses Azion's runtime API and nothing else,
// so the same file deploys to Azion and runs in Node under `import 'kvadm/azion'`.
export default {
  async fetch(request) {
    const slug = decodeURIComponent(new URL(request.url).pathname.slice(1));
    if (slug === '') return new Response('give a link name: /NAME\n', { status: 400 });
    const links = await Azion.KV.open('links');
    const { value, metadata } = await links.getWithMetadata(slug, 'text');
    if (value === null) return new Response(`no link named ${slug}\n`, { status: 404 });
    return Response.redirect(value, metadata?.permanent ? 301 : 302);
  },
};
