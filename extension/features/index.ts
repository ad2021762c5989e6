// The feature list. Adding a feature = one file in features/ and one line here.
// Each feature says where it applies (`include`); the views render every included feature in its own boundary.
import type { FunctionComponent } from 'preact';
import type { CollaboratorFeatureProps, TrackFeatureProps } from './types';
import * as revoke from './revoke';
import * as downgrade from './downgrade';
import * as revokeAllRow from './revoke-all-row';
import * as leave from './leave';
import * as inviteAgain from './invite-again';
import * as dropboxMembership from './dropbox-membership';
import * as acceptInDropbox from './accept-in-dropbox';
import * as expiry from './expiry';
import * as headsUp from './heads-up';
import * as accessEnds from './access-ends';
import * as setCredits from './set-credits';

export interface Feature<P> {
  id: string;
  include: (props: P) => boolean;
  Component: FunctionComponent<P>;
}

/** Controls on each collaborator's row (owner's view). */
export const collaboratorFeatures: Feature<CollaboratorFeatureProps>[] = [
  downgrade,
  expiry,
  headsUp,
  revoke,
  revokeAllRow,
  inviteAgain,
  setCredits,
  dropboxMembership,
];

/** Controls on the track as a whole (collaborator's view). */
export const trackFeatures: Feature<TrackFeatureProps>[] = [acceptInDropbox, accessEnds, leave];
