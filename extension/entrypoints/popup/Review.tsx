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
import { endsInPhrase, HeadsUpDialog } from '../../features/heads-up';
import { formatNumber, formatRelative, t, tn, tNodes } from '../../utils/i18n';
import { RevokeAllAction } from '../../features/revoke-all';

type Pending =
  | null
  | { kind: 'revoke' | 'expiry' | 'heads_up'; ids: string[]; what: string }
  | { kind: 'person-expiry' | 'person-heads-up'; person: ReviewPerson };

const idleText = (days: number) => (days === 0 ? t('review_active_today') : tn('review_idle_days', days));

function TrackRow({ t: track, checked, onToggle }: { t: ReviewTrack; checked: boolean; onToggle: () => void }) {
  return (
    <li
      class={`pd-card-row pd-review-track${track.stale ? ' pd-stale' : ''}`}
      data-track-id={track.trackId}
      data-stale={track.stale ? 'true' : 'false'}
    >
      <label class="pd-spacer">
        <input type="checkbox" checked={checked} onChange={onToggle} aria-label={t('review_select', track.title)} /> <strong>{track.title}</strong>{' '}
        <span class={`pd-chip ${track.released ? '' : 'pd-chip-invited'}`}>{track.released ? t('review_released') : t('review_unreleased')}</span>{' '}
        <span class="pd-small pd-muted">
          {accessText(track.accessLevel)}
          {track.status === 'invited' ? ` · ${t('review_invited')}` : ''} · {idleText(track.idleDays)}
          {track.stale ? ` · ${t('review_stale')}` : ''}
        </span>
        <ScheduleNote accessExpiresAt={track.accessExpiresAt} headsUp={track.headsUp} />
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
  if (!data) return <Spinner label={t('review_loading')} />;

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
  const tracksText = (n: number) => tn('tracks_count', n);
  const ids = [...selected];

  return (
    <section aria-labelledby="pd-review-title">
      <h2 id="pd-review-title" class="pd-title">
        {t('review_title')}
      </h2>
      <p class="pd-small pd-muted">{t('review_intro')}</p>
      {notice && <Alert kind="ok">{notice}</Alert>}
      {act.error && <Alert kind="error">{act.error}</Alert>}
      {ids.length > 0 && (
        <div class="pd-card-row pd-review-actions" role="toolbar" aria-label={t('review_selected_label')}>
          <span class="pd-spacer pd-small">{tn('review_selected', ids.length)}</span>
          <button
            type="button"
            class="pd-btn"
            disabled={act.busy}
            onClick={() => onSelection({ action: 'downgrade', collaboratorIds: ids }, (n) => t('review_downgraded', tracksText(n)))}
          >
            {t('downgrade_to_viewer')}
          </button>
          <button type="button" class="pd-btn" onClick={() => setPending({ kind: 'expiry', ids, what: tracksText(ids.length) })}>
            {t('review_set_end_date')}
          </button>
          <button type="button" class="pd-btn" onClick={() => setPending({ kind: 'heads_up', ids, what: tracksText(ids.length) })}>
            {t('heads_up_button')}
          </button>
          <button
            type="button"
            class="pd-btn pd-btn-danger"
            onClick={onUserGesture(() => setPending({ kind: 'revoke', ids, what: tracksText(ids.length) }))}
          >
            {t('revoke_button')}
          </button>
        </div>
      )}
      {data.people.length === 0 ? (
        <p class="pd-muted">{t('review_nobody')}</p>
      ) : (
        <ul class="pd-list" aria-label={t('review_people')}>
          {data.people.map((p) => (
            <li key={p.personKey} class="pd-card" aria-label={p.displayName} data-person={p.personKey}>
              <div class="pd-card-row">
                <div class="pd-spacer">
                  <strong>{p.displayName}</strong> <span class="pd-small pd-muted">{p.email}</span>
                  <div class="pd-small pd-muted">
                    <span title={p.lastActivityAt ? when(p.lastActivityAt) : undefined}>
                      {p.lastActivityAt ? t('review_last_activity', formatRelative(p.lastActivityAt)) : t('review_no_activity')}
                    </span>{' '}
                    · {tracksText(p.tracks.length)} · {t('review_unreleased_count', formatNumber(p.unreleasedCount))} ·{' '}
                    {t('review_editor_count', formatNumber(p.editorCount))}
                    {p.staleCount > 0 ? ` · ${t('review_stale_count', formatNumber(p.staleCount))}` : ''}
                  </div>
                </div>
              </div>
              <div class="pd-actions">
                <button type="button" class="pd-btn" onClick={() => setPending({ kind: 'person-expiry', person: p })}>
                  {t('review_end_date_all')}
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
          if (!Number.isInteger(n) || n < 1 || n > 365) return act.setError(t('review_idle_invalid'));
          void act.run(async () => {
            const s = await api.setReviewSettings({ idleDays: n });
            await finish(t('review_digest_saved', formatNumber(s.idleDays)));
          });
        }}
      >
        {/* biome-ignore lint/a11y/noLabelWithoutControl: the input is inside the label, placed where the translated sentence puts it (tNodes) */}
        <label class="pd-spacer">
          {tNodes(
            'review_digest_label',
            <input
              key="days"
              class="pd-input pd-input-small"
              type="number"
              min={1}
              max={365}
              placeholder={String(data.settings.idleDays)}
              value={idleDays}
              onInput={(e) => setIdleDays((e.target as HTMLInputElement).value)}
              aria-label={t('review_idle_days_label')}
            />,
          )}
        </label>
        <button type="submit" class="pd-btn" disabled={act.busy || !idleDays}>
          {t('common_save')}
        </button>
      </form>

      {pending?.kind === 'revoke' && (
        <Dialog title={t('review_revoke_title', pending.what)} onClose={() => setPending(null)} labelId="pd-review-revoke-title">
          <p>{t('review_revoke_body')}</p>
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setPending(null)} data-autofocus>
              {t('common_cancel')}
            </button>
            <button
              type="button"
              class="pd-btn pd-btn-danger"
              disabled={act.busy}
              onClick={onUserGesture(() =>
                onSelection({ action: 'revoke', collaboratorIds: pending.ids }, (n) => t('review_revoked_on', tracksText(n))),
              )}
            >
              {t('revoke_access')}
            </button>
          </div>
        </Dialog>
      )}
      {pending?.kind === 'expiry' && (
        <ExpiryDialog
          what={pending.what}
          texts={{ title: t('review_expiry_title', pending.what), body: t('review_expiry_body', pending.what) }}
          current={null}
          busy={act.busy}
          error={act.error}
          onSave={(iso) =>
            onSelection({ action: 'expiry', collaboratorIds: pending.ids, accessExpiresAt: iso }, (n) =>
              t('review_ends_on', when(iso), tracksText(n)),
            )
          }
          onRemove={() =>
            onSelection({ action: 'expiry', collaboratorIds: pending.ids, accessExpiresAt: null }, (n) => t('review_end_removed', tracksText(n)))
          }
          onEndNow={null}
          onCancel={() => setPending(null)}
        />
      )}
      {pending?.kind === 'heads_up' && (
        <HeadsUpDialog
          what={pending.what}
          texts={{ title: t('review_heads_up_title', pending.what), body: t('review_heads_up_body', pending.what) }}
          busy={act.busy}
          error={act.error}
          onSend={(note: string | null, endsIn: HeadsUpEndsIn) =>
            onSelection({ action: 'heads_up', collaboratorIds: pending.ids, note, endsIn }, (n) =>
              t('review_heads_up_sent', tracksText(n), endsInPhrase(endsIn)),
            )
          }
          onCancel={() => setPending(null)}
        />
      )}
      {pending?.kind === 'person-expiry' && (
        <ExpiryDialog
          personName={pending.person.displayName}
          what={t('review_every_track', tracksText(pending.person.tracks.length))}
          current={null}
          busy={act.busy}
          error={act.error}
          onSave={(iso) =>
            act.run(async () => {
              const res = await api.setPersonExpiry({ personKey: pending.person.personKey, accessExpiresAt: iso });
              await finish(t('review_person_ends', pending.person.displayName, when(iso), tracksText(res.changedCount)));
            })
          }
          onRemove={() =>
            act.run(async () => {
              const res = await api.setPersonExpiry({ personKey: pending.person.personKey, accessExpiresAt: null });
              await finish(t('review_end_removed', tracksText(res.changedCount)));
            })
          }
          onEndNow={null}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}
