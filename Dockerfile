# Movie-exploration dashboard: Streamlit app + the `recommender` package, with the
# artifacts of the catalog built into the image at build time.
#
#   docker build -t movie-explorer .                         # demo catalog, or data/tmdb5000/ if present
#   docker build --build-arg DATASET=demo -t movie-explorer .  # force the demo catalog
#   docker build --build-arg DATASET=tmdb -t movie-explorer .  # require the TMDB 5000 files
#   docker build --build-arg CATALOG=data/my.csv -t movie-explorer .
#   docker run -p 8501:8501 movie-explorer                   # then open http://localhost:8501
#
# Behind a TLS-intercepting proxy, hand pip the CA bundle as a build secret:
#   --secret id=pip_ca,src=/etc/ssl/certs/ca-certificates.crt   (nothing of it lands in the image)
FROM python:3.11-slim

# NUMBA_CACHE_DIR: numba's compiled UMAP/pynndescent functions are cached there by the
# build below (run as the app user, who owns it) so the first request does not compile.
# NUMBA_CPU_NAME=generic: cache entries are keyed by CPU; "generic" makes them valid on
# any x86-64/arm64 host, not only on the CPU model that built the image.
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    NUMBA_CACHE_DIR=/home/app/.cache/numba \
    NUMBA_CPU_NAME=generic \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

# Non-root user (fixed ids so mounted volumes can be chowned predictably).
RUN groupadd --system --gid 10001 app \
    && useradd --system --no-log-init --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir -p /app "$NUMBA_CACHE_DIR" \
    && chown -R app:app /app /home/app

WORKDIR /app

# Dependencies first: this layer is reused until requirements.txt changes.
COPY requirements.txt ./
RUN --mount=type=secret,id=pip_ca \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && pip install --no-cache-dir --root-user-action=ignore -r requirements.txt

COPY --chown=10001:10001 . .

USER 10001:10001

# Which catalog to build the artifacts from:
#   DATASET=auto  (default) the TMDB 5000 files if $TMDB_DIR holds tmdb_5000_movies.csv[.gz|.zip]
#                 and tmdb_5000_credits*.csv[.gz|.zip], else the demo catalog in data/
#   DATASET=demo  always the demo catalog;  DATASET=tmdb  the TMDB files, failing if absent
#   CATALOG=PATH  a catalog file (path inside the build context), wins over DATASET
# Then `import umap` (numba functions compiled at import land in the cache even if the
# build skipped the maps) and byte-compile the app.
ARG DATASET=auto
ARG TMDB_DIR=data/tmdb5000
ARG CATALOG=
RUN set -eu; \
    case "$DATASET" in auto|demo|tmdb) ;; \
        *) echo "DATASET must be auto, demo or tmdb, got '$DATASET'" >&2; exit 2 ;; esac; \
    has_tmdb=no; \
    for movies in "$TMDB_DIR"/tmdb_5000_movies.csv "$TMDB_DIR"/tmdb_5000_movies.csv.gz "$TMDB_DIR"/tmdb_5000_movies.csv.zip; do \
        for credits in "$TMDB_DIR"/tmdb_5000_credits*.csv "$TMDB_DIR"/tmdb_5000_credits*.csv.gz "$TMDB_DIR"/tmdb_5000_credits*.csv.zip; do \
            if [ -f "$movies" ] && [ -f "$credits" ]; then has_tmdb=yes; fi; \
        done; \
    done; \
    if [ -n "$CATALOG" ]; then \
        set -- --catalog "$CATALOG"; \
    elif [ "$DATASET" = tmdb ] || { [ "$DATASET" = auto ] && [ "$has_tmdb" = yes ]; }; then \
        if [ "$has_tmdb" != yes ]; then \
            echo "DATASET=tmdb but $TMDB_DIR lacks tmdb_5000_movies.csv[.gz|.zip] + tmdb_5000_credits*.csv[.gz|.zip]" >&2; exit 2; \
        fi; \
        set -- --tmdb-dir "$TMDB_DIR"; \
    else \
        set --; \
    fi; \
    echo "+ python -m recommender build $*"; \
    python -m recommender build "$@"; \
    python -c "import umap"; \
    python -m compileall -q -j 0 /app

EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=5); sys.exit(0 if r.read().strip() == b'ok' else 1)"]

# Extra arguments given to `docker run IMAGE ...` are appended and win over these
# (e.g. --server.port=9000; the HEALTHCHECK above probes 8501, though).
# The app and its JSON API (/api/...) on one server: streamlit_app.py defines an st.App,
# which `streamlit run` picks up.
ENTRYPOINT ["python", "-m", "streamlit", "run", "streamlit_app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
CMD []
