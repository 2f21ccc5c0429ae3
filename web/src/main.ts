/**
 * The web app: sites overview, the new-site wizard, a site's runs and the
 * forecast viewer, each a route (router.ts) built from the API.
 */
import './styles.css';

import { api } from './api/client';
import type { AppConfig } from './api/types';
import { Router, type View } from './router';
import { h } from './ui/dom';
import { sitesOverview } from './views/sitesOverview';
import { siteRuns } from './views/siteRuns';
import { forecastViewer } from './views/viewer';
import { siteWizard } from './views/wizard/wizard';

function message(title: string, text: string): View {
  return { element: h('section', { class: 'page message' }, h('h1', {}, title), h('p', {}, text), h('p', {}, h('a', { href: '#/' }, 'All sites'))) };
}

async function boot(): Promise<void> {
  const outlet = document.getElementById('main')!;
  let config: AppConfig;
  try {
    config = await api.config();
  } catch (error) {
    outlet.replaceChildren(message('The coastcast API does not answer', (error as Error).message).element);
    return;
  }
  new Router(
    outlet,
    (path) => message('Not found', `Nothing here at ${path}.`),
    (error) => message('Something went wrong', error.message),
  )
    .on('/', () => sitesOverview(config))
    .on('/sites/new', async () => siteWizard(config, await api.resources()))
    .on('/sites/:siteId', ({ siteId }) => siteRuns(siteId))
    .on('/sites/:siteId/cycles/:cycle', ({ siteId, cycle }) => forecastViewer(config, siteId, cycle))
    .start();
}

void boot();
