// Issue 9 on the owner's panel: what Dropbox itself says, shown next to what PD says — waiting for an accept in
// Dropbox, Dropbox Basic's refusals (said before acting, then the truth and a choice), and access through a group.
import type { Collaborator, TrackDetail } from '@pd/shared';
import { cleanup, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { TrackView } from '../components/TrackView';
import type { TrackContext } from '../features/types';
import type { PdApi } from '../utils/messaging';
import { renderWithApi } from './helpers/render';
import { userClick } from './helpers/user-gesture';

const NOW = '2026-11-30T04:00:00.000Z';

function person(id: string, name: string, over: Partial<Collaborator> = {}): Collaborator {
  return {
    id,
    accountId: `acc_${id}`,
    displayName: name,
    email: `${(name.split(' ')[0] ?? name).toLowerCase()}@pd.example`,
    role: null,
    accessLevel: 'editor',
    splits: { master: 0, publishing: 0, writer: 0 },
    status: 'active',
    invitedAt: NOW,
    joinedAt: NOW,
    endedAt: null,
    endedVia: null,
    dropbox: { state: 'member', accessLevel: null, group: null },
    ...over,
  };
}

function detail(collaborators: Collaborator[], ownerPlan: TrackDetail['ownerPlan'] = 'pro'): TrackDetail {
  return {
    track: { id: 'trk_1', title: 'Midnight Drive' } as TrackDetail['track'],
    myRole: 'owner',
    project: null,
    hidden: false,
    collaborators,
    splitTotals: {
      master: { total: 0, overAllocated: false },
      publishing: { total: 0, overAllocated: false },
      writer: { total: 0, overAllocated: false },
    } as TrackDetail['splitTotals'],
    comments: [],
    dropboxChanges: [],
    ownerPlan,
  };
}

let calls: { method: string; data: unknown }[];
const api = new Proxy({} as PdApi, {
  get: (_t, method: string) => async (data: unknown) => {
    calls.push({ method, data });
    return {};
  },
});

function show(d: TrackDetail) {
  const notices: string[] = [];
  const ctx: TrackContext = { detail: d, folder: null, refresh: () => {}, notify: (m) => notices.push(m) };
  renderWithApi(<TrackView ctx={ctx} />, api);
  return notices;
}
const row = (name: string) => screen.getByRole('listitem', { name });

beforeEach(() => {
  cleanup();
  calls = [];
});

describe('invitations that join in Dropbox only when accepted there', () => {
  it('accepted in PD but not yet in Dropbox: "waiting for Leo to accept in Dropbox"', () => {
    show(detail([person('c1', 'Leo Vance', { dropbox: { state: 'invited', accessLevel: null, group: null } }), person('c2', 'Sam Ortiz')]));
    expect(within(row('Leo Vance')).getByText(/Waiting for Leo Vance to accept in Dropbox/)).toBeTruthy();
    expect(within(row('Sam Ortiz')).queryByText(/Waiting for/)).toBeNull();
  });

  it("the collaborator's own view says plainly to accept in Dropbox too while the folder is not in their Dropbox", () => {
    const d = { ...detail([]), myRole: 'editor' as const, myDropboxState: 'invited' as const, ownerPlan: null };
    show(d);
    expect(screen.getByText(/The shared folder is not in your Dropbox yet: accept the invitation in Dropbox too/)).toBeTruthy();
    cleanup();
    show({ ...d, myDropboxState: 'member' });
    expect(screen.queryByText(/accept the invitation in Dropbox too/)).toBeNull();
  });
});

describe('Dropbox Basic', () => {
  it('says so before the owner downgrades (and not on other plans)', () => {
    show(detail([person('c1', 'Leo Vance')], 'basic'));
    expect(within(row('Leo Vance')).getByText("Dropbox Basic can't make someone view-only; they'd stay Editor in Dropbox.")).toBeTruthy();
    cleanup();
    show(detail([person('c1', 'Leo Vance')], 'pro'));
    expect(screen.queryByText(/Dropbox Basic/)).toBeNull();
  });

  it('after a refused downgrade: the truth (still Editor in Dropbox) and a choice, not a Retry', async () => {
    const notices = show(
      detail([person('c1', 'Leo Vance', { accessLevel: 'viewer', dropbox: { state: 'member', accessLevel: 'editor', group: null } })], 'basic'),
    );
    const r = row('Leo Vance');
    expect(within(r).getByText(/Viewer in PD, but still Editor in Dropbox/)).toBeTruthy();
    expect(within(r).queryByRole('button', { name: 'Retry' })).toBeNull();
    userClick(within(r).getByRole('button', { name: 'Make Editor in PD too' }));
    await waitFor(() =>
      expect(calls).toEqual([{ method: 'setAccessLevel', data: { trackId: 'trk_1', collaboratorId: 'c1', accessLevel: 'editor' } }]),
    );
    await waitFor(() => expect(notices).toEqual(['Leo Vance is an Editor in PD too.']));
  });

  it('re-invited as a Viewer while Dropbox still holds an Editor (a removal that failed): the truth while invited too', () => {
    show(
      detail(
        [
          person('c1', 'Leo Vance', {
            status: 'invited',
            accessLevel: 'viewer',
            joinedAt: null,
            dropbox: { state: 'member', accessLevel: 'editor', group: null },
          }),
        ],
        'basic',
      ),
    );
    const r = row('Leo Vance');
    expect(within(r).getByText(/Viewer in PD, but still Editor in Dropbox/)).toBeTruthy();
    expect(within(r).getByRole('button', { name: 'Make Editor in PD too' })).toBeTruthy();
    expect(within(r).queryByText(/not in the Dropbox folder/)).toBeNull();
  });

  it('after a refused view-only invitation: not in the Dropbox folder, with "Invite as Editor instead"', async () => {
    show(
      detail(
        [
          person('c1', 'Ava Chen', {
            status: 'invited',
            accessLevel: 'viewer',
            joinedAt: null,
            dropbox: { state: 'refused', accessLevel: null, group: null },
          }),
        ],
        'basic',
      ),
    );
    const r = row('Ava Chen');
    expect(within(r).getByText(/Ava Chen is not in the Dropbox folder/)).toBeTruthy();
    userClick(within(r).getByRole('button', { name: 'Invite as Editor instead' }));
    await waitFor(() => expect(calls.map((c) => c.method)).toEqual(['setAccessLevel']));
  });
});

describe('groups', () => {
  it('the revoke confirmation says Dropbox keeps access through the group; the revoked row says it too', () => {
    const group = 'the group "Studio Crew"';
    show(
      detail([
        person('c1', 'Gus Grant', { dropbox: { state: 'member', accessLevel: null, group } }),
        person('c2', 'Leo Vance', { status: 'revoked', endedAt: NOW, endedVia: 'app', dropbox: { state: null, accessLevel: null, group } }),
      ]),
    );
    expect(
      within(row('Leo Vance')).getByText(/Dropbox keeps Leo Vance's access through the group "Studio Crew": remove them from that group in Dropbox/),
    ).toBeTruthy();
    userClick(within(row('Gus Grant')).getByRole('button', { name: 'Revoke Gus Grant' }));
    const dialog = screen.getByRole('dialog');
    expect(
      within(dialog).getByText(/Dropbox keeps Gus Grant's access through the group "Studio Crew": remove them from that group in Dropbox too/),
    ).toBeTruthy();
  });
});
