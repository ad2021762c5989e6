// Revoke All: the owner ends one person's access to every track they share with them, in one step.
// The confirmation says how many tracks it affects; afterwards the progress shows the Dropbox side until done.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DropboxChangeSummary, SharedTrack } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert, Dialog, Spinner } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import { errorMessage, type PdApi } from '../utils/messaging';
import { endsInPhrase, HeadsUpDialog } from './heads-up';
import { formatNumber, t, tn, tNodes } from '../utils/i18n';

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
    <Dialog title={t('revoke_all_title', person.displayName)} onClose={onCancel} labelId="pd-revoke-all-title">
      <p>{tNodes('revoke_all_body', person.displayName, <strong key="n">{tn('tracks_count', n)}</strong>)}</p>
      <ul>
        {tracks.map((t) => (
          <li key={t.trackId}>{t.title}</li>
        ))}
      </ul>
      <p class="pd-small">{t('revoke_all_effects')}</p>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          {t('common_cancel')}
        </button>
        {onHeadsUp && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onHeadsUp)} disabled={busy || n === 0}>
            {t('give_heads_up_first')}
          </button>
        )}
        <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onConfirm)} disabled={busy || n === 0}>
          {busy ? t('revoke_revoking') : t('revoke_all_confirm', formatNumber(n))}
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
        {failed
          ? t('revoke_all_progress_failed', tn('tracks_count', revoked), formatNumber(done), formatNumber(revoked), formatNumber(failed))
          : t('revoke_all_progress', tn('tracks_count', revoked), formatNumber(done), formatNumber(revoked))}
      </div>
      <div
        class="pd-progress"
        role="progressbar"
        aria-label={t('revoke_all_progress_label')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
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
          aria-label={t('revoke_all_label', person.displayName)}
        >
          {phase.step === 'counting' ? t('revoke_all_counting') : t('revoke_all')}
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
          what={phase.tracks.length === 1 ? t('common_quoted', phase.tracks[0]?.title ?? '') : tn('tracks_count', phase.tracks.length)}
          busy={busy}
          error={error}
          onSend={(note, endsIn) =>
            run(async () => {
              const res = await api.headsUpPerson({ personKey: person.personKey, note, endsIn });
              setPhase({ step: 'idle' });
              setHeadsUpSent(
                endsIn === 'now'
                  ? t('revoke_all_heads_up_ended', person.displayName, tn('tracks_count', res.changedCount))
                  : t('revoke_all_heads_up_sent', person.displayName, tn('tracks_count', res.changedCount), endsInPhrase(endsIn)),
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
          <Spinner label={t('revoke_all_revoking', person.displayName)} />
          <RevokeAllProgress revoked={phase.revoked} done={phase.done} failed={phase.failed} />
          {phase.problem && <Alert kind="warn">{t('revoke_all_check_problem', phase.problem)}</Alert>}
        </div>
      )}
      {phase.step === 'finished' && (
        <Alert kind={phase.failed ? 'warn' : 'ok'}>
          {phase.revoked === 0
            ? t('revoke_all_nothing', person.displayName)
            : phase.failed
              ? t('revoke_all_some_failed', tn('tracks_count', phase.revoked), formatNumber(phase.failed))
              : t('revoke_all_done', person.displayName, tn('tracks_count', phase.revoked))}
        </Alert>
      )}
    </span>
  );
}

export const Component = RevokeAllAction;
