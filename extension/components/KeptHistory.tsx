// What was kept, visible (issue 11): the track's comments (pinned first and marked; departed authors still named,
// and marked) and the track's history (edits, uploads, splits, tags, access — who did it, departed people
// included). Both open on demand and page, so the panel and the 360 px popup stay short.
import { useState } from 'preact/hooks';
import type { Comment, HistoryEntry, TrackDetail } from '@pd/shared';
import { departedLabel, historyText, whereText } from '../features/history-text';
import { useApi } from './api-context';
import { Alert } from './ui';
import { useAction } from './use-action';

export const COMMENTS_PAGE = 5;
export const HISTORY_PAGE = 10;

export function whenText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
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
    <section class="pd-kept" aria-label="Comments">
      <Toggle open={open} onClick={() => setOpen(!open)} controls={id}>
        Comments ({detail.comments.length}){pinned ? ` · ${pinned} pinned` : ''}
      </Toggle>
      {open && (
        <div id={id}>
          {ordered.length === 0 ? (
            <p class="pd-small pd-muted">No comments yet.</p>
          ) : (
            <ul class="pd-kept-list" aria-label="Comments on this track">
              {ordered.slice(0, shown).map((c) => (
                <li
                  key={c.id}
                  class={`pd-kept-item${c.pinned ? ' pd-pinned' : ''}`}
                  aria-label={`Comment by ${c.authorName}${c.pinned ? ', pinned' : ''}`}
                >
                  <div class="pd-kept-head">
                    {c.pinned && (
                      <span class="pd-chip pd-chip-small pd-chip-pin" title={c.pinnedBy ? `Pinned by ${c.pinnedBy.name}` : 'Pinned'}>
                        Pinned
                      </span>
                    )}
                    <strong>{c.authorName}</strong>
                    <Departed label={departedLabel(detail, c.authorId)} />
                    <span class="pd-small pd-muted">{whenText(c.createdAt)}</span>
                  </div>
                  <p class="pd-kept-body">{c.body}</p>
                  {c.pinned && c.pinnedBy && <p class="pd-small pd-muted">Pinned by {c.pinnedBy.name}</p>}
                </li>
              ))}
            </ul>
          )}
          {ordered.length > shown && (
            <button type="button" class="pd-btn pd-btn-quiet" onClick={() => setShown(shown + COMMENTS_PAGE)}>
              Show {Math.min(COMMENTS_PAGE, ordered.length - shown)} more comments
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
        busy && <p class="pd-small pd-muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p class="pd-small pd-muted">Nothing recorded yet.</p>
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
          {busy ? 'Loading…' : 'Show older'}
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
    <section class="pd-kept" aria-label="Track history">
      <Toggle
        open={open}
        controls={id}
        onClick={() => {
          if (!open && pages.entries === null) void pages.load(null);
          setOpen(!open);
        }}
      >
        History
      </Toggle>
      {open && (
        <div id={id}>
          <HistoryList detail={detail} label="Changes to this track" {...pages} onMore={() => void pages.load(pages.next)} />
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
