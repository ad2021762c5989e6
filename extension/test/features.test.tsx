// The confirmations and progress the product page asks for, on the real background + in-memory worker.
import { beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { userClick } from './helpers/user-gesture';
import { TrackView } from '../components/TrackView';
import { Panel } from '../components/Panel';
import { parseDropboxUrl } from '../dropbox-page/url';
import { useState } from 'preact/hooks';
import { RevokeAllAction } from '../features/revoke-all';
import type { TrackContext } from '../features/types';
import type { PdApi } from '../utils/messaging';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA, SAM } from './helpers/fake-worker';
import { renderWithApi } from './helpers/render';
import { testUserGesture } from './helpers/user-gesture';
import { ApiContext } from '../components/api-context';
import { UserGestureContext } from '../components/user-gesture';

let worker: FakeWorker;
let api: PdApi;
let notices: string[];

async function setup(as: typeof MAYA) {
  worker = new FakeWorker();
  for (const title of ['Midnight Drive', 'Glass Hearts', 'Neon Rain']) {
    worker.addTrack({
      title,
      owner: MAYA,
      path: `/PRODUCER-DASHBOARD/Night Sessions/${title}`,
      collaborators: [
        { account: LEO, accessLevel: 'editor', role: 'vocalist' },
        { account: SAM, accessLevel: 'viewer', role: 'engineer' },
      ],
    });
  }
  const bg = await startBackground(worker);
  await bg.signInAs(as);
  api = bg.api;
  notices = [];
}

async function trackCtx(title: string, folder = true): Promise<TrackContext> {
  const path = `/PRODUCER-DASHBOARD/Night Sessions/${title}`;
  const r = await api.resolvePath({ path, fresh: true });
  if (r.state !== 'track') throw new Error(`expected a track, got ${r.state}`);
  return {
    detail: r.detail,
    folder: folder
      ? { path, url: `https://www.dropbox.com/home${encodeURI(path)}`, downloadUrl: `https://www.dropbox.com/home${encodeURI(path)}?dl=1` }
      : null,
    refresh: () => {},
    notify: (m) => notices.push(m),
  };
}

async function show(title: string, opts: { folder?: boolean } = {}) {
  const ctx = await trackCtx(title, opts.folder ?? true);
  renderWithApi(<TrackView ctx={ctx} />, api);
  return ctx;
}

beforeEach(() => cleanup());

describe("owner's Revoke confirmation", () => {
  beforeEach(() => setup(MAYA));

  it('names the person and the track, says what happens, and offers Downgrade to Viewer', async () => {
    await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Revoke Leo Vance' }));
    const dialog = screen.getByRole('dialog', { name: "Revoke Leo Vance's access to “Midnight Drive”?" });
    const text = dialog.textContent!;
    expect(text).toContain("“Midnight Drive” leaves Leo Vance's Producer Dashboard library.");
    expect(text).toContain("The shared files are removed from Leo Vance's Dropbox.");
    expect(text).toContain('Their comments and their past edits stay on the track.');
    expect(text).toContain('Their credits stay: name, role and splits remain on the track.');
    expect(text).toContain('Leo Vance is notified that their access was revoked.');
    expect(within(dialog).getByRole('button', { name: 'Downgrade to Viewer' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Revoke access' })).toBeTruthy();
  });

  it('Downgrade to Viewer instead of revoking keeps the collaborator, as a Viewer', async () => {
    const ctx = await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Revoke Leo Vance' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Downgrade to Viewer' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(notices).toEqual(['Leo Vance is now a Viewer on “Midnight Drive”.']);
    const after = await api.getTrack({ trackId: ctx.detail.track.id });
    expect(after.collaborators.find((c) => c.displayName === 'Leo Vance')).toMatchObject({ status: 'active', accessLevel: 'viewer' });
  });

  it('does not offer the downgrade for someone who is already a Viewer', async () => {
    await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Revoke Sam Ortiz' }));
    expect(within(screen.getByRole('dialog')).queryByRole('button', { name: 'Downgrade to Viewer' })).toBeNull();
  });

  it('says so when the access had already ended (revoked elsewhere meanwhile)', async () => {
    const ctx = await show('Midnight Drive');
    const leo = ctx.detail.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    await api.revoke({ trackId: ctx.detail.track.id, collaboratorId: leo.id });
    userClick(screen.getByRole('button', { name: 'Revoke Leo Vance' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke access' }));
    await waitFor(() => expect(notices).toEqual(["Leo Vance's access to “Midnight Drive” had already ended."]));
  });

  it('a refused revoke closes the dialog, reads the row again and says why once', async () => {
    let refreshed = 0;
    const ctx = await trackCtx('Midnight Drive');
    renderWithApi(<TrackView ctx={{ ...ctx, refresh: () => refreshed++ }} />, api);
    worker.unreachable = true;
    userClick(screen.getByRole('button', { name: 'Revoke Leo Vance' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke access' }));
    await waitFor(() => expect(notices).toEqual([expect.stringMatching(/Can't reach Producer Dashboard/)]));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(refreshed).toBe(1);
  });

  it('a live update that ends the row under the open dialog closes it and puts focus on that row, which says what happened', async () => {
    const ctx = await trackCtx('Midnight Drive');
    const wrap = (c: TrackContext) => (
      <UserGestureContext.Provider value={testUserGesture}>
        <ApiContext.Provider value={api}>
          <TrackView ctx={c} />
        </ApiContext.Provider>
      </UserGestureContext.Provider>
    );
    const view = renderWithApi(<TrackView ctx={ctx} />, api);
    userClick(screen.getByRole('button', { name: 'Revoke Leo Vance' }));
    expect(screen.getByRole('dialog')).toBeTruthy();
    // Leo leaves meanwhile; the push makes the panel read the track again (what use-live-detail does).
    const leo = worker.tracks.get(ctx.detail.track.id)!.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    leo.status = 'left';
    leo.endedVia = 'app';
    view.rerender(wrap(await trackCtx('Midnight Drive')));
    expect(screen.queryByRole('dialog')).toBeNull();
    const row = screen.getByRole('listitem', { name: 'Leo Vance' });
    await waitFor(() => expect(document.activeElement).toBe(row));
    expect(row.textContent).toContain('Left');
    expect(notices).toEqual([]); // nothing was sent, so nothing to report
    const after = await api.getTrack({ trackId: ctx.detail.track.id });
    expect(after.collaborators.find((c) => c.displayName === 'Leo Vance')).toMatchObject({ status: 'left' });
  });

  it('keeps people whose access ended on the track for credits, with how it ended', async () => {
    const ctx = await trackCtx('Midnight Drive');
    const leo = ctx.detail.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    await api.revoke({ trackId: ctx.detail.track.id, collaboratorId: leo.id });
    const sam = worker.tracks.get(ctx.detail.track.id)!.collaborators.find((c) => c.displayName === 'Sam Ortiz')!;
    sam.status = 'left';
    sam.endedVia = 'dropbox';
    await show('Midnight Drive');
    const rows = screen.getAllByRole('listitem');
    expect(rows.map((r) => r.getAttribute('aria-label'))).toEqual(['Leo Vance', 'Sam Ortiz']);
    expect(rows[0]!.textContent).toContain('Revoked');
    expect(rows[0]!.textContent).toContain('Master 25%');
    expect(rows[1]!.textContent).toContain('Left in Dropbox');
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });
});

describe('Dropbox change pending / failed', () => {
  beforeEach(() => setup(MAYA));

  it('shows a failed change with Retry, and Retry re-queues it', async () => {
    const ctx = await trackCtx('Midnight Drive');
    const leo = ctx.detail.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    await api.revoke({ trackId: ctx.detail.track.id, collaboratorId: leo.id });
    worker.drainDropbox('failed');
    await show('Midnight Drive');
    const row = screen.getByRole('listitem', { name: 'Leo Vance' });
    // A sentence with the fix, never the raw tag the worker stored.
    expect(row.textContent).toContain(
      'Dropbox change failed (removing them from the shared folder). Dropbox was busy with other changes to this folder — Retry in a few minutes.',
    );
    expect(row.textContent).not.toContain('too_many_write_operations');
    userClick(within(row).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(notices).toEqual(['Retrying the Dropbox change…']));
    const after = await api.getTrack({ trackId: ctx.detail.track.id });
    expect(after.dropboxChanges.map((c) => c.status)).toEqual(['pending']);
  });
});

describe('Dropbox change followed live in the panel', () => {
  beforeEach(() => setup(MAYA));

  it('pending → failed with Retry → pending → done, without reloading the page', async () => {
    const ctx = await trackCtx('Midnight Drive');
    const leo = ctx.detail.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    await api.revoke({ trackId: ctx.detail.track.id, collaboratorId: leo.id });
    const first = await api.resolvePath({ path: ctx.folder!.path, fresh: true });
    const location = parseDropboxUrl('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive')!;
    // Like the content script's controller: a refresh resolves the folder again.
    function Host() {
      const [resolution, setResolution] = useState(first);
      const refresh = () => void api.resolvePath({ path: location.folderPath, fresh: true }).then(setResolution);
      return <Panel model={{ location, resolution }} placement="header" onRefresh={refresh} pollMs={20} />;
    }
    renderWithApi(<Host />, api);
    const row = () => screen.getByRole('listitem', { name: 'Leo Vance' });
    expect(row().textContent).toContain('Dropbox change pending: removing them from the shared folder…');

    worker.drainDropbox('failed');
    await waitFor(() => expect(row().textContent).toContain('Dropbox change failed (removing them from the shared folder)'));
    userClick(within(row()).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(row().textContent).toContain('Dropbox change pending'));
    worker.drainDropbox('done');
    await waitFor(() => expect(row().textContent).not.toContain('Dropbox change'));
    expect(row().textContent).toContain('Revoked');
  });
});

describe('Revoke All', () => {
  beforeEach(() => setup(MAYA));

  it('says how many tracks it affects, then shows progress until Dropbox is done', async () => {
    renderWithApi(<RevokeAllAction person={{ personKey: 'leo@pd.example', displayName: 'Leo Vance' }} pollMs={20} />, api);
    userClick(screen.getByRole('button', { name: 'Revoke All for Leo Vance' }));
    const dialog = await screen.findByRole('dialog', { name: "Revoke all of Leo Vance's access?" });
    expect(dialog.textContent).toContain("This revokes Leo Vance's access to 3 tracks you share with them");
    expect(
      within(dialog)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Midnight Drive', 'Glass Hearts', 'Neon Rain']);
    userClick(within(dialog).getByRole('button', { name: 'Revoke All (3)' }));

    const progress = await screen.findByRole('progressbar', { name: 'Revoke All progress' });
    expect(progress.getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByText(/Revoked in Producer Dashboard: 3 tracks. Removing from Dropbox: 0 of 3 done/)).toBeTruthy();

    worker.drainDropbox('done');
    await screen.findByText('Done: Leo Vance no longer has access to 3 tracks, in PD and in Dropbox.');
    const sharing = await api.getSharing();
    expect(sharing.people.map((p) => p.displayName)).toEqual(['Sam Ortiz']);
  });

  it('says when nothing was left to revoke (revoked meanwhile elsewhere)', async () => {
    renderWithApi(<RevokeAllAction person={{ personKey: 'sam@pd.example', displayName: 'Sam Ortiz' }} pollMs={20} />, api);
    userClick(screen.getByRole('button', { name: 'Revoke All for Sam Ortiz' }));
    const dialog = await screen.findByRole('dialog');
    await api.revokeAll({ personKey: 'sam@pd.example' });
    userClick(within(dialog).getByRole('button', { name: 'Revoke All (3)' }));
    await screen.findByText('Sam Ortiz had no access left to revoke.');
  });

  it('keeps going and says so when progress cannot be read for a while', async () => {
    renderWithApi(<RevokeAllAction person={{ personKey: 'leo@pd.example', displayName: 'Leo Vance' }} pollMs={20} />, api);
    userClick(screen.getByRole('button', { name: 'Revoke All for Leo Vance' }));
    userClick(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke All (3)' }));
    await screen.findByRole('progressbar');
    worker.unreachable = true;
    await screen.findByText(/Can't check Dropbox's progress right now \(Can't reach Producer Dashboard/);
    worker.unreachable = false;
    worker.drainDropbox('done');
    await screen.findByText('Done: Leo Vance no longer has access to 3 tracks, in PD and in Dropbox.');
  });

  it('reports the tracks where Dropbox still shows access', async () => {
    renderWithApi(<RevokeAllAction person={{ personKey: 'sam@pd.example', displayName: 'Sam Ortiz' }} pollMs={20} />, api);
    userClick(screen.getByRole('button', { name: 'Revoke All for Sam Ortiz' }));
    userClick(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke All (3)' }));
    await screen.findByRole('progressbar');
    worker.drainDropbox('failed');
    await screen.findByText('Revoked on 3 tracks. Dropbox still shows access on 3: open those tracks to retry.');
  });
});

describe("collaborator's Leave confirmation", () => {
  it('warns about the files, offers the download and the alternatives (archive only for Editors)', async () => {
    await setup(LEO);
    await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    const dialog = screen.getByRole('dialog', { name: 'Leave “Midnight Drive”?' });
    expect(dialog.textContent).toContain('The shared files will be removed from your Dropbox.');
    const download = within(dialog).getByRole('link', { name: 'Download the files first' });
    expect(download.getAttribute('href')).toBe('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive?dl=1');
    expect(dialog.textContent).toContain('Your comments stay visible to Maya Reyes');
    expect(dialog.textContent).toContain('Maya Reyes sees that you left.');
    expect(dialog.textContent).toContain('Maya Reyes can invite you again later.');
    expect(within(dialog).getByRole('button', { name: 'Move to project' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Archive track' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Hide from my library' })).toBeTruthy();
  });

  it('when the owner revokes while it is open, the panel says so and takes the focus (not the page)', async () => {
    await setup(LEO);
    const location = parseDropboxUrl('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive')!;
    const first = await api.resolvePath({ path: location.folderPath, fresh: true });
    let refresh = () => {};
    function Host() {
      const [resolution, setResolution] = useState(first);
      refresh = () => void api.resolvePath({ path: location.folderPath, fresh: true }).then(setResolution);
      return <Panel model={{ location, resolution }} placement="header" onRefresh={refresh} pollMs={20} />;
    }
    renderWithApi(<Host />, api);
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    expect(screen.getByRole('dialog', { name: 'Leave “Midnight Drive”?' })).toBeTruthy();
    // Maya revokes meanwhile; the push makes the panel read the folder again (what the content script does).
    const track = [...worker.tracks.values()].find((t) => t.track.title === 'Midnight Drive')!;
    const leo = track.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    leo.status = 'revoked';
    leo.endedVia = 'app';
    refresh();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const panel = screen.getByRole('region', { name: 'Producer Dashboard' });
    await waitFor(() => expect(document.activeElement).toBe(panel));
    expect(panel.textContent).toContain('Your access to this track has ended.');
  });

  it('offers no archive to a Viewer', async () => {
    await setup(SAM);
    await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).queryByRole('button', { name: 'Archive track' })).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Hide from my library' })).toBeTruthy();
  });

  it('moving to a project keeps access and closes the dialog', async () => {
    await setup(LEO);
    const ctx = await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.input(within(dialog).getByLabelText('Project'), { target: { value: 'Finished' } });
    userClick(within(dialog).getByRole('button', { name: 'Move to project' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(notices).toEqual(['“Midnight Drive” moved to your project “Finished”. Your access is unchanged.']);
    const after = await api.getTrack({ trackId: ctx.detail.track.id });
    expect(after).toMatchObject({ project: 'Finished', myRole: 'editor' });
  });

  it('hiding keeps access', async () => {
    await setup(SAM);
    const ctx = await show('Glass Hearts');
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Hide from my library' }));
    await waitFor(() => expect(notices).toEqual(['“Glass Hearts” is hidden from your library view. Your access is unchanged.']));
    expect((await api.getTrack({ trackId: ctx.detail.track.id })).hidden).toBe(true);
  });

  it('without the folder on screen, says where to download from', async () => {
    await setup(LEO);
    await show('Midnight Drive', { folder: false });
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Open “Midnight Drive” in your Dropbox to download its files first.');
    expect(within(dialog).getByRole('link', { name: 'your Dropbox' }).getAttribute('href')).toBe('https://www.dropbox.com/home');
  });

  it('leaving tells the user and the track leaves their library', async () => {
    await setup(LEO);
    await show('Midnight Drive');
    userClick(screen.getByRole('button', { name: 'Leave Track' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Leave Track' }));
    await waitFor(() =>
      expect(notices).toEqual(['You left “Midnight Drive”. Its files are being removed from your Dropbox; Maya Reyes can invite you again.']),
    );
    const lib = await api.getLibrary();
    expect(lib.items.map((i) => i.track.title).sort()).toEqual(['Glass Hearts', 'Neon Rain']);
  });
});

describe("owner's Invite again (sharing again after a revoke, a leave or a decline)", () => {
  beforeEach(() => setup(MAYA));

  async function revokeLeo(title = 'Midnight Drive') {
    const ctx = await trackCtx(title);
    const leo = ctx.detail.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    await api.revoke({ trackId: ctx.detail.track.id, collaboratorId: leo.id });
    return { trackId: ctx.detail.track.id, leoId: leo.id };
  }

  it('is offered only for people whose access ended, and is not an undo: a new invitation they must accept, credits kept', async () => {
    const { trackId, leoId } = await revokeLeo();
    await show('Midnight Drive');
    // Sam is still active: no Invite again on his row; Leo (revoked) has it and no Revoke.
    expect(screen.queryByRole('button', { name: 'Invite Sam Ortiz again' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Revoke Leo Vance' })).toBeNull();
    userClick(screen.getByRole('button', { name: 'Invite Leo Vance again' }));
    const dialog = screen.getByRole('dialog', { name: 'Invite Leo Vance again to “Midnight Drive”?' });
    const text = dialog.textContent!;
    expect(text).toContain('A new invitation is sent to Leo Vance (leo@pd.example) as Editor.');
    expect(text).toContain('Leo Vance gets access again only after they accept it.');
    expect(text).toContain('Their credits stay: name, role and splits remain on the track.');
    expect(text).not.toMatch(/undo/i);
    userClick(within(dialog).getByRole('button', { name: 'Send invitation' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(notices).toEqual(['Leo Vance was invited again to “Midnight Drive”. They will have access once they accept.']);
    expect(worker.bodies.get(`POST /tracks/${trackId}/invitations`)).toEqual({
      email: 'leo@pd.example',
      displayName: 'Leo Vance',
      role: 'vocalist',
      accessLevel: 'editor',
    });

    // The same record is invited again, with its credits; the row now says Invited and offers Revoke (cancel) again.
    const after = await api.getTrack({ trackId });
    expect(after.collaborators.find((c) => c.id === leoId)).toMatchObject({
      status: 'invited',
      role: 'vocalist',
      accessLevel: 'editor',
      splits: { master: 25, publishing: 25, writer: 25 },
    });
    cleanup();
    await show('Midnight Drive');
    const row = screen.getByRole('listitem', { name: 'Leo Vance' });
    expect(row.textContent).toContain('Invited');
    expect(within(row).queryByRole('button', { name: 'Invite Leo Vance again' })).toBeNull();
    expect(within(row).getByRole('button', { name: 'Revoke Leo Vance' })).toBeTruthy();
  });

  it('is offered after a leave too', async () => {
    const gh = [...worker.tracks.values()].find((t) => t.track.title === 'Glass Hearts')!;
    const leo = gh.collaborators.find((c) => c.email === LEO.email)!;
    await worker.fetch(`http://pd.test/api/v1/tracks/${gh.track.id}/leave`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(LEO)}` },
    });
    expect(leo.status).toBe('left');
    await show('Glass Hearts');
    expect(screen.getByRole('button', { name: 'Invite Leo Vance again' })).toBeTruthy();
  });

  it('a stale row (someone already re-invited them meanwhile): the row is read again and the refusal said once', async () => {
    const { trackId } = await revokeLeo();
    let refreshed = 0;
    const ctx = await trackCtx('Midnight Drive');
    renderWithApi(<TrackView ctx={{ ...ctx, refresh: () => refreshed++ }} />, api);
    await api.invite({ trackId, email: LEO.email, accessLevel: 'editor' });
    userClick(screen.getByRole('button', { name: 'Invite Leo Vance again' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Send invitation' }));
    await waitFor(() => expect(notices).toEqual(['Leo Vance already has a pending invitation.']));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(refreshed).toBe(1);
  });
});
