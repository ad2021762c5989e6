/** One Hono app serving the API origin (/2/…, /oauth2/token), the web origin (/oauth2/authorize, /login, /home/…) and /_control. */
import { Hono } from 'hono';
import { registerApi } from './api.ts';
import type { EmulatorContext } from './context.ts';
import { Control, registerControl } from './control.ts';
import { registerOAuth } from './oauth.ts';
import { registerWeb } from './web.ts';

export function createApp(ctx: EmulatorContext, control: Control): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('X-Dropbox-Request-Id', crypto.randomUUID().replace(/-/g, ''));
  });
  // RPC endpoints answer CORS preflights like Dropbox's (the extension calls from its service worker anyway).
  app.options('/2/*', () => new Response(null, { status: 204, headers: corsHeaders() }));
  app.options('/oauth2/token', () => new Response(null, { status: 204, headers: corsHeaders() }));
  app.use('/2/*', async (c, next) => {
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
  });
  app.use('/oauth2/token', async (c, next) => {
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
  });
  app.get('/', (c) =>
    c.text(
      `Local Dropbox emulator. API: POST /2/<route>, OAuth: /oauth2/authorize and /oauth2/token, control: /_control/state, web UI: /home (sign in at /login)\n`,
    ),
  );
  registerOAuth(app, ctx);
  registerApi(app, ctx);
  registerControl(app, ctx, control);
  registerWeb(app, ctx);
  app.notFound((c) => {
    const p = c.req.path.replace(/^\/+/, '');
    if (p.startsWith('2/')) return c.text(`Unknown API function: "${p.slice(2)}"`, 400);
    return c.text('Not Found', 404);
  });
  return app;
}

function corsHeaders() {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Dropbox-API-Arg, Dropbox-API-Select-User, Dropbox-API-Path-Root',
    'Access-Control-Max-Age': '600',
  };
}
