// Expiring access (issue 12): the owner gives a collaborator access until a date — set, changed, removed — and can
// end a scheduled end (an expiry or a heads-up) early. At the date PD revokes exactly as a manual revoke.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { Alert, Dialog } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import { when } from '../background/notify';
import type { CollaboratorFeatureProps } from './types';

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
  current,
  busy,
  error,
  onSave,
  onRemove,
  onEndNow,
  onCancel,
}: {
  personName: string;
  what: string;
  current: string | null;
  busy: boolean;
  error: string | null;
  onSave: (iso: string) => void;
  onRemove: (() => void) | null;
  onEndNow: (() => void) | null;
  onCancel: () => void;
}) {
  const onUserGesture = useUserGesture();
  const [value, setValue] = useState(toLocalInput(current ?? new Date(Date.now() + 30 * 86_400_000).toISOString()));
  const iso = fromLocalInput(value);
  return (
    <Dialog title={`When does ${personName}'s access end?`} onClose={onCancel} labelId="pd-expiry-title">
      <p>
        At this time {personName}'s access to {what} ends by itself, exactly as a revoke: their credits, comments and edits stay, the files leave
        their Dropbox, and both of you are notified that it expired. They see the date and are reminded 3 days and 1 day before.
      </p>
      <label class="pd-field">
        <span>Access until</span>
        <input
          class="pd-input"
          type="datetime-local"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          aria-label="Access until"
        />
      </label>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
        {onRemove && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onRemove)} disabled={busy}>
            Remove end date
          </button>
        )}
        {onEndNow && (
          <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onEndNow)} disabled={busy}>
            End access now
          </button>
        )}
        <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(() => iso && onSave(iso))} disabled={busy || !iso}>
          {busy ? 'Saving…' : 'Save end date'}
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
      {headsUp ? `Heads-up sent · access ends ${when(accessExpiresAt)}` : `Access until ${when(accessExpiresAt)}`}
      {headsUp?.note && <span class="pd-muted"> · “{headsUp.note}”</span>}
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
      <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={`End date for ${name}`}>
        {current ? (collaborator.headsUp ? 'Heads-up…' : 'End date…') : 'Set end date'}
      </button>
      {open && (
        <ExpiryDialog
          personName={name}
          what={`“${title}”`}
          current={current}
          busy={busy}
          error={error}
          onSave={(iso) =>
            run(async () => {
              await api.setExpiry({ ...ids, accessExpiresAt: iso });
              done(`${name}'s access to “${title}” ends ${when(iso)}.`);
            })
          }
          onRemove={
            current
              ? () =>
                  run(async () => {
                    await api.setExpiry({ ...ids, accessExpiresAt: null });
                    done(
                      collaborator.headsUp
                        ? `Heads-up cancelled: ${name} keeps access to “${title}”.`
                        : `${name}'s access to “${title}” no longer ends.`,
                    );
                  })
              : null
          }
          onEndNow={
            current
              ? () =>
                  run(async () => {
                    await api.endAccessNow(ids);
                    done(`${name}'s access to “${title}” ended.`);
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
