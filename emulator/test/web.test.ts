// The emulator's Dropbox-like web UI (/login, /home/…): what a signed-in web user sees, and the page hooks the
// extension's selectors anchor on (the same as extension/test/fixtures/folder-page.html).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Window } from 'happy-dom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findFirst, findPanelPlacement } from '../../extension/dropbox-page/selectors.ts';
import type { RunningEmulator } from '../src/index.ts';
import { AVA, LEO, MAYA, NOAH, SAM, folderId, start } from './helpers.ts';

let emu: RunningEmulator;
let windows: Window[] = [];
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  for (const w of windows) await w.happyDOM.close();
  windows = [];
  await emu.close();
});

const FIXTURE = path.resolve(import.meta.dirname, '../../extension/test/fixtures/folder-page.html');

function parse(html: string): Document {
  const w = new Window({ url: emu.url });
  windows.push(w);
  return new w.DOMParser().parseFromString(html, 'text/html') as unknown as Document;
}

interface Page {
  status: number;
  location: string | null;
  setCookie: string | null;
  html: string;
  doc: Document;
}

async function get(urlPath: string, cookie?: string): Promise<Page> {
  const res = await fetch(emu.url + urlPath, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const html = await res.text();
  return { status: res.status, location: res.headers.get('location'), setCookie: res.headers.get('set-cookie'), html, doc: parse(html) };
}

/** Signs in as an account through /login and returns the Cookie header value. */
async function signIn(email: string): Promise<string> {
  const res = await get(`/login?account=${encodeURIComponent(email)}`);
  expect(res.status).toBe(302);
  return res.setCookie!.split(';')[0];
}

async function pageAs(email: string, urlPath: string): Promise<Page> {
  return get(urlPath, await signIn(email));
}

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
/** Names in the file list, in display order. */
const names = (doc: Document) => [...doc.querySelectorAll('table[role="grid"] tr[role="row"] .name a')].map(text);
const rowOf = (doc: Document, name: string) => [...doc.querySelectorAll('tr[role="row"]')].find((r) => text(r.querySelector('.name a')) === name);
const crumbs = (doc: Document) =>
  [...doc.querySelectorAll('nav[aria-label="Breadcrumb"] li')].map((li) => ({
    text: text(li),
    href: li.querySelector('a')?.getAttribute('href') ?? null,
    current: li.getAttribute('aria-current'),
  }));

/** The page hooks the extension relies on, each expected exactly once on a folder page. */
const HOOKS = [
  'header[role="banner"]',
  'a[aria-label="Dropbox home"]',
  'input[type="search"][aria-label="Search"]',
  'nav[aria-label="Sidebar"]',
  'main[role="main"]',
  'main[role="main"] [data-testid="page-header"]',
  '[data-testid="page-header"] nav[aria-label="Breadcrumb"] ol',
  '[data-testid="page-header"] nav[aria-label="Breadcrumb"] li[aria-current="page"]',
  '[data-testid="page-header"] h1',
  '[role="toolbar"][aria-label="Folder actions"]',
  '[role="toolbar"] button[data-testid="action-bar-share-button"][aria-label="Share"]',
  '[role="toolbar"] button[data-testid="action-bar-download-button"][aria-label="Download"]',
  'table[role="grid"][aria-label="Files"]',
];

describe('signing in to the web UI', () => {
  it('without a web user, /home sends you to /login and comes back to the same folder', async () => {
    const page = await get('/home/Midnight%20Drive');
    expect(page.status).toBe(302);
    expect(page.location).toBe('/login?next=' + encodeURIComponent('/home/Midnight%20Drive'));
    const login = await get(page.location!);
    expect(login.status).toBe(200);
    const leo = login.doc.querySelector(`a[data-email="${LEO}"]`)!;
    expect(text(leo)).toContain('Leo Vance');
    const back = await get(leo.getAttribute('href')!);
    expect(back.status).toBe(302);
    expect(back.location).toBe('/home/Midnight%20Drive');
    expect(back.setCookie).toMatch(/HttpOnly/i);
    const folder = await get(back.location!, back.setCookie!.split(';')[0]);
    expect(folder.status).toBe(200);
    expect(text(folder.doc.querySelector('h1'))).toContain('Midnight Drive');
  });

  it('the login page lists every demo account', async () => {
    const login = await get('/login');
    expect(login.status).toBe(200);
    const emails = [...login.doc.querySelectorAll('a[data-email]')].map((a) => a.getAttribute('data-email'));
    expect(emails.sort()).toEqual([AVA, LEO, MAYA, NOAH, SAM, 'rio@acme.example', 'rio.park@pd.example'].sort());
    expect(text(login.doc.querySelector(`a[data-email="${MAYA}"] .muted`))).toBe('maya@pd.example · owns 4 shared folders');
    expect(text(login.doc.querySelector(`a[data-email="${LEO}"] .muted`))).toBe('leo@pd.example · member of 5');
  });

  it('an unknown account is refused with a 404 and no cookie', async () => {
    const res = await get('/login?account=nobody%40pd.example');
    expect(res.status).toBe(404);
    expect(res.setCookie).toBeNull();
    expect(text(res.doc.querySelector('[data-testid="login-error"]'))).toContain('nobody@pd.example');
  });

  it('the top bar names the signed-in user, and switching changes whose Dropbox you see', async () => {
    const maya = await pageAs(MAYA, '/home');
    expect(text(maya.doc.querySelector('[data-testid="emulator-web-user"]'))).toBe(
      'Signed in to Dropbox (emulator) as Maya Reyes (maya@pd.example) · switch',
    );
    expect(names(maya.doc)).toEqual(['PRODUCER-DASHBOARD']);
    const switchHref = maya.doc.querySelector('[data-testid="emulator-web-user"] a')!.getAttribute('href');
    expect(switchHref).toBe('/login?next=%2Fhome');
    const leo = await pageAs(LEO, '/home');
    expect(text(leo.doc.querySelector('[data-testid="emulator-web-user"]'))).toContain('as Leo Vance');
    expect(names(leo.doc)).toEqual(['Glass Hearts', 'Golden Hour', 'Midnight Drive', 'Neon Rain', 'Paper Planes']);
  });

  it('only /home targets are followed after signing in', async () => {
    for (const next of [
      'https://evil.example/home',
      '//evil.example/home',
      '/_control/state',
      '/home/../_control/state',
      '/home/%2e%2e/_control/state',
    ]) {
      const res = await get(`/login?account=${LEO}&next=${encodeURIComponent(next)}`);
      expect(res.status).toBe(302);
      expect(res.location, next).toBe('/home');
    }
  });

  it('a cookie naming an account that no longer exists (after a reset) sends you to /login', async () => {
    const cookie = await signIn(LEO);
    await emu.control.reset({ accounts: [{ email: 'solo@x.example' }] });
    const res = await get('/home', cookie);
    expect(res.status).toBe(302);
    expect(res.location).toBe('/login?next=%2Fhome');
  });
});

describe('folder pages', () => {
  it('the owner browses down her own paths; the breadcrumb links every ancestor', async () => {
    const cookie = await signIn(MAYA);
    const top = await get('/home/PRODUCER-DASHBOARD', cookie);
    expect(names(top.doc)).toEqual(['After Hours', 'City Lights']);
    const afterHours = await get('/home/PRODUCER-DASHBOARD/After%20Hours', cookie);
    expect(names(afterHours.doc)).toEqual(['Glass Hearts', 'Midnight Drive']);
    expect(text(rowOf(afterHours.doc, 'Midnight Drive'))).toContain('Shared · Owner');
    expect(rowOf(afterHours.doc, 'Midnight Drive')!.querySelector('a')!.getAttribute('href')).toBe(
      '/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive',
    );
    const track = await get('/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive', cookie);
    expect(track.status).toBe(200);
    expect(track.doc.title).toBe('Midnight Drive - Dropbox');
    expect(crumbs(track.doc)).toEqual([
      { text: 'Dropbox', href: '/home', current: null },
      { text: 'PRODUCER-DASHBOARD', href: '/home/PRODUCER-DASHBOARD', current: null },
      { text: 'After Hours', href: '/home/PRODUCER-DASHBOARD/After%20Hours', current: null },
      { text: 'Midnight Drive', href: null, current: 'page' },
    ]);
    expect(names(track.doc)).toEqual(['Stems', 'Midnight Drive - Mix v3.wav']);
    expect(text(rowOf(track.doc, 'Midnight Drive - Mix v3.wav')!.querySelector('.size'))).toBe('50.0 MB');
    const stems = await get(rowOf(track.doc, 'Stems')!.querySelector('a')!.getAttribute('href')!, cookie);
    expect(names(stems.doc)).toEqual(['Bass.wav', 'Drums.wav', 'Vocals.wav']);
    expect(stems.doc.querySelectorAll('tr[role="row"] .size').length).toBe(3);
    expect(text(rowOf(stems.doc, 'Drums.wav')!.querySelector('.size'))).toBe('30.0 MB');
  });

  it('a collaborator sees the folder at their own mount path, with their access level and its members', async () => {
    const sam = await pageAs(SAM, '/home/Midnight%20Drive');
    expect(sam.status).toBe(200);
    expect(text(sam.doc.querySelector('[data-testid="folder-access"]'))).toBe('Shared · Can view');
    expect(crumbs(sam.doc).map((c) => c.text)).toEqual(['Dropbox', 'Midnight Drive']);
    expect(names(sam.doc)).toEqual(['Stems', 'Midnight Drive - Mix v3.wav']);
    const members = [...sam.doc.querySelectorAll('[data-testid="share-members"] li')].map((li) => [...li.children].map(text));
    expect(members).toEqual([
      ['Maya Reyes maya@pd.example', 'Owner'],
      ['Leo Vance leo@pd.example', 'Can edit'],
      ['Sam Ortiz sam@pd.example', 'Can view'],
      ['Ava Chen ava@pd.example', 'Can edit'],
    ]);
    // Maya's path does not exist in Sam's Dropbox, and Noah is not a member at all.
    expect((await pageAs(SAM, '/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive')).status).toBe(404);
    expect((await pageAs(NOAH, '/home/Midnight%20Drive')).status).toBe(404);
    expect(names((await pageAs(NOAH, '/home/PRODUCER-DASHBOARD/Skyline')).doc)).toEqual(['Golden Hour', 'Paper Planes']);
  });

  it('paths are per user: a renamed mount moves for that user only', async () => {
    await emu.control.act({
      as: LEO,
      action: 'rename_mount',
      shared_folder_id: folderId(emu, 'Midnight Drive'),
      path: '/Collabs/Maya – Midnight Drive 🌙',
    });
    const cookie = await signIn(LEO);
    expect((await get('/home/Midnight%20Drive', cookie)).status).toBe(404);
    const collabs = await get('/home/Collabs', cookie);
    expect(names(collabs.doc)).toEqual(['Maya – Midnight Drive 🌙']);
    const href = rowOf(collabs.doc, 'Maya – Midnight Drive 🌙')!.querySelector('a')!.getAttribute('href')!;
    expect(href).toBe('/home/Collabs/' + encodeURIComponent('Maya – Midnight Drive 🌙'));
    const moved = await get(href, cookie);
    expect(moved.status).toBe(200);
    expect(text(moved.doc.querySelector('h1'))).toContain('Maya – Midnight Drive 🌙');
    expect(names(moved.doc)).toEqual(['Stems', 'Midnight Drive - Mix v3.wav']);
    expect((await pageAs(MAYA, '/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive')).status).toBe(200);
    expect((await pageAs(AVA, '/home/Midnight%20Drive')).status).toBe(200);
  });

  it('names with spaces, Unicode and URL-special characters are encoded in links and decoded from the URL', async () => {
    const odd = 'Café #2 (100%) ?&+ 夜';
    await emu.control.reset({
      accounts: [
        { email: 'o@x.example', display_name: 'Zoë Øwner' },
        { email: 'c@x.example', display_name: 'Cy' },
      ],
      folders: [
        {
          name: odd,
          owner: 'o@x.example',
          path: `/Beats für Cy/${odd}`,
          members: [{ account: 'c@x.example' }],
          files: [
            { path: 'Ünïcödé take?.wav', size: 1536 },
            { path: 'a%20b.wav', size: 7 },
          ],
        },
      ],
    });
    const cookie = await signIn('o@x.example');
    const root = await get('/home', cookie);
    expect(text(root.doc.querySelector('[data-testid="emulator-web-user"]'))).toContain('as Zoë Øwner');
    const parentHref = rowOf(root.doc, 'Beats für Cy')!.querySelector('a')!.getAttribute('href')!;
    expect(parentHref).toBe('/home/Beats%20f%C3%BCr%20Cy');
    const parent = await get(parentHref, cookie);
    const href = rowOf(parent.doc, odd)!.querySelector('a')!.getAttribute('href')!;
    expect(href).toBe('/home/Beats%20f%C3%BCr%20Cy/' + encodeURIComponent(odd));
    const page = await get(href, cookie);
    expect(page.status).toBe(200);
    expect(page.doc.title).toBe(`${odd} - Dropbox`);
    expect(crumbs(page.doc)).toEqual([
      { text: 'Dropbox', href: '/home', current: null },
      { text: 'Beats für Cy', href: '/home/Beats%20f%C3%BCr%20Cy', current: null },
      { text: odd, href: null, current: 'page' },
    ]);
    expect(names(page.doc)).toEqual(['a%20b.wav', 'Ünïcödé take?.wav']);
    expect(text(rowOf(page.doc, 'Ünïcödé take?.wav')!.querySelector('.size'))).toBe('1.5 KB');
    expect(text(rowOf(page.doc, 'a%20b.wav')!.querySelector('.size'))).toBe('7 bytes');
    // Dropbox paths are case-insensitive; the page shows the stored case.
    const upper = await get('/home/BEATS%20F%C3%9CR%20CY', cookie);
    expect(upper.status).toBe(200);
    expect(text(upper.doc.querySelector('h1'))).toBe('Beats für Cy');
    // The collaborator has it at their root.
    expect(names((await pageAs('c@x.example', '/home/' + encodeURIComponent(odd))).doc)).toEqual(['a%20b.wav', 'Ünïcödé take?.wav']);
  });

  it('unknown or malformed paths answer a 404 page in the same style', async () => {
    const cookie = await signIn(LEO);
    for (const p of [
      '/home/Nope',
      '/home/Midnight%20Drive/Nope',
      '/home/%E0%A4%A',
      '/home/Midnight%20Drive%2FStems',
      '/home/Midnight%20Drive/Stems/Drums.wav/x',
    ]) {
      const res = await get(p, cookie);
      expect(res.status, p).toBe(404);
      expect(res.doc.querySelector('[data-testid="not-found"]'), p).not.toBeNull();
      expect(text(res.doc.querySelector('[data-testid="emulator-web-user"]'))).toContain('as Leo Vance');
      expect(res.doc.querySelector('[data-testid="page-header"]'), p).toBeNull();
    }
    expect(text((await get('/home/Nope', cookie)).doc.querySelector('[data-testid="not-found"]'))).toContain('/Nope');
  });

  it("a file's URL opens its folder with the file previewed", async () => {
    const cookie = await signIn(LEO);
    const file = await get('/home/Midnight%20Drive/Stems/drums.wav', cookie);
    expect(file.status).toBe(302);
    expect(file.location).toBe('/home/Midnight%20Drive/Stems?preview=Drums.wav');
    const page = await get(file.location!, cookie);
    expect(text(page.doc.querySelector('[data-testid="file-preview"]'))).toContain('Drums.wav · 30.0 MB');
    expect(rowOf(page.doc, 'Drums.wav')!.getAttribute('aria-selected')).toBe('true');
    expect(rowOf(page.doc, 'Bass.wav')!.getAttribute('aria-selected')).toBeNull();
  });

  it('Download (?dl=1) sends the folder as a list of names and sizes', async () => {
    const res = await fetch(`${emu.url}/home/Midnight%20Drive?dl=1`, { headers: { cookie: await signIn(LEO) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment; filename="Midnight Drive.txt"');
    const lines = (await res.text()).trim().split('\n');
    expect(lines.slice(1)).toEqual([
      'Midnight Drive - Mix v3.wav\t52428800',
      'Stems/Bass.wav\t28311552',
      'Stems/Drums.wav\t31457280',
      'Stems/Vocals.wav\t33554432',
    ]);
  });

  it('a file uploaded in Dropbox shows on the next load; an empty Dropbox says so', async () => {
    const cookie = await signIn(LEO);
    await emu.control.act({ as: MAYA, action: 'upload_file', folder: 'Neon Rain', path: 'Neon Rain - Vox.wav', size: 2048 });
    expect(names((await get('/home/Neon%20Rain', cookie)).doc)).toEqual([
      'Neon Rain - Rough.wav',
      'Neon Rain - Synth Stem.wav',
      'Neon Rain - Vox.wav',
    ]);
    await emu.control.reset({ accounts: [{ email: 'e@x.example' }] });
    const empty = await pageAs('e@x.example', '/home');
    expect(names(empty.doc)).toEqual([]);
    expect(text(empty.doc.querySelector('table[role="grid"] tbody'))).toBe('This folder is empty.');
  });
});

describe('the hooks the extension anchors on', () => {
  it('are the same as on the saved Dropbox fixture, once each', async () => {
    const fixture = parse(readFileSync(FIXTURE, 'utf8'));
    const page = (await pageAs(LEO, '/home/Midnight%20Drive')).doc;
    for (const hook of HOOKS) {
      expect(fixture.querySelectorAll(hook).length, `fixture: ${hook}`).toBe(1);
      expect(page.querySelectorAll(hook).length, `emulator page: ${hook}`).toBe(1);
    }
  });

  it("the extension's own selectors place the panel after the folder header and find Share and Download", async () => {
    for (const [who, url] of [
      [LEO, '/home/Midnight%20Drive'],
      [MAYA, '/home/PRODUCER-DASHBOARD/After%20Hours/Glass%20Hearts'],
      [LEO, '/home/Midnight%20Drive/Stems'],
    ]) {
      const doc = (await pageAs(who, url)).doc;
      const placement = findPanelPlacement(doc);
      expect(placement.kind, url).toBe('header');
      expect(placement.anchor?.getAttribute('data-testid')).toBe('page-header');
      expect(findFirst(doc, 'shareButton')?.getAttribute('data-testid')).toBe('action-bar-share-button');
      expect(findFirst(doc, 'downloadButton')?.getAttribute('data-testid')).toBe('action-bar-download-button');
    }
  });

  it('the Download button submits to the same folder with dl=1', async () => {
    const doc = (await pageAs(SAM, '/home/Glass%20Hearts')).doc;
    const form = doc.querySelector('[data-testid="action-bar-download-button"]')!.closest('form')!;
    expect(form.getAttribute('method')).toBe('get');
    expect(form.getAttribute('action')).toBe('/home/Glass%20Hearts');
    expect(form.querySelector('input[name="dl"]')!.getAttribute('value')).toBe('1');
  });
});

describe('the footer hint for acting in Dropbox', () => {
  it("a collaborator's hint is a working leave_folder command for this folder", async () => {
    const cookie = await signIn(LEO);
    const page = await get('/home/Glass%20Hearts', cookie);
    const cmd = text(page.doc.querySelector('[data-testid="emulator-hint"] pre'));
    expect(cmd).toContain(`curl -s ${emu.url}/_control/act`);
    const body = JSON.parse(/-d '(.*)'$/.exec(cmd)![1]);
    expect(body).toEqual({ as: LEO, shared_folder_id: folderId(emu, 'Glass Hearts'), action: 'leave_folder' });
    const res = await fetch(`${emu.url}/_control/act`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect((await get('/home/Glass%20Hearts', cookie)).status).toBe(404);
    expect(names((await get('/home', cookie)).doc)).not.toContain('Glass Hearts');
  });

  it("the owner's hint removes a member; without members it unshares", async () => {
    const cookie = await signIn(MAYA);
    const neon = await get('/home/PRODUCER-DASHBOARD/City%20Lights/Neon%20Rain', cookie);
    const body = JSON.parse(/-d '(.*)'$/.exec(text(neon.doc.querySelector('[data-testid="emulator-hint"] pre')))![1]);
    expect(body).toEqual({ as: MAYA, shared_folder_id: folderId(emu, 'Neon Rain'), action: 'remove_member', member: LEO, leave_a_copy: false });
    const low = await get('/home/PRODUCER-DASHBOARD/City%20Lights/Low%20Tide', cookie);
    expect(text(low.doc.querySelector('[data-testid="emulator-hint"]'))).toContain('unshare this folder');
    const plain = await get('/home/PRODUCER-DASHBOARD', cookie);
    expect(text(plain.doc.querySelector('[data-testid="emulator-hint"]'))).toContain('this folder is not shared');
  });
});

describe('bad input', () => {
  it('names are escaped: a folder called <svg onload=…> is text, not markup', async () => {
    const evil = `<svg onload=alert("x")> & 'quote'`;
    await emu.control.reset({
      accounts: [{ email: 'o@x.example', display_name: '<b>Bold</b>' }],
      folders: [{ name: evil, owner: 'o@x.example', files: [{ path: '<img src=x onerror=alert(1)>.wav', size: 1 }] }],
    });
    const root = await pageAs('o@x.example', '/home');
    expect(names(root.doc)).toEqual([evil]);
    const page = await get(rowOf(root.doc, evil)!.querySelector('a')!.getAttribute('href')!, await signIn('o@x.example'));
    expect(page.status).toBe(200);
    expect(page.doc.querySelectorAll('script, main svg, main img, main b').length).toBe(0);
    expect(text(page.doc.querySelector('h1'))).toContain(evil);
    expect(names(page.doc)).toEqual(['<img src=x onerror=alert(1)>.wav']);
    expect(text(page.doc.querySelector('[data-testid="emulator-web-user"] b'))).toBe('<b>Bold</b>');
  });

  it('odd paths, queries and cookies never give a 5xx', async () => {
    const cookie = await signIn(LEO);
    const paths = [
      '/home/',
      '/home//Midnight%20Drive//',
      '/home/%00',
      '/home/%',
      '/home/%25',
      '/home/a%2Fb',
      '/home/' + 'x'.repeat(5000),
      '/home/Midnight%20Drive?preview=',
      '/home/Midnight%20Drive?preview=%E0',
      '/home/Midnight%20Drive?dl=1&preview=nope',
      '/home?dl=1',
      '/homes',
      '/login?account=',
      '/login?next=%E0%A4',
      '/login?account=leo%40pd.example&next=/home?preview=%00',
    ];
    for (const p of paths) {
      for (const c of [cookie, `dbx_emulator_user=${'%'.repeat(3)}`, 'dbx_emulator_user=', undefined]) {
        const res = await fetch(emu.url + p, { redirect: 'manual', headers: c ? { cookie: c } : {} });
        expect(res.status, `${p} ${c}`).toBeLessThan(500);
        await res.arrayBuffer();
      }
    }
    expect((await get('/home//Midnight%20Drive//', cookie)).status).toBe(200);
    expect((await get('/home?dl=1', cookie)).html.split('\n').length).toBeGreaterThan(10);
  });
});
