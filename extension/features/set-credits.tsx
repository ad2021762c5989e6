// Role not set → Set role & splits (issue 11 item 4): people found in Dropbox (imported, or added there) arrive
// without a creative role or splits; the owner gives them credits here. Also for anyone whose role is not set.
import { useState } from 'preact/hooks';
import type { Splits } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Dialog } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import type { CollaboratorFeatureProps } from './types';
import { type MessageKey, t } from '../utils/i18n';

export const id = 'set-credits';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && !collaborator.role;
}

const KINDS = ['master', 'publishing', 'writer'] as const;
const LABEL_KEY = { master: 'split_master', publishing: 'split_publishing', writer: 'split_writer' } as const satisfies Record<
  (typeof KINDS)[number],
  MessageKey
>;

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
      setInvalid(t('credits_invalid', t(LABEL_KEY[bad])));
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
          const over = res.warnings
            .map((w) => w.replace('_over_allocated', ''))
            .map((k) => (k in LABEL_KEY ? t(LABEL_KEY[k as keyof typeof LABEL_KEY]) : k))
            .join(', ');
          if (over) ctx.notify(t('credits_saved_over', name, over), 'warn');
          else ctx.notify(t('credits_saved', name), 'ok');
        } else {
          ctx.notify(t('credits_saved', name), 'ok');
        }
        setOpen(false);
        ctx.refresh();
      },
      () => setOpen(false),
    );
  };

  return (
    <>
      <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={t('credits_label', name)}>
        {t('credits_button')}
      </button>
      {open && (
        <Dialog title={t('credits_title', name, ctx.detail.track.title)} onClose={() => setOpen(false)} labelId="pd-credits-title">
          <label class="pd-field">
            {t('credits_role')}
            <input
              type="text"
              class="pd-input"
              maxLength={50}
              placeholder={t('credits_role_placeholder')}
              value={role}
              onInput={(e) => setRole((e.target as HTMLInputElement).value)}
              data-autofocus
            />
          </label>
          <div class="pd-split-fields">
            {KINDS.map((k) => (
              <label class="pd-field" key={k}>
                {t('credits_split_field', t(LABEL_KEY[k]))}
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
              {t('common_cancel')}
            </button>
            <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(() => void save())} disabled={busy}>
              {busy ? t('common_saving') : t('credits_save')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

export const Component = SetCreditsAction;
