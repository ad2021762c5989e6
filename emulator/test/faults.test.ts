import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.ts';
import { accountId, client, failure, folderId, LEO, MAYA, rpc, SAM, start } from './helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

const removeLeo = (dbx: ReturnType<typeof client>) =>
  dbx.sharingRemoveFolderMember({
    shared_folder_id: folderId(emu, 'Midnight Drive'),
    member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
    leave_a_copy: false,
  });

describe('faults', () => {
  it('429 with Retry-After and Dropbox’s JSON body; the call has no effect; count limits it', async () => {
    emu.control.faults.add({ route: '2/sharing/remove_folder_member', kind: '429', retryAfter: 7, count: 1 });
    const dbx = client(emu, MAYA);
    const e = await failure(removeLeo(dbx));
    expect(e.status).toBe(429);
    expect(e.headers.get('retry-after')).toBe('7');
    expect(e.error).toEqual({ error_summary: 'too_many_requests/...', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 7 } });
    expect(emu.control.state().folders[0].members.map((m) => m.email)).toContain(LEO);
    const ok = await removeLeo(dbx);
    expect(ok.result['.tag']).toBe('async_job_id');
  });

  it('rate_limit: a user past perSecond calls in one second gets 429s; other users are not affected', async () => {
    emu.control.faults.add({ route: '*', kind: 'rate_limit', perSecond: 3, retryAfter: 1 });
    const maya = emu.control.issueTokens(MAYA).access_token;
    const sam = emu.control.issueTokens(SAM).access_token;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await rpc(emu, 'sharing/list_folders', maya, {})).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await rpc(emu, 'sharing/list_folders', sam, {})).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await rpc(emu, 'sharing/list_folders', maya, {})).status).toBe(200);
  });

  it('429 can come as plain text (check Content-Type)', async () => {
    emu.control.faults.add({ route: '*', kind: '429', format: 'text', count: 1 });
    const { access_token } = emu.control.issueTokens(MAYA);
    const r = await rpc(emu, 'sharing/list_folders', access_token, {});
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.json).toBeUndefined();
  });

  it('500 and 503 are plain text', async () => {
    emu.control.faults.add({ route: '2/files/list_folder', kind: '500', count: 1 });
    emu.control.faults.add({ route: '2/files/list_folder', kind: '503', retryAfter: 3, count: 1 });
    const dbx = client(emu, LEO);
    const a = await failure(dbx.filesListFolder({ path: '' }));
    expect(a.status).toBe(500);
    expect(typeof a.error).toBe('string');
    const b = await failure(dbx.filesListFolder({ path: '' }));
    expect(b.status).toBe(503);
    expect(b.headers.get('retry-after')).toBe('3');
    expect((await dbx.filesListFolder({ path: '' })).status).toBe(200);
  });

  it('expired_token answers 401 expired_access_token on the chosen route only', async () => {
    emu.control.faults.add({ route: '2/sharing/list_folder_members', kind: 'expired_token', count: 1 });
    const dbx = client(emu, MAYA);
    expect((await dbx.sharingListFolders({})).status).toBe(200);
    const e = await failure(dbx.sharingListFolderMembers({ shared_folder_id: folderId(emu, 'Neon Rain') }));
    expect(e.status).toBe(401);
    expect(e.error.error['.tag']).toBe('expired_access_token');
  });

  it('faults on oauth2/token: 503, and expired_token as invalid_grant', async () => {
    const { refresh_token } = emu.control.issueTokens(SAM);
    emu.control.faults.add({ route: 'oauth2/token', kind: '503', count: 1 });
    emu.control.faults.add({ route: 'oauth2/token', kind: 'expired_token', count: 1 });
    const post = () =>
      fetch(`${emu.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh_token!, client_id: emu.appKey }),
      });
    expect((await post()).status).toBe(503);
    const r = await post();
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toBe('invalid_grant');
    expect((await post()).status).toBe(200);
  });

  it('slow answers normally after the delay (and the call log shows it)', async () => {
    emu.control.faults.add({ route: '2/users/get_current_account', kind: 'slow', delayMs: 150, count: 1 });
    const dbx = client(emu, LEO);
    expect((await dbx.usersGetCurrentAccount()).result.email).toBe(LEO);
    const [call] = emu.control.calls({ route: '2/users/get_current_account' });
    expect(call.fault).toBe('slow');
    expect(call.ms).toBeGreaterThanOrEqual(140);
  });

  it('timeout holds the answer until the client gives up', async () => {
    emu.control.faults.add({ route: '*', kind: 'timeout', delayMs: 5000, count: 1 });
    const { access_token } = emu.control.issueTokens(LEO);
    const res = fetch(`${emu.url}/2/sharing/list_folders`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(100),
    });
    await expect(res).rejects.toThrow();
  });

  it('job_failed: the launch succeeds, nothing changes, the job ends failed with the tag', async () => {
    emu.control.faults.add({ route: '2/sharing/remove_folder_member', kind: 'job_failed', errorTag: 'too_many_files', count: 1 });
    const dbx = client(emu, MAYA);
    const { result } = await removeLeo(dbx);
    const jobId = (result as { async_job_id: string }).async_job_id;
    expect((await dbx.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId })).result['.tag']).toBe('in_progress');
    const final = (await dbx.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId })).result;
    expect(final).toEqual({ '.tag': 'failed', failed: { '.tag': 'too_many_files' } });
    expect(emu.control.state().folders[0].members.map((m) => m.email)).toContain(LEO);
  });

  it('afterEffect: the change happens in Dropbox although the client sees a 500', async () => {
    emu.control.faults.add({ route: '2/sharing/remove_folder_member', kind: '500', afterEffect: true, count: 1 });
    const dbx = client(emu, MAYA);
    const e = await failure(removeLeo(dbx));
    expect(e.status).toBe(500);
    expect(emu.control.state().folders[0].members.map((m) => m.email)).not.toContain(LEO);
    const again = await failure(removeLeo(dbx));
    expect(again.error.error).toEqual({ '.tag': 'member_error', member_error: { '.tag': 'not_a_member' } });
  });

  it('rate is deterministic for a given seed', async () => {
    const run = async () => {
      emu.control.faults.clear();
      emu.control.faults.seed(123);
      emu.control.faults.add({ route: '*', kind: '500', rate: 0.5 });
      const { access_token } = emu.control.issueTokens(LEO);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await rpc(emu, 'sharing/list_folders', access_token, {})).status);
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('a fault can target one account’s calls (API and token endpoint)', async () => {
    emu.control.faults.add({ route: '*', kind: '503', account: LEO });
    emu.control.faults.add({ route: 'oauth2/token', kind: '429', account: SAM, retryAfter: 2 });
    expect((await client(emu, MAYA).sharingListFolders({})).status).toBe(200);
    expect((await failure(client(emu, LEO).sharingListFolders({}))).status).toBe(503);
    const { refresh_token } = emu.control.issueTokens(SAM);
    const maya = emu.control.issueTokens(MAYA);
    const refresh = (rt: string) =>
      fetch(`${emu.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt, client_id: emu.appKey }),
      });
    const samRes = await refresh(refresh_token!);
    expect(samRes.status).toBe(429);
    expect(samRes.headers.get('retry-after')).toBe('2');
    expect((await refresh(maya.refresh_token!)).status).toBe(200);
  });

  it('DELETE /_control/faults clears them', async () => {
    const add = await fetch(`${emu.url}/_control/faults`, { method: 'POST', body: JSON.stringify({ route: '*', kind: '503' }) });
    expect(add.status).toBe(200);
    const { access_token } = emu.control.issueTokens(LEO);
    expect((await rpc(emu, 'sharing/list_folders', access_token, {})).status).toBe(503);
    await fetch(`${emu.url}/_control/faults`, { method: 'DELETE' });
    expect((await rpc(emu, 'sharing/list_folders', access_token, {})).status).toBe(200);
    const bad = await fetch(`${emu.url}/_control/faults`, { method: 'POST', body: JSON.stringify({ route: '*', kind: 'explode' }) });
    expect(bad.status).toBe(400);
  });
});
