// "Give a heads-up first" (issue 12): before a Revoke or a Revoke All, the owner writes an optional note and picks
// when access ends (now, 24 h, 48 h, 7 days). The collaborator is told at once, with the note, the time and a
// "download the files" action. Also a control of its own on each collaborator's row.
import { useState } from 'preact/hooks';
import type { HeadsUpEndsIn } from '@pd/shared';
import { HEADS_UP_ENDS_IN, HEADS_UP_NOTE_MAX } from '@pd/shared/limits';
import { useApi } from '../components/api-context';
import { Alert, Dialog } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import type { Addressee, CollaboratorFeatureProps } from './types';
import { type MessageKey, t } from '../utils/i18n';

export const id = 'heads-up';

export const ENDS_IN: readonly HeadsUpEndsIn[] = HEADS_UP_ENDS_IN;
const ENDS_IN_KEYS = {
  now: ['ends_now', 'ends_in_now'],
  '24h': ['ends_24h', 'ends_in_24h'],
  '48h': ['ends_48h', 'ends_in_48h'],
  '7d': ['ends_7d', 'ends_in_7d'],
} as const satisfies Record<HeadsUpEndsIn, readonly [MessageKey, MessageKey]>;
/** The choice as a label ("In 24 hours"). */
export function endsInLabel(k: HeadsUpEndsIn): string {
  return t(ENDS_IN_KEYS[k][0]);
}
/** The choice inside a sentence ("… ends in 24 hours"). */
export function endsInPhrase(k: HeadsUpEndsIn): string {
  return t(ENDS_IN_KEYS[k][1]);
}

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && collaborator.status === 'active';
}

export function HeadsUpDialog({
  personName,
  what,
  texts,
  busy,
  error,
  onSend,
  onCancel,
}: {
  /** “Midnight Drive”, or “3 tracks”. */
  what: string;
  busy: boolean;
  error: string | null;
  onSend: (note: string | null, endsIn: HeadsUpEndsIn) => void;
  onCancel: () => void;
} & Addressee) {
  const onUserGesture = useUserGesture();
  const [note, setNote] = useState('');
  const [endsIn, setEndsIn] = useState<HeadsUpEndsIn>('48h');
  return (
    <Dialog title={texts?.title ?? t('heads_up_title', personName ?? '')} onClose={onCancel} labelId="pd-heads-up-title">
      <p>{texts?.body ?? t('heads_up_body', personName ?? '', what)}</p>
      <label class="pd-field">
        <span>{t('heads_up_note')}</span>
        <textarea
          class="pd-input"
          rows={3}
          maxLength={HEADS_UP_NOTE_MAX}
          value={note}
          placeholder={t('heads_up_note_placeholder')}
          onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
          aria-label={t('heads_up_note_label')}
        />
      </label>
      <fieldset class="pd-field">
        <legend>{t('heads_up_access_ends')}</legend>
        {ENDS_IN.map((k) => (
          <label key={k} class="pd-radio">
            <input type="radio" name="pd-heads-up-ends" value={k} checked={endsIn === k} onChange={() => setEndsIn(k)} />
            {endsInLabel(k)}
          </label>
        ))}
      </fieldset>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          {t('common_cancel')}
        </button>
        <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(() => onSend(note.trim() || null, endsIn))} disabled={busy}>
          {busy ? t('common_sending') : endsIn === 'now' ? t('heads_up_send_end_now') : t('heads_up_send')}
        </button>
      </div>
    </Dialog>
  );
}

/** The heads-up control of one collaborator (also opened from the Revoke confirmation). */
export function HeadsUpAction({
  ctx,
  collaborator,
  initiallyOpen = false,
  onClose,
}: CollaboratorFeatureProps & { initiallyOpen?: boolean; onClose?: () => void }) {
  const api = useApi();
  const [open, setOpen] = useState(initiallyOpen);
  const { busy, error, run } = useAction();
  const onUserGesture = useUserGesture();
  const name = collaborator.displayName;
  const title = ctx.detail.track.title;
  const close = () => {
    setOpen(false);
    onClose?.();
  };
  const send = (note: string | null, endsIn: HeadsUpEndsIn) =>
    run(async () => {
      await api.headsUp({ trackId: ctx.detail.track.id, collaboratorId: collaborator.id, note, endsIn });
      close();
      ctx.notify(endsIn === 'now' ? t('heads_up_ended', name, title) : t('heads_up_sent', name, title, endsInPhrase(endsIn)), 'ok');
      ctx.refresh();
    });
  return (
    <>
      {!initiallyOpen && (
        <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={t('heads_up_label', name)}>
          {t('heads_up_button')}
        </button>
      )}
      {open && <HeadsUpDialog personName={name} what={t('common_quoted', title)} busy={busy} error={error} onSend={send} onCancel={close} />}
    </>
  );
}

export const Component = HeadsUpAction;
