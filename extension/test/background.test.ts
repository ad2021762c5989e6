import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { codeChallengeS256 } from '../utils/pkce';
import { sessionItem, settingsItem } from '../utils/storage';
import { errorCode } from '../utils/messaging';
import { SYNC_ALARM } from '../background/service';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA, SAM } from './helpers/fake-worker';
import { MIDNIGHT_DRIVE_PATH } from './helpers/fixtures';

const REDIRECT = 'https://oaiaeejnfngjihimhhifgbedfocmgghg.chromiumapp.org/';

function seed() {
  const worker = new FakeWorker();
  const trackId = worker.addTrack({
    title: 'Midnight Drive',
    owner: MAYA,
    path: MIDNIGHT_DRIVE_PATH,
    collaborators: [
      { account: LEO, accessLevel: 'editor', path: '/Shared/Midnight Drive' },
      { account: SAM, accessLevel: 'viewer' },
    ],
  });
  return { worker, trackId };
}

function notificationTexts(): string[] {
  return Object.values(fakeBrowser.notifications.getAllCreateOptions()).map((o) => `${o.title}: ${o.message}`);
}

describe('background', () => {
  beforeEach(() => {
    fakeBrowser.identity.getRedirectURL = () => REDIRECT;
  });

  it('answers over typed messages while signed out, with errors the user can read', async () => {
    const { api } = await startBackground(seed().worker);
    const status = await api.getStatus();
    expect(status).toMatchObject({ signedIn: false, account: null, workerUrl: 'http://pd.test', unread: 0 });
    expect(await api.resolvePath({ path: MIDNIGHT_DRIVE_PATH })).toEqual({ state: 'signed_out' });
    const err = await api.getSharing().catch((e: unknown) => e);
    expect(errorCode(err)).toBe('signed_out');
    expect((err as Error).message).toMatch(/Sign in to Producer Dashboard/);
  });

  it('signs in with PKCE S256 through launchWebAuthFlow and lets the worker exchange the code', async () => {
    const { worker, api } = await startBackground(seed().worker);
    let authorizeUrl = '';
    vi.spyOn(fakeBrowser.identity, 'launchWebAuthFlow').mockImplementation(async (details: { url: string; interactive?: boolean }) => {
      authorizeUrl = details.url;
      expect(details.interactive).toBe(true);
      const state = new URL(details.url).searchParams.get('state');
      return `${REDIRECT}?code=code-for:leo@pd.example&state=${state}`;
    });
    const account = await api.signIn();
    expect(account).toEqual({ id: LEO.id, email: LEO.email, displayName: LEO.displayName });

    const q = new URL(authorizeUrl).searchParams;
    expect(authorizeUrl.startsWith('https://dropbox.test/oauth2/authorize?')).toBe(true);
    expect(q.get('client_id')).toBe('pd-local-app-key');
    expect(q.get('redirect_uri')).toBe(REDIRECT);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('token_access_type')).toBe('offline');
    const body = worker.bodies.get('POST /auth/dropbox') as { codeVerifier: string; redirectUri: string; code: string };
    expect(body.code).toBe('code-for:leo@pd.example');
    expect(body.redirectUri).toBe(REDIRECT);
    expect(await codeChallengeS256(body.codeVerifier)).toBe(q.get('code_challenge'));
    // The verifier is not kept anywhere after the flow.
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain(body.codeVerifier);
    expect((await sessionItem.getValue())?.account.email).toBe('leo@pd.example');
    expect((await api.getStatus()).signedIn).toBe(true);
  });

  it('uses the authorize URL override from settings, and refuses a reply for another sign-in attempt', async () => {
    const { api } = await startBackground(seed().worker);
    await settingsItem.setValue({ workerUrl: 'http://pd.test', authorizeUrl: 'http://localhost:8788/oauth2/authorize' });
    let seen = '';
    vi.spyOn(fakeBrowser.identity, 'launchWebAuthFlow').mockImplementation(async (d: { url: string }) => {
      seen = d.url;
      return `${REDIRECT}?code=code-for:leo@pd.example&state=someone-else`;
    });
    const err = await api.signIn().catch((e: unknown) => e);
    expect(seen.startsWith('http://localhost:8788/oauth2/authorize?')).toBe(true);
    expect((err as Error).message).toMatch(/did not match this sign-in attempt/);
    expect(await sessionItem.getValue()).toBeNull();
  });

  it('says so when the user closes the Dropbox window', async () => {
    const { api } = await startBackground(seed().worker);
    vi.spyOn(fakeBrowser.identity, 'launchWebAuthFlow').mockRejectedValue(new Error('The user did not approve access.'));
    const err = await api.signIn().catch((e: unknown) => e);
    expect(errorCode(err)).toBe('sign_in_cancelled');
    expect((err as Error).message).toMatch(/Sign-in did not finish: The user did not approve access/);
  });

  it('asks Dropbox which track a folder is once, but re-reads the track itself every time (no cache outlives a change)', async () => {
    const { worker, api, signInAs } = await startBackground(seed().worker);
    await signInAs(MAYA);
    const first = await api.resolvePath({ path: MIDNIGHT_DRIVE_PATH });
    expect(first.state).toBe('track');
    if (first.state !== 'track') return;
    expect(first.detail.myRole).toBe('owner');
    expect(first.detail.collaborators.map((c) => c.displayName)).toEqual(['Leo Vance', 'Sam Ortiz']);

    const before = worker.requests.length;
    // A change made elsewhere (here: straight in the worker) is seen on the next page load, with no action of ours.
    worker.tracks.get(first.detail.track.id)!.track.title = 'Midnight Drive (v2)';
    const again = await api.resolvePath({ path: MIDNIGHT_DRIVE_PATH });
    expect(again.state === 'track' && again.detail.track.title).toBe('Midnight Drive (v2)');
    // …and only the cheap PD read was made: the folder → track lookup (a Dropbox call on the worker) came from the cache.
    expect(worker.requests.slice(before)).toEqual([`GET /tracks/${first.detail.track.id}`]);

    const leo = first.detail.collaborators[0]!;
    await api.revoke({ trackId: first.detail.track.id, collaboratorId: leo.id });
    const after = await api.resolvePath({ path: MIDNIGHT_DRIVE_PATH });
    expect(worker.requests.length).toBeGreaterThan(before);
    expect(after.state === 'track' && after.detail.collaborators[0]!.status).toBe('revoked');
  });

  it('tells apart: not a PD track, worker unreachable, access ended, session refused', async () => {
    const { worker, api, signInAs } = await startBackground(seed().worker);
    await signInAs(LEO);
    expect(await api.resolvePath({ path: '/Holiday photos' })).toEqual({ state: 'not_track' });

    worker.unreachable = true;
    const down = await api.resolvePath({ path: '/Shared/Midnight Drive' });
    expect(down.state).toBe('unreachable');
    expect(down.state === 'unreachable' && down.message).toMatch(/Can't reach Producer Dashboard at http:\/\/pd\.test/);
    worker.unreachable = false;
    // Failures are not cached: it works as soon as the worker is back.
    const track = await api.resolvePath({ path: '/Shared/Midnight Drive' });
    expect(track.state).toBe('track');
    if (track.state !== 'track') return;
    expect(track.detail.myRole).toBe('editor');

    await api.leave({ trackId: track.detail.track.id });
    const ended = await api.resolvePath({ path: '/Shared/Midnight Drive' });
    expect(ended.state).toBe('access_ended');

    worker.sessions.clear();
    const refused = await api.resolvePath({ path: '/Somewhere', fresh: true });
    expect(refused.state).toBe('signed_out');
    expect(refused.state === 'signed_out' && refused.message).toMatch(/session was ended .* Sign in with Dropbox again/);
    expect(await sessionItem.getValue()).toBeNull();
  });

  it('syncs every minute on an alarm', async () => {
    await startBackground(seed().worker);
    const alarm = await fakeBrowser.alarms.get(SYNC_ALARM);
    expect(alarm?.periodInMinutes).toBe(1);
  });

  it('notifies the collaborator when the owner revokes them, and shows the unread count on the badge', async () => {
    const { worker, trackId } = seed();
    const { api, signInAs } = await startBackground(worker);
    await signInAs(LEO);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('');

    // Maya revokes Leo elsewhere (her own browser).
    const leoCol = worker.tracks.get(trackId)!.collaborators.find((c) => c.accountId === LEO.id)!;
    const mayaToken = worker.session(MAYA);
    await worker.fetch(`http://pd.test/api/v1/tracks/${trackId}/collaborators/${leoCol.id}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${mayaToken}` },
    });

    await fakeBrowser.alarms.onAlarm.trigger({ name: SYNC_ALARM, scheduledTime: Date.now(), periodInMinutes: 1, persistAcrossSessions: true });
    await api.syncNow();
    expect(notificationTexts()).toEqual([
      'Access revoked: Maya Reyes revoked your access to “Midnight Drive”. It has left your library and your Dropbox.',
    ]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('1');
    const library = await api.getLibrary();
    expect(library.items.map((i) => i.track.title)).toEqual([]);

    // The same notification is never shown twice.
    await api.syncNow();
    expect(notificationTexts()).toHaveLength(1);

    await api.markNotificationsRead({ all: true });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('');
  });

  it('notifies the owner when a collaborator leaves their track', async () => {
    const { worker, trackId } = seed();
    const { api, signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    await worker.fetch(`http://pd.test/api/v1/tracks/${trackId}/leave`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(SAM)}` },
    });
    await api.syncNow();
    expect(notificationTexts()).toEqual(['A collaborator left: Sam Ortiz left “Midnight Drive”.']);
    const r = await api.resolvePath({ path: MIDNIGHT_DRIVE_PATH });
    expect(r.state === 'track' && r.detail.collaborators.find((c) => c.displayName === 'Sam Ortiz')?.status).toBe('left');
  });

  it('does not announce what happened before this browser signed in', async () => {
    const { worker, trackId } = seed();
    const leoCol = worker.tracks.get(trackId)!.collaborators[0]!;
    await worker.fetch(`http://pd.test/api/v1/tracks/${trackId}/collaborators/${leoCol.id}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(MAYA)}` },
    });
    const { signInAs } = await startBackground(worker);
    await signInAs(LEO);
    expect(notificationTexts()).toEqual([]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('1');
  });

  it('signs out: session gone, badge cleared, worker told', async () => {
    const { worker, api, signInAs } = await startBackground(seed().worker);
    await signInAs(MAYA);
    await api.signOut();
    expect(await sessionItem.getValue()).toBeNull();
    expect(worker.requests).toContain('POST /auth/signout');
    expect((await api.getStatus()).signedIn).toBe(false);
  });
});
