// One track with everyone the security tests need on it, built through the domain functions (the same ones the API
// calls) and sessions made by createSession, the function the Dropbox sign-in uses.
import { env } from 'cloudflare:test';
import * as domain from '../../src/domain/index.ts';
import { person, type Person } from '../core/helpers.ts';

export type Role = 'owner' | 'editor' | 'viewer' | 'invited' | 'revoked' | 'left' | 'stranger';
export const ROLES: Role[] = ['owner', 'editor', 'viewer', 'invited', 'revoked', 'left', 'stranger'];

export interface World {
  people: Record<Role | 'target' | 'invitee', Person>;
  trackId: string;
  /** A track of the stranger's, which nobody else here is on. */
  otherTrackId: string;
  /** An active viewer: the target of revoke / access-level changes. */
  targetId: string;
  editorCollaboratorId: string;
  commentId: string;
  /** Pending invitation for `invitee` (a person nobody else in the matrix is). */
  inviteeInvitationId: string;
  /** Pending invitation for the `invited` role. */
  invitedInvitationId: string;
  /** A failed Dropbox change of the track (retry route). */
  failedChangeId: number;
}

let n = 0;

/** Everyone signs in once per world; `people.invited` has a pending invitation only. */
export async function buildWorld(label = 'World'): Promise<World> {
  const tag = `${label}-${++n}`;
  const p = async (name: string) => person(`${name} ${tag}`);
  const people = {
    owner: await p('Owner'),
    editor: await p('Editor'),
    viewer: await p('Viewer'),
    invited: await p('Invited'),
    revoked: await p('Revoked'),
    left: await p('Left'),
    stranger: await p('Stranger'),
    target: await p('Target'),
    invitee: await p('Invitee'),
  };
  const db = env.DB;
  const ownerId = people.owner.account.id;
  const track = await domain.createTrack(db, { ownerId, dropboxSharedFolderId: `sf:${crypto.randomUUID()}`, title: `Track ${tag}`, via: 'app' });
  const other = await domain.createTrack(db, {
    ownerId: people.stranger.account.id,
    dropboxSharedFolderId: `sf:${crypto.randomUUID()}`,
    title: `Other ${tag}`,
    via: 'app',
  });
  const join = async (who: Person, accessLevel: 'editor' | 'viewer') => {
    const r = await domain.invite(db, { trackId: track.id, actorId: ownerId, email: who.email, accessLevel, via: 'app' });
    await domain.acceptInvitation(db, { invitationId: r.invitation.id, accountId: who.account.id, via: 'app' });
    return r.collaborator.id;
  };
  const editorCollaboratorId = await join(people.editor, 'editor');
  await join(people.viewer, 'viewer');
  const targetId = await join(people.target, 'viewer');
  const revokedId = await join(people.revoked, 'editor');
  await domain.addComment(db, { trackId: track.id, authorId: people.revoked.account.id, body: `Revoked's note ${tag}` });
  await domain.revokeCollaborator(db, { trackId: track.id, collaboratorId: revokedId, actorId: ownerId, via: 'app' });
  await join(people.left, 'editor');
  await domain.addComment(db, { trackId: track.id, authorId: people.left.account.id, body: `Left's note ${tag}` });
  await domain.leaveTrack(db, { trackId: track.id, accountId: people.left.account.id, via: 'app' });
  const comment = await domain.addComment(db, { trackId: track.id, authorId: ownerId, body: `Owner's note ${tag}` });
  const invited = await domain.invite(db, { trackId: track.id, actorId: ownerId, email: people.invited.email, accessLevel: 'editor', via: 'app' });
  const invitee = await domain.invite(db, { trackId: track.id, actorId: ownerId, email: people.invitee.email, accessLevel: 'viewer', via: 'app' });
  // The revoke's Dropbox change, as the executor leaves it when its retries ran out.
  const change = await db
    .prepare(`UPDATE dropbox_changes SET status = 'failed', attempts = 8, last_error = 'gave up', next_attempt_at = NULL
              WHERE id = (SELECT id FROM dropbox_changes WHERE track_id = ? AND collaborator_id = ?) RETURNING id`)
    .bind(track.id, revokedId)
    .first<{ id: number }>();
  // Nothing else pending: the background executor has nothing to pick up while the tests run.
  await db
    .prepare(`UPDATE dropbox_changes SET status = 'done', next_attempt_at = NULL WHERE track_id = ? AND status = 'pending'`)
    .bind(track.id)
    .run();
  return {
    people,
    trackId: track.id,
    otherTrackId: other.id,
    targetId,
    editorCollaboratorId,
    commentId: comment.id,
    inviteeInvitationId: invitee.invitation.id,
    invitedInvitationId: invited.invitation.id,
    failedChangeId: change!.id,
  };
}

/** A session of `who` whose expiry was moved into the past in D1 (what time does to a real session). */
export async function expiredSession(who: Person): Promise<string> {
  const { token } = await domain.createSession(env.DB, who.account.id);
  const hash = await domain.hashToken(token);
  const r = await env.DB.prepare(`UPDATE sessions SET expires_at = ? WHERE token_hash = ?`)
    .bind(new Date(Date.now() - 60_000).toISOString(), hash)
    .run();
  if (r.meta.changes !== 1) throw new Error('expired session: row not found');
  return token;
}

/**
 * After an accepted request: the Dropbox changes it recorded are marked done (the world's failed change put back to
 * failed) before the background executor gets to them, so nothing writes to D1 behind the next request's back.
 */
export async function quiesce(w: World): Promise<void> {
  await env.DB.prepare(
    `UPDATE dropbox_changes SET status = CASE WHEN id = ? THEN 'failed' ELSE 'done' END, next_attempt_at = NULL WHERE status IN ('pending', 'running')`,
  )
    .bind(w.failedChangeId)
    .run();
}
