import type { Collaborator, TrackDetail } from '@pd/shared';

/** Where a track is being looked at: the injected panel (knows the Dropbox folder) or the toolbar popup. */
export interface TrackContext {
  detail: TrackDetail;
  /** The Dropbox folder on screen, when known (panel, or popup on a Dropbox tab). */
  folder: { path: string; url: string; downloadUrl: string } | null;
  /** Dropbox's own Download button on the page, when the panel found one. */
  clickDropboxDownload?: (() => boolean) | null;
  /** Re-read the track after a change. */
  refresh: () => void;
  /** Say something to the user after a change (shown by the host view). */
  notify: (message: string, kind?: 'ok' | 'warn' | 'error') => void;
}

export interface CollaboratorFeatureProps {
  ctx: TrackContext;
  collaborator: Collaborator;
}

export interface TrackFeatureProps {
  ctx: TrackContext;
}

/**
 * Whom a dialog about ending access speaks of: one person by name, or — where one person's sentences do not fit (the
 * access review's selection of several) — its own title and body.
 */
export type Addressee = { personName: string; texts?: undefined } | { personName?: undefined; texts: { title: string; body: string } };
