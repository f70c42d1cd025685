#!/usr/bin/env node
import { dispatch } from '../../agent/cli/dispatch.js';
import { ArchiveError } from '../archive.js';
import { PathError } from '../find-bundles.js';

/**
 * baomi-collector: the inspector's tool, on the inspector's own machine. Exit codes: 0 ok,
 * 1 problems found, 2 usage or other error.
 */
process.exitCode = await dispatch(
  {
    name: 'baomi-collector',
    title: '保密检查汇总工具 / the inspectors’ collector',
    commands: {
      import: () => import('./import.js'),
      verify: () => import('./verify.js'),
      report: () => import('./report.js'),
      hosts: () => import('./hosts.js'),
    },
    explain: (error) => (error instanceof ArchiveError || error instanceof PathError ? error.message : undefined),
  },
  process.argv.slice(2),
);
