import { describe, expect, it } from 'vitest';
import { folderDownloadUrl, folderUrlOf, isTrackCandidate, parseDropboxUrl } from '../dropbox-page/url';

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
});
