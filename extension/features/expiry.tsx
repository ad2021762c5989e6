// Expiring access (issue 12): the owner gives a collaborator access until a date — set, changed, removed — and can
// end a scheduled end (an expiry or a heads-up) early. At the date PD revokes exactly as a manual revoke.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { Alert, Dialog } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import { when } from '../background/notify';
import type { Addressee, CollaboratorFeatureProps } from './types';
import { t } from '../utils/i18n';

export const id = 'expiry';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && (collaborator.status === 'active' || collaborator.status === 'invited');
}

/** `<input type="datetime-local">` value (local time, minutes) ↔ ISO-8601 UTC. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function ExpiryDialog({
  personName,
  what,
  texts,
  current,
  busy,
  error,
  onSave,
  onRemove,
  onEndNow,
  onCancel,
}: {
  what: string;
  current: string | null;
  busy: boolean;
  error: string | null;
  onSave: (iso: string) => void;
  onRemove: (() => void) | null;
  onEndNow: (() => void) | null;
  onCancel: () => void;
} & Addressee) {
  const onUserGesture = useUserGesture();
  const [value, setValue] = useState(toLocalInput(current ?? new Date(Date.now() + 30 * 86_400_000).toISOString()));
  const iso = fromLocalInput(value);
  return (
    <Dialog title={texts?.title ?? t('expiry_title', personName ?? '')} onClose={onCancel} labelId="pd-expiry-title">
      <p>{texts?.body ?? t('expiry_body', personName ?? '', what)}</p>
      <label class="pd-field">
        <span>{t('expiry_until')}</span>
        <input
          class="pd-input"
          type="datetime-local"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          aria-label={t('expiry_until')}
        />
      </label>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          {t('common_cancel')}
        </button>
        {onRemove && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onRemove)} disabled={busy}>
            {t('expiry_remove')}
          </button>
        )}
        {onEndNow && (
          <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onEndNow)} disabled={busy}>
            {t('expiry_end_now')}
          </button>
        )}
        <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(() => iso && onSave(iso))} disabled={busy || !iso}>
          {busy ? t('common_saving') : t('expiry_save')}
        </button>
      </div>
    </Dialog>
  );
}

/** What a collaborator row says about a scheduled end. */
export function ScheduleNote({ accessExpiresAt, headsUp }: { accessExpiresAt: string | null | undefined; headsUp?: { note: string | null } | null }) {
  if (!accessExpiresAt) return null;
  return (
    <div class="pd-small pd-schedule" data-schedule={headsUp ? 'heads-up' : 'expiry'}>
      {headsUp ? t('expiry_note_heads_up', when(accessExpiresAt)) : t('expiry_note_until', when(accessExpiresAt))}
      {headsUp?.note && <span class="pd-muted"> · {t('common_quoted', headsUp.note)}</span>}
    </div>
  );
}

export function ExpiryAction({ ctx, collaborator }: CollaboratorFeatureProps) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useAction();
  const onUserGesture = useUserGesture();
  const name = collaborator.displayName;
  const title = ctx.detail.track.title;
  const current = collaborator.accessExpiresAt ?? null;
  const ids = { trackId: ctx.detail.track.id, collaboratorId: collaborator.id };
  const done = (message: string) => {
    setOpen(false);
    ctx.notify(message, 'ok');
    ctx.refresh();
  };
  return (
    <>
      <ScheduleNote accessExpiresAt={current} headsUp={collaborator.headsUp ?? null} />
      <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={t('expiry_label', name)}>
        {current ? (collaborator.headsUp ? t('expiry_button_heads_up') : t('expiry_button_end_date')) : t('expiry_button_set')}
      </button>
      {open && (
        <ExpiryDialog
          personName={name}
          what={t('common_quoted', title)}
          current={current}
          busy={busy}
          error={error}
          onSave={(iso) =>
            run(async () => {
              await api.setExpiry({ ...ids, accessExpiresAt: iso });
              done(t('expiry_saved', name, title, when(iso)));
            })
          }
          onRemove={
            current
              ? () =>
                  run(async () => {
                    await api.setExpiry({ ...ids, accessExpiresAt: null });
                    done(collaborator.headsUp ? t('expiry_heads_up_cancelled', name, title) : t('expiry_removed', name, title));
                  })
              : null
          }
          onEndNow={
            current
              ? () =>
                  run(async () => {
                    await api.endAccessNow(ids);
                    done(t('expiry_ended', name, title));
                  })
              : null
          }
          onCancel={() => setOpen(false)}
        />
      )}
    </>
  );
}

export const Component = ExpiryAction;
