"""Data page: the loaded catalog and its build manifest; upload a catalog or rebuild.

Uploads are validated with the core loaders before anything is built, then built
into a new artifacts folder and loaded without a restart. Catalog text is only
ever shown in tables or escaped markdown, never as HTML.
"""

import streamlit as st

from dashboard import cache, figures, shell, uploads
from dashboard.text import md
from recommender import summary
from recommender.artifacts import default_artifacts_dir
from recommender.build import CatalogSource
from recommender.errors import CatalogError

shell.page_in_shell()  # a deep link opened first after a start runs the page alone

CATALOG_FORMAT = (
    "id,title,year,genres,directors,cast,keywords,overview,original_language,runtime,vote_average,vote_count\n"
    "1,Space Wars,1977,Science Fiction|Adventure,Ann Lee,Tom Hart|Mia Sol,space|rebellion,A farm boy joins rebels.,"
    "en,120,8.0,1000"
)


def back_to_demo() -> None:
    st.session_state.pop("artifacts_dir", None)
    st.session_state["data_notice"] = "Switched back to the demo catalog."


def build_upload(kind: str, files: dict, skip_maps: bool) -> None:
    """Validate the uploaded files, then build them into a new folder and load it."""
    try:
        with uploads.saved_uploads(kind, **files) as upload:
            report = uploads.validate(upload)
            for warning in report.warnings:
                st.warning(md(warning))
            name = next(iter(upload.original_names.values()))
            st.info(f"{report.movies:,} films read from {md(name)}; building…")
            notice = f"Built and loaded {name} ({report.movies:,} films)."
            if report.warnings:
                notice += f" The loader's {len(report.warnings)} warning(s) are listed under Build manifest."
            st.session_state["data_notice"] = notice
            folder = uploads.new_build_folder(name, protect=[cache.artifacts_dir()])
            if not cache.run_build(upload.source, folder, skip_maps=skip_maps):
                st.session_state.pop("data_notice", None)
    except CatalogError as exc:
        st.error(f"This upload cannot be used: {md(exc)}")
    except OSError as exc:  # the uploads folder is not writable, the disk is full...
        st.session_state.pop("data_notice", None)
        st.error(f"The upload could not be saved or built: {md(exc)}")


st.title("Data")
notice = st.session_state.pop("data_notice", None)
if notice:
    st.success(md(notice), icon=":material/check_circle:")

current = cache.artifacts_dir()
demo_dir = default_artifacts_dir()
head = st.columns([5, 2], vertical_alignment="center")
head[0].caption(f"Artifacts folder: {md(current)}")
if current.resolve() != demo_dir.resolve():
    head[1].button(
        "Switch back to the demo catalog", on_click=back_to_demo, icon=":material/undo:", key="data_back_to_demo"
    )

catalog_tab, build_tab, upload_tab = st.tabs(["Catalog", "Build manifest", "Upload or rebuild"])

# Filled first: when the loaded artifacts are unusable, get_model() below stops the
# script, and uploading or rebuilding must still be possible.
with upload_tab:
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
            "One CSV, UTF-8: required columns id (unique integer) and title; optional year, overview, tagline, genres, "
            "keywords, cast, directors, production_companies (lists separated by |), original_language, runtime, "
            "vote_average, vote_count, popularity."
        )
        st.code(CATALOG_FORMAT, language="csv", wrap_lines=True)
        files = {"catalog": st.file_uploader("Catalog CSV", type=uploads.FILE_TYPES, key="upload_catalog")}
        ready = files["catalog"] is not None
    upload_skip_maps = st.checkbox(
        "Skip maps for a faster build", key="upload_skip_maps",
        help="Maps and clusters (embedding explorer) take most of the build time: minutes for 5,000 films.",
    )
    if st.button("Validate and build", type="primary", disabled=not ready, key="upload_build", icon=":material/build:"):
        build_upload(kind, files, upload_skip_maps)

    st.divider()
    st.subheader("Rebuild the demo catalog")
    st.caption(
        f"Rebuilds the shipped demo catalog into {md(demo_dir)} and loads it; use it to add or refresh the maps."
    )
    demo_skip_maps = st.checkbox("Skip maps for a faster build", key="demo_skip_maps")
    if st.button("Rebuild the demo catalog", key="demo_build", icon=":material/refresh:"):
        cache.run_build(CatalogSource.demo(), demo_dir, skip_maps=demo_skip_maps)

with catalog_tab:
    model = cache.get_model()
    manifest = model.manifest
    st.markdown(f"**{md(manifest.get('catalog', {}).get('name', 'catalog'))}** · {model.n_movies:,} films")
    search = st.text_input("Search titles", key="data_search", placeholder="Part of a title, e.g. night")
    table = summary.catalog_table(model.catalog, search)
    st.caption(f"{len(table):,} of {model.n_movies:,} films")
    st.dataframe(
        table,
        hide_index=True,
        key="data_catalog",
        column_config={
            "id": st.column_config.NumberColumn("Id", format="%d"),
            "display_title": st.column_config.TextColumn("Title", width="medium"),
            "year": st.column_config.NumberColumn("Year", format="%d"),
            "genres": st.column_config.TextColumn("Genres"),
            "directors": st.column_config.TextColumn("Directors"),
            "cast": st.column_config.TextColumn("Cast"),
            "original_language": st.column_config.TextColumn("Language"),
            "vote_average": st.column_config.NumberColumn("Average vote", format="%.1f"),
            "vote_count": st.column_config.NumberColumn("Votes", format="localized"),
            "weighted_rating": st.column_config.NumberColumn("Weighted rating", format="%.2f"),
        },
    )

with build_tab:
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
        st.warning(md(uploads.without_upload_paths(warning)))
    st.markdown("**Build command**")
    st.code(manifest.get("build_command", ""), language="bash", wrap_lines=True)
    left, right = st.columns(2)
    with left:
        st.markdown("**Package versions**")
        st.dataframe(summary.manifest_packages(manifest), hide_index=True, key="data_packages")
    with right:
        st.plotly_chart(figures.timings_figure(summary.manifest_timings(manifest)), key="data_timings")
    st.markdown("**Full manifest**")
    st.json(manifest, expanded=1)
