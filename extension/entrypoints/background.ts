import { registerBackground } from '../background/register';

// The background owns every call to the PD worker; popup and content script talk to it through typed messages.
export default defineBackground(() => {
  registerBackground();
});
