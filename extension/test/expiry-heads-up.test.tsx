// Issue 12 in the extension: the owner's end-date and heads-up controls (also from the Revoke confirmation), the
// collaborator's "your access ends" with the note and the download offer, the notifications' sentences, and the
// access review's actions on a selection. A recording API stands in for the background (the real worker is in e2e/).
import { beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { Collaborator, Notification, ReviewResponse, TrackDetail } from '@pd/shared';
import { TrackView } from '../components/TrackView';
import { describeNotification } from '../background/notify';
import { fromLocalInput, toLocalInput } from '../features/expiry';
import { Review } from '../entrypoints/popup/Review';
import type { TrackContext } from '../features/types';
import type { PdApi } from '../utils/messaging';
import { renderWithApi } from './helpers/render';
import { userClick } from './helpers/user-gesture';

const ENDS = '2027-03-01T18:00:00.000Z';

function collaborator(over: Partial<Collaborator> = {}): Collaborator {
  return {
    id: 'col_leo',
    accountId: 'acc_leo',
    displayName: 'Leo Vance',
    email: 'leo@pd.example',
    role: 'vocalist',
    accessLevel: 'editor',
    splits: { master: 10, publishing: 10, writer: 10 },
    status: 'active',
    invitedAt: '2026-11-01T00:00:00.000Z',
    joinedAt: '2026-11-02T00:00:00.000Z',
    endedAt: null,
    endedVia: null,
    accessExpiresAt: null,
    headsUp: null,
    ...over,
  };
}

function detail(over: Partial<TrackDetail> = {}): TrackDetail {
  return {
    track: {
      id: 'trk_1',
      title: 'Midnight Drive',
      stage: 'mixing',
      bpm: null,
      key: null,
      tags: [],
      archived: false,
      ownerId: 'acc_maya',
      ownerName: 'Maya Reyes',
      dropboxSharedFolderId: 'sf1',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      ownerSplits: { master: 90, publishing: 90, writer: 90 },
    },
    myRole: 'owner',
    project: null,
    hidden: false,
    collaborators: [collaborator()],
    splitTotals: {
      master: { total: 100, overAllocated: false },
      publishing: { total: 100, overAllocated: false },
      writer: { total: 100, overAllocated: false },
    },
    comments: [],
    dropboxChanges: [],
    ...over,
  };
}

let calls: { name: string; data: unknown }[];
function recordingApi(answers: Partial<Record<keyof PdApi, unknown>> = {}): PdApi {
  return new Proxy({} as PdApi, {
    get: (_t, name: string) => async (data: unknown) => {
      calls.push({ name, data });
      const a = answers[name as keyof PdApi];
      return typeof a === 'function' ? (a as (d: unknown) => unknown)(data) : (a ?? {});
    },
  });
}

function ctxOf(d: TrackDetail, notes: string[] = []): TrackContext {
  const path = '/Night Sessions/Midnight Drive';
  return {
    detail: d,
    folder: { path, url: `https://www.dropbox.com/home${encodeURI(path)}`, downloadUrl: `https://www.dropbox.com/home${encodeURI(path)}?dl=1` },
    refresh: () => {},
    notify: (m) => notes.push(m),
  };
}

beforeEach(() => {
  cleanup();
  calls = [];
});

describe('owner: end date and heads-up on a collaborator', () => {
  it('sets an end date from the row (datetime-local → ISO in UTC)', async () => {
    const notes: string[] = [];
    renderWithApi(<TrackView ctx={ctxOf(detail(), notes)} />, recordingApi());
    userClick(screen.getByRole('button', { name: 'End date for Leo Vance' }));
    const dialog = screen.getByRole('dialog', { name: /When does Leo Vance's access end/ });
    const input = within(dialog).getByLabelText('Access until') as HTMLInputElement;
    fireEvent.input(input, { target: { value: toLocalInput(ENDS) } });
    userClick(within(dialog).getByRole('button', { name: 'Save end date' }));
    await waitFor(() => expect(calls.map((c) => c.name)).toEqual(['setExpiry']));
    expect(calls[0]?.data).toEqual({
      trackId: 'trk_1',
      collaboratorId: 'col_leo',
      accessExpiresAt: new Date(new Date(toLocalInput(ENDS)).getTime()).toISOString(),
    });
    expect(notes[0]).toMatch(/Leo Vance's access to “Midnight Drive” ends/);
  });

  it('a row with an end date says so, and offers remove and end now', async () => {
    renderWithApi(<TrackView ctx={ctxOf(detail({ collaborators: [collaborator({ accessExpiresAt: ENDS })] }))} />, recordingApi());
    expect(screen.getByText(/Access until/)).toBeTruthy();
    userClick(screen.getByRole('button', { name: 'End date for Leo Vance' }));
    userClick(screen.getByRole('button', { name: 'Remove end date' }));
    await waitFor(() =>
      expect(calls[0]).toEqual({ name: 'setExpiry', data: { trackId: 'trk_1', collaboratorId: 'col_leo', accessExpiresAt: null } }),
    );
    cleanup();
    calls = [];
    renderWithApi(<TrackView ctx={ctxOf(detail({ collaborators: [collaborator({ accessExpiresAt: ENDS })] }))} />, recordingApi());
    userClick(screen.getByRole('button', { name: 'End date for Leo Vance' }));
    userClick(screen.getByRole('button', { name: 'End access now' }));
    await waitFor(() => expect(calls[0]).toEqual({ name: 'endAccessNow', data: { trackId: 'trk_1', collaboratorId: 'col_leo' } }));
  });

  it('the Revoke confirmation offers "Give a heads-up first": note and 24 h / 48 h / 7 days / now', async () => {
    const notes: string[] = [];
    renderWithApi(<TrackView ctx={ctxOf(detail(), notes)} />, recordingApi());
    userClick(screen.getByRole('button', { name: 'Revoke Leo Vance' }));
    userClick(screen.getByRole('button', { name: 'Give a heads-up first' }));
    const dialog = screen.getByRole('dialog', { name: 'Give Leo Vance a heads-up' });
    fireEvent.input(within(dialog).getByLabelText('Heads-up note'), { target: { value: '  Wrapping up Friday — grab the stems.  ' } });
    fireEvent.click(within(dialog).getByLabelText('In 7 days'));
    userClick(within(dialog).getByRole('button', { name: 'Send heads-up' }));
    await waitFor(() =>
      expect(calls).toEqual([
        { name: 'headsUp', data: { trackId: 'trk_1', collaboratorId: 'col_leo', note: 'Wrapping up Friday — grab the stems.', endsIn: '7d' } },
      ]),
    );
    expect(notes[0]).toBe("Heads-up sent: Leo Vance's access to “Midnight Drive” ends in 7 days.");
  });

  it('a scripted click on Send does nothing (the trusted-gesture gate)', async () => {
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, recordingApi());
    userClick(screen.getByRole('button', { name: 'Give Leo Vance a heads-up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send heads-up' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
  });
});

describe('collaborator: when my access ends', () => {
  it("shows the date, the owner's note and the download offer", () => {
    const d = detail({
      myRole: 'editor',
      myAccessEndsAt: ENDS,
      myHeadsUp: { note: 'Thanks for the vocals!', accessEndsAt: ENDS, sentAt: '2026-11-30T00:00:00.000Z' },
    });
    renderWithApi(<TrackView ctx={ctxOf(d)} />, recordingApi());
    expect(screen.getByText(/Heads-up from Maya Reyes/)).toBeTruthy();
    expect(screen.getByText('Thanks for the vocals!')).toBeTruthy();
    const link = screen.getByRole('link', { name: 'Download the files first' }) as HTMLAnchorElement;
    expect(link.href).toContain('?dl=1');
  });
});

describe('notifications say what happened', () => {
  const base: Pick<Notification, 'trackTitle' | 'actor' | 'via'> = {
    trackTitle: 'Midnight Drive',
    actor: { id: 'acc_maya', name: 'Maya Reyes' },
    via: 'app',
  };
  it('heads-up, reminder, expired (both sides), digest', () => {
    expect(describeNotification({ ...base, kind: 'heads_up', headsUp: { note: 'Grab the stems', accessEndsAt: ENDS, sentAt: ENDS } })).toMatch(
      /^Heads-up from Maya Reyes: your access to “Midnight Drive” ends on .+ Download the files you need before then\. “Grab the stems”$/,
    );
    expect(describeNotification({ ...base, kind: 'access_expiring', notice: { reminder: '1_day', accessEndsAt: ENDS } })).toMatch(/ends in 1 day/);
    expect(describeNotification({ ...base, kind: 'access_expired', notice: { endedBy: 'expiry', accessEndsAt: ENDS } })).toMatch(
      /^Your access to “Midnight Drive” expired\./,
    );
    expect(describeNotification({ ...base, kind: 'access_expired', notice: { endedBy: 'heads_up', collaborator: 'Leo Vance' } })).toBe(
      "Leo Vance's access to “Midnight Drive” ended on its heads-up date.",
    );
    expect(describeNotification({ ...base, kind: 'stale_access_digest', notice: { digest: { people: 2, tracks: 3, idleDays: 30 } } })).toMatch(
      /^2 people have had idle Editor access to 3 unreleased tracks for more than 30 days/,
    );
  });
  it('datetime-local round trip', () => {
    expect(fromLocalInput(toLocalInput(ENDS))).toBe(ENDS);
    expect(fromLocalInput('soon')).toBeNull();
  });
});

describe('access review', () => {
  const review: ReviewResponse = {
    generatedAt: ENDS,
    settings: { idleDays: 30, lastDigestAt: null },
    people: [
      {
        personKey: 'leo@pd.example',
        displayName: 'Leo Vance',
        email: 'leo@pd.example',
        accountId: 'acc_leo',
        lastActivityAt: '2026-10-01T00:00:00.000Z',
        lastSignInAt: null,
        idleDays: 60,
        unreleasedCount: 1,
        editorCount: 2,
        staleCount: 1,
        tracks: [
          {
            trackId: 'trk_1',
            title: 'Midnight Drive',
            stage: 'mixing',
            released: false,
            collaboratorId: 'col_1',
            status: 'active',
            accessLevel: 'editor',
            lastActivityAt: null,
            idleDays: 60,
            accessExpiresAt: null,
            headsUp: null,
            stale: true,
          },
          {
            trackId: 'trk_2',
            title: 'Glass Hearts',
            stage: 'released',
            released: true,
            collaboratorId: 'col_2',
            status: 'active',
            accessLevel: 'editor',
            lastActivityAt: null,
            idleDays: 60,
            accessExpiresAt: null,
            headsUp: null,
            stale: false,
          },
        ],
      },
    ],
  };

  it('lists people and tracks riskiest first, and acts on a selection', async () => {
    renderWithApi(
      <Review />,
      recordingApi({ getReview: review, reviewAction: { action: 'downgrade', changedCount: 2, trackIds: ['trk_1', 'trk_2'] } }),
    );
    await screen.findByText('Midnight Drive');
    const rows = screen.getAllByRole('listitem').filter((li) => li.getAttribute('data-track-id'));
    expect(rows.map((r) => [r.getAttribute('data-track-id'), r.getAttribute('data-stale')])).toEqual([
      ['trk_1', 'true'],
      ['trk_2', 'false'],
    ]);
    fireEvent.click(screen.getByLabelText('Select Midnight Drive'));
    fireEvent.click(screen.getByLabelText('Select Glass Hearts'));
    fireEvent.click(screen.getByRole('button', { name: 'Downgrade to Viewer' }));
    await waitFor(() =>
      expect(calls.find((c) => c.name === 'reviewAction')?.data).toEqual({ action: 'downgrade', collaboratorIds: ['col_1', 'col_2'] }),
    );
    expect(await screen.findByText('Downgraded to Viewer on 2 tracks.')).toBeTruthy();
  });

  it('the end-date and heads-up dialogs for a selection speak of the selection, not of one person called "them"', async () => {
    renderWithApi(<Review />, recordingApi({ getReview: review }));
    await screen.findByText('Midnight Drive');
    fireEvent.click(screen.getByLabelText('Select Midnight Drive'));
    fireEvent.click(screen.getByLabelText('Select Glass Hearts'));
    fireEvent.click(screen.getByRole('button', { name: 'Set end date' }));
    let dialog = screen.getByRole('dialog', { name: 'When does access to 2 tracks end?' });
    expect(dialog.textContent).toContain('At this time access to 2 tracks ends by itself for the people selected');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Heads-up' }));
    dialog = screen.getByRole('dialog', { name: 'Give a heads-up on 2 tracks' });
    expect(dialog.textContent).toContain('The people selected are told at once that their access to 2 tracks ends');
    expect(document.body.textContent).not.toMatch(/\bthem(\'s)? (is|access)|them's/);
  });

  it('revoking a selection asks first, and acts only on a real click', async () => {
    renderWithApi(<Review />, recordingApi({ getReview: review, reviewAction: { action: 'revoke', changedCount: 1, trackIds: ['trk_1'] } }));
    await screen.findByText('Midnight Drive');
    fireEvent.click(screen.getByLabelText('Select Midnight Drive'));
    userClick(screen.getByRole('button', { name: 'Revoke' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke access on 1 track?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke access' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.filter((c) => c.name === 'reviewAction')).toEqual([]);
    userClick(within(dialog).getByRole('button', { name: 'Revoke access' }));
    await waitFor(() => expect(calls.find((c) => c.name === 'reviewAction')?.data).toEqual({ action: 'revoke', collaboratorIds: ['col_1'] }));
  });
});
