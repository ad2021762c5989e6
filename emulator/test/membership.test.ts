// Issue 9 items 1, 3, 5 as the spec (sharing.stone, users.stone) describes them: invitations that only join the
// folder when the member mounts it, plan limits (insufficient_plan), and access through groups / parent folders.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.ts';
import { accountId, AVA, client, failure, folderId, LEO, MAYA, SAM } from './helpers.ts';
import { start } from './helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

const mounts = (email: string) =>
  emu.control
    .state()
    .accounts.find((a) => a.email === email)!
    .mounts.map((m) => m.path);

describe('add_folder_member sends an invitation; mount_folder (or accepting in Dropbox) joins', () => {
  it('the invitee has nothing in their tree and gets no webhook until mount_folder with their own token', async () => {
    const id = folderId(emu, 'Neon Rain');
    await client(emu, MAYA).sharingAddFolderMember({
      shared_folder_id: id,
      members: [{ member: { '.tag': 'email', email: AVA }, access_level: { '.tag': 'editor' } }],
    });
    expect(mounts(AVA)).not.toContain('/Neon Rain');
    const ava = client(emu, AVA);
    // Ava sees the invitation's metadata (no path: not mounted) but the folder is not in her list_folders yet.
    const meta = await ava.sharingGetFolderMetadata({ shared_folder_id: id });
    expect(meta.result.path_lower).toBeUndefined();
    expect((await ava.sharingListFolders({})).result.entries.map((e) => e.shared_folder_id)).not.toContain(id);

    const mounted = await ava.sharingMountFolder({ shared_folder_id: id });
    expect(mounted.result).toMatchObject({ shared_folder_id: id, path_lower: '/neon rain', access_type: { '.tag': 'editor' } });
    expect(mounts(AVA)).toContain('/Neon Rain');
    const m = await client(emu, MAYA).sharingListFolderMembers({ shared_folder_id: id });
    expect(m.result.users.map((u) => u.user.email)).toContain(AVA);
    expect(m.result.invitees.map((i) => (i.invitee as { email: string }).email)).not.toContain(AVA);
    // Mounting again: already_mounted.
    expect((await failure(ava.sharingMountFolder({ shared_folder_id: id }))).error.error['.tag']).toBe('already_mounted');
  });

  it('someone neither invited nor a member: access_error/not_a_member; an unknown folder: access_error/invalid_id', async () => {
    const e = await failure(client(emu, AVA).sharingMountFolder({ shared_folder_id: folderId(emu, 'Paper Planes') }));
    expect(e.error.error).toEqual({ '.tag': 'access_error', access_error: { '.tag': 'not_a_member' } });
    const u = await failure(client(emu, AVA).sharingMountFolder({ shared_folder_id: '99999' }));
    expect(u.error.error).toEqual({ '.tag': 'access_error', access_error: { '.tag': 'invalid_id' } });
  });

  it('a folder bigger than the space left: insufficient_quota with the amounts', async () => {
    emu.control.seed({ accounts: [{ email: 'tiny@pd.example', display_name: 'Tia Ny', quota_bytes: 1000 }] });
    const id = folderId(emu, 'Neon Rain');
    await client(emu, MAYA).sharingAddFolderMember({
      shared_folder_id: id,
      members: [{ member: { '.tag': 'email', email: 'tiny@pd.example' }, access_level: { '.tag': 'editor' } }],
    });
    const e = await failure(client(emu, 'tiny@pd.example').sharingMountFolder({ shared_folder_id: id }));
    expect(e.error.error['.tag']).toBe('insufficient_quota');
    expect(e.error.error.insufficient_quota).toEqual({
      space_needed: 47_185_920 + 25_165_824,
      space_shortage: 47_185_920 + 25_165_824 - 1000,
      space_left: 1000,
    });
    expect(mounts('tiny@pd.example')).toEqual([]);
  });

  it('accepting in the web UI or through the control API is the same as mount_folder, and the member is notified', async () => {
    const id = folderId(emu, 'Neon Rain');
    emu.control.act({ as: MAYA, action: 'add_member', shared_folder_id: id, member: AVA, access_level: 'viewer' });
    emu.control.act({ as: MAYA, action: 'add_member', shared_folder_id: folderId(emu, 'Glass Hearts'), member: AVA, access_level: 'editor' });
    const login = await fetch(`${emu.url}/login?account=${encodeURIComponent(AVA)}`, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const home = await (await fetch(`${emu.url}/home`, { headers: { cookie } })).text();
    expect(home).toContain('data-testid="invitations"');
    expect(home).toContain('Neon Rain');
    const res = await fetch(`${emu.url}/share/accept`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `shared_folder_id=${id}`,
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/home/Neon%20Rain');
    expect(mounts(AVA)).toContain('/Neon Rain');
    emu.control.act({ as: AVA, action: 'accept_invite', folder: 'Glass Hearts' });
    expect(mounts(AVA)).toContain('/Glass Hearts');
    const access = emu.control
      .state()
      .folders.find((f) => f.name === 'Neon Rain')!
      .members.find((m) => m.email === AVA);
    expect(access?.access_type).toBe('viewer');
  });

  it('an account that accepts at once (auto_accept) is mounted as soon as it is added', async () => {
    emu.control.seed({ accounts: [{ email: 'quick@pd.example', auto_accept: true }] });
    emu.control.act({ as: MAYA, action: 'add_member', folder: 'Neon Rain', member: 'quick@pd.example', access_level: 'editor' });
    expect(mounts('quick@pd.example')).toEqual(['/Neon Rain']);
  });
});

describe('plans: Dropbox Basic cannot make anyone view-only (insufficient_plan)', () => {
  beforeEach(() => {
    emu.control.act({ as: MAYA, action: 'set_plan', plan: 'basic' });
  });

  it('get_current_account says account_type basic; plus/professional are pro, business is business', async () => {
    expect((await client(emu, MAYA).usersGetCurrentAccount()).result.account_type['.tag']).toBe('basic');
    emu.control.act({ as: LEO, action: 'set_plan', plan: 'professional' });
    expect((await client(emu, LEO).usersGetCurrentAccount()).result.account_type['.tag']).toBe('pro');
    emu.control.act({ as: LEO, action: 'set_plan', plan: 'business' });
    expect((await client(emu, LEO).usersGetCurrentAccount()).result.account_type['.tag']).toBe('business');
  });

  it('adding a viewer is refused and nobody is invited; adding an editor works', async () => {
    const id = folderId(emu, 'Neon Rain');
    const maya = client(emu, MAYA);
    const e = await failure(
      maya.sharingAddFolderMember({
        shared_folder_id: id,
        members: [{ member: { '.tag': 'email', email: AVA }, access_level: { '.tag': 'viewer' } }],
      }),
    );
    expect(e.error.error['.tag']).toBe('insufficient_plan');
    expect((await maya.sharingListFolderMembers({ shared_folder_id: id })).result.invitees).toEqual([]);
    await maya.sharingAddFolderMember({
      shared_folder_id: id,
      members: [{ member: { '.tag': 'email', email: AVA }, access_level: { '.tag': 'editor' } }],
    });
    expect((await maya.sharingListFolderMembers({ shared_folder_id: id })).result.invitees).toHaveLength(1);
  });

  it('editor → viewer is refused and the member stays editor; viewer → editor works', async () => {
    const id = folderId(emu, 'Glass Hearts');
    const maya = client(emu, MAYA);
    const e = await failure(
      maya.sharingUpdateFolderMember({
        shared_folder_id: id,
        member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
        access_level: { '.tag': 'viewer' },
      }),
    );
    expect(e.error.error['.tag']).toBe('insufficient_plan');
    const users = (await maya.sharingListFolderMembers({ shared_folder_id: id })).result.users;
    expect(users.find((u) => u.user.email === LEO)?.access_type['.tag']).toBe('editor');
    await maya.sharingUpdateFolderMember({
      shared_folder_id: id,
      member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, SAM) },
      access_level: { '.tag': 'editor' },
    });
    const after = (await maya.sharingListFolderMembers({ shared_folder_id: id })).result.users;
    expect(after.find((u) => u.user.email === SAM)?.access_type['.tag']).toBe('editor');
  });
});

describe('groups and inherited access', () => {
  let id: string;
  beforeEach(() => {
    const r = emu.control.seed({
      accounts: [{ email: 'gus@pd.example', display_name: 'Gus Grant' }],
      groups: [{ name: 'Studio Crew', members: ['gus@pd.example', LEO] }],
      folders: [
        {
          name: 'Crew Track',
          owner: MAYA,
          members: [
            { account: LEO, access_level: 'editor' },
            { account: AVA, access_level: 'viewer', inherited: true },
          ],
          groups: [{ group: 'Studio Crew', access_level: 'editor' }],
          files: [{ path: 'take.wav', size: 10 }],
        },
      ],
    });
    id = r.folders[0].shared_folder_id;
  });

  it('list_folder_members lists the group in `groups` (its members are not in `users`) and is_inherited', async () => {
    const m = (await client(emu, MAYA).sharingListFolderMembers({ shared_folder_id: id })).result;
    expect(m.users.map((u) => [u.user.email, u.is_inherited])).toEqual([
      [MAYA, false],
      [LEO, false],
      [AVA, true],
    ]);
    expect(m.groups).toEqual([
      expect.objectContaining({ access_type: { '.tag': 'editor' }, group: expect.objectContaining({ group_name: 'Studio Crew', member_count: 2 }) }),
    ]);
    // A group member has the folder and can read it with their own token.
    expect(mounts('gus@pd.example')).toEqual(['/Crew Track']);
    expect((await client(emu, 'gus@pd.example').sharingGetFolderMetadata({ shared_folder_id: id })).result.access_type['.tag']).toBe('editor');
  });

  it('removing a group-only member: group_access; removing an inherited member: member_error/no_explicit_access', async () => {
    const maya = client(emu, MAYA);
    const g = await failure(
      maya.sharingRemoveFolderMember({ shared_folder_id: id, member: { '.tag': 'email', email: 'gus@pd.example' }, leave_a_copy: false }),
    );
    expect(g.error.error['.tag']).toBe('group_access');
    const i = await failure(maya.sharingRemoveFolderMember({ shared_folder_id: id, member: { '.tag': 'email', email: AVA }, leave_a_copy: false }));
    expect(i.error.error).toEqual({
      '.tag': 'member_error',
      member_error: { '.tag': 'no_explicit_access', no_explicit_access: { access_level: { '.tag': 'viewer' } } },
    });
  });

  it('removing someone who also has group access completes with the access Dropbox keeps, and their copy stays', async () => {
    emu.control.setJobPendingPolls(0);
    const maya = client(emu, MAYA);
    const launched = await maya.sharingRemoveFolderMember({
      shared_folder_id: id,
      member: { '.tag': 'dropbox_id', dropbox_id: accountId(emu, LEO) },
      leave_a_copy: false,
    });
    const jobId = (launched.result as { async_job_id: string }).async_job_id;
    const { result } = await maya.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId });
    expect(result).toMatchObject({ '.tag': 'complete', access_level: { '.tag': 'editor' }, warning: expect.stringContaining('Studio Crew') });
    expect(mounts(LEO)).toContain('/Crew Track');
    const m = (await maya.sharingListFolderMembers({ shared_folder_id: id })).result;
    expect(m.users.map((u) => u.user.email)).not.toContain(LEO);
  });

  it('a group-only member cannot relinquish (group_access)', async () => {
    const e = await failure(client(emu, 'gus@pd.example').sharingRelinquishFolderMembership({ shared_folder_id: id }));
    expect(e.error.error['.tag']).toBe('group_access');
  });
});
