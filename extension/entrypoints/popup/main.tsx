import { render } from 'preact';
import '../../components/pd.css';
import { ApiContext } from '../../components/api-context';
import { messagingApi } from '../../utils/messaging';
import { App } from './App';
import { LiveContext } from '../../components/live-context';
import { createLiveHub } from '../../utils/live-port';

// While the popup is open it holds the background's live socket: what changes elsewhere shows up here within seconds.
const subscribeLive = createLiveHub();
subscribeLive(() => {});
import { activeDropboxUrl } from './active-tab';
import { localizeDocument } from '../../utils/i18n';

localizeDocument(document, 'app_name');
render(
  <ApiContext.Provider value={messagingApi()}>
    <LiveContext.Provider value={subscribeLive}>
      <App getActiveUrl={activeDropboxUrl} />
    </LiveContext.Provider>
  </ApiContext.Provider>,
  document.getElementById('app')!,
);
