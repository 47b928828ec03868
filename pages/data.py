"""Data page: the catalog shown and its build manifest; build an upload of your own.

Uploads are validated with the core loaders before anything is built, then built in
the background into the visitor's own space (only that session sees it) and shown
when done; the served build is never written (it changes only through the CLI).
Catalog text is only ever shown in tables or escaped markdown, never as HTML.
"""

import streamlit as st

from dashboard import cache, session, shell, state, uploads
from dashboard.jobs import BuildRefused
from dashboard.text import md, without_folders
from recommender import summary
from recommender.build import CatalogSource
from recommender.errors import CatalogError, ConfigError

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

CATALOG_FORMAT = (
    "id,title,year,genres,directors,cast,keywords,overview,original_language,runtime,vote_average,vote_count\n"
    "1,Space Wars,1977,Science Fiction|Adventure,Ann Lee,Tom Hart|Mia Sol,space|rebellion,A farm boy joins rebels.,"
    "en,120,8.0,1000"
)


# The catalog table's columns. Those of DEFAULT_COLUMNS fit the main column of a 1280 px
# window (760 px: the sidebar and margins take the rest); the others are a choice away,
# the widest text (the cast) cut with an ellipsis instead of widening the table.
CATALOG_COLUMNS = {
    "id": st.column_config.NumberColumn("Id", format="%d", width=70),
    "display_title": st.column_config.TextColumn("Title", width=220),
    "year": st.column_config.NumberColumn("Year", format="%d", width=50),
    "genres": st.column_config.TextColumn("Genres", width=170),
    "directors": st.column_config.TextColumn("Directors", width=140),
    "cast": st.column_config.TextColumn("Cast", width=240),
    "original_language": st.column_config.TextColumn("Language", width=80),
    "vote_average": st.column_config.NumberColumn("Average vote", format="%.1f", width=100),
    "vote_count": st.column_config.NumberColumn("Votes", format="localized", width=70),
    "weighted_rating": st.column_config.NumberColumn("Weighted rating", format="%.2f", width=110),
}
DEFAULT_COLUMNS = ["display_title", "year", "genres", "directors", "vote_count", "weighted_rating"]


def build_upload(kind: str, files: dict, skip_maps: bool) -> bool:
    """Validate the uploaded files, then start building them in this session's space;
    False (and an error shown) when they cannot be used."""
    try:
        upload = uploads.save_uploads(kind, **files)
    except (CatalogError, ConfigError) as exc:
        st.error(f"This upload cannot be used: {md(exc)}")
        return False
    except OSError as exc:  # the temporary folder is not writable, the disk is full...
        st.error(f"The upload could not be saved: {md(exc.strerror or exc)}")
        return False
    try:
        report = uploads.validate(upload, session.settings().config())
        name = next(iter(upload.original_names.values()))
        session.start_build(name, upload.source, skip_maps=skip_maps, cleanup=upload.folder, reword=upload.reword)
    except CatalogError as exc:
        uploads.remove(upload)
        st.error(f"This upload cannot be used: {md(exc)}")
        return False
    except (BuildRefused, ConfigError, OSError) as exc:
        uploads.remove(upload)
        st.error(f"The upload could not be built now: {md(exc)}")
        return False
    started = f"{report.movies:,} films read from {name}; building in the background…"
    if report.warnings:
        started += f" The loader's {len(report.warnings)} warning(s) will be listed under Build manifest."
    st.session_state["data_started"] = started
    return True


def build_demo(skip_maps: bool) -> bool:
    try:
        session.start_build("demo catalog", CatalogSource.demo(), skip_maps=skip_maps)
    except (BuildRefused, ConfigError, OSError) as exc:
        st.error(f"The demo catalog could not be built now: {md(exc)}")
        return False
    return True


TABS = ("Catalog", "Build manifest", "Build your own")

st.title("Data")
notice = st.session_state.pop("data_notice", None)
if notice:
    st.success(md(notice), icon=":material/check_circle:")
failure = st.session_state.pop("data_error", None)
if failure:
    st.error(md(failure))

own = session.viewing_own_build()
head = st.columns([5, 2], vertical_alignment="center")
if own:
    head[0].caption("Showing your own build (only you see it), from your uploads space.")
    head[1].button(
        "Back to the served catalog", on_click=session.back_to_served, icon=":material/undo:", key="data_back_to_served"
    )
else:
    head[0].caption("Showing the served catalog; it changes only through the command line.")

# A build's start and progress show whichever tab is open (the shell polls in the sidebar
# on the other pages).
started = st.session_state.pop("data_started", None)
if started:
    st.info(md(started), icon=":material/hourglass_top:")
session.poll_build()

# Only the open tab runs and is sent to the browser (the open one is ``data_tab=`` in the
# URL: ``tab=`` is the explorer's, and a page keeps the parameters it does not own):
# the build manifest's highlighted command and JSON viewer, and its two tables, loaded
# code and drew elements on every visit of the catalog. When the loaded artifacts are
# unusable, get_model() stops the script inside the catalog or manifest tab; the tab bar
# is drawn before it, so building one's own stays one click away.
SETTINGS = [
    state.Setting("data_tab", "data_tab", TABS[0], "str", choices=TABS),
    state.Setting("data_search", "q", "", "str"),
    state.Setting("data_columns", "cols", DEFAULT_COLUMNS, "list", choices=tuple(CATALOG_COLUMNS)),
]
state.restore(SETTINGS)
catalog_tab, build_tab, upload_tab = st.tabs(TABS, key="data_tab", on_change="rerun")

with upload_tab:
    if upload_tab.open:
        settings = session.settings()
        if not settings.enabled:
            st.info("Uploads and builds are turned off on this server (MOVIE_UPLOADS=off).", icon=":material/block:")
        else:
            st.caption(
                "What you build here is yours: it is shown to you only, in this browser session, and kept for at most "
                f"{settings.max_age_hours:g} hours (your {settings.keep_per_session} newest builds). The served catalog "
                "that everyone sees is not changed."
            )
            busy = session.jobs().job(session.session_id()) is not None
            st.subheader("Upload a catalog")
            kind = st.radio(
                "What are you uploading?", list(uploads.KINDS), format_func=uploads.KINDS.get,
                horizontal=True, key="upload_kind",
            )
            if kind == "tmdb":
                st.caption(
                    "The two files of Kaggle's TMDB 5000 dataset (tmdb/tmdb-movie-metadata), as .csv, .csv.gz or .zip. "
                    "Without the credits file, films are matched without cast and directors."
                )
                pair = st.columns(2)
                files = {
                    "movies": pair[0].file_uploader(
                        "Movies file (tmdb_5000_movies.csv)", type=uploads.FILE_TYPES, key="upload_movies"
                    ),
                    "credits": pair[1].file_uploader(
                        "Credits file (tmdb_5000_credits.csv), optional", type=uploads.FILE_TYPES, key="upload_credits"
                    ),
                }
                ready = files["movies"] is not None
            else:
                st.caption(
                    "One CSV, UTF-8: required columns id (unique integer) and title; optional year, overview, tagline, "
                    "genres, keywords, cast, directors, production_companies (lists separated by |), original_language, "
                    "runtime, vote_average, vote_count, popularity."
                )
                st.code(CATALOG_FORMAT, language="csv", wrap_lines=True)
                files = {"catalog": st.file_uploader("Catalog CSV", type=uploads.FILE_TYPES, key="upload_catalog")}
                ready = files["catalog"] is not None
            upload_skip_maps = st.checkbox(
                "Skip maps for a faster build", key="upload_skip_maps",
                help="Maps and clusters (embedding explorer) take most of the build time: minutes for 5,000 films.",
            )
            if st.button(
                "Validate and build", type="primary", disabled=not ready or busy, key="upload_build", icon=":material/build:"
            ) and build_upload(kind, files, upload_skip_maps):
                st.rerun()

            st.divider()
            st.subheader("Build the demo catalog for yourself")
            st.caption("Builds the shipped demo catalog in your own space (with maps unless skipped) and shows it to you.")
            demo_skip_maps = st.checkbox("Skip maps for a faster build", key="demo_skip_maps")
            demo_clicked = st.button(
                "Build the demo catalog for me", key="demo_build", icon=":material/refresh:", disabled=busy
            )
            if demo_clicked and build_demo(demo_skip_maps):
                st.rerun()

with catalog_tab:
    if catalog_tab.open:
        model = cache.get_model()
        manifest = model.manifest
        st.markdown(f"**{md(manifest.get('catalog', {}).get('name', 'catalog'))}** · {model.n_movies:,} films")
        search_box, columns_box = st.columns([2, 3], vertical_alignment="bottom")
        search = search_box.text_input(
            "Search titles", key="data_search", placeholder="Part of a title, e.g. night", persist_state="session"
        )
        table = summary.catalog_table(model.catalog, search)
        chosen = columns_box.multiselect(
            "Columns", [c for c in CATALOG_COLUMNS if c in table.columns], key="data_columns",
            format_func=lambda c: CATALOG_COLUMNS[c].get("label", c), persist_state="session",
            help="The columns shown: those chosen first fit a 1280 px window; more scroll sideways.",
        )
        st.caption(f"{len(table):,} of {model.n_movies:,} films")
        st.dataframe(
            table,
            hide_index=True,
            key="data_catalog",
            column_order=chosen or ["display_title"],
            column_config={column: CATALOG_COLUMNS[column] for column in table.columns if column in CATALOG_COLUMNS},
        )

with build_tab:
    if build_tab.open:
        model = cache.get_model()
        manifest = without_folders(model.manifest)  # the build's provenance, not the server's folders
        info = manifest.get("catalog", {})
        built_at = str(manifest.get("built_at", "?"))
        tiles = st.columns(4)
        tiles[0].metric("Films", f"{info.get('movies', model.n_movies):,}", border=True)
        tiles[1].metric("Built on", built_at.split("T")[0], border=True, help=f"{built_at} (UTC)")
        tiles[2].metric("Maps", "built" if manifest.get("maps_built") else "skipped", border=True)
        tiles[3].metric("Schema version", str(manifest.get("schema_version", "?")), border=True)
        if not manifest.get("maps_built"):
            st.info("This build has no maps, so the embedding explorer has nothing to draw. Rebuild without skipping maps.")
        for warning in info.get("warnings", []):
            st.warning(md(warning))
        st.markdown("**Build command**")
        st.code(manifest.get("build_command", ""), language="bash", wrap_lines=True)
        left, right = st.columns(2)
        with left:
            st.markdown("**Package versions**")
            st.dataframe(summary.manifest_packages(manifest), hide_index=True, key="data_packages")
        with right:
            # A table with bars rather than a plotly chart: the data page then loads no plotly at all.
            st.markdown("**Build time per step**")
            timings = summary.manifest_timings(manifest)
            st.dataframe(
                timings, hide_index=True, key="data_timings",
                column_config={
                    "step": st.column_config.TextColumn("Step"),
                    "seconds": st.column_config.ProgressColumn(
                        "Seconds", format="%.1f s", min_value=0.0,
                        max_value=max(float(timings["seconds"].max()), 1e-9) if len(timings) else 1.0,
                    ),
                },
            )
        st.markdown("**Full manifest**")
        st.json(manifest, expanded=1)

state.publish(SETTINGS)
