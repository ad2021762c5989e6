import type { ComponentChildren } from 'preact';
import { render } from '@testing-library/preact';
import { ApiContext } from '../../components/api-context';
import type { PdApi } from '../../utils/messaging';

export function renderWithApi(ui: ComponentChildren, api: PdApi) {
  return render(<ApiContext.Provider value={api}>{ui}</ApiContext.Provider>);
}
