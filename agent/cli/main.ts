#!/usr/bin/env node
import { dispatch } from './dispatch.js';

process.exitCode = await dispatch(
  {
    name: 'baomi-agent',
    title: '保密合规代理 / endpoint compliance agent',
    commands: {
      scan: () => import('./scan.js'),
      log: () => import('./log.js'),
      verify: () => import('./verify.js'),
      identity: () => import('./identity.js'),
      baseline: () => import('./baseline.js'),
      officer: () => import('./officer.js'),
      policy: () => import('./policy.js'),
      media: () => import('./media.js'),
      run: () => import('./run.js'),
      status: () => import('./status.js'),
      export: () => import('./export.js'),
      'install-service': () => import('./install-service.js'),
      'uninstall-service': () => import('./uninstall-service.js'),
    },
  },
  process.argv.slice(2),
);
// `run` may leave handles open (libusb's event thread): once a command is done, the process is.
if (process.argv[2] === 'run') process.exit();
