// Per-route injection of any error Dropbox's spec lists for the route (tag path + HTTP status), and nothing else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.ts';
import { accountId, client, failure, folderId, LEO, MAYA, rpc, start } from './helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

const leoSelector = () => ({ '.tag': 'dropbox_id' as const, dropbox_id: accountId(emu, LEO) });
const removeLeo = () =>
  client(emu, MAYA).sharingRemoveFolderMember({ shared_folder_id: folderId(emu, 'Midnight Drive'), member: leoSelector(), leave_a_copy: false });

async function controlPost(path: string, body: unknown) {
  const res = await fetch(`${emu.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('injecting spec errors', () => {
  it('a nested route error (access_error/invalid_id) comes as Dropbox’s 409 body, and nothing changes', async () => {
    emu.control.faults.add({ route: '2/sharing/remove_folder_member', kind: 'error', error: 'access_error/invalid_id', count: 1 });
    const e = await failure(removeLeo());
    expect(e.status).toBe(409);
    expect(e.error).toEqual({
      error_summary: 'access_error/invalid_id/..',
      error: { '.tag': 'access_error', access_error: { '.tag': 'invalid_id' } },
    });
    expect(
      emu.control
        .state()
        .folders.find((f) => f.name === 'Midnight Drive')!
        .members.map((m) => m.email),
    ).toContain(LEO);
    expect((await removeLeo()).status).toBe(200); // count: 1
  });

  it('a tag with a struct value carries its fields (member_error/no_explicit_access + access_level)', async () => {
    emu.control.faults.add({
      route: '2/sharing/remove_folder_member',
      kind: 'error',
      error: 'member_error/no_explicit_access',
      value: { access_level: { '.tag': 'editor' } },
    });
    const e = await failure(removeLeo());
    expect(e.error.error).toEqual({ '.tag': 'member_error', member_error: { '.tag': 'no_explicit_access', access_level: { '.tag': 'editor' } } });
  });

  it('update_folder_member’s no_explicit_access wraps a whole AddFolderMemberError (…/rate_limit)', async () => {
    emu.control.faults.add({ route: '2/sharing/update_folder_member', kind: 'error', error: 'no_explicit_access/rate_limit' });
    const e = await failure(
      client(emu, MAYA).sharingUpdateFolderMember({
        shared_folder_id: folderId(emu, 'Midnight Drive'),
        member: leoSelector(),
        access_level: { '.tag': 'viewer' },
      }),
    );
    expect(e.error).toMatchObject({
      error_summary: 'no_explicit_access/rate_limit/..',
      error: { '.tag': 'no_explicit_access', no_explicit_access: { '.tag': 'rate_limit' } },
    });
  });

  it('401 invalid_access_token (the user unlinked the app) on one route', async () => {
    emu.control.faults.add({ route: '2/sharing/list_folder_members', kind: 'error', status: 401, error: 'invalid_access_token' });
    const dbx = client(emu, MAYA);
    expect((await dbx.sharingListFolders({})).status).toBe(200);
    const e = await failure(dbx.sharingListFolderMembers({ shared_folder_id: folderId(emu, 'Midnight Drive') }));
    expect(e.status).toBe(401);
    expect(e.error).toEqual({ error_summary: 'invalid_access_token/..', error: { '.tag': 'invalid_access_token' } });
  });

  it('relinquish_folder_membership can answer mounted', async () => {
    emu.control.faults.add({ route: '2/sharing/relinquish_folder_membership', kind: 'error', error: 'mounted', count: 1 });
    const e = await failure(
      client(emu, LEO).sharingRelinquishFolderMembership({ shared_folder_id: folderId(emu, 'Midnight Drive'), leave_a_copy: false }),
    );
    expect(e.error.error).toEqual({ '.tag': 'mounted' });
  });

  it('afterEffect: Dropbox did it, the client sees the error', async () => {
    emu.control.faults.add({ route: '2/sharing/remove_folder_member', kind: 'error', error: 'access_error/invalid_id', afterEffect: true, count: 1 });
    expect((await failure(removeLeo())).status).toBe(409);
    expect(
      emu.control
        .state()
        .folders.find((f) => f.name === 'Midnight Drive')!
        .members.map((m) => m.email),
    ).not.toContain(LEO);
  });

  it('a failed async job can carry a nested tag of the route’s union', async () => {
    emu.control.faults.add({
      route: '2/sharing/remove_folder_member',
      kind: 'job_failed',
      errorTag: 'member_error/no_explicit_access',
      value: { access_level: { '.tag': 'viewer' } },
    });
    const dbx = client(emu, MAYA);
    const launched = (await removeLeo()).result as { async_job_id: string };
    let status = (await dbx.sharingCheckRemoveMemberJobStatus({ async_job_id: launched.async_job_id })).result;
    while (status['.tag'] === 'in_progress') status = (await dbx.sharingCheckRemoveMemberJobStatus({ async_job_id: launched.async_job_id })).result;
    expect(status).toEqual({
      '.tag': 'failed',
      failed: { '.tag': 'member_error', member_error: { '.tag': 'no_explicit_access', access_level: { '.tag': 'viewer' } } },
    });
  });

  it('refuses errors the spec does not list for that route, or at another nesting (control API: 400 not_in_spec)', async () => {
    const bad = [
      { route: '2/sharing/remove_folder_member', kind: 'error', error: 'mounted' }, // relinquish's, not remove's
      { route: '2/sharing/remove_folder_member', kind: 'error', error: 'not_a_member' }, // only under access_error/member_error
      { route: '2/sharing/update_folder_member', kind: 'error', error: 'no_explicit_access/mounted' },
      { route: '2/sharing/list_folder_members', kind: 'error', status: 401, error: 'no_permission' },
      { route: '2/sharing/remove_folder_member', kind: 'job_failed', errorTag: 'rate_limit' },
    ];
    for (const spec of bad) {
      const r = await controlPost('faults', spec);
      expect(r.status, JSON.stringify(spec)).toBe(400);
      expect(r.json.error.code).toBe('not_in_spec');
    }
    expect((await controlPost('faults', { route: '*', kind: 'error', error: 'no_permission' })).json.error.code).toBe('bad_request');
    expect(emu.control.faults.list()).toEqual([]);
  });
});

describe('the emulator holds itself to the spec', () => {
  it('arguments the spec does not define are refused with a 400, like a strict Dropbox', async () => {
    const { access_token } = emu.control.issueTokens(MAYA);
    const r = await rpc(emu, 'sharing/list_folder_members', access_token, {
      shared_folder_id: folderId(emu, 'Midnight Drive'),
      include_groups: true,
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain(`unknown field 'include_groups'`);
  });
});
