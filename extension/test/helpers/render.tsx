import type { ComponentChildren } from 'preact';
import { render } from '@testing-library/preact';
import { ApiContext } from '../../components/api-context';
import { UserGestureContext } from '../../components/user-gesture';
import type { PdApi } from '../../utils/messaging';
import { testUserGesture } from './user-gesture';

/** Renders a view with the API and the test's user-gesture gate (destructive controls answer only `userClick`). */
export function renderWithApi(ui: ComponentChildren, api: PdApi) {
  return render(
    <UserGestureContext.Provider value={testUserGesture}>
      <ApiContext.Provider value={api}>{ui}</ApiContext.Provider>
    </UserGestureContext.Provider>,
  );
}
