// Issue 11: what was kept, visible (comments, history, access history), honest labels for departures, Dropbox
// failures as sentences, and credits for people whose role is not set.
import type { Collaborator, Comment, HistoryEntry, HistoryKind, HistoryResponse, Notification, TrackDetail } from '@pd/shared';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { describeNotification } from '../background/notify';
import { TrackView } from '../components/TrackView';
import { statusText } from '../components/ui';
import { dropboxFailureSentence } from '../features/dropbox-errors';
import { historyText } from '../features/history-text';
import type { TrackContext } from '../features/types';
import type { PdApi } from '../utils/messaging';
import { renderWithApi } from './helpers/render';
import { userClick } from './helpers/user-gesture';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function person(id: string, name: string, over: Partial<Collaborator> = {}): Collaborator {
  return {
    id,
    accountId: `acc_${id}`,
    displayName: name,
    email: `${id}@pd.example`,
    role: 'vocalist',
    accessLevel: 'editor',
    splits: { master: 10, publishing: 20, writer: 30 },
    status: 'active',
    invitedAt: at(0),
    joinedAt: at(1),
    endedAt: null,
    endedVia: null,
    endedEvidence: null,
    ...over,
  };
}

const LEO = person('leo', 'Leo Vance', { status: 'revoked', endedAt: at(50), endedVia: 'dropbox', endedEvidence: 'dropbox_own_folder' });
const SAM = person('sam', 'Sam Ortiz', { status: 'left', endedAt: at(40), endedVia: 'app', endedEvidence: 'pd_leave', role: 'engineer' });
const AVA = person('ava', 'Ava Chen', { role: null, splits: { master: 0, publishing: 0, writer: 0 } });

function comment(id: string, authorId: string, authorName: string, minutes: number, over: Partial<Comment> = {}): Comment {
  return {
    id,
    authorId,
    authorName,
    body: `${authorName} says ${id}`,
    pinned: false,
    pinnedBy: null,
    pinnedAt: null,
    createdAt: at(minutes),
    ...over,
  };
}

function detail(over: Partial<TrackDetail> = {}): TrackDetail {
  return {
    track: { id: 'trk_1', title: 'Neon Rain', ownerId: 'acc_maya', ownerName: 'Maya Reyes' } as TrackDetail['track'],
    myRole: 'owner',
    project: null,
    hidden: false,
    collaborators: [AVA, LEO, SAM],
    splitTotals: {
      master: { total: 100, overAllocated: false },
      publishing: { total: 100, overAllocated: false },
      writer: { total: 100, overAllocated: false },
    },
    comments: [
      comment('c1', 'acc_sam', 'Sam Ortiz', 5),
      comment('c2', 'acc_leo', 'Leo Vance', 6, { pinned: true, pinnedBy: { id: 'acc_leo', name: 'Leo Vance' }, pinnedAt: at(7) }),
      ...Array.from({ length: 6 }, (_, i) => comment(`m${i}`, 'acc_maya', 'Maya Reyes', 10 + i)),
    ],
    dropboxChanges: [],
    ...over,
  };
}

function entry(
  id: number,
  kind: HistoryKind,
  actor: { id: string | null; name: string },
  details: Record<string, unknown> = {},
  over: Partial<HistoryEntry> = {},
): HistoryEntry {
  return { id, kind, actor, via: 'app', collaboratorId: null, details, createdAt: at(id), ...over };
}

let notices: Array<[string, string | undefined]>;
let refreshed: number;
function ctxOf(d: TrackDetail): TrackContext {
  return { detail: d, folder: null, refresh: () => refreshed++, notify: (m, k) => notices.push([m, k]) };
}

function fakeApi(over: Partial<PdApi> = {}): PdApi {
  return { getHistory: vi.fn(), setRole: vi.fn(), setSplits: vi.fn(), ...over } as unknown as PdApi;
}

beforeEach(() => {
  cleanup();
  notices = [];
  refreshed = 0;
});

describe('comments on the track', () => {
  it('pinned first and marked; departed authors keep their names and are marked; paged by 5', () => {
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, fakeApi());
    userClick(screen.getByRole('button', { name: /Comments \(8\) · 1 pinned/ }));
    const list = screen.getByRole('list', { name: 'Comments on this track' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(5);
    expect(items[0]!.getAttribute('aria-label')).toBe('Comment by Leo Vance, pinned');
    expect(items[0]!.textContent).toContain('Pinned');
    expect(items[0]!.textContent).toContain('access ended in Dropbox'); // Leo's access ended in Dropbox: still named, marked
    expect(items[0]!.textContent).toContain('Pinned by Leo Vance');
    expect(items[1]!.textContent).toContain('Maya Reyes'); // then newest first
    expect(items[1]!.textContent).not.toContain('access'); // the owner is never marked
    userClick(screen.getByRole('button', { name: 'Show 3 more comments' }));
    const all = within(screen.getByRole('list', { name: 'Comments on this track' })).getAllByRole('listitem');
    expect(all).toHaveLength(8);
    expect(all.at(-1)!.textContent).toContain('Sam Ortiz');
    expect(all.at(-1)!.textContent).toContain('left');
    expect(screen.queryByRole('button', { name: /more comments/ })).toBeNull();
  });
});

describe('the track history', () => {
  it('opens on demand, names who did each edit (departed people marked), and pages with Show older', async () => {
    const pages: Record<string, HistoryResponse> = {
      first: {
        entries: [
          entry(
            9,
            'access_ended_in_dropbox',
            { id: null, name: 'Dropbox' },
            { collaborator: 'Leo Vance', evidence: 'dropbox_own_folder' },
            { via: 'dropbox', collaboratorId: 'leo' },
          ),
          entry(8, 'collaborator_left', { id: 'acc_sam', name: 'Sam Ortiz' }, { collaborator: 'Sam Ortiz' }),
          entry(7, 'file_uploaded', { id: 'acc_leo', name: 'Leo Vance' }, { path: '/Neon Rain/bounce v2.wav' }, { via: 'dropbox' }),
        ],
        nextBefore: 7,
      },
      older: {
        entries: [
          entry(
            6,
            'metadata_changed',
            { id: 'acc_leo', name: 'Leo Vance' },
            { changes: { stage: { from: 'writing', to: 'mixing' }, bpm: { from: 120, to: 122 } } },
          ),
          entry(5, 'tags_changed', { id: 'acc_sam', name: 'Sam Ortiz' }, { added: ['synthwave'], removed: ['demo'] }),
          entry(
            4,
            'splits_changed',
            { id: 'acc_sam', name: 'Sam Ortiz' },
            { changes: [{ who: 'Sam Ortiz', to: { master: 20, publishing: 25, writer: 30 } }] },
          ),
        ],
        nextBefore: null,
      },
    };
    const getHistory = vi.fn(async (q: { before?: number | null }) => (q.before ? pages.older! : pages.first!));
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, fakeApi({ getHistory } as Partial<PdApi>));
    expect(getHistory).not.toHaveBeenCalled(); // nothing is read until it is opened
    userClick(screen.getByRole('button', { name: 'History' }));
    const list = await screen.findByRole('list', { name: 'Changes to this track' });
    expect(getHistory).toHaveBeenCalledWith({ trackId: 'trk_1', before: null, limit: 10 });
    const text = () =>
      within(screen.getByRole('list', { name: 'Changes to this track' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent);
    expect(text()[0]).toContain('Leo Vance’s access ended in Dropbox (the folder left their Dropbox)');
    expect(text()[0]).toContain('in Dropbox');
    expect(text()[1]).toContain('Sam Ortiz left the track');
    expect(text()[2]).toMatch(/Leo Vance uploaded bounce v2\.wav.*in Dropbox/);
    expect(text()[2]).toContain('access ended in Dropbox'); // the uploader is marked as departed
    expect(list).toBeTruthy();
    userClick(screen.getByRole('button', { name: 'Show older' }));
    await waitFor(() => expect(text()).toHaveLength(6));
    expect(getHistory).toHaveBeenLastCalledWith({ trackId: 'trk_1', before: 7, limit: 10 });
    expect(text()[3]).toContain('Leo Vance changed stage Writing → Mixing, BPM 120 → 122');
    expect(text()[4]).toContain('Sam Ortiz added tag synthwave; removed tag demo');
    expect(text()[5]).toContain('Sam Ortiz changed splits: Sam Ortiz 20/25/30%');
    expect(screen.queryByRole('button', { name: 'Show older' })).toBeNull();
  });

  it("each collaborator's access history: who, when, and where it happened", async () => {
    const getHistory = vi.fn(async () => ({
      entries: [
        entry(
          3,
          'access_ended_in_dropbox',
          { id: null, name: 'Dropbox' },
          { collaborator: 'Leo Vance', evidence: 'dropbox_members' },
          { via: 'dropbox' },
        ),
        entry(2, 'access_level_changed', { id: 'acc_maya', name: 'Maya Reyes' }, { collaborator: 'Leo Vance', from: 'editor', to: 'viewer' }),
        entry(1, 'collaborator_invited', { id: 'acc_maya', name: 'Maya Reyes' }, { collaborator: 'Leo Vance', accessLevel: 'editor' }),
      ],
      nextBefore: null,
    }));
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, fakeApi({ getHistory } as Partial<PdApi>));
    const row = screen.getByRole('listitem', { name: 'Leo Vance' });
    userClick(within(row).getByRole('button', { name: 'Access history of Leo Vance' }));
    const list = await within(row).findByRole('list', { name: "Leo Vance's access" });
    expect(getHistory).toHaveBeenCalledWith({ trackId: 'trk_1', before: null, limit: 10, collaboratorId: 'leo' });
    const items = within(list)
      .getAllByRole('listitem')
      .map((li) => li.textContent ?? '');
    expect(items[0]).toMatch(/Leo Vance’s access ended in Dropbox \(no longer in the folder’s members in Dropbox\).*in Dropbox/);
    expect(items[1]).toMatch(/Maya Reyes changed Leo Vance’s access from Editor to Viewer.*in Producer Dashboard/);
    expect(items[2]).toMatch(/Maya Reyes invited Leo Vance as Editor.*in Producer Dashboard/);
  });

  it('every history kind the worker writes reads as a sentence; kinds it does not know still render', () => {
    const kinds: HistoryKind[] = [
      'track_created',
      'metadata_changed',
      'tags_changed',
      'splits_changed',
      'archived',
      'unarchived',
      'file_uploaded',
      'collaborator_invited',
      'collaborator_joined',
      'invitation_declined',
      'invitation_cancelled',
      'access_revoked',
      'collaborator_left',
      'access_level_changed',
      'comment_pinned',
      'comment_unpinned',
      'dropbox_change_moot',
      'access_ended_in_dropbox',
      'role_changed',
    ];
    for (const kind of kinds) {
      const s = historyText(entry(1, kind, { id: 'acc_maya', name: 'Maya Reyes' }, { collaborator: 'Leo Vance' }));
      expect(s, kind).not.toMatch(/_|undefined|null|\[object/);
      expect(s, kind).not.toContain(`: ${kind.replace(/_/g, ' ')}`);
    }
    expect(historyText(entry(1, 'something_new' as HistoryKind, { id: null, name: 'Dropbox' }))).toBe('Dropbox: something new');
  });
});

describe('honest departure labels', () => {
  it('an ending found in Dropbox says "Access ended in Dropbox" on the row; older rows keep rendering', () => {
    expect(statusText(LEO)).toBe('Access ended in Dropbox');
    expect(statusText(SAM)).toBe('Left');
    expect(statusText({ status: 'left', endedVia: 'dropbox' })).toBe('Left in Dropbox'); // recorded before the evidence was kept
    expect(statusText({ status: 'revoked', endedVia: 'app', endedEvidence: null })).toBe('Revoked');
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, fakeApi());
    expect(screen.getByRole('listitem', { name: 'Leo Vance' }).textContent).toContain('Access ended in Dropbox');
    expect(screen.getByRole('button', { name: 'Invite Leo Vance again' })).toBeTruthy();
  });

  it('notifications say it to both sides without naming who ended it', () => {
    const n = (kind: Notification['kind'], actor: Notification['actor']) => ({ kind, trackTitle: 'Neon Rain', actor, via: 'dropbox' as const });
    expect(describeNotification(n('collaborator_access_ended_in_dropbox', { id: 'acc_leo', name: 'Leo Vance' }))).toBe(
      'Leo Vance no longer has access to “Neon Rain” — changed in Dropbox.',
    );
    expect(describeNotification(n('access_ended_in_dropbox', { id: null, name: 'Dropbox' }))).toBe(
      'Your access to “Neon Rain” ended in Dropbox. It has left your library.',
    );
  });
});

describe('Dropbox failures as sentences with the fix', () => {
  // Every shape of last_error the worker stores (worker/src/jobs/execute.ts REFUSALS, toOutcome, membership.ts).
  const WORKER_ERRORS = [
    'Dropbox refused (access_error/not_a_member): your Dropbox account is no longer a member of this folder',
    'Dropbox refused (access_error/invalid_member): Dropbox says your account is disabled or no longer exists',
    'Dropbox refused (access_error/unmounted): the folder is not in your Dropbox (it was removed from it): add it back in Dropbox, then retry',
    'Dropbox refused (access_error/email_unverified): your Dropbox e-mail address is not verified',
    'Dropbox refused (access_error/invalid_id)',
    'Dropbox refused (access_error/no_permission)',
    'Dropbox refused (member_error/no_explicit_access): they still have access through a group or a parent folder, which Dropbox keeps',
    'Dropbox refused (member_error/invalid_dropbox_id): Dropbox does not know their account',
    'Dropbox refused (no_explicit_access): the leaver’s access comes from a parent folder, which Dropbox keeps',
    'Dropbox refused (group_access): the access comes through a Dropbox group, which Dropbox keeps: remove them from the group',
    'Dropbox refused (folder_owner): they own the folder in Dropbox',
    'Dropbox refused (team_folder): this is a team folder; Dropbox does not allow this there',
    'Dropbox refused (no_permission): the Dropbox account making the change is not allowed to',
    'Dropbox refused (too_many_files): the folder has too many files to leave a copy',
    'Dropbox refused (insufficient_plan): the owner’s Dropbox plan does not allow it',
    'Dropbox refused (no_explicit_access/insufficient_plan): the owner’s Dropbox plan does not allow it',
    'Dropbox refused (no_explicit_access/too_many_members): the folder has reached Dropbox’s member limit',
    'Dropbox refused (no_explicit_access/too_many_pending_invites): the folder has too many pending invitations in Dropbox',
    'Dropbox refused (mounted): the folder is still in their Dropbox',
    'Dropbox refused (unknown error)',
    'Dropbox refused (some_future/tag)',
    'Dropbox refused: Error in call to API function "sharing/remove_folder_member": request body: unknown field',
    'gave up after 8 attempts: Error in call to API function "sharing/add_folder_member": 500 internal_error',
    'too_many_write_operations',
    'PD was disconnected from this Dropbox account: sign in with Dropbox again, then retry.',
    'Dropbox sign-in expired: sign in again, then retry.',
    'This person has not linked Dropbox to PD.',
    'invalid params: missing shared_folder_id/actor_account_id',
    'Your Dropbox is full: the folder needs 12 MB more. Free up space (or upgrade) in Dropbox, then retry',
    null,
  ];

  it('never shows a raw tag or Dropbox’s own error text, and always says what to do', () => {
    for (const e of WORKER_ERRORS) {
      const s = dropboxFailureSentence(e, { person: 'Leo Vance', actor: 'Maya Reyes', mine: false });
      expect(s, String(e)).not.toMatch(/[a-z]+_[a-z]+|\w\/\w|Error in call to API function/);
      expect(s, String(e)).toMatch(/\.$/);
      expect(s, String(e)).toMatch(/—|Retry|retry|Dropbox|sign in/);
    }
    expect(
      dropboxFailureSentence('Dropbox refused (access_error/not_a_member): your Dropbox account is no longer a member of this folder', {
        person: 'Leo Vance',
        actor: 'Maya Reyes',
        mine: false,
      }),
    ).toBe('Dropbox refused: Maya Reyes is no longer a member of this folder in Dropbox — open the folder in Dropbox to check, then Retry.');
  });
});

describe('Role not set → Set role & splits', () => {
  it('the owner sees "Role not set" and gives the person a role and splits', async () => {
    const setRole = vi.fn(async () => ({ changed: true, collaborator: { ...AVA, role: 'Vocalist' } }));
    const setSplits = vi.fn(async () => ({ ...detail(), warnings: [] as string[] }));
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, fakeApi({ setRole, setSplits } as Partial<PdApi>));
    const row = screen.getByRole('listitem', { name: 'Ava Chen' });
    expect(row.textContent).toContain('Role not set');
    expect(within(screen.getByRole('listitem', { name: 'Sam Ortiz' })).queryByRole('button', { name: /Set role/ })).toBeNull();
    userClick(within(row).getByRole('button', { name: 'Set role and splits for Ava Chen' }));
    const dialog = screen.getByRole('dialog', { name: 'Credits for Ava Chen on “Neon Rain”' });
    const [role, master, publishing, writer] = within(dialog).getAllByRole('textbox') as HTMLInputElement[];
    fireEvent.input(role!, { target: { value: 'Vocalist' } });
    fireEvent.input(master!, { target: { value: '101' } });
    userClick(within(dialog).getByRole('button', { name: 'Save credits' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Master split: a number from 0 to 100, at most two decimals.');
    expect(setRole).not.toHaveBeenCalled();
    fireEvent.input(master!, { target: { value: '12.5' } });
    fireEvent.input(publishing!, { target: { value: '20' } });
    fireEvent.input(writer!, { target: { value: '0' } });
    userClick(within(dialog).getByRole('button', { name: 'Save credits' }));
    await waitFor(() => expect(notices).toEqual([["Ava Chen's credits are saved.", 'ok']]));
    expect(setRole).toHaveBeenCalledWith({ trackId: 'trk_1', collaboratorId: 'ava', role: 'Vocalist' });
    expect(setSplits).toHaveBeenCalledWith({ trackId: 'trk_1', collaborators: [{ collaboratorId: 'ava', master: 12.5, publishing: 20, writer: 0 }] });
    expect(refreshed).toBe(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a refused save reads the row again and says why once', async () => {
    const setRole = vi.fn(async () => {
      throw Object.assign(new Error('Only the track owner can set roles.'), { code: 'owner_only' });
    });
    renderWithApi(<TrackView ctx={ctxOf(detail())} />, fakeApi({ setRole } as Partial<PdApi>));
    userClick(within(screen.getByRole('listitem', { name: 'Ava Chen' })).getByRole('button', { name: 'Set role and splits for Ava Chen' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.input(within(dialog).getAllByRole('textbox')[0]!, { target: { value: 'Producer' } });
    userClick(within(dialog).getByRole('button', { name: 'Save credits' }));
    await waitFor(() => expect(notices).toEqual([['Only the track owner can set roles.', 'error']]));
    expect(refreshed).toBe(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
