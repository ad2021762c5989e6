import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.ts';
import { accountId, AVA, client, failure, folderId, LEO, MAYA, NOAH, rpc, SAM } from './helpers.ts';
import { start } from './helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

async function pollRemove(dbx: ReturnType<typeof client>, jobId: string) {
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const { result } = await dbx.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId });
    seen.push(result['.tag']);
    if (result['.tag'] !== 'in_progress') return { result, seen };
  }
  throw new Error('job never finished');
}

describe('sharing/list_folders', () => {
  it('lists the folders a member has, with their own mount path and access type', async () => {
    const { result } = await client(emu, LEO).sharingListFolders({});
    const names = result.entries.map((e) => e.name).sort();
    expect(names).toEqual(['Glass Hearts', 'Golden Hour', 'Midnight Drive', 'Neon Rain', 'Paper Planes']);
    const md = result.entries.find((e) => e.name === 'Midnight Drive')!;
    expect(md.access_type['.tag']).toBe('editor');
    expect(md.path_lower).toBe('/midnight drive');
    expect(md.owner_display_names).toEqual(['Maya Reyes']);
    expect(md.shared_folder_id).toBe(folderId(emu, 'Midnight Drive'));
    expect(result.cursor).toBeUndefined();
  });

  it('paginates with limit and /continue, and rejects a foreign cursor', async () => {
    const dbx = client(emu, LEO);
    const first = await dbx.sharingListFolders({ limit: 2 });
    expect(first.result.entries).toHaveLength(2);
    const names = first.result.entries.map((e) => e.name);
    let cursor = first.result.cursor;
    while (cursor) {
      const next = await dbx.sharingListFoldersContinue({ cursor });
      names.push(...next.result.entries.map((e) => e.name));
      cursor = next.result.cursor;
    }
    expect(names.sort()).toEqual(['Glass Hearts', 'Golden Hour', 'Midnight Drive', 'Neon Rain', 'Paper Planes']);
    const e = await failure(client(emu, SAM).sharingListFoldersContinue({ cursor: first.result.cursor! }));
    expect(e.status).toBe(409);
    expect(e.error.error['.tag']).toBe('invalid_cursor');
  });
});

describe('sharing/list_folder_members', () => {
  it('lists the owner first, then members with access type and user info, invitees separately, groups empty', async () => {
    const { result } = await client(emu, MAYA).sharingListFolderMembers({ shared_folder_id: folderId(emu, 'Midnight Drive') });
    expect(result.users.map((u) => [u.user.email, u.access_type['.tag'], u.is_inherited])).toEqual([
      [MAYA, 'owner', false],
      [LEO, 'editor', false],
      [SAM, 'viewer', false],
      [AVA, 'editor', false],
    ]);
    expect(result.users[1].user).toEqual({ account_id: accountId(emu, LEO), email: LEO, display_name: 'Leo Vance', same_team: false });
    expect(result.groups).toEqual([]);
    expect(result.invitees).toEqual([]);
    const low = await client(emu, MAYA).sharingListFolderMembers({ shared_folder_id: folderId(emu, 'Low Tide') });
    expect(low.result.invitees.map((i) => [i.invitee['.tag'], (i.invitee as { email: string }).email, i.access_type['.tag']])).toEqual([
      ['email', 'jules@pd.example', 'editor'],
    ]);
  });

  it('paginates with limit + cursor', async () => {
    const dbx = client(emu, SAM);
    const first = await dbx.sharingListFolderMembers({ shared_folder_id: folderId(emu, 'Midnight Drive'), limit: 3 });
    expect(first.result.users).toHaveLength(3);
    expect(first.result.cursor).toBeTruthy();
    const rest = await dbx.sharingListFolderMembersContinue({ cursor: first.result.cursor! });
    expect(rest.result.users.map((u) => u.user.email)).toEqual([AVA]);
    expect(rest.result.cursor).toBeUndefined();
    const bad = await failure(dbx.sharingListFolderMembersContinue({ cursor: 'garbage' }));
    expect(bad.status).toBe(409);
    expect(bad.error.error['.tag']).toBe('invalid_cursor');
  });

  it('refuses non-members and unknown folders with SharedFolderAccessError', async () => {
    const e = await failure(client(emu, NOAH).sharingListFolderMembers({ shared_folder_id: folderId(emu, 'Midnight Drive') }));
    expect(e.status).toBe(409);
    expect(e.error).toEqual({ error_summary: 'not_a_member/..', error: { '.tag': 'not_a_member' } });
    const u = await failure(client(emu, NOAH).sharingListFolderMembers({ shared_folder_id: '999' }));
    expect(u.error.error['.tag']).toBe('invalid_id');
  });
});

describe('sharing/get_folder_metadata', () => {
  it('returns SharedFolderMetadata with the caller’s own path', async () => {
    const id = folderId(emu, 'Glass Hearts');
    const { result } = await client(emu, SAM).sharingGetFolderMetadata({ shared_folder_id: id });
    expect(result).toMatchObject({
      shared_folder_id: id,
      name: 'Glass Hearts',
      access_type: { '.tag': 'viewer' },
      path_display: '/Glass Hearts',
      is_team_folder: false,
      is_inside_team_folder: false,
      policy: { acl_update_policy: { '.tag': 'owner' } },
    });
    expect(result.preview_url).toMatch(/^https:\/\/www\.dropbox\.com\/scl\/fo\//);
    const owner = await client(emu, MAYA).sharingGetFolderMetadata({ shared_folder_id: id });
    expect(owner.result.path_display).toBe('/PRODUCER-DASHBOARD/After Hours/Glass Hearts');
  });
});

describe('sharing/remove_folder_member', () => {
  it('always answers with an async job; the job is in_progress first, then complete; the member is gone', async () => {
    const dbx = client(emu, MAYA);
    const id = folderId(emu, 'Midnight Drive');
    const { result } = await dbx.sharingRemoveFolderMember({
      shared_folder_id: id,
      member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
      leave_a_copy: false,
    });
    expect(result['.tag']).toBe('async_job_id');
    const jobId = (result as { async_job_id: string }).async_job_id;
    const { result: done, seen } = await pollRemove(dbx, jobId);
    expect(seen[0]).toBe('in_progress');
    expect(done['.tag']).toBe('complete');
    const members = await dbx.sharingListFolderMembers({ shared_folder_id: id });
    expect(members.result.users.map((u) => u.user.email)).not.toContain(LEO);
    const leo = await failure(client(emu, LEO).sharingGetFolderMetadata({ shared_folder_id: id }));
    expect(leo.error.error['.tag']).toBe('not_a_member');
  });

  it('accepts an email selector', async () => {
    const dbx = client(emu, MAYA);
    const { result } = await dbx.sharingRemoveFolderMember({
      shared_folder_id: folderId(emu, 'Glass Hearts'),
      member: { '.tag': 'email', email: SAM },
      leave_a_copy: false,
    });
    expect(result['.tag']).toBe('async_job_id');
    expect(
      emu.control
        .state()
        .folders.find((f) => f.name === 'Glass Hearts')!
        .members.map((m) => m.email),
    ).toEqual([MAYA, LEO]);
  });

  it('answers member_error/not_a_member for someone not in the folder (e.g. removed twice)', async () => {
    const dbx = client(emu, MAYA);
    const e = await failure(
      dbx.sharingRemoveFolderMember({
        shared_folder_id: folderId(emu, 'Neon Rain'),
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, SAM) },
        leave_a_copy: false,
      }),
    );
    expect(e.status).toBe(409);
    expect(e.error).toEqual({
      error_summary: 'member_error/not_a_member/..',
      error: { '.tag': 'member_error', member_error: { '.tag': 'not_a_member' } },
    });
  });

  it('refuses to remove the owner, and refuses editors and viewers (owner-only ACL policy)', async () => {
    const id = folderId(emu, 'Midnight Drive');
    const owner = await failure(
      client(emu, MAYA).sharingRemoveFolderMember({
        shared_folder_id: id,
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, MAYA) },
        leave_a_copy: false,
      }),
    );
    expect(owner.error.error['.tag']).toBe('folder_owner');
    const editor = await failure(
      client(emu, LEO).sharingRemoveFolderMember({
        shared_folder_id: id,
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, SAM) },
        leave_a_copy: false,
      }),
    );
    expect(editor.error.error['.tag']).toBe('no_permission');
    const outsider = await failure(
      client(emu, NOAH).sharingRemoveFolderMember({
        shared_folder_id: id,
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, SAM) },
        leave_a_copy: false,
      }),
    );
    expect(outsider.error.error).toEqual({ '.tag': 'access_error', access_error: { '.tag': 'not_a_member' } });
  });

  it('requires leave_a_copy: 400 plain text', async () => {
    const { access_token } = emu.control.issueTokens(MAYA);
    const r = await rpc(emu, 'sharing/remove_folder_member', access_token, {
      shared_folder_id: folderId(emu, 'Midnight Drive'),
      member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toBe(`Error in call to API function "sharing/remove_folder_member": request body: missing required field 'leave_a_copy'`);
    expect(emu.control.state().folders[0].members.map((m) => m.email)).toContain(LEO);
  });

  it('uses check_remove_member_job_status only: another job id is invalid_async_job_id', async () => {
    const dbx = client(emu, MAYA);
    const { result } = await dbx.sharingUnshareFolder({ shared_folder_id: folderId(emu, 'Neon Rain') });
    const jobId = (result as { async_job_id: string }).async_job_id;
    const e = await failure(dbx.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId }));
    expect(e.status).toBe(409);
    expect(e.error.error['.tag']).toBe('invalid_async_job_id');
  });
});

describe('sharing/relinquish_folder_membership', () => {
  it('a member leaves synchronously when leave_a_copy is false', async () => {
    const id = folderId(emu, 'Paper Planes');
    const { result } = await client(emu, LEO).sharingRelinquishFolderMembership({ shared_folder_id: id, leave_a_copy: false });
    expect(result).toEqual({ '.tag': 'complete' });
    const members = await client(emu, NOAH).sharingListFolderMembers({ shared_folder_id: id });
    expect(members.result.users.map((u) => u.user.email)).toEqual([NOAH]);
  });

  it('with leave_a_copy the job goes through check_job_status and a private copy stays', async () => {
    const dbx = client(emu, LEO);
    const id = folderId(emu, 'Paper Planes');
    const { result } = await dbx.sharingRelinquishFolderMembership({ shared_folder_id: id, leave_a_copy: true });
    expect(result['.tag']).toBe('async_job_id');
    const jobId = (result as { async_job_id: string }).async_job_id;
    expect((await dbx.sharingCheckJobStatus({ async_job_id: jobId })).result['.tag']).toBe('in_progress');
    expect((await dbx.sharingCheckJobStatus({ async_job_id: jobId })).result['.tag']).toBe('complete');
    const meta = await dbx.filesGetMetadata({ path: '/Paper Planes' });
    expect(meta.result['.tag']).toBe('folder');
    expect((meta.result as { sharing_info?: unknown }).sharing_info).toBeUndefined();
  });

  it('the owner cannot leave: folder_owner', async () => {
    const e = await failure(
      client(emu, MAYA).sharingRelinquishFolderMembership({ shared_folder_id: folderId(emu, 'Neon Rain'), leave_a_copy: false }),
    );
    expect(e.status).toBe(409);
    expect(e.error).toEqual({ error_summary: 'folder_owner/..', error: { '.tag': 'folder_owner' } });
  });
});

describe('sharing/update_folder_member', () => {
  it('changes access by dropbox_id', async () => {
    const id = folderId(emu, 'Midnight Drive');
    const dbx = client(emu, MAYA);
    const { result } = await dbx.sharingUpdateFolderMember({
      shared_folder_id: id,
      member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
      access_level: { '.tag': 'viewer' },
    });
    expect(result).toEqual({});
    const m = await dbx.sharingListFolderMembers({ shared_folder_id: id });
    expect(m.result.users.find((u) => u.user.email === LEO)!.access_type['.tag']).toBe('viewer');
    const leoMeta = await client(emu, LEO).filesGetMetadata({ path: '/Midnight Drive' });
    expect((leoMeta.result as { sharing_info: { read_only: boolean } }).sharing_info.read_only).toBe(true);
  });

  it('an email selector is a member_error; owner access is a bad argument; non-members are not_a_member', async () => {
    const id = folderId(emu, 'Midnight Drive');
    const dbx = client(emu, MAYA);
    const byEmail = await failure(
      dbx.sharingUpdateFolderMember({ shared_folder_id: id, member: { '.tag': 'email', email: LEO }, access_level: { '.tag': 'viewer' } }),
    );
    expect(byEmail.status).toBe(409);
    expect(byEmail.error.error['.tag']).toBe('member_error');
    const owner = await failure(
      dbx.sharingUpdateFolderMember({
        shared_folder_id: id,
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
        access_level: { '.tag': 'owner' },
      }),
    );
    expect(owner.status).toBe(400);
    const notMember = await failure(
      dbx.sharingUpdateFolderMember({
        shared_folder_id: folderId(emu, 'Neon Rain'),
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, AVA) },
        access_level: { '.tag': 'viewer' },
      }),
    );
    expect(notMember.error.error).toEqual({ '.tag': 'member_error', member_error: { '.tag': 'not_a_member' } });
  });
});

describe('sharing/add_folder_member', () => {
  it('sends invitations: an existing account is an invitee tied to its user with nothing mounted; unknown emails are invitees', async () => {
    const id = folderId(emu, 'Low Tide');
    const dbx = client(emu, MAYA);
    const { result } = await dbx.sharingAddFolderMember({
      shared_folder_id: id,
      members: [
        { member: { '.tag': 'email', email: AVA }, access_level: { '.tag': 'editor' } },
        { member: { '.tag': 'email', email: 'newcomer@pd.example' }, access_level: { '.tag': 'viewer' } },
      ],
    });
    expect(result).toBeNull();
    const m = await dbx.sharingListFolderMembers({ shared_folder_id: id });
    expect(m.result.users.map((u) => [u.user.email, u.access_type['.tag']])).toEqual([[MAYA, 'owner']]);
    const inv = m.result.invitees.map((i) => [(i.invitee as { email: string }).email, i.access_type['.tag'], i.user?.account_id ?? null]);
    expect(inv.sort()).toEqual([
      [AVA, 'editor', accountId(emu, AVA)],
      ['jules@pd.example', 'editor', null],
      ['newcomer@pd.example', 'viewer', null],
    ]);
    // Nothing in Ava's Dropbox until she accepts.
    expect((await failure(client(emu, AVA).filesGetMetadata({ path: '/Low Tide' }))).error.error.path['.tag']).toBe('not_found');
  });

  it('viewers cannot add members', async () => {
    const e = await failure(
      client(emu, SAM).sharingAddFolderMember({
        shared_folder_id: folderId(emu, 'Glass Hearts'),
        members: [{ member: { '.tag': 'email', email: AVA } }],
      }),
    );
    expect(e.error.error['.tag']).toBe('no_permission');
  });
});

describe('sharing/unshare_folder', () => {
  it('owner only; async job; members lose the folder, the owner keeps a plain folder', async () => {
    const id = folderId(emu, 'Glass Hearts');
    const denied = await failure(client(emu, LEO).sharingUnshareFolder({ shared_folder_id: id }));
    expect(denied.error.error['.tag']).toBe('no_permission');
    const dbx = client(emu, MAYA);
    const { result } = await dbx.sharingUnshareFolder({ shared_folder_id: id, leave_a_copy: false });
    const jobId = (result as { async_job_id: string }).async_job_id;
    expect((await dbx.sharingCheckJobStatus({ async_job_id: jobId })).result['.tag']).toBe('in_progress');
    expect((await dbx.sharingCheckJobStatus({ async_job_id: jobId })).result['.tag']).toBe('complete');
    const gone = await failure(client(emu, LEO).filesGetMetadata({ path: '/Glass Hearts' }));
    expect(gone.error.error).toEqual({ '.tag': 'path', path: { '.tag': 'not_found' } });
    const owner = await dbx.filesGetMetadata({ path: '/PRODUCER-DASHBOARD/After Hours/Glass Hearts' });
    expect((owner.result as { sharing_info?: unknown }).sharing_info).toBeUndefined();
    const meta = await failure(dbx.sharingGetFolderMetadata({ shared_folder_id: id }));
    expect(meta.error.error['.tag']).toBe('invalid_id');
  });
});
