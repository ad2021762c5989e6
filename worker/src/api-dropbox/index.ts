// /api/v1 routes of the Dropbox integration: sign-in (PKCE code exchange), sign-out, Dropbox status, import of
// shared folders as tracks, lookup of a Dropbox web path, and retry of a failed pending Dropbox change.
// Mounted in src/index.ts next to the core API; uses the core's session middleware, validation and error shape.
import {
  ByDropboxPathQuery,
  DropboxChangeParams,
  DropboxImportBody,
  DropboxSignInBody,
  UninstalledQuery,
  type AuthConfigResponse,
  type ByDropboxPathResponse,
  type DropboxImportResponse,
  type DropboxSignInResponse,
  type DropboxStatusResponse,
  type RetryDropboxChangeResponse,
  type SignOutEverywhereResponse,
  type SignOutResponse,
} from '@pd/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { corsOrigin } from '../app.ts';
import { closeLiveSockets } from '../live/route.ts';
import { createSession, endAllSessions, endSession, endSessionByUninstallToken, upsertAccount } from '../domain/index.ts';
import { toDropboxChange, type DropboxChangeRow } from '../domain/rows.ts';
import { apiError, d1, db, onError, requireSession, validate, type AppEnv } from '../api/http.ts';
import { limitSignIn } from '../api/limits.ts';
import { webOrigin } from '../dropbox/origins.ts';
import { exchangeCode, SignInError, type ExchangedTokens } from '../dropbox/oauth.ts';
import { saveTokens } from '../dropbox/tokens.ts';
import { retryFailedChange } from '../jobs/execute.ts';
import { sendJobs } from '../jobs/messages.ts';
import { signInBackupStatement } from '../jobs/recovery.ts';
import { DropboxApiError, dropboxErrorResponse } from './errors.ts';
import { importSharedFolders } from './import.ts';
import { trackByDropboxPath } from './lookup.ts';
import { saveRootStatement } from '../dropbox/root.ts';

const limit = bodyLimit({
  maxSize: 1024 * 1024,
  onError: (c) => apiError(c, 'payload_too_large', 'The request body is larger than 1 MB.'),
});

// Per route (not '*'): this router is mounted before the core API on the same /api/v1 prefix, and a '*'
// middleware here would run for every core route too. Preflight OPTIONS falls through to the core's CORS.
const common = [
  cors({
    origin: (origin, c) => corsOrigin(origin, c.env as Env),
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['Server-Timing'],
  }),
  d1,
] as const;

const UNINSTALLED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem auto; max-width: 32rem; text-align: center">
<h1>You are signed out of Producer Dashboard</h1>
<p>The extension was removed from this browser and its sign-in has ended. Your tracks, collaborators and Dropbox files are unchanged.</p>
</body></html>
`;

export const dropboxApi = new Hono<AppEnv>()
  .get('/auth/config', ...common, (c) =>
    c.json<AuthConfigResponse>({
      clientId: c.env.DROPBOX_APP_KEY,
      authorizeUrl: `${webOrigin(c.env)}/oauth2/authorize`,
      tokenAccessType: 'offline',
      codeChallengeMethod: 'S256',
    }),
  )

  // Rate limited per client IP before anything else: a refused attempt never reaches Dropbox's token endpoint.
  .post('/auth/dropbox', ...common, limitSignIn, limit, validate('json', DropboxSignInBody), async (c) => {
    let t: ExchangedTokens;
    try {
      t = await exchangeCode(c.env, c.req.valid('json'));
    } catch (e) {
      if (e instanceof SignInError) throw new DropboxApiError(e.code, e.message);
      throw e;
    }
    const d = db(c);
    const account = await upsertAccount(d, { dropboxAccountId: t.dropboxAccountId, email: t.email, displayName: t.displayName });
    // The plan decides what Dropbox allows this owner (Basic: no view-only members); refreshed at every sign-in.
    await d.prepare('UPDATE accounts SET dropbox_account_type = ? WHERE id = ?').bind(t.accountType, account.id).run();
    // Where its paths start (a team member's web pages are /work/<team>/…, relative to the team space).
    if (t.root) await saveRootStatement(d, account.id, t.root).run();
    // With the tokens, the first reconcile's cron backup (if the message queued below is lost, the cron runs it).
    await d.batch([
      await saveTokens({ DB: d, TOKEN_ENCRYPTION_KEY: c.env.TOKEN_ENCRYPTION_KEY }, { accountId: account.id, ...t }),
      signInBackupStatement(d, account.id),
    ]);
    const session = await createSession(d, account.id);
    // Read the account's Dropbox once now: sets the list_folder baseline that later notifications continue from.
    c.executionCtx.waitUntil(
      sendJobs(c.env.JOBS, [{ kind: 'reconcile-account', dropboxAccountId: t.dropboxAccountId, at: Date.now() }]).catch((e) =>
        console.error('sign-in: could not queue the first reconcile', e),
      ),
    );
    return c.json<DropboxSignInResponse>({ session: session.token, expiresAt: session.expiresAt, account, uninstallToken: session.uninstallToken });
  })

  .post('/auth/signout', ...common, requireSession, async (c) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')![1];
    await endSession(db(c), token);
    // Its live socket closes too (src/live): it would otherwise stay open until its next session check.
    c.executionCtx.waitUntil(closeLiveSockets(c.env, c.var.account.id, token).catch((e) => console.error('live: closing sockets', e)));
    return c.json<SignOutResponse>({ signedOut: true });
  })

  // Every session of the account, in every browser (the caller's own included).
  .post('/auth/signout-everywhere', ...common, requireSession, async (c) => {
    const sessionsEnded = await endAllSessions(db(c), c.var.account.id);
    c.executionCtx.waitUntil(closeLiveSockets(c.env, c.var.account.id).catch((e) => console.error('live: closing sockets', e)));
    return c.json<SignOutEverywhereResponse>({ signedOut: true, sessionsEnded });
  })

  // Opened by the browser after the extension is uninstalled (runtime.setUninstallURL): ends that one session.
  // Idempotent, and the same page whether or not the token was still valid (it tells nothing about sessions).
  .get('/auth/uninstalled', ...common, validate('query', UninstalledQuery), async (c) => {
    await endSessionByUninstallToken(db(c), c.req.valid('query').token);
    return new Response(UNINSTALLED_PAGE, {
      status: 200,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      },
    });
  })

  .get('/dropbox/status', ...common, requireSession, async (c) => {
    const row = await db(c)
      .prepare(
        `SELECT t.needs_reauth, t.reauth_reason, s.last_finished_at FROM dropbox_tokens t
         LEFT JOIN dropbox_account_sync s ON s.account_id = t.account_id WHERE t.account_id = ?`,
      )
      .bind(c.var.account.id)
      .first<{ needs_reauth: number; reauth_reason: string | null; last_finished_at: number | null }>();
    return c.json<DropboxStatusResponse>({
      linked: !!row,
      needsReauth: row?.needs_reauth === 1,
      reason: row?.needs_reauth === 1 ? (row.reauth_reason ?? 'Dropbox rejected the stored sign-in.') : null,
      lastReconciledAt: row?.last_finished_at ? new Date(row.last_finished_at).toISOString() : null,
    });
  })

  .post('/dropbox/import', ...common, requireSession, limit, validate('json', DropboxImportBody), async (c) => {
    const result = await importSharedFolders(c.env, db(c), c.var.account.id, c.req.valid('json').sharedFolderIds);
    return c.json<DropboxImportResponse>(result);
  })

  .get('/tracks/by-dropbox-path', ...common, requireSession, validate('query', ByDropboxPathQuery), async (c) => {
    const result = await trackByDropboxPath(c.env, db(c), c.var.account.id, c.req.valid('query').path);
    return c.json<ByDropboxPathResponse>(result);
  })

  .post('/dropbox-changes/:changeId/retry', ...common, requireSession, validate('param', DropboxChangeParams), async (c) => {
    const { changeId } = c.req.valid('param');
    const d = db(c);
    const row = await d
      .prepare('SELECT ch.*, t.owner_id FROM dropbox_changes ch JOIN tracks t ON t.id = ch.track_id WHERE ch.id = ?')
      .bind(changeId)
      .first<DropboxChangeRow & { owner_id: string }>();
    // Only the owner of the track sees (and may retry) its Dropbox changes; others get a plain 404.
    if (!row || row.owner_id !== c.var.account.id)
      throw new DropboxApiError('dropbox_change_not_found', 'No such Dropbox change on a track you own.');
    if (row.status !== 'failed') {
      throw new DropboxApiError('dropbox_change_not_failed', `This Dropbox change is ${row.status}: only a failed change can be retried.`);
    }
    await retryFailedChange({ DB: d, JOBS: c.env.JOBS }, changeId);
    const after = await d.prepare('SELECT * FROM dropbox_changes WHERE id = ?').bind(changeId).first<DropboxChangeRow>();
    return c.json<RetryDropboxChangeResponse>({ change: toDropboxChange(after!) });
  })

  .onError((err, c) => {
    if (err instanceof DropboxApiError) return dropboxErrorResponse(c, err);
    return onError(err, c);
  });
