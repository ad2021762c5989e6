import { render } from 'preact';
import '../../components/pd.css';
import { ApiContext } from '../../components/api-context';
import { messagingApi } from '../../utils/messaging';
import { DEVELOPMENT_BUILD } from '../../utils/storage';
import { Options } from './Options';
import { localizeDocument } from '../../utils/i18n';

localizeDocument(document, 'options_title');
render(
  <ApiContext.Provider value={messagingApi()}>
    <Options developmentBuild={DEVELOPMENT_BUILD} />
  </ApiContext.Provider>,
  document.getElementById('app')!,
);
