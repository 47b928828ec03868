'use strict';
// plotly.js with the traces the explorer's map draws: scattergl (2-D films), scatter
// (always in plotly's core: the neighbour lines and the searched film) and scatter3d (3-D).
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/scattergl'), require('plotly.js/lib/scatter3d')]);

module.exports = Plotly;
