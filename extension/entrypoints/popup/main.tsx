import { render } from 'preact';
import '../../components/pd.css';
import { ApiContext } from '../../components/api-context';
import { messagingApi } from '../../utils/messaging';
import { App } from './App';
import { activeDropboxUrl } from './active-tab';

render(
  <ApiContext.Provider value={messagingApi()}>
    <App getActiveUrl={activeDropboxUrl} />
  </ApiContext.Provider>,
  document.getElementById('app')!,
);
