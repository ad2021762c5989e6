// "Give a heads-up first" (issue 12): before a Revoke or a Revoke All, the owner writes an optional note and picks
// when access ends (now, 24 h, 48 h, 7 days). The collaborator is told at once, with the note, the time and a
// "download the files" action. Also a control of its own on each collaborator's row.
import { useState } from 'preact/hooks';
import { HEADS_UP_NOTE_MAX, type HeadsUpEndsIn } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert, Dialog } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import type { CollaboratorFeatureProps } from './types';

export const id = 'heads-up';

export const ENDS_IN_TEXT: Record<HeadsUpEndsIn, string> = {
  now: 'Now',
  '24h': 'In 24 hours',
  '48h': 'In 48 hours',
  '7d': 'In 7 days',
};

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && collaborator.status === 'active';
}

export function HeadsUpDialog({
  personName,
  what,
  busy,
  error,
  onSend,
  onCancel,
}: {
  personName: string;
  /** “Midnight Drive”, or “3 tracks”. */
  what: string;
  busy: boolean;
  error: string | null;
  onSend: (note: string | null, endsIn: HeadsUpEndsIn) => void;
  onCancel: () => void;
}) {
  const onUserGesture = useUserGesture();
  const [note, setNote] = useState('');
  const [endsIn, setEndsIn] = useState<HeadsUpEndsIn>('48h');
  return (
    <Dialog title={`Give ${personName} a heads-up`} onClose={onCancel} labelId="pd-heads-up-title">
      <p>
        {personName} is told at once that their access to {what} ends, with your note and a link to download the files first. You can cancel it or end
        it early from the collaborator's row.
      </p>
      <label class="pd-field">
        <span>Note (optional)</span>
        <textarea
          class="pd-input"
          rows={3}
          maxLength={HEADS_UP_NOTE_MAX}
          value={note}
          placeholder="Thanks for the work on this one — we're wrapping up the release."
          onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
          aria-label="Heads-up note"
        />
      </label>
      <fieldset class="pd-field">
        <legend>Access ends</legend>
        {(Object.keys(ENDS_IN_TEXT) as HeadsUpEndsIn[]).map((k) => (
          <label key={k} class="pd-radio">
            <input type="radio" name="pd-heads-up-ends" value={k} checked={endsIn === k} onChange={() => setEndsIn(k)} />
            {ENDS_IN_TEXT[k]}
          </label>
        ))}
      </fieldset>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(() => onSend(note.trim() || null, endsIn))} disabled={busy}>
          {busy ? 'Sending…' : endsIn === 'now' ? 'Send and end access now' : 'Send heads-up'}
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
      ctx.notify(
        endsIn === 'now'
          ? `${name}'s access to “${title}” ended. They got your note.`
          : `Heads-up sent: ${name}'s access to “${title}” ends ${ENDS_IN_TEXT[endsIn].toLowerCase()}.`,
        'ok',
      );
      ctx.refresh();
    });
  return (
    <>
      {!initiallyOpen && (
        <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={`Give ${name} a heads-up`}>
          Heads-up
        </button>
      )}
      {open && <HeadsUpDialog personName={name} what={`“${title}”`} busy={busy} error={error} onSend={send} onCancel={close} />}
    </>
  );
}

export const Component = HeadsUpAction;
