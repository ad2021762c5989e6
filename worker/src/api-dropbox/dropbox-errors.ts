import { NotLinkedError } from '../dropbox/client.ts';
import { DropboxCallError, classifyDropboxError } from '../dropbox/errors.ts';
import { DropboxApiError } from './errors.ts';

/** A Dropbox failure on a request path, as the caller should see it. */
export function asApiError(e: unknown): DropboxApiError | null {
  if (e instanceof DropboxApiError) return e;
  if (e instanceof NotLinkedError) {
    return e.reason === 'needs_reauth'
      ? new DropboxApiError('dropbox_reauth_required', 'Dropbox no longer accepts your sign-in: sign in with Dropbox again.')
      : new DropboxApiError('dropbox_not_linked', 'Sign in with Dropbox first.');
  }
  const err = e instanceof DropboxCallError ? e : e && typeof e === 'object' && 'status' in e ? classifyDropboxError(e) : null;
  if (!err) return null;
  if (err.kind === 'reauth_required' || (err.kind === 'auth' && err.tag !== 'missing_scope')) {
    return new DropboxApiError('dropbox_reauth_required', 'Dropbox no longer accepts your sign-in: sign in with Dropbox again.');
  }
  return new DropboxApiError('dropbox_unavailable', `Dropbox could not answer right now (${err.message}). Try again in a moment.`);
}
