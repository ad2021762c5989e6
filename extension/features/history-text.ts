// What the kept history says, as sentences: every history kind the worker writes (worker/API.md, History), with who
// did it (departed people still named), and "in Dropbox" where Dropbox did it. Unknown kinds still render.
import type { Collaborator, HistoryEntry, TrackDetail } from '@pd/shared';
import { endedInDropbox } from '../components/ui';

type Details = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : v === null ? null : typeof v === 'number' ? String(v) : null);

const FIELD_TEXT: Record<string, string> = { title: 'title', stage: 'stage', bpm: 'BPM', key: 'key' };
const STAGE_TEXT: Record<string, string> = {
  idea: 'Idea',
  writing: 'Writing',
  production: 'Production',
  mixing: 'Mixing',
  mastering: 'Mastering',
  released: 'Released',
};
const level = (v: unknown) => (v === 'editor' ? 'Editor' : v === 'viewer' ? 'Viewer' : 'a collaborator');

function valueText(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return 'none';
  if (field === 'stage' && typeof v === 'string') return STAGE_TEXT[v] ?? v;
  return field === 'title' ? `“${String(v)}”` : String(v);
}

function metadataText(d: Details): string {
  const changes = (d.changes ?? {}) as Record<string, { from?: unknown; to?: unknown }>;
  const parts = Object.entries(changes).map(
    ([field, c]) => `${FIELD_TEXT[field] ?? field} ${valueText(field, c?.from)} → ${valueText(field, c?.to)}`,
  );
  return parts.length ? `changed ${parts.join(', ')}` : 'changed the details';
}

function tagsText(d: Details): string {
  const added = Array.isArray(d.added) ? (d.added as unknown[]).map(String) : [];
  const removed = Array.isArray(d.removed) ? (d.removed as unknown[]).map(String) : [];
  const parts = [
    added.length ? `added tag${added.length > 1 ? 's' : ''} ${added.join(', ')}` : '',
    removed.length ? `removed tag${removed.length > 1 ? 's' : ''} ${removed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'changed the tags';
}

function splitsText(d: Details): string {
  const changes = Array.isArray(d.changes) ? (d.changes as Array<{ who?: string; to?: Record<string, number> }>) : [];
  if (!changes.length) return 'changed splits';
  return `changed splits: ${changes
    .map((c) => `${c.who ?? 'someone'} ${c.to ? `${c.to.master ?? 0}/${c.to.publishing ?? 0}/${c.to.writer ?? 0}%` : ''}`.trim())
    .join('; ')} (master/publishing/writer)`;
}

/** How the evidence of an ending in Dropbox reads. */
export function evidenceText(evidence: unknown): string {
  switch (evidence) {
    case 'dropbox_members':
      return 'no longer in the folder’s members in Dropbox';
    case 'dropbox_own_folder':
      return 'the folder left their Dropbox';
    case 'dropbox_unshared':
      return 'the folder was unshared in Dropbox';
    default:
      return 'changed in Dropbox';
  }
}

/** One history entry as a sentence, actor first (where it happened is said beside it: whereText). */
export function historyText(e: Pick<HistoryEntry, 'kind' | 'actor' | 'via' | 'details'>): string {
  const who = e.actor.name || 'Someone';
  const d = e.details ?? {};
  const person = str(d.collaborator) ?? str(d.email) ?? 'a collaborator';
  switch (e.kind) {
    case 'track_created':
      return `${who} created the track`;
    case 'metadata_changed':
      return `${who} ${metadataText(d)}`;
    case 'tags_changed':
      return `${who} ${tagsText(d)}`;
    case 'splits_changed':
      return `${who} ${splitsText(d)}`;
    case 'archived':
      return `${who} archived the track`;
    case 'unarchived':
      return `${who} restored the track from the archive`;
    case 'file_uploaded':
      return `${who} uploaded ${str(d.path)?.split('/').pop() ?? 'a file'}`;
    case 'collaborator_invited':
      return `${who} invited ${person}${d.again ? ' again' : ''} as ${level(d.accessLevel)}`;
    case 'collaborator_joined':
      return `${person} joined as ${level(d.accessLevel)}`;
    case 'invitation_declined':
      return `${who} declined the invitation`;
    case 'invitation_cancelled':
      return `${who} cancelled ${person}’s invitation`;
    case 'access_revoked':
      return `${who} revoked ${person}’s access`;
    case 'collaborator_left':
      return `${person} left the track`;
    case 'access_ended_in_dropbox':
      return `${person}’s access ended in Dropbox (${evidenceText(d.evidence)})`;
    case 'access_level_changed':
      return `${who} changed ${person}’s access from ${level(d.from)} to ${level(d.to)}`;
    case 'role_changed':
      return d.to ? `${who} set ${person}’s role to ${String(d.to)}` : `${who} cleared ${person}’s role`;
    case 'comment_pinned':
      return `${who} pinned a comment`;
    case 'comment_unpinned':
      return `${who} unpinned a comment`;
    case 'dropbox_change_moot':
      return `Dropbox already matched a change${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    default:
      return `${who}: ${String(e.kind).replace(/_/g, ' ')}`;
  }
}

/** Where it happened, as the access history says it: "in Producer Dashboard" or "in Dropbox". */
export function whereText(via: HistoryEntry['via']): string {
  return via === 'dropbox' ? 'in Dropbox' : 'in Producer Dashboard';
}

/**
 * For someone named on the track (a comment author, an actor): why they are no longer on it, or null while they
 * are (or for the owner). Departed people stay named; this only marks them.
 */
export function departedLabel(detail: Pick<TrackDetail, 'track' | 'collaborators'>, accountId: string | null): string | null {
  if (!accountId || accountId === detail.track.ownerId) return null;
  const c = detail.collaborators.find((x) => x.accountId === accountId);
  if (!c || c.status === 'active') return null;
  return endedLabel(c);
}

/** A departed collaborator's ending, short: "left", "access revoked", "access ended in Dropbox". */
export function endedLabel(c: Pick<Collaborator, 'status' | 'endedVia' | 'endedEvidence'>): string {
  if (endedInDropbox(c)) return 'access ended in Dropbox';
  if (c.status === 'left') return c.endedVia === 'dropbox' ? 'left in Dropbox' : 'left';
  if (c.status === 'revoked') return c.endedVia === 'dropbox' ? 'revoked in Dropbox' : 'access revoked';
  if (c.status === 'invited') return 'invited again';
  return 'no longer on the track';
}
