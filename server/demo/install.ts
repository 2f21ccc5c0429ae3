/**
 * Installs the demo site in a catalog, so that a fresh `npm start` has a site
 * to forecast. Idempotent: an existing `demo` site is returned as it is (an
 * operator may have changed its config, e.g. enabled its schedule).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { SiteConflictError, SiteNotFoundError, type Catalog, type SiteRecord } from '../../activities/catalog.js';
import { writeMesh } from '../../core/mesh/gr3.js';
import { generateDemoMesh } from './mesh.js';
import { DEMO_SITE_ID, demoSiteConfig } from './site.js';

/** The demo site's record, created from the generated mesh (written under workDir, then removed) when the catalog has none. */
export async function installDemoSite(catalog: Catalog, workDir: string): Promise<SiteRecord> {
  const existing = storedDemo(catalog);
  if (existing) return existing;
  await mkdir(workDir, { recursive: true });
  const scratch = await mkdtemp(join(workDir, 'demo-site-'));
  try {
    const meshFile = join(scratch, 'hgrid.gr3');
    await writeMesh(meshFile, generateDemoMesh());
    return await catalog.createSite(demoSiteConfig(), meshFile);
  } catch (error) {
    // Another caller installed it meanwhile: theirs is the demo site.
    if (error instanceof SiteConflictError) return catalog.getSite(DEMO_SITE_ID);
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function storedDemo(catalog: Catalog): SiteRecord | undefined {
  try {
    return catalog.getSite(DEMO_SITE_ID);
  } catch (error) {
    if (error instanceof SiteNotFoundError) return undefined;
    throw error;
  }
}
