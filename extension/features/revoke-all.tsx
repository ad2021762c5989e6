// Revoke All: the owner ends one person's access to every track they share with them, in one step.
// The confirmation says how many tracks it affects; afterwards the progress shows the Dropbox side until done.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DropboxChangeSummary, SharedTrack } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert, Dialog, Spinner } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import { errorMessage, type PdApi } from '../utils/messaging';
import { ENDS_IN_TEXT, HeadsUpDialog } from './heads-up';

export const id = 'revoke-all';

export interface RevokeAllPerson {
  personKey: string;
  displayName: string;
}

type Phase =
  | { step: 'idle' }
  | { step: 'counting' }
  | { step: 'confirm'; tracks: SharedTrack[] }
  | { step: 'heads-up'; tracks: SharedTrack[] }
  | {
      step: 'dropbox';
      revoked: number;
      tracks: { trackId: string; title: string; collaboratorId: string | null }[];
      done: number;
      failed: number;
      problem: string | null;
    }
  | { step: 'finished'; revoked: number; failed: number };

/** Whether this person's Dropbox removal on one track is still running, done, or failed. */
export function dropboxState(changes: DropboxChangeSummary[], collaboratorId: string | null): 'pending' | 'done' | 'failed' {
  const mine = changes.filter((c) => c.kind === 'remove_member' && (collaboratorId === null || c.collaboratorId === collaboratorId));
  if (mine.some((c) => c.status === 'failed')) return 'failed';
  if (mine.some((c) => c.status === 'pending' || c.status === 'running')) return 'pending';
  return 'done';
}

async function checkDropbox(api: PdApi, tracks: { trackId: string; collaboratorId: string | null }[]) {
  let done = 0;
  let failed = 0;
  let problem: string | null = null;
  for (const t of tracks) {
    try {
      const d = await api.getTrack({ trackId: t.trackId });
      const s = dropboxState(d.dropboxChanges, t.collaboratorId);
      if (s === 'done') done++;
      if (s === 'failed') failed++;
    } catch (err) {
      // A track we cannot read right now counts as still pending; the next round asks again.
      problem = errorMessage(err);
    }
  }
  return { done, failed, problem };
}

export function RevokeAllConfirmation({
  person,
  tracks,
  busy,
  error,
  onConfirm,
  onHeadsUp,
  onCancel,
}: {
  person: RevokeAllPerson;
  tracks: Pick<SharedTrack, 'trackId' | 'title'>[];
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  /** Issue 12: "Give a heads-up first" for all these tracks. */
  onHeadsUp?: (() => void) | null;
  onCancel: () => void;
}) {
  const onUserGesture = useUserGesture();
  const n = tracks.length;
  return (
    <Dialog title={`Revoke all of ${person.displayName}'s access?`} onClose={onCancel} labelId="pd-revoke-all-title">
      <p>
        This revokes {person.displayName}'s access to <strong>{n === 1 ? '1 track' : `${n} tracks`}</strong> you share with them:
      </p>
      <ul>
        {tracks.map((t) => (
          <li key={t.trackId}>{t.title}</li>
        ))}
      </ul>
      <p class="pd-small">Each track leaves their library and their Dropbox. Their comments, edits and credits stay. They are notified.</p>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
        {onHeadsUp && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onHeadsUp)} disabled={busy || n === 0}>
            Give a heads-up first
          </button>
        )}
        <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onConfirm)} disabled={busy || n === 0}>
          {busy ? 'Revoking…' : `Revoke All (${n})`}
        </button>
      </div>
    </Dialog>
  );
}

export function RevokeAllProgress({ revoked, done, failed }: { revoked: number; done: number; failed: number }) {
  const pct = revoked === 0 ? 100 : Math.round(((done + failed) / revoked) * 100);
  return (
    <div class="pd-small">
      <div>
        Revoked in Producer Dashboard: {revoked === 1 ? '1 track' : `${revoked} tracks`}. Removing from Dropbox: {done} of {revoked} done
        {failed ? `, ${failed} failed` : ''}.
      </div>
      <div class="pd-progress" role="progressbar" aria-label="Revoke All progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function RevokeAllAction({
  person,
  onDone,
  onStart,
  pollMs = 1000,
  compact = false,
}: {
  person: RevokeAllPerson;
  onDone?: (revoked: number) => void;
  /** The owner opened the Revoke All confirmation: the caller keeps this row on screen until it is done. */
  onStart?: () => void;
  pollMs?: number;
  compact?: boolean;
}) {
  const api = useApi();
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const [countError, setCountError] = useState<string | null>(null);
  const [headsUpSent, setHeadsUpSent] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const onUserGesture = useUserGesture();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const open = async () => {
    onStart?.();
    setCountError(null);
    setHeadsUpSent(null);
    setPhase({ step: 'counting' });
    try {
      const sharing = await api.getSharing();
      const p = sharing.people.find((x) => x.personKey === person.personKey);
      setPhase({ step: 'confirm', tracks: p?.tracks ?? [] });
    } catch (err) {
      setCountError(errorMessage(err));
      setPhase({ step: 'idle' });
    }
  };

  const poll = (tracks: { trackId: string; title: string; collaboratorId: string | null }[], revoked: number) => {
    void checkDropbox(api, tracks).then(({ done, failed, problem }) => {
      if (done + failed >= tracks.length) {
        setPhase({ step: 'finished', revoked, failed });
        onDone?.(revoked);
        return;
      }
      setPhase({ step: 'dropbox', revoked, tracks, done, failed, problem });
      timer.current = setTimeout(() => poll(tracks, revoked), pollMs);
    });
  };

  const confirm = (tracks: SharedTrack[]) =>
    run(async () => {
      const res = await api.revokeAll({ personKey: person.personKey });
      const byId = new Map(tracks.map((t) => [t.trackId, t]));
      const revokedTracks = res.trackIds.map((trackId) => ({
        trackId,
        title: byId.get(trackId)?.title ?? trackId,
        collaboratorId: byId.get(trackId)?.collaboratorId ?? null,
      }));
      setPhase({ step: 'dropbox', revoked: res.revokedCount, tracks: revokedTracks, done: 0, failed: 0, problem: null });
      poll(revokedTracks, res.revokedCount);
    });

  return (
    <span class="pd-revoke-all">
      {(phase.step === 'idle' || phase.step === 'counting' || phase.step === 'confirm' || phase.step === 'heads-up') && (
        <button
          type="button"
          class={compact ? 'pd-btn' : 'pd-btn pd-btn-danger'}
          onClick={onUserGesture(open)}
          disabled={phase.step === 'counting'}
          aria-label={`Revoke All for ${person.displayName}`}
        >
          {phase.step === 'counting' ? 'Counting…' : 'Revoke All'}
        </button>
      )}
      {countError && <Alert kind="error">{countError}</Alert>}
      {phase.step === 'confirm' && (
        <RevokeAllConfirmation
          person={person}
          tracks={phase.tracks}
          busy={busy}
          error={error}
          onConfirm={() => confirm(phase.tracks)}
          onHeadsUp={() => setPhase({ step: 'heads-up', tracks: phase.tracks })}
          onCancel={() => setPhase({ step: 'idle' })}
        />
      )}
      {phase.step === 'heads-up' && (
        <HeadsUpDialog
          personName={person.displayName}
          what={phase.tracks.length === 1 ? `“${phase.tracks[0]?.title ?? ''}”` : `${phase.tracks.length} tracks`}
          busy={busy}
          error={error}
          onSend={(note, endsIn) =>
            run(async () => {
              const res = await api.headsUpPerson({ personKey: person.personKey, note, endsIn });
              setPhase({ step: 'idle' });
              setHeadsUpSent(
                endsIn === 'now'
                  ? `${person.displayName}'s access ended on ${res.changedCount === 1 ? '1 track' : `${res.changedCount} tracks`}. They got your note.`
                  : `Heads-up sent to ${person.displayName}: access to ${res.changedCount === 1 ? '1 track' : `${res.changedCount} tracks`} ends ${ENDS_IN_TEXT[endsIn].toLowerCase()}.`,
              );
              onDone?.(0);
            })
          }
          onCancel={() => setPhase({ step: 'idle' })}
        />
      )}
      {headsUpSent && <Alert kind="ok">{headsUpSent}</Alert>}
      {phase.step === 'dropbox' && (
        <div class="pd-row-note">
          <Spinner label={`Revoking ${person.displayName}'s access…`} />
          <RevokeAllProgress revoked={phase.revoked} done={phase.done} failed={phase.failed} />
          {phase.problem && <Alert kind="warn">Can't check Dropbox's progress right now ({phase.problem}). Still trying…</Alert>}
        </div>
      )}
      {phase.step === 'finished' && (
        <Alert kind={phase.failed ? 'warn' : 'ok'}>
          {phase.revoked === 0
            ? `${person.displayName} had no access left to revoke.`
            : phase.failed
              ? `Revoked on ${phase.revoked} tracks. Dropbox still shows access on ${phase.failed}: open those tracks to retry.`
              : `Done: ${person.displayName} no longer has access to ${phase.revoked === 1 ? '1 track' : `${phase.revoked} tracks`}, in PD and in Dropbox.`}
        </Alert>
      )}
    </span>
  );
}

export const Component = RevokeAllAction;
