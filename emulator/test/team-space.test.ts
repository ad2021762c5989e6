// Dropbox Business team spaces and paired accounts (issue 9 item 2): a team member's root namespace is the team
// space, their home folder is one folder in it, and Dropbox-API-Path-Root (common.stone PathRoot) selects which one
// a call's paths are relative to. The web UI serves /work/<team>/…, /personal/… and /preview/… pages.
import { Dropbox } from 'dropbox';
import { Window } from 'happy-dom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emulatorFetch, type RunningEmulator } from '../src/index.ts';
import { specTable } from '../src/spec.ts';
import { MAYA, failure, folderId, rpc, start } from './helpers.ts';

const RIO = 'rio@acme.example';
const RIO_PERSONAL = 'rio.park@pd.example';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

const tokenOf = (email: string) => emu.control.issueTokens(email).access_token;
const sdk = (email: string, pathRoot?: string) =>
  new Dropbox({ accessToken: tokenOf(email), fetch: emulatorFetch(emu.url), ...(pathRoot ? { pathRoot } : {}) });

async function rootInfo(email: string) {
  const { result } = await sdk(email).usersGetCurrentAccount();
  return result as typeof result & { root_info: { '.tag': string; root_namespace_id: string; home_namespace_id: string; home_path?: string } };
}

describe('users/get_current_account: root_info, team, is_paired', () => {
  it('a team member has the team space as root namespace and a home folder in it', async () => {
    const me = await rootInfo(RIO);
    expect(me.root_info['.tag']).toBe('team');
    expect(me.root_info.root_namespace_id).not.toBe(me.root_info.home_namespace_id);
    expect(me.root_info.home_path).toBe('/Rio Park');
    expect(me.team?.name).toBe('Acme Studio');
    expect(me.team_member_id).toMatch(/^dbmid:/);
    expect(me.is_paired).toBe(true);
    expect(me.account_type['.tag']).toBe('business');
  });

  it('a personal account: root = home, no team; the paired one says is_paired', async () => {
    const personal = await rootInfo(RIO_PERSONAL);
    expect(personal.root_info['.tag']).toBe('user');
    expect(personal.root_info.root_namespace_id).toBe(personal.root_info.home_namespace_id);
    expect(personal.team).toBeUndefined();
    expect(personal.is_paired).toBe(true);
    expect((await rootInfo(MAYA)).is_paired).toBe(false);
  });
});

describe('Dropbox-API-Path-Root', () => {
  it('without it a team member sees their home folder only; with {root} the team space', async () => {
    const home = await sdk(RIO).filesListFolder({ path: '' });
    expect(home.result.entries.map((e) => e.path_display)).toEqual(['/Night Bus']);
    const meta = await sdk(RIO).filesGetMetadata({ path: '/Night Bus' });
    expect((meta.result as any).sharing_info.shared_folder_id).toBe(folderId(emu, 'Night Bus'));

    const { root_info } = await rootInfo(RIO);
    const root = sdk(RIO, JSON.stringify({ '.tag': 'root', root: root_info.root_namespace_id }));
    const top = await root.filesListFolder({ path: '' });
    expect(top.result.entries.map((e) => e.path_display).sort()).toEqual(['/Rio Park', '/Studio Library']);
    const inTeam = await root.filesGetMetadata({ path: '/Rio Park/Night Bus' });
    expect((inTeam.result as any).sharing_info.shared_folder_id).toBe(folderId(emu, 'Night Bus'));
    expect(inTeam.result.path_display).toBe('/Rio Park/Night Bus');
    expect((await root.filesGetMetadata({ path: '/Studio Library/Reference Mix.wav' })).result.name).toBe('Reference Mix.wav');
    // The team folder is outside the home namespace: not there without the header.
    const outside = await failure(sdk(RIO).filesGetMetadata({ path: '/Studio Library' }));
    expect(outside.status).toBe(409);
    expect(outside.error.error_summary).toMatch(/^path\/not_found/);
  });

  it('{home} is the default; a personal account root = home', async () => {
    const me = await rootInfo(MAYA);
    const a = await sdk(MAYA, JSON.stringify({ '.tag': 'home' })).filesListFolder({ path: '' });
    const b = await sdk(MAYA, JSON.stringify({ '.tag': 'root', root: me.root_info.root_namespace_id })).filesListFolder({ path: '' });
    expect(a.result.entries.map((e) => e.path_lower)).toEqual(b.result.entries.map((e) => e.path_lower));
  });

  it('a root that is not the current one → 422 invalid_root with the latest root info', async () => {
    const res = await rpc(
      emu,
      'files/list_folder',
      tokenOf(RIO),
      { path: '' },
      { 'Dropbox-API-Path-Root': JSON.stringify({ '.tag': 'root', root: '123' }) },
    );
    expect(res.status).toBe(422);
    expect(res.json.error['.tag']).toBe('invalid_root');
    expect(Object.keys(specTable().path_root_error)).toContain('invalid_root');
    expect(res.json.error.invalid_root).toMatchObject({ '.tag': 'team', home_path: '/Rio Park' });
    expect(res.json.error.invalid_root.root_namespace_id).toBe((await rootInfo(RIO)).root_info.root_namespace_id);
  });

  it('a namespace the caller cannot reach → 422 no_permission; a mounted shared folder → paths inside it', async () => {
    const denied = await rpc(
      emu,
      'files/list_folder',
      tokenOf(RIO),
      { path: '' },
      { 'Dropbox-API-Path-Root': JSON.stringify({ '.tag': 'namespace_id', namespace_id: folderId(emu, 'Neon Rain') }) },
    );
    expect(denied.status).toBe(422);
    expect(denied.json.error).toEqual({ '.tag': 'no_permission' });
    expect(Object.keys(specTable().path_root_error)).toContain('no_permission');
    const inside = await rpc(
      emu,
      'files/list_folder',
      tokenOf(RIO),
      { path: '' },
      { 'Dropbox-API-Path-Root': JSON.stringify({ '.tag': 'namespace_id', namespace_id: folderId(emu, 'Night Bus') }) },
    );
    expect(inside.status).toBe(200);
    expect(inside.json.entries.map((e: { path_display: string }) => e.path_display).sort()).toEqual(['/Night Bus - Demo.wav', '/Stems']);
  });

  it('a malformed header → 400 plain text', async () => {
    const res = await rpc(emu, 'files/list_folder', tokenOf(RIO), { path: '' }, { 'Dropbox-API-Path-Root': '{root' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Dropbox-API-Path-Root/);
  });

  it('sharing/list_folders names the mount in the call’s namespace; a cursor keeps its Path-Root', async () => {
    const { root_info } = await rootInfo(RIO);
    const header = JSON.stringify({ '.tag': 'root', root: root_info.root_namespace_id });
    const plain = await sdk(RIO).sharingListFolders({});
    const rooted = await sdk(RIO, header).sharingListFolders({});
    expect(plain.result.entries.find((f) => f.name === 'Night Bus')?.path_lower).toBe('/night bus');
    expect(rooted.result.entries.find((f) => f.name === 'Night Bus')?.path_lower).toBe('/rio park/night bus');

    const { result } = await sdk(RIO, header).filesListFolderGetLatestCursor({ path: '', recursive: true });
    await emu.control.act({ as: RIO, action: 'upload_file', shared_folder_id: folderId(emu, 'Night Bus'), path: 'Take 2.wav', size: 10 });
    const next = await sdk(RIO).filesListFolderContinue({ cursor: result.cursor });
    expect(next.result.entries.map((e) => e.path_display)).toContain('/Rio Park/Night Bus/Take 2.wav');
  });
});

describe('web UI: /work/<team>, /personal, /preview', () => {
  async function signIn(email: string) {
    const res = await fetch(`${emu.url}/login?account=${encodeURIComponent(email)}`, { redirect: 'manual' });
    return res.headers.get('set-cookie')!.split(';')[0];
  }
  async function page(email: string, urlPath: string) {
    const res = await fetch(emu.url + urlPath, { redirect: 'manual', headers: { cookie: await signIn(email) } });
    const html = await res.text();
    const w = new Window({ url: emu.url });
    const doc = new w.DOMParser().parseFromString(html, 'text/html') as unknown as Document;
    return { status: res.status, location: res.headers.get('location'), doc };
  }
  const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

  it('a team member’s /home goes to their folder of the team space', async () => {
    const res = await page(RIO, '/home/Night%20Bus');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/work/Acme%20Studio/Rio%20Park/Night%20Bus');
  });

  it('/work/<team>/<member>/<folder> is the folder view with the usual hooks; the breadcrumb starts at the team', async () => {
    const res = await page(RIO, '/work/Acme%20Studio/Rio%20Park/Night%20Bus');
    expect(res.status).toBe(200);
    expect(text(res.doc.querySelector('[data-testid="page-header"] h1'))).toMatch(/^Night Bus/);
    const crumbs = [...res.doc.querySelectorAll('nav[aria-label="Breadcrumb"] li a')].map((a) => a.getAttribute('href'));
    expect(crumbs).toEqual(['/work/Acme%20Studio', '/work/Acme%20Studio/Rio%20Park']);
    const fileLink = [...res.doc.querySelectorAll('tr[data-kind="file"] a')].map((a) => a.getAttribute('href'));
    expect(fileLink).toContain('/preview/Acme%20Studio/Rio%20Park/Night%20Bus/Night%20Bus%20-%20Demo.wav?role=work');
    const root = await page(RIO, '/work/Acme%20Studio');
    expect([...root.doc.querySelectorAll('tr[data-kind="folder"] a')].map(text).sort()).toEqual(['Rio Park', 'Studio Library']);
  });

  it('/preview/…?role=work shows the file’s folder with the file open', async () => {
    const res = await page(RIO, '/preview/Acme%20Studio/Rio%20Park/Night%20Bus/Night%20Bus%20-%20Demo.wav?role=work');
    expect(res.status).toBe(200);
    expect(text(res.doc.querySelector('[data-testid="file-preview"]'))).toMatch(/Night Bus - Demo\.wav/);
    expect(text(res.doc.querySelector('[data-testid="page-header"] h1'))).toMatch(/^Night Bus/);
  });

  it('/personal is the paired personal account; someone without a team has no /work', async () => {
    const personal = await page(RIO, '/personal');
    expect(personal.status).toBe(200);
    expect(text(personal.doc.querySelector('[data-testid="page-header"] h1'))).toBe('Personal');
    expect(text(personal.doc.querySelector('nav[aria-label="Sidebar"]'))).toMatch(/Personal.*Acme Studio/);
    const none = await page(MAYA, '/work/Acme%20Studio/Rio%20Park/Night%20Bus');
    expect(none.status).toBe(404);
    expect(none.doc.querySelector('[data-testid="not-found"]')).not.toBeNull();
  });
});
