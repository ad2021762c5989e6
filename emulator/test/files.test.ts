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

type AnyEntry = { '.tag': string; name: string; path_lower?: string; path_display?: string; [k: string]: any };

async function drain(dbx: ReturnType<typeof client>, cursor: string) {
  const entries: AnyEntry[] = [];
  for (;;) {
    const { result } = await dbx.filesListFolderContinue({ cursor });
    entries.push(...(result.entries as AnyEntry[]));
    cursor = result.cursor;
    if (!result.has_more) return { entries, cursor };
  }
}

describe('files/list_folder', () => {
  it('lists a member’s root: their mounts, with sharing_info', async () => {
    const { result } = await client(emu, SAM).filesListFolder({ path: '' });
    const entries = result.entries as AnyEntry[];
    expect(entries.map((e) => e.path_display)).toEqual(['/Glass Hearts', '/Midnight Drive']);
    expect(entries[1]).toMatchObject({
      '.tag': 'folder',
      name: 'Midnight Drive',
      path_lower: '/midnight drive',
      shared_folder_id: folderId(emu, 'Midnight Drive'),
      sharing_info: { read_only: true, shared_folder_id: folderId(emu, 'Midnight Drive'), traverse_only: false, no_access: false },
    });
    expect(entries[1].id).toMatch(/^id:/);
    expect(result.has_more).toBe(false);
  });

  it('lists recursively with files carrying parent_shared_folder_id', async () => {
    const { result } = await client(emu, LEO).filesListFolder({ path: '/Midnight Drive', recursive: true });
    const entries = result.entries as AnyEntry[];
    expect(entries.map((e) => e.path_display)).toEqual([
      '/Midnight Drive',
      '/Midnight Drive/Midnight Drive - Mix v3.wav',
      '/Midnight Drive/Stems',
      '/Midnight Drive/Stems/Bass.wav',
      '/Midnight Drive/Stems/Drums.wav',
      '/Midnight Drive/Stems/Vocals.wav',
    ]);
    const mix = entries[1];
    expect(mix).toMatchObject({
      '.tag': 'file',
      size: 52_428_800,
      parent_shared_folder_id: folderId(emu, 'Midnight Drive'),
      sharing_info: { read_only: false },
    });
    expect(mix.rev).toMatch(/^[0-9a-f]+$/);
    expect(mix.server_modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('include_mounted_folders: false leaves shared folders out; ns:<id> lists inside a mount', async () => {
    const maya = client(emu, MAYA);
    const own = await maya.filesListFolder({ path: '/PRODUCER-DASHBOARD/After Hours', include_mounted_folders: false });
    expect(own.result.entries).toEqual([]);
    const withMounts = await maya.filesListFolder({ path: '/PRODUCER-DASHBOARD/After Hours' });
    expect(withMounts.result.entries.map((e) => e.name)).toEqual(['Glass Hearts', 'Midnight Drive']);
    const ns = await client(emu, SAM).filesListFolder({ path: `ns:${folderId(emu, 'Glass Hearts')}` });
    expect(ns.result.entries.map((e) => e.path_display)).toEqual([
      '/Glass Hearts/Glass Hearts - Demo.wav',
      '/Glass Hearts/Glass Hearts - Topline.m4a',
    ]);
  });

  it('paginates with limit: has_more + continue', async () => {
    const dbx = client(emu, MAYA);
    const first = await dbx.filesListFolder({ path: '', recursive: true, limit: 5 });
    expect(first.result.entries).toHaveLength(5);
    expect(first.result.has_more).toBe(true);
    const rest = await drain(dbx, first.result.cursor);
    const all = [...(first.result.entries as AnyEntry[]), ...rest.entries].map((e) => e.path_lower);
    const full = (await dbx.filesListFolder({ path: '', recursive: true })).result.entries.map((e) => e.path_lower);
    expect(all).toEqual(full);
    // nothing changed since: an empty page
    const again = await dbx.filesListFolderContinue({ cursor: rest.cursor });
    expect(again.result.entries).toEqual([]);
    expect(again.result.has_more).toBe(false);
  });

  it('continue shows a `deleted` entry (name and paths only) when the member is removed, and nothing for the owner', async () => {
    const leo = client(emu, LEO);
    const maya = client(emu, MAYA);
    const leoCursor = (await leo.filesListFolderGetLatestCursor({ path: '' })).result.cursor;
    const mayaCursor = (await maya.filesListFolderGetLatestCursor({ path: '', recursive: true })).result.cursor;
    emu.control.act({ as: MAYA, action: 'remove_member', folder: 'Neon Rain', member: LEO });
    const { entries } = await drain(leo, leoCursor);
    expect(entries).toEqual([{ '.tag': 'deleted', name: 'Neon Rain', path_lower: '/neon rain', path_display: '/Neon Rain' }]);
    expect((await drain(maya, mayaCursor)).entries).toEqual([]);
  });

  it('continue shows new files for every member who has the folder mounted, at their own path', async () => {
    const leo = client(emu, LEO);
    const maya = client(emu, MAYA);
    const leoCursor = (await leo.filesListFolderGetLatestCursor({ path: '', recursive: true })).result.cursor;
    const mayaCursor = (await maya.filesListFolderGetLatestCursor({ path: '', recursive: true })).result.cursor;
    emu.control.act({ as: LEO, action: 'upload_file', folder: 'Neon Rain', path: 'Takes/Guitar take 2.wav', size: 1234 });
    const l = (await drain(leo, leoCursor)).entries;
    expect(l.map((e) => [e['.tag'], e.path_display])).toEqual([
      ['folder', '/Neon Rain/Takes'],
      ['file', '/Neon Rain/Takes/Guitar take 2.wav'],
    ]);
    expect(l[1].sharing_info.modified_by).toBe(accountId(emu, LEO));
    const m = (await drain(maya, mayaCursor)).entries;
    expect(m.map((e) => e.path_display)).toEqual([
      '/PRODUCER-DASHBOARD/City Lights/Neon Rain/Takes',
      '/PRODUCER-DASHBOARD/City Lights/Neon Rain/Takes/Guitar take 2.wav',
    ]);
  });

  it('continue pages through many changes with the cursor’s limit', async () => {
    const leo = client(emu, LEO);
    const cursor = (await leo.filesListFolderGetLatestCursor({ path: '/Neon Rain', recursive: true, limit: 2 })).result.cursor;
    for (const n of [1, 2, 3, 4, 5]) emu.control.act({ as: MAYA, action: 'upload_file', folder: 'Neon Rain', path: `take ${n}.wav` });
    const pages: string[][] = [];
    let c = cursor;
    for (;;) {
      const { result } = await leo.filesListFolderContinue({ cursor: c });
      pages.push(result.entries.map((e) => e.name));
      c = result.cursor;
      if (!result.has_more) break;
    }
    expect(pages).toEqual([['take 1.wav', 'take 2.wav'], ['take 3.wav', 'take 4.wav'], ['take 5.wav']]);
  });

  it('a non-recursive cursor on the root sees only root-level changes', async () => {
    const leo = client(emu, LEO);
    const cursor = (await leo.filesListFolderGetLatestCursor({ path: '' })).result.cursor;
    emu.control.act({ as: LEO, action: 'upload_file', folder: 'Neon Rain', path: 'deep.wav' });
    emu.control.act({ as: MAYA, action: 'add_member', folder: 'Low Tide', member: LEO, access_level: 'viewer' });
    emu.control.act({ as: LEO, action: 'accept_invite', folder: 'Low Tide' }); // invited, then accepted: mounted
    const { entries } = await drain(leo, cursor);
    expect(entries.map((e) => [e['.tag'], e.path_display, e.sharing_info?.read_only])).toEqual([['folder', '/Low Tide', true]]);
  });

  it('renaming a mount is per user', async () => {
    const cursor = (await client(emu, LEO).filesListFolderGetLatestCursor({ path: '' })).result.cursor;
    emu.control.act({ as: LEO, action: 'rename_mount', folder: 'Midnight Drive', path: '/Work/MD (Maya)' });
    const { entries } = await drain(client(emu, LEO), cursor);
    expect(entries.map((e) => [e['.tag'], e.path_display])).toEqual([
      ['deleted', '/Midnight Drive'],
      ['folder', '/Work'],
    ]);
    const meta = await client(emu, LEO).filesGetMetadata({ path: '/Work/MD (Maya)' });
    expect((meta.result as AnyEntry).sharing_info.shared_folder_id).toBe(folderId(emu, 'Midnight Drive'));
    expect((await client(emu, SAM).filesGetMetadata({ path: '/Midnight Drive' })).result.name).toBe('Midnight Drive');
  });

  it('a mount cannot be moved inside another shared folder', async () => {
    const res = await fetch(`${emu.url}/_control/act`, {
      method: 'POST',
      body: JSON.stringify({ as: LEO, action: 'rename_mount', folder: 'Neon Rain', path: '/Midnight Drive/Neon Rain' }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).error['.tag']).toBe('cant_nest_shared_folder');
    expect((await client(emu, LEO).filesGetMetadata({ path: '/Neon Rain' })).result.name).toBe('Neon Rain');
  });

  it('an invalidated cursor answers 409 reset; so does another account’s cursor', async () => {
    const leo = client(emu, LEO);
    const cursor = (await leo.filesListFolder({ path: '' })).result.cursor;
    const foreign = await failure(client(emu, SAM).filesListFolderContinue({ cursor }));
    expect(foreign.status).toBe(409);
    expect(foreign.error.error['.tag']).toBe('reset');
    emu.control.invalidateCursors(LEO);
    const e = await failure(leo.filesListFolderContinue({ cursor }));
    expect(e.status).toBe(409);
    expect(e.error).toEqual({ error_summary: 'reset/..', error: { '.tag': 'reset' } });
    const fresh = (await leo.filesListFolder({ path: '' })).result.cursor;
    expect((await leo.filesListFolderContinue({ cursor: fresh })).result.entries).toEqual([]);
  });

  it('path errors: not_found and not_folder are 409; "/" is a 400', async () => {
    const dbx = client(emu, LEO);
    const nf = await failure(dbx.filesListFolder({ path: '/Nope' }));
    expect(nf.status).toBe(409);
    expect(nf.error).toEqual({ error_summary: 'path/not_found/..', error: { '.tag': 'path', path: { '.tag': 'not_found' } } });
    const file = await failure(dbx.filesListFolder({ path: '/Neon Rain/Neon Rain - Rough.wav' }));
    expect(file.error.error).toEqual({ '.tag': 'path', path: { '.tag': 'not_folder' } });
    const slash = await failure(dbx.filesListFolder({ path: '/' }));
    expect(slash.status).toBe(400);
    expect(typeof slash.error).toBe('string');
    expect(slash.error).toContain('Error in call to API function "files/list_folder"');
  });
});

describe('files/get_metadata', () => {
  it('resolves a member’s path to the shared folder (sharing_info.shared_folder_id), by path, id: and ns:', async () => {
    const dbx = client(emu, SAM);
    const byPath = (await dbx.filesGetMetadata({ path: '/glass hearts' })).result as AnyEntry;
    expect(byPath.sharing_info).toEqual({ read_only: true, shared_folder_id: folderId(emu, 'Glass Hearts'), traverse_only: false, no_access: false });
    expect(byPath.path_display).toBe('/Glass Hearts');
    const byId = (await dbx.filesGetMetadata({ path: byPath.id })).result as AnyEntry;
    expect(byId.path_lower).toBe('/glass hearts');
    const byNs = (await dbx.filesGetMetadata({ path: `ns:${folderId(emu, 'Glass Hearts')}` })).result as AnyEntry;
    expect(byNs.path_lower).toBe('/glass hearts');
    const inside = (await dbx.filesGetMetadata({ path: '/Glass Hearts/Glass Hearts - Demo.wav' })).result as AnyEntry;
    expect(inside.parent_shared_folder_id).toBe(folderId(emu, 'Glass Hearts'));
  });

  it('path/not_found for unknown paths; with include_deleted a removed mount is a deleted entry', async () => {
    const dbx = client(emu, LEO);
    const e = await failure(dbx.filesGetMetadata({ path: '/Nothing here' }));
    expect(e.status).toBe(409);
    expect(e.error.error_summary).toBe('path/not_found/..');
    emu.control.act({ as: LEO, action: 'leave_folder', folder: 'Paper Planes' });
    const del = await dbx.filesGetMetadata({ path: '/Paper Planes', include_deleted: true });
    expect(del.result).toEqual({ '.tag': 'deleted', name: 'Paper Planes', path_lower: '/paper planes', path_display: '/Paper Planes' });
  });
});

describe('malformed requests (400 plain text)', () => {
  it('bad JSON, wrong Content-Type, missing/ill-typed arguments, missing Authorization, unknown route', async () => {
    const { access_token } = emu.control.issueTokens(LEO);
    const badJson = await rpc(emu, 'files/list_folder', access_token, '{"path": ');
    expect(badJson.status).toBe(400);
    expect(badJson.text).toBe('Error in call to API function "files/list_folder": request body: could not decode input as JSON');
    const ctype = await rpc(emu, 'files/list_folder', access_token, '{"path":""}', { 'Content-Type': 'text/plain' });
    expect(ctype.status).toBe(400);
    expect(ctype.text).toContain('Bad HTTP "Content-Type" header: "text/plain"');
    const missing = await rpc(emu, 'files/list_folder', access_token, {});
    expect(missing.text).toBe(`Error in call to API function "files/list_folder": request body: missing required field 'path'`);
    const typed = await rpc(emu, 'sharing/list_folder_members', access_token, { shared_folder_id: 12 });
    expect(typed.status).toBe(400);
    expect(typed.text).toContain('shared_folder_id: expected string, got integer');
    const limit = await rpc(emu, 'sharing/list_folders', access_token, { limit: 0 });
    expect(limit.status).toBe(400);
    const noAuth = await rpc(emu, 'files/list_folder', null, { path: '' });
    expect(noAuth.status).toBe(400);
    expect(noAuth.headers.get('content-type')).toMatch(/^text\/plain/);
    const badToken = await rpc(emu, 'files/list_folder', 'sl.nope', { path: '' });
    expect(badToken.status).toBe(401);
    expect(badToken.json).toEqual({ error_summary: 'invalid_access_token/', error: { '.tag': 'invalid_access_token' } });
    const unknown = await rpc(emu, 'files/teleport', access_token, {});
    expect(unknown.status).toBe(400);
  });
});

describe('files/upload (the app’s own writes notify too)', () => {
  it('uploads into a shared folder through the SDK: every member sees it; viewers cannot write', async () => {
    const samCursor = (await client(emu, SAM).filesListFolderGetLatestCursor({ path: '/Glass Hearts' })).result.cursor;
    const { result } = await client(emu, LEO).filesUpload({ path: '/Glass Hearts/Bridge idea.wav', contents: new Uint8Array(4096) });
    expect(result).toMatchObject({
      name: 'Bridge idea.wav',
      path_display: '/Glass Hearts/Bridge idea.wav',
      size: 4096,
      parent_shared_folder_id: folderId(emu, 'Glass Hearts'),
    });
    const { entries } = await drain(client(emu, SAM), samCursor);
    expect(entries.map((e) => [e['.tag'], e.path_display, e.sharing_info.modified_by])).toEqual([
      ['file', '/Glass Hearts/Bridge idea.wav', accountId(emu, LEO)],
    ]);
    const denied = await failure(client(emu, SAM).filesUpload({ path: '/Glass Hearts/nope.wav', contents: new Uint8Array(1) }));
    expect(denied.status).toBe(409);
    expect(denied.error.error['.tag']).toBe('path');
    expect(denied.error.error.path.reason['.tag']).toBe('no_write_permission');
  });

  it('uploads into the account’s own space change only that account', async () => {
    const { result } = await client(emu, SAM).filesUpload({ path: '/Notes/ideas.txt', contents: new Uint8Array(3) });
    expect(result.path_display).toBe('/Notes/ideas.txt');
    expect((await client(emu, SAM).filesGetMetadata({ path: '/Notes' })).result['.tag']).toBe('folder');
  });
});
