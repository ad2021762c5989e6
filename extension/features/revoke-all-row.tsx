// Revoke All from a collaborator's row in the panel: same action as the popup's sharing panel.
import { RevokeAllAction } from './revoke-all';
import type { CollaboratorFeatureProps } from './types';

export const id = 'revoke-all-row';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && (collaborator.status === 'active' || collaborator.status === 'invited');
}

/** The sharing panel keys people by their lower-cased email. */
export function personKeyOf(email: string): string {
  return email.trim().toLowerCase();
}

export function Component({ ctx, collaborator }: CollaboratorFeatureProps) {
  return (
    <RevokeAllAction
      compact
      person={{ personKey: personKeyOf(collaborator.email), displayName: collaborator.displayName }}
      onDone={() => ctx.refresh()}
    />
  );
}
