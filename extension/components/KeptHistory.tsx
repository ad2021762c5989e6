// What was kept, visible (issue 11): the track's comments (pinned first and marked; departed authors still named,
// and marked) and the track's history (edits, uploads, splits, tags, access — who did it, departed people
// included). Both open on demand and page, so the panel and the 360 px popup stay short.
import { useState } from 'preact/hooks';
import type { Comment, HistoryEntry, TrackDetail } from '@pd/shared';
import { departedLabel, historyText, whereText } from '../features/history-text';
import { useApi } from './api-context';
import { Alert } from './ui';
import { useAction } from './use-action';
import { formatDateTime, formatNumber, t, tn } from '../utils/i18n';

export const COMMENTS_PAGE = 5;
export const HISTORY_PAGE = 10;

export function whenText(iso: string): string {
  return formatDateTime(iso);
}

/** Pinned first (oldest pin first), then the rest newest first. */
export function commentOrder(comments: Comment[]): Comment[] {
  const pinned = comments.filter((c) => c.pinned).sort((a, b) => (a.pinnedAt ?? '').localeCompare(b.pinnedAt ?? ''));
  const rest = comments.filter((c) => !c.pinned).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  return [...pinned, ...rest];
}

function Departed({ label }: { label: string | null }) {
  return label ? <span class="pd-chip pd-chip-ended pd-chip-small">{label}</span> : null;
}

function Toggle({ open, onClick, children, controls }: { open: boolean; onClick: () => void; children: preact.ComponentChildren; controls: string }) {
  return (
    <button type="button" class="pd-btn pd-btn-quiet pd-toggle" aria-expanded={open} aria-controls={controls} onClick={onClick}>
      <span aria-hidden="true">{open ? '▾' : '▸'}</span> {children}
    </button>
  );
}

export function CommentList({ detail }: { detail: Pick<TrackDetail, 'track' | 'collaborators' | 'comments'> }) {
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState(COMMENTS_PAGE);
  const ordered = commentOrder(detail.comments);
  const pinned = ordered.filter((c) => c.pinned).length;
  const id = `pd-comments-${detail.track.id}`;
  return (
    <section class="pd-kept" aria-label={t('kept_comments')}>
      <Toggle open={open} onClick={() => setOpen(!open)} controls={id}>
        {pinned
          ? t('kept_comments_pinned', formatNumber(detail.comments.length), formatNumber(pinned))
          : t('kept_comments_toggle', formatNumber(detail.comments.length))}
      </Toggle>
      {open && (
        <div id={id}>
          {ordered.length === 0 ? (
            <p class="pd-small pd-muted">{t('kept_no_comments')}</p>
          ) : (
            <ul class="pd-kept-list" aria-label={t('kept_comments_list')}>
              {ordered.slice(0, shown).map((c) => (
                <li
                  key={c.id}
                  class={`pd-kept-item${c.pinned ? ' pd-pinned' : ''}`}
                  aria-label={c.pinned ? t('kept_comment_by_pinned', c.authorName) : t('kept_comment_by', c.authorName)}
                >
                  <div class="pd-kept-head">
                    {c.pinned && (
                      <span class="pd-chip pd-chip-small pd-chip-pin" title={c.pinnedBy ? t('kept_pinned_by', c.pinnedBy.name) : t('kept_pinned')}>
                        {t('kept_pinned')}
                      </span>
                    )}
                    <strong>{c.authorName}</strong>
                    <Departed label={departedLabel(detail, c.authorId)} />
                    <span class="pd-small pd-muted">{whenText(c.createdAt)}</span>
                  </div>
                  <p class="pd-kept-body">{c.body}</p>
                  {c.pinned && c.pinnedBy && <p class="pd-small pd-muted">{t('kept_pinned_by', c.pinnedBy.name)}</p>}
                </li>
              ))}
            </ul>
          )}
          {ordered.length > shown && (
            <button type="button" class="pd-btn pd-btn-quiet" onClick={() => setShown(shown + COMMENTS_PAGE)}>
              {tn('kept_more_comments', Math.min(COMMENTS_PAGE, ordered.length - shown))}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** History entries, paged from the worker (newest first). With collaboratorId: that person's access history. */
export function useHistoryPages(trackId: string, collaboratorId?: string) {
  const api = useApi();
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const { busy, error, run } = useAction();
  const load = (before: number | null) =>
    run(async () => {
      const page = await api.getHistory({ trackId, before, limit: HISTORY_PAGE, ...(collaboratorId ? { collaboratorId } : {}) });
      setEntries((prev) => (before && prev ? [...prev, ...page.entries] : page.entries));
      setNext(page.nextBefore);
    });
  return { entries, next, busy, error, load };
}

export function HistoryList({
  detail,
  collaboratorId,
  label,
  entries,
  next,
  busy,
  error,
  onMore,
}: {
  detail: Pick<TrackDetail, 'track' | 'collaborators'>;
  collaboratorId?: string;
  label: string;
  entries: HistoryEntry[] | null;
  next: number | null;
  busy: boolean;
  error: string | null;
  onMore: () => void;
}) {
  return (
    <div>
      {error && <Alert kind="error">{error}</Alert>}
      {entries === null ? (
        busy && <p class="pd-small pd-muted">{t('common_loading')}</p>
      ) : entries.length === 0 ? (
        <p class="pd-small pd-muted">{t('kept_nothing')}</p>
      ) : (
        <ol class="pd-kept-list" aria-label={label}>
          {entries.map((e) => (
            <li key={e.id} class="pd-kept-item" data-kind={e.kind}>
              <div>
                {historyText(e)}
                {!collaboratorId && <Departed label={departedLabel(detail, e.actor.id)} />}
              </div>
              <div class="pd-small pd-muted">
                {whenText(e.createdAt)} · {whereText(e.via)}
              </div>
            </li>
          ))}
        </ol>
      )}
      {next !== null && (
        <button type="button" class="pd-btn pd-btn-quiet" onClick={onMore} disabled={busy}>
          {busy ? t('common_loading') : t('kept_show_older')}
        </button>
      )}
    </div>
  );
}

export function TrackHistory({ detail }: { detail: Pick<TrackDetail, 'track' | 'collaborators'> }) {
  const [open, setOpen] = useState(false);
  const pages = useHistoryPages(detail.track.id);
  const id = `pd-history-${detail.track.id}`;
  return (
    <section class="pd-kept" aria-label={t('kept_history_label')}>
      <Toggle
        open={open}
        controls={id}
        onClick={() => {
          if (!open && pages.entries === null) void pages.load(null);
          setOpen(!open);
        }}
      >
        {t('kept_history')}
      </Toggle>
      {open && (
        <div id={id}>
          <HistoryList detail={detail} label={t('kept_history_list')} {...pages} onMore={() => void pages.load(pages.next)} />
        </div>
      )}
    </section>
  );
}

/** Comments and history, under the track's people (owner) or controls (collaborator). */
export function KeptHistory({ detail }: { detail: TrackDetail }) {
  return (
    <div class="pd-kept-all">
      <CommentList detail={detail} />
      <TrackHistory detail={detail} />
    </div>
  );
}
