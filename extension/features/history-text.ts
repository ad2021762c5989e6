// What the kept history says, as sentences: every history kind the worker writes (worker/API.md, History), with who
// did it (departed people still named), and "in Dropbox" where Dropbox did it. Unknown kinds still render.
import type { Collaborator, HistoryEntry, TrackDetail } from '@pd/shared';
import { endedInDropbox } from '../components/ui';
import { type MessageKey, t, tn } from '../utils/i18n';

type Details = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : v === null ? null : typeof v === 'number' ? String(v) : null);

const FIELD_KEY: Record<string, MessageKey> = { title: 'field_title', stage: 'field_stage', bpm: 'field_bpm', key: 'field_key' };
const STAGE_KEY: Record<string, MessageKey> = {
  idea: 'stage_idea',
  writing: 'stage_writing',
  production: 'stage_production',
  mixing: 'stage_mixing',
  mastering: 'stage_mastering',
  released: 'stage_released',
};
const level = (v: unknown) => (v === 'editor' ? t('access_editor') : v === 'viewer' ? t('access_viewer') : t('hist_level_collaborator'));

function valueText(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return t('value_none');
  if (field === 'stage' && typeof v === 'string') return STAGE_KEY[v] ? t(STAGE_KEY[v]) : v;
  return field === 'title' ? t('common_quoted', String(v)) : String(v);
}

function metadataText(who: string, d: Details): string {
  const changes = (d.changes ?? {}) as Record<string, { from?: unknown; to?: unknown }>;
  const parts = Object.entries(changes).map(([field, c]) =>
    t('hist_field_change', FIELD_KEY[field] ? t(FIELD_KEY[field]) : field, valueText(field, c?.from), valueText(field, c?.to)),
  );
  return parts.length ? t('hist_metadata', who, parts.join(', ')) : t('hist_metadata_none', who);
}

function tagsText(who: string, d: Details): string {
  const added = Array.isArray(d.added) ? (d.added as unknown[]).map(String) : [];
  const removed = Array.isArray(d.removed) ? (d.removed as unknown[]).map(String) : [];
  const parts = [
    added.length ? tn('hist_tags_added', added.length, added.join(', ')) : '',
    removed.length ? tn('hist_tags_removed', removed.length, removed.join(', ')) : '',
  ].filter(Boolean);
  return parts.length ? t('hist_tags', who, parts.join('; ')) : t('hist_tags_changed', who);
}

function splitsText(who: string, d: Details): string {
  const changes = Array.isArray(d.changes) ? (d.changes as Array<{ who?: string; to?: Record<string, number> }>) : [];
  if (!changes.length) return t('hist_splits_none', who);
  const list = changes
    .map((c) => `${c.who ?? t('hist_someone')} ${c.to ? `${c.to.master ?? 0}/${c.to.publishing ?? 0}/${c.to.writer ?? 0}%` : ''}`.trim())
    .join('; ');
  return t('hist_splits', who, list, t('hist_splits_order'));
}

/** How the evidence of an ending in Dropbox reads. */
export function evidenceText(evidence: unknown): string {
  switch (evidence) {
    case 'dropbox_members':
      return t('evidence_members');
    case 'dropbox_own_folder':
      return t('evidence_own_folder');
    case 'dropbox_unshared':
      return t('evidence_unshared');
    default:
      return t('evidence_changed');
  }
}

/** One history entry as a sentence, actor first (where it happened is said beside it: whereText). */
export function historyText(e: Pick<HistoryEntry, 'kind' | 'actor' | 'via' | 'details'>): string {
  const who = e.actor.name || t('hist_someone');
  const d = e.details ?? {};
  const person = str(d.collaborator) ?? str(d.email) ?? t('hist_a_collaborator');
  switch (e.kind) {
    case 'track_created':
      return t('hist_created', who);
    case 'metadata_changed':
      return metadataText(who, d);
    case 'tags_changed':
      return tagsText(who, d);
    case 'splits_changed':
      return splitsText(who, d);
    case 'archived':
      return t('hist_archived', who);
    case 'unarchived':
      return t('hist_unarchived', who);
    case 'file_uploaded':
      return t('hist_uploaded', who, str(d.path)?.split('/').pop() ?? t('hist_a_file'));
    case 'collaborator_invited':
      return t(d.again ? 'hist_invited_again' : 'hist_invited', who, person, level(d.accessLevel));
    case 'collaborator_joined':
      return t('hist_joined', person, level(d.accessLevel));
    case 'invitation_declined':
      return t('hist_declined', who);
    case 'invitation_cancelled':
      return t('hist_invitation_cancelled', who, person);
    case 'access_revoked':
      return t('hist_revoked', who, person);
    case 'collaborator_left':
      return t('hist_left', person);
    case 'access_ended_in_dropbox':
      return t('hist_ended_in_dropbox', person, evidenceText(d.evidence));
    case 'access_level_changed':
      return t('hist_level_changed', who, person, level(d.from), level(d.to));
    case 'role_changed':
      return d.to ? t('hist_role_set', who, person, String(d.to)) : t('hist_role_cleared', who, person);
    case 'comment_pinned':
      return t('hist_pinned', who);
    case 'comment_unpinned':
      return t('hist_unpinned', who);
    case 'dropbox_change_moot':
      return str(d.reason) ? t('hist_moot_reason', str(d.reason) ?? '') : t('hist_moot');
    default:
      return t('hist_unknown_kind', who, String(e.kind).replace(/_/g, ' '));
  }
}

/** Where it happened, as the access history says it: "in Producer Dashboard" or "in Dropbox". */
export function whereText(via: HistoryEntry['via']): string {
  return via === 'dropbox' ? t('where_dropbox') : t('where_pd');
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
  if (endedInDropbox(c)) return t('ended_in_dropbox');
  if (c.status === 'left') return c.endedVia === 'dropbox' ? t('ended_left_in_dropbox') : t('ended_left');
  if (c.status === 'revoked') return c.endedVia === 'dropbox' ? t('ended_revoked_in_dropbox') : t('ended_revoked');
  if (c.status === 'invited') return t('ended_invited_again');
  return t('ended_not_on_track');
}
