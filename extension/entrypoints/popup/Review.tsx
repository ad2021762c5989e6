// Stale-access review (issue 12): who can still open my tracks, unreleased or released, last activity — riskiest
// first — with the actions on one track or a selection: revoke, Revoke All, downgrade, end date, heads-up.
import { useState } from 'preact/hooks';
import type { HeadsUpEndsIn, ReviewActionBody, ReviewPerson, ReviewTrack } from '@pd/shared';
import { useApi } from '../../components/api-context';
import { accessText, Alert, Dialog, Spinner } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-action';
import { useUserGesture } from '../../components/user-gesture';
import { when } from '../../background/notify';
import { ExpiryDialog, ScheduleNote } from '../../features/expiry';
import { ENDS_IN_TEXT, HeadsUpDialog } from '../../features/heads-up';
import { RevokeAllAction } from '../../features/revoke-all';

type Pending =
  | null
  | { kind: 'revoke' | 'expiry' | 'heads_up'; ids: string[]; personName: string; what: string }
  | { kind: 'person-expiry' | 'person-heads-up'; person: ReviewPerson };

const idleText = (days: number) => (days === 0 ? 'active today' : days === 1 ? 'idle 1 day' : `idle ${days} days`);

function TrackRow({ t, checked, onToggle }: { t: ReviewTrack; checked: boolean; onToggle: () => void }) {
  return (
    <li class={`pd-card-row pd-review-track${t.stale ? ' pd-stale' : ''}`} data-track-id={t.trackId} data-stale={t.stale ? 'true' : 'false'}>
      <label class="pd-spacer">
        <input type="checkbox" checked={checked} onChange={onToggle} aria-label={`Select ${t.title}`} /> <strong>{t.title}</strong>{' '}
        <span class={`pd-chip ${t.released ? '' : 'pd-chip-invited'}`}>{t.released ? 'Released' : 'Unreleased'}</span>{' '}
        <span class="pd-small pd-muted">
          {accessText(t.accessLevel)}
          {t.status === 'invited' ? ' · invited' : ''} · {idleText(t.idleDays)}
          {t.stale ? ' · stale' : ''}
        </span>
        <ScheduleNote accessExpiresAt={t.accessExpiresAt} headsUp={t.headsUp} />
      </label>
    </li>
  );
}

export function Review() {
  const api = useApi();
  const onUserGesture = useUserGesture();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [idleDays, setIdleDays] = useState<string>('');
  const act = useAction();
  const { data, error, reload } = useLoad(() => api.getReview(), [api]);

  if (error) return <Alert kind="error">{error}</Alert>;
  if (!data) return <Spinner label="Loading the review…" />;

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const finish = async (message: string) => {
    setPending(null);
    setSelected(new Set());
    setNotice(message);
    await reload();
  };
  const onSelection = (body: ReviewActionBody, say: (n: number) => string) =>
    act.run(async () => {
      const res = await api.reviewAction(body);
      await finish(say(res.changedCount));
    });
  const tracksText = (n: number) => (n === 1 ? '1 track' : `${n} tracks`);
  const ids = [...selected];

  return (
    <section aria-labelledby="pd-review-title">
      <h2 id="pd-review-title" class="pd-title">
        Access review
      </h2>
      <p class="pd-small pd-muted">
        Everyone who can still open your tracks, riskiest first: unreleased tracks, Editors, longest idle. Last activity is their last comment, edit,
        upload or sign-in PD saw.
      </p>
      {notice && <Alert kind="ok">{notice}</Alert>}
      {act.error && <Alert kind="error">{act.error}</Alert>}
      {ids.length > 0 && (
        <div class="pd-card-row pd-review-actions" role="toolbar" aria-label="Selected tracks">
          <span class="pd-spacer pd-small">{tracksText(ids.length)} selected</span>
          <button
            type="button"
            class="pd-btn"
            disabled={act.busy}
            onClick={() => onSelection({ action: 'downgrade', collaboratorIds: ids }, (n) => `Downgraded to Viewer on ${tracksText(n)}.`)}
          >
            Downgrade to Viewer
          </button>
          <button type="button" class="pd-btn" onClick={() => setPending({ kind: 'expiry', ids, personName: 'them', what: tracksText(ids.length) })}>
            Set end date
          </button>
          <button
            type="button"
            class="pd-btn"
            onClick={() => setPending({ kind: 'heads_up', ids, personName: 'them', what: tracksText(ids.length) })}
          >
            Heads-up
          </button>
          <button
            type="button"
            class="pd-btn pd-btn-danger"
            onClick={onUserGesture(() => setPending({ kind: 'revoke', ids, personName: 'them', what: tracksText(ids.length) }))}
          >
            Revoke
          </button>
        </div>
      )}
      {data.people.length === 0 ? (
        <p class="pd-muted">Nobody has access to your tracks.</p>
      ) : (
        <ul class="pd-list" aria-label="People with access">
          {data.people.map((p) => (
            <li key={p.personKey} class="pd-card" aria-label={p.displayName} data-person={p.personKey}>
              <div class="pd-card-row">
                <div class="pd-spacer">
                  <strong>{p.displayName}</strong> <span class="pd-small pd-muted">{p.email}</span>
                  <div class="pd-small pd-muted">
                    {p.lastActivityAt ? `Last activity ${when(p.lastActivityAt)}` : 'No activity yet'} · {tracksText(p.tracks.length)} ·{' '}
                    {p.unreleasedCount} unreleased · {p.editorCount} as Editor
                    {p.staleCount > 0 ? ` · ${p.staleCount} stale` : ''}
                  </div>
                </div>
              </div>
              <div class="pd-actions">
                <button type="button" class="pd-btn" onClick={() => setPending({ kind: 'person-expiry', person: p })}>
                  End date for all
                </button>
                <RevokeAllAction compact person={{ personKey: p.personKey, displayName: p.displayName }} onDone={() => void reload()} />
              </div>
              <ul class="pd-list">
                {p.tracks.map((t) => (
                  <TrackRow key={t.collaboratorId} t={t} checked={selected.has(t.collaboratorId)} onToggle={() => toggle(t.collaboratorId)} />
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <form
        class="pd-card-row pd-small"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(idleDays);
          if (!Number.isInteger(n) || n < 1 || n > 365) return act.setError('The idle threshold is a whole number of days, 1 to 365.');
          void act.run(async () => {
            const s = await api.setReviewSettings({ idleDays: n });
            await finish(`Weekly digest: idle for more than ${s.idleDays} days.`);
          });
        }}
      >
        <label class="pd-spacer">
          Weekly digest when an Editor of an unreleased track is idle for more than{' '}
          <input
            class="pd-input pd-input-small"
            type="number"
            min={1}
            max={365}
            placeholder={String(data.settings.idleDays)}
            value={idleDays}
            onInput={(e) => setIdleDays((e.target as HTMLInputElement).value)}
            aria-label="Idle days"
          />{' '}
          days
        </label>
        <button type="submit" class="pd-btn" disabled={act.busy || !idleDays}>
          Save
        </button>
      </form>

      {pending?.kind === 'revoke' && (
        <Dialog title={`Revoke access on ${pending.what}?`} onClose={() => setPending(null)} labelId="pd-review-revoke-title">
          <p>Access ends at once on each selected track, as a Revoke: their credits, comments and edits stay; they are notified.</p>
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setPending(null)} data-autofocus>
              Cancel
            </button>
            <button
              type="button"
              class="pd-btn pd-btn-danger"
              disabled={act.busy}
              onClick={onUserGesture(() => onSelection({ action: 'revoke', collaboratorIds: pending.ids }, (n) => `Revoked on ${tracksText(n)}.`))}
            >
              Revoke access
            </button>
          </div>
        </Dialog>
      )}
      {pending?.kind === 'expiry' && (
        <ExpiryDialog
          personName={pending.personName}
          what={pending.what}
          current={null}
          busy={act.busy}
          error={act.error}
          onSave={(iso) =>
            onSelection(
              { action: 'expiry', collaboratorIds: pending.ids, accessExpiresAt: iso },
              (n) => `Access ends ${when(iso)} on ${tracksText(n)}.`,
            )
          }
          onRemove={() =>
            onSelection({ action: 'expiry', collaboratorIds: pending.ids, accessExpiresAt: null }, (n) => `End date removed on ${tracksText(n)}.`)
          }
          onEndNow={null}
          onCancel={() => setPending(null)}
        />
      )}
      {pending?.kind === 'heads_up' && (
        <HeadsUpDialog
          personName={pending.personName}
          what={pending.what}
          busy={act.busy}
          error={act.error}
          onSend={(note: string | null, endsIn: HeadsUpEndsIn) =>
            onSelection(
              { action: 'heads_up', collaboratorIds: pending.ids, note, endsIn },
              (n) => `Heads-up sent on ${tracksText(n)}: access ends ${ENDS_IN_TEXT[endsIn].toLowerCase()}.`,
            )
          }
          onCancel={() => setPending(null)}
        />
      )}
      {pending?.kind === 'person-expiry' && (
        <ExpiryDialog
          personName={pending.person.displayName}
          what={`every track you share with them (${tracksText(pending.person.tracks.length)})`}
          current={null}
          busy={act.busy}
          error={act.error}
          onSave={(iso) =>
            act.run(async () => {
              const res = await api.setPersonExpiry({ personKey: pending.person.personKey, accessExpiresAt: iso });
              await finish(`${pending.person.displayName}'s access ends ${when(iso)} on ${tracksText(res.changedCount)}.`);
            })
          }
          onRemove={() =>
            act.run(async () => {
              const res = await api.setPersonExpiry({ personKey: pending.person.personKey, accessExpiresAt: null });
              await finish(`End date removed on ${tracksText(res.changedCount)}.`);
            })
          }
          onEndNow={null}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}
