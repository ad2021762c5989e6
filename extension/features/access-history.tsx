// A collaborator's access history on the owner's row (issue 11): invited, joined, access changes, and how it ended
// (revoked, left, or ended in Dropbox) — who, when, and where (Producer Dashboard or Dropbox). Paged from the worker.
import { useState } from 'preact/hooks';
import { HistoryList, useHistoryPages } from '../components/KeptHistory';
import type { CollaboratorFeatureProps } from './types';
import { t } from '../utils/i18n';

export function AccessHistory({ ctx, collaborator }: CollaboratorFeatureProps) {
  const [open, setOpen] = useState(false);
  const pages = useHistoryPages(ctx.detail.track.id, collaborator.id);
  const id = `pd-access-${collaborator.id}`;
  return (
    <div class="pd-row-note">
      <button
        type="button"
        class="pd-btn pd-btn-quiet pd-toggle"
        aria-expanded={open}
        aria-controls={id}
        aria-label={t('access_history_label', collaborator.displayName)}
        onClick={() => {
          if (!open && pages.entries === null) void pages.load(null);
          setOpen(!open);
        }}
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> {t('access_history')}
      </button>
      {open && (
        <div id={id}>
          <HistoryList
            detail={ctx.detail}
            collaboratorId={collaborator.id}
            label={t('access_history_list', collaborator.displayName)}
            {...pages}
            onMore={() => void pages.load(pages.next)}
          />
        </div>
      )}
    </div>
  );
}
