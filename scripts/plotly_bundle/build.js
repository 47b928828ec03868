'use strict';
// plotly.js's own bundle settings (its esbuild-config.js), minified, with a banner that
// names the version and the traces, and the licences of every bundled package kept.
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

const out = process.argv[2];
if (!out) {
  console.error('usage: node build.js OUTFILE');
  process.exit(2);
}
const version = require('plotly.js/package.json').version;
esbuild
  .build({
    entryPoints: ['./entry.js'],
    outfile: out,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'eof',
    banner: {
      js: `/**\n* plotly.js v${version} (traces: scatter, scattergl, scatter3d)\n* Copyright 2012-2026, Plotly, Inc.\n* All rights reserved.\n* Licensed under the MIT license\n*/`,
    },
    plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
  })
  .catch(() => process.exit(1));
