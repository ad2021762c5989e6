import { Dropbox } from 'dropbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, emulatorFetch, type RunningEmulator, type SeedResult, type StateDump } from '../src/index.ts';
import { client, failure, LEO, MAYA, rpc, start } from './helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

async function control<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${emu.url}/_control/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('control API over HTTP', () => {
  it('the demo seed: five accounts with 40-char ids, Maya owns four track folders, Noah two', async () => {
    const { json } = await control<StateDump>('GET', 'state');
    expect(json.accounts.map((a) => a.email).sort()).toEqual(
      Object.values(DEMO_ACCOUNTS)
        .map((a) => a.email)
        .sort(),
    );
    for (const a of json.accounts) expect(a.account_id).toMatch(/^dbid:[A-Za-z0-9_-]{35}$/);
    const maya = json.accounts.find((a) => a.email === MAYA)!;
    expect(json.folders.filter((f) => f.owner === maya.account_id)).toHaveLength(4);
    const leo = json.accounts.find((a) => a.email === LEO)!;
    const leoEditor = json.folders.filter((f) => f.owner === maya.account_id && f.members.some((m) => m.email === LEO && m.access_type === 'editor'));
    expect(leoEditor).toHaveLength(3);
    expect(leo.mounts.map((m) => m.path).sort()).toEqual(['/Glass Hearts', '/Golden Hour', '/Midnight Drive', '/Neon Rain', '/Paper Planes']);
  });

  it('reset + seed a custom world, returning ids', async () => {
    const r = await control<SeedResult>('POST', 'reset', {
      seed: {
        accounts: [
          { email: 'owner@x.example', display_name: 'Olive Owner' },
          { email: 'c@x.example', display_name: 'Cy Collab', linked: true },
        ],
        folders: [
          {
            name: 'Track A',
            owner: 'owner@x.example',
            path: '/Music/Track A',
            members: [{ account: 'c@x.example', access_level: 'viewer' }],
            invitees: [{ email: 'later@x.example', access_level: 'editor' }],
            files: [{ path: 'a.wav', size: 10 }],
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.accounts).sort()).toEqual(['c@x.example', 'owner@x.example']);
    const folder = r.json.folders[0];
    expect(folder).toMatchObject({ name: 'Track A', path: '/Music/Track A', owner: r.json.accounts['owner@x.example'].account_id });
    expect(folder.shared_folder_id).toMatch(/^\d+$/);
    const { json } = await control<StateDump>('GET', 'state');
    expect(json.accounts).toHaveLength(2);
    expect(json.folders[0].invitees).toEqual([{ email: 'later@x.example', access_type: 'editor' }]);
    expect(json.accounts.find((a) => a.email === 'c@x.example')!.linked).toBe(true);
    const more = await control<SeedResult>('POST', 'seed', { folders: [{ name: 'Track B', owner: 'c@x.example' }] });
    expect(more.json.folders[0].path).toBe('/Track B');
    expect((await control<StateDump>('GET', 'state')).json.folders).toHaveLength(2);
  });

  it('a malformed seed is a 400 that changes nothing', async () => {
    const before = (await control<StateDump>('GET', 'state')).json;
    const r = await control('POST', 'reset', { seed: { accounts: [{ email: 7 }], folders: [{ name: 'A/B', owner: '' }] } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('bad_seed');
    expect(r.json.error.message).toContain('accounts[0].email');
    expect(r.json.error.message).toContain('folders[0].name');
    const s = await control('POST', 'seed', { folders: 'nope' });
    expect(s.status).toBe(400);
    expect((await control<StateDump>('GET', 'state')).json).toEqual(before);
  });

  it('act: leave, then the same act again is refused like Dropbox would', async () => {
    const ok = await control('POST', 'act', { as: LEO, action: 'leave_folder', folder: 'Neon Rain' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, action: 'leave_folder', shared_folder_id: emu.seeded.folders[2].shared_folder_id });
    const again = await control('POST', 'act', { as: LEO, action: 'leave_folder', shared_folder_id: emu.seeded.folders[2].shared_folder_id });
    expect(again.status).toBe(409);
    expect(again.json.error).toEqual({ '.tag': 'access_error', access_error: { '.tag': 'not_a_member' } });
    const unknown = await control('POST', 'act', { as: 'nobody@x.example', action: 'leave_folder', folder: 'Neon Rain' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('unknown_account');
    const badAction = await control('POST', 'act', { as: LEO, action: 'dance' });
    expect(badAction.status).toBe(400);
  });

  it('calls log: every API call with route, account and status; DELETE clears it', async () => {
    const dbx = client(emu, LEO);
    await dbx.sharingListFolders({});
    await failure(dbx.filesGetMetadata({ path: '/missing' }));
    const { json } = await control<{ calls: any[] }>('GET', 'calls');
    expect(json.calls.map((c) => [c.route, c.account_id, c.status])).toEqual([
      ['2/sharing/list_folders', emu.seeded.accounts[LEO].account_id, 200],
      ['2/files/get_metadata', emu.seeded.accounts[LEO].account_id, 409],
    ]);
    const filtered = await control<{ calls: any[] }>('GET', 'calls?route=2/files/get_metadata');
    expect(filtered.json.calls).toHaveLength(1);
    await control('DELETE', 'calls');
    expect((await control<{ calls: any[] }>('GET', 'calls')).json.calls).toEqual([]);
  });

  it('tokens/expire and tokens over HTTP', async () => {
    const t = await control('POST', 'tokens', { account: MAYA });
    expect(t.json.access_token).toMatch(/^sl\./);
    expect((await rpc(emu, 'users/get_current_account', t.json.access_token, 'null')).status).toBe(200);
    const exp = await control('POST', 'tokens/expire', { account: MAYA });
    expect(exp.json.expired).toBeGreaterThan(0);
    const r = await rpc(emu, 'users/get_current_account', t.json.access_token, 'null');
    expect(r.status).toBe(401);
    expect(r.json.error['.tag']).toBe('expired_access_token');
  });

  it('cursors/invalidate over HTTP makes old cursors reset', async () => {
    const dbx = client(emu, LEO);
    const { cursor } = (await dbx.filesListFolderGetLatestCursor({ path: '' })).result;
    expect((await control('POST', 'cursors/invalidate', { account: LEO })).status).toBe(200);
    const e = await failure(dbx.filesListFolderContinue({ cursor }));
    expect(e.error.error['.tag']).toBe('reset');
  });

  it('authorize over HTTP gives a code the token endpoint accepts', async () => {
    const a = await control('POST', 'authorize', {
      account: LEO,
      client_id: emu.appKey,
      redirect_uri: 'http://localhost:9999/cb',
      state: 's1',
      token_access_type: 'offline',
    });
    expect(a.status).toBe(200);
    const back = new URL(a.json.redirect);
    expect(back.searchParams.get('code')).toBe(a.json.code);
    expect(back.searchParams.get('state')).toBe('s1');
    const tok = await fetch(`${emu.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: a.json.code,
        client_id: emu.appKey,
        client_secret: emu.appSecret,
        redirect_uri: 'http://localhost:9999/cb',
      }),
    });
    const body = (await tok.json()) as any;
    const dbx = new Dropbox({ accessToken: body.access_token, fetch: emulatorFetch(emu.url) });
    expect((await dbx.usersGetCurrentAccount()).result.email).toBe(LEO);
  });

  it('jobs: pendingPolls sets how many polls answer in_progress', async () => {
    await control('POST', 'jobs', { pendingPolls: 3 });
    const dbx = client(emu, MAYA);
    const { result } = await dbx.sharingUnshareFolder({ shared_folder_id: emu.seeded.folders[1].shared_folder_id });
    const id = (result as { async_job_id: string }).async_job_id;
    const tags: string[] = [];
    for (let i = 0; i < 4; i++) tags.push((await dbx.sharingCheckJobStatus({ async_job_id: id })).result['.tag']);
    expect(tags).toEqual(['in_progress', 'in_progress', 'in_progress', 'complete']);
  });

  it('webhook settings and log over HTTP; bad JSON is a 400', async () => {
    const s = await control('POST', 'webhooks', { duplicateRate: 0.25, delayMs: 5 });
    expect(s.json).toMatchObject({ duplicateRate: 0.25, delayMs: 5, enabled: true });
    expect((await control('GET', 'webhooks/log')).json).toEqual({ deliveries: [] });
    const res = await fetch(`${emu.url}/_control/act`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('bad_json');
  });
});
