import { render } from 'preact';
import '../../components/pd.css';
import { ApiContext } from '../../components/api-context';
import { messagingApi } from '../../utils/messaging';
import { Welcome } from './Welcome';
import { localizeDocument } from '../../utils/i18n';

localizeDocument(document, 'welcome_page_title');
const params = new URLSearchParams(location.search);
render(
  <ApiContext.Provider value={messagingApi()}>
    <Welcome releaseNotes={location.hash === '#release-notes'} previousVersion={params.get('from')} />
  </ApiContext.Provider>,
  document.getElementById('app')!,
);
