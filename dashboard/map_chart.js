// The explorer's map (dashboard/map_chart.py): one plotly plot that stays in the page
// across script runs. A new figure is drawn into it with Plotly.react (no new WebGL
// contexts, no second drawing pass); an unchanged one is not drawn again. Clicks and
// box/lasso selections go back to Python as the component's trigger and state values.
// No innerHTML: catalog text reaches plotly only inside the figure, escaped by Python.

const LIBRARY = "movieMapPlotly"; // window[LIBRARY]: the promise of plotly, loaded once per page

function loadPlotly(url) {
  if (!window[LIBRARY]) {
    window[LIBRARY] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window[LIBRARY] = null; // the next run tries again
        reject(new Error(`plotly could not be loaded from ${url}`));
      };
      document.head.appendChild(script);
    });
  }
  return window[LIBRARY];
}

// The app's theme, as Streamlit gives it to components (CSS custom properties).
function themed(layout, host) {
  const style = getComputedStyle(host);
  const value = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const text = value("--st-text-color", "#31333f");
  const themedLayout = { ...layout };
  delete themedLayout.template;
  themedLayout.font = { family: value("--st-font", "sans-serif"), color: text, ...(layout.font || {}) };
  themedLayout.paper_bgcolor = "rgba(0,0,0,0)";
  themedLayout.plot_bgcolor = "rgba(0,0,0,0)";
  themedLayout.modebar = { bgcolor: "rgba(0,0,0,0)", color: text, activecolor: value("--st-primary-color", "#ff4b4b") };
  return themedLayout;
}

// Catalog rows of the films among plotly's event points (movie markers carry their row as
// customdata[0]; the searched film's star and the neighbour lines carry none).
function movieRows(points) {
  const rows = [];
  for (const point of points || []) {
    const data = point.customdata;
    if (Array.isArray(data) && typeof data[0] === "number" && !rows.includes(data[0])) rows.push(data[0]);
  }
  return rows;
}

const FULL_SCREEN_ICON = {
  width: 24,
  height: 24,
  path: "M3 3h7v2H5v5H3V3zm11 0h7v7h-2V5h-5V3zM3 14h2v5h5v2H3v-7zm16 0h2v7h-7v-2h5v-5z",
};

function wire(plot, box) {
  plot.on("plotly_click", (event) => {
    const args = plot.movieMapArgs;
    const rows = movieRows(event && event.points);
    if (args.data.selectable && rows.length === 1) args.setTriggerValue("click", rows[0]);
  });
  plot.on("plotly_selected", (event) => {
    const args = plot.movieMapArgs;
    // A click in select mode sends an empty event: no box or lasso was drawn.
    if (!event || !(event.range || event.lassoPoints)) return;
    args.setStateValue("selection", { rows: movieRows(event.points), figure: args.data.figure_id });
  });
  plot.on("plotly_deselect", () => {
    const args = plot.movieMapArgs;
    args.setStateValue("selection", { rows: [], figure: args.data.figure_id });
  });
  plot.movieMapFullScreen = () => {
    if (!plot.isConnected || !window.Plotly) return;
    // The box's size (the window's did not change); back in the page, the page's width.
    const padding = 32; // .movie-map:fullscreen, 1rem on each side
    const size = document.fullscreenElement === box
      ? { width: box.clientWidth - padding, height: window.innerHeight - padding }
      : { width: null, height: plot.movieMapHeight, autosize: true };
    window.Plotly.relayout(plot, size);
  };
  document.addEventListener("fullscreenchange", plot.movieMapFullScreen);
}

export default function (component) {
  const { parentElement, data } = component;
  let box = parentElement.querySelector(".movie-map");
  if (!box) {
    box = document.createElement("div");
    box.className = "movie-map";
    box.appendChild(document.createElement("div"));
    parentElement.appendChild(box);
  }
  const plot = box.firstChild;
  plot.movieMapArgs = component; // the handlers answer through the latest run's functions
  // Called when the map leaves the page: its WebGL contexts go with it.
  const cleanup = () => {
    document.removeEventListener("fullscreenchange", plot.movieMapFullScreen);
    if (window.Plotly && plot._fullLayout) window.Plotly.purge(plot);
    plot.movieMapFigure = null;
  };
  if (plot.movieMapFigure === data.figure_id) return cleanup;
  plot.movieMapFigure = data.figure_id;
  const figure = JSON.parse(data.figure);
  loadPlotly(data.plotly_url).then((Plotly) => {
    if (plot.movieMapFigure !== data.figure_id) return; // a newer figure came meanwhile
    const layout = themed(figure.layout || {}, parentElement);
    // A new figure is a new selection: plotly keeps a user's selection across react otherwise.
    layout.selectionrevision = data.figure_id;
    plot.movieMapHeight = layout.height;
    if (document.fullscreenElement === box) Object.assign(layout, { width: plot._fullLayout.width, height: plot._fullLayout.height });
    const config = {
      ...data.config,
      // WebGL at the screen's resolution: sharp dots on a high-DPI screen, and on an ordinary
      // one not plotly's default of twice it (four times the pixels to draw: dashboard/figures.py).
      plotGlPixelRatio: Math.min(Math.max(window.devicePixelRatio || 1, 1), 2),
      responsive: true,
      modeBarButtonsToAdd: [{
        name: "fullscreen",
        title: "Full screen",
        icon: FULL_SCREEN_ICON,
        click: () => (document.fullscreenElement ? document.exitFullscreen() : box.requestFullscreen()),
      }],
    };
    const first = !plot._fullLayout;
    return Plotly.react(plot, figure.data || [], layout, config).then(() => {
      if (first) wire(plot, box);
    });
  }).catch((error) => {
    const message = document.createElement("p");
    message.className = "movie-map-error";
    message.textContent = `The map could not be drawn: ${error.message}`;
    box.appendChild(message);
  });
  return cleanup;
}
