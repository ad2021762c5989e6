import { describe, expect, it } from 'vitest';
import { DROPBOX_WEB_ORIGIN, downloadUrlOf, folderDownloadUrl, folderUrlOf, isTrackCandidate, parseDropboxUrl } from '../dropbox-page/url';

describe('Dropbox page detection', () => {
  it.each([
    ['https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive', '/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive'],
    ['https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive/', '/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive'],
    ['https://www.dropbox.com/home/Caf%C3%A9%20%26%20Co/Glass%20Hearts', '/Café & Co/Glass Hearts'],
    ['https://www.dropbox.com/home/a%2Fb', '/a/b'],
  ])('reads the folder of %s', (url, path) => {
    const loc = parseDropboxUrl(url);
    expect(loc?.kind).toBe('folder');
    expect(loc?.folderPath).toBe(path);
    expect(isTrackCandidate(loc)).toBe(true);
  });

  it('reads a previewed file as its folder plus the file', () => {
    const loc = parseDropboxUrl('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Glass%20Hearts?preview=Glass+Hearts+-+Master.wav');
    expect(loc).toMatchObject({ kind: 'preview', folderPath: '/PRODUCER-DASHBOARD/Glass Hearts', previewFile: 'Glass Hearts - Master.wav' });
    expect(loc?.folderUrl).toBe('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Glass%20Hearts');
  });

  it('treats the Dropbox root as no track', () => {
    expect(isTrackCandidate(parseDropboxUrl('https://www.dropbox.com/home'))).toBe(false);
    expect(isTrackCandidate(parseDropboxUrl('https://www.dropbox.com/home/'))).toBe(false);
  });

  it.each([
    'https://www.dropbox.com/scl/fo/abc123/hash?rlkey=x&dl=0',
    'https://www.dropbox.com/s/abc/file.wav',
    'https://www.dropbox.com/share',
    'https://www.dropbox.com/homework',
    'http://www.dropbox.com/home/PRODUCER-DASHBOARD',
    'https://dropbox.com.evil.example/home/PRODUCER-DASHBOARD',
    'https://www.dropbox.com/home/%E0%A4%A',
    'not a url',
  ])('ignores %s', (url) => {
    expect(parseDropboxUrl(url)).toBeNull();
  });

  it('resolves dot segments the way the browser does before reading the path', () => {
    expect(parseDropboxUrl('https://www.dropbox.com/home/a/%2E%2E/b')?.folderPath).toBe('/b');
  });

  it('builds the folder URL and its download link back from a path', () => {
    expect(folderUrlOf('/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive')).toBe(
      'https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive',
    );
    expect(folderDownloadUrl('/A B')).toBe('https://www.dropbox.com/home/A%20B?dl=1');
  });

  describe('team spaces, paired accounts and previews (issue 9 item 2)', () => {
    it.each([
      // [url, space, team, folderPath, previewFile, webPath]
      [
        'https://www.dropbox.com/work/Acme%20Studio/Rio%20Park/Night%20Bus',
        'work',
        'Acme Studio',
        '/Rio Park/Night Bus',
        null,
        '/work/Acme%20Studio/Rio%20Park/Night%20Bus',
      ],
      [
        'https://www.dropbox.com/work/Acme%20Studio/Rio%20Park/Night%20Bus?preview=Demo.wav',
        'work',
        'Acme Studio',
        '/Rio Park/Night Bus',
        'Demo.wav',
        '/work/Acme%20Studio/Rio%20Park/Night%20Bus',
      ],
      ['https://www.dropbox.com/personal/Night%20Bus', 'personal', null, '/Night Bus', null, '/personal/Night%20Bus'],
      ['https://www.dropbox.com/personal/Night%20Bus?preview=Demo.wav', 'personal', null, '/Night Bus', 'Demo.wav', '/personal/Night%20Bus'],
      [
        'https://www.dropbox.com/preview/Acme%20Studio/Rio%20Park/Night%20Bus/Night%20Bus%20-%20Demo.wav?role=work',
        'work',
        'Acme Studio',
        '/Rio Park/Night Bus',
        'Night Bus - Demo.wav',
        '/work/Acme%20Studio/Rio%20Park/Night%20Bus',
      ],
      [
        'https://www.dropbox.com/preview/Night%20Bus/Stems/Keys.wav?role=personal',
        'personal',
        null,
        '/Night Bus/Stems',
        'Keys.wav',
        '/personal/Night%20Bus/Stems',
      ],
      [
        'https://www.dropbox.com/preview/PRODUCER-DASHBOARD/Glass%20Hearts/Master.wav',
        'home',
        null,
        '/PRODUCER-DASHBOARD/Glass Hearts',
        'Master.wav',
        '/home/PRODUCER-DASHBOARD/Glass%20Hearts',
      ],
    ])('reads %s', (url, space, team, folderPath, previewFile, webPath) => {
      const loc = parseDropboxUrl(url);
      expect(loc).toMatchObject({ space, team, folderPath, previewFile, webPath, kind: previewFile ? 'preview' : 'folder' });
      expect(loc?.folderUrl).toBe(`https://www.dropbox.com${webPath}`);
      expect(isTrackCandidate(loc)).toBe(true);
    });

    it('the root of a team space or of a personal Dropbox is no track', () => {
      expect(isTrackCandidate(parseDropboxUrl('https://www.dropbox.com/work/Acme%20Studio'))).toBe(false);
      expect(isTrackCandidate(parseDropboxUrl('https://www.dropbox.com/personal'))).toBe(false);
    });

    it('a download link stays in the page’s own space', () => {
      const loc = parseDropboxUrl('https://www.dropbox.com/work/Acme%20Studio/Rio%20Park/Night%20Bus')!;
      expect(downloadUrlOf(loc)).toBe('https://www.dropbox.com/work/Acme%20Studio/Rio%20Park/Night%20Bus?dl=1');
    });

    it.each([
      'https://www.dropbox.com/work',
      'https://www.dropbox.com/work/',
      'https://www.dropbox.com/workspace/Acme',
      'https://www.dropbox.com/personalize',
      'https://www.dropbox.com/preview/',
      'https://www.dropbox.com/preview/Acme%20Studio?role=work',
      'https://www.dropbox.com/work/Acme%E0%A4%A/x',
      'https://www.dropbox.com/recents',
      'https://www.dropbox.com/account/plan',
      'https://www.dropbox.com/scl/fi/abc/Demo.wav?rlkey=x',
    ])('ignores %s (not a folder view or preview)', (url) => {
      expect(isTrackCandidate(parseDropboxUrl(url))).toBe(false);
    });
  });

  describe('the Dropbox emulator web UI (development builds)', () => {
    const EMULATOR = 'http://localhost:8788';
    const DEV = [DROPBOX_WEB_ORIGIN, EMULATOR];
    const PROD = [DROPBOX_WEB_ORIGIN];
    const page = `${EMULATOR}/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive`;

    it('reads an emulator folder page exactly as the same page on www.dropbox.com, and keeps its origin', () => {
      const loc = parseDropboxUrl(`${page}?preview=Midnight+Drive+-+Mix.wav`, DEV);
      const real = parseDropboxUrl(
        `https://www.dropbox.com/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive?preview=Midnight+Drive+-+Mix.wav`,
        DEV,
      );
      expect(loc).toMatchObject({ kind: 'preview', folderPath: real!.folderPath, previewFile: real!.previewFile, origin: EMULATOR });
      expect(real?.origin).toBe(DROPBOX_WEB_ORIGIN);
      expect(loc?.folderUrl).toBe(page);
      // The worker's lookup takes the URL path, which is the same on both origins.
      expect(new URL(folderUrlOf(loc!.folderPath)).pathname).toBe(new URL(page).pathname);
      expect(folderDownloadUrl(loc!.folderPath, loc!.origin)).toBe(`${page}?dl=1`);
    });

    it('a production build (www.dropbox.com only) ignores the emulator page', () => {
      expect(parseDropboxUrl(page, PROD)).toBeNull();
    });

    it.each([
      'http://localhost:8789/home/Midnight%20Drive', // another port
      'http://127.0.0.1:8788/home/Midnight%20Drive', // another host name for the same server
      'https://localhost:8788/home/Midnight%20Drive', // another scheme
      'http://localhost:8788/login?next=/home/Midnight%20Drive',
      'http://localhost:8788/homework',
    ])('a development build still ignores %s', (url) => {
      expect(parseDropboxUrl(url, DEV)).toBeNull();
    });
  });
});
