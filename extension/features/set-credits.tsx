// Role not set → Set role & splits (issue 11 item 4): people found in Dropbox (imported, or added there) arrive
// without a creative role or splits; the owner gives them credits here. Also for anyone whose role is not set.
import { useState } from 'preact/hooks';
import type { Splits } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Dialog } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import type { CollaboratorFeatureProps } from './types';

export const id = 'set-credits';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && !collaborator.role;
}

const KINDS = ['master', 'publishing', 'writer'] as const;
const LABEL: Record<(typeof KINDS)[number], string> = { master: 'Master', publishing: 'Publishing', writer: 'Writer' };

/** "12.5" → 12.5; anything not a split (empty, negative, over 100, more than two decimals) → null. */
export function parseSplit(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(t)) return null;
  const n = Number(t);
  return n >= 0 && n <= 100 ? n : null;
}

export function SetCreditsAction({ ctx, collaborator }: CollaboratorFeatureProps) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState(collaborator.role ?? '');
  const [splits, setSplits] = useState<Record<(typeof KINDS)[number], string>>({
    master: String(collaborator.splits.master),
    publishing: String(collaborator.splits.publishing),
    writer: String(collaborator.splits.writer),
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const { busy, run } = useRowAction(ctx);
  const onUserGesture = useUserGesture();
  const name = collaborator.displayName;
  const trackId = ctx.detail.track.id;

  const save = () => {
    const parsed = Object.fromEntries(KINDS.map((k) => [k, parseSplit(splits[k])])) as Record<(typeof KINDS)[number], number | null>;
    const bad = KINDS.find((k) => parsed[k] === null);
    if (bad) {
      setInvalid(`${LABEL[bad]} split: a number from 0 to 100, at most two decimals.`);
      return;
    }
    setInvalid(null);
    const next = parsed as Splits;
    const trimmed = role.trim();
    return run(
      async () => {
        if (trimmed !== (collaborator.role ?? '')) {
          await api.setRole({ trackId, collaboratorId: collaborator.id, role: trimmed || null });
        }
        if (KINDS.some((k) => next[k] !== collaborator.splits[k])) {
          const res = await api.setSplits({ trackId, collaborators: [{ collaboratorId: collaborator.id, ...next }] });
          const over = res.warnings.map((w) => w.replace('_over_allocated', '')).join(', ');
          if (over) ctx.notify(`${name}'s credits are saved. Splits are now over 100% (${over}).`, 'warn');
          else ctx.notify(`${name}'s credits are saved.`, 'ok');
        } else {
          ctx.notify(`${name}'s credits are saved.`, 'ok');
        }
        setOpen(false);
        ctx.refresh();
      },
      () => setOpen(false),
    );
  };

  return (
    <>
      <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={`Set role and splits for ${name}`}>
        Set role & splits
      </button>
      {open && (
        <Dialog title={`Credits for ${name} on “${ctx.detail.track.title}”`} onClose={() => setOpen(false)} labelId="pd-credits-title">
          <label class="pd-field">
            Role
            <input
              type="text"
              class="pd-input"
              maxLength={50}
              placeholder="producer, vocalist, engineer…"
              value={role}
              onInput={(e) => setRole((e.target as HTMLInputElement).value)}
              data-autofocus
            />
          </label>
          <div class="pd-split-fields">
            {KINDS.map((k) => (
              <label class="pd-field" key={k}>
                {LABEL[k]} %
                <input
                  type="text"
                  inputMode="decimal"
                  class="pd-input"
                  value={splits[k]}
                  onInput={(e) => setSplits({ ...splits, [k]: (e.target as HTMLInputElement).value })}
                />
              </label>
            ))}
          </div>
          {invalid && (
            <p class="pd-alert pd-alert-error" role="alert">
              {invalid}
            </p>
          )}
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </button>
            <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(() => void save())} disabled={busy}>
              {busy ? 'Saving…' : 'Save credits'}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

export const Component = SetCreditsAction;
