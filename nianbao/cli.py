"""The `nianbao` command: a thin click layer over the crawler, pipeline, archive and portal packages.

Every failure a user can cause (a bad source file, a missing archive, an unreadable document) ends as
a `click.ClickException` with a message saying what to fix; nothing here holds logic of its own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "data/nianbao.db"
DEFAULT_ARCHIVE = "data/archive"
# Shared by the commands that read or write the archive.
archive_option = click.option(
    "--archive",
    "archive_dir",
    default=DEFAULT_ARCHIVE,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory of the WARC archive.",
)
# Shared by the commands that extract archived documents (load, rebuild).
cache_option = click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Take reports from the archive's extraction cache (extraction-cache.sqlite) and keep "
    "new ones there; --no-cache extracts every document and leaves the cache alone.",
)
DATASETTE_DIR = Path(__file__).resolve().parent.parent / "datasette"


def db_option(help: str, exists: bool = False) -> Callable[[F], F]:
    """The --db option every command that reads or writes the database takes."""
    return click.option(
        "--db",
        "db_path",
        default=DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False, exists=exists),
        help=help,
    )


@click.group()
@click.version_option(package_name="nianbao")
def cli() -> None:
    """nianbao (年报): crawl, archive, extract and publish 政府信息公开工作年度报告."""


@cli.command()
@click.option(
    "--synthetic",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also serve N generated reports of fictional (示例) agencies.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed of the generator."
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8100,
    show_default=True,
    help="First port; the sites take PORT, PORT+1, … one each (0 = any free ports).",
)
@click.option(
    "--no-seeds", is_flag=True, help="Serve only the synthetic reports, not the five seeds."
)
@click.option(
    "--sources-out",
    type=click.Path(dir_okay=False),
    help="Write a sources file for what is served.",
)
@click.option(
    "--mode",
    "modes",
    multiple=True,
    metavar="FAMILY=MODE",
    help="Make a site misbehave like real portals (repeatable): trs|hanweb|plain = "
    "blocked-ruishu|blocked-jsl|broken|robots|empty. Also switchable at /-/control on each site.",
)
@click.option(
    "--truth-out",
    type=click.Path(dir_okay=False),
    help="Write the ground truth (JSON) of what is served.",
)
@click.option(
    "--faults",
    "fault_spec",
    metavar="SPEC",
    help="Inject faults, seeded by --seed: KIND=RATE,… or a preset (heavy); see portal/faults.py. "
    "Counts at /-/faults on each site.",
)
@click.option(
    "--hostile", is_flag=True, help="Also publish a report whose text carries markup and script."
)
@click.option(
    "--family",
    "styles",
    multiple=True,
    type=click.Choice(["countpage", "query", "dataproxy", "jpaas", "xxgk", "gkml", "trssearch"]),
    help="Also serve a site of this pager or list style (repeatable): TRS countPage script, "
    "?pageNo= query pager, Hanweb dataproxy.jsp POST, jpaas JSON unit, xxgk catalogue filled "
    "by a getInfoList POST, Guangdong gkmlpt catalogue, TRS list2.trsapi column paged by POSTs "
    "to /fjdzapp/search. With --synthetic and no --family, all of them are served.",
)
@click.option(
    "--extra-formats",
    is_flag=True,
    help="Also publish synthetic reports as a scanned PDF, a page of table images (PNG), a PDF "
    "whose tables are pictures and a legacy .doc on the plain site (needs --synthetic; rendering takes seconds, reading them "
    "OCR and LibreOffice).",
)
def portal(
    synthetic: int,
    seed: int,
    port: int,
    no_seeds: bool,
    sources_out: str | None,
    modes: tuple[str, ...],
    truth_out: str | None,
    fault_spec: str | None,
    hostile: bool,
    styles: tuple[str, ...],
    extra_formats: bool,
) -> None:
    """Serve the bundled sample portal on 127.0.0.1 until Ctrl-C."""
    from portal.faults import parse_spec
    from portal.server import STYLE_ORDER, SamplePortal, serve_forever

    if synthetic and not styles:
        styles = STYLE_ORDER

    site_modes = _pairs(modes, "--mode")
    try:
        faults = parse_spec(fault_spec) if fault_spec else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from exc

    sample = SamplePortal(
        synthetic=synthetic,
        seed=seed,
        base_port=port,
        include_seeds=not no_seeds,
        faults=faults,
        hostile=hostile,
        styles=styles,
        extra_formats=extra_formats,
    )
    try:
        sample.start()
    except OSError as exc:
        raise click.ClickException(f"cannot start the sample portal on port {port}: {exc}") from exc
    try:
        for family, mode in site_modes.items():
            sample.set_mode(family, mode)
    except (ValueError, StopIteration) as exc:
        sample.stop()
        raise click.BadParameter(f"{exc or 'unknown site family'}", param_hint="--mode") from exc
    if sources_out:
        sample.write_sources(sources_out)
    if truth_out:
        sample.write_truth(truth_out)
    for site in sample.sites:
        click.echo(f"{site.family:<8} {site.base_url}")
    if sources_out:
        click.echo(f"sources written to {sources_out}")
    click.echo("Serving; Ctrl-C stops.", err=True)
    sys.stdout.flush()
    serve_forever(sample)


def _pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """NAME=VALUE options as a dict."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint=option)
        values[name.strip()] = value
    return values


@cli.command()
@click.option(
    "--sources",
    "sources_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Source file (YAML) describing the portals to crawl.",
)
@db_option("SQLite database to write.")
@archive_option
@click.option("--only", multiple=True, help="Crawl only these source ids (repeatable).")
@click.option(
    "--full",
    is_flag=True,
    help="Full revalidation: download every known report again and compare hashes "
    "(guards against servers that lie about freshness; e.g. weekly).",
)
@click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy/nianbao setting for this run (repeatable), e.g. -s AUTOTHROTTLE_ENABLED=0.",
)
@click.option(
    "--log-level",
    default=None,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
    help="Scrapy log level (default WARNING; INFO with -v).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Scrapy's own log at INFO, with its stats dump, instead of the progress line.",
)
@click.option(
    "--table/--no-table",
    default=None,
    help="Print the run table (default: on a terminal, or when a source newly fails; "
    "so cron mails only failures).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Be one worker of a distributed crawl sharing its queue on this Redis "
    "(default: $NIANBAO_REDIS_URL); build the database with 'nianbao rebuild' afterwards.",
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False),
    help="After publishing, write the downloads into this folder, as 'nianbao export' does "
    "(default: $NIANBAO_EXPORT_DIR; none when unset).",
)
@click.option(
    "--crawl-key",
    help="Name of the distributed crawl in Redis (default: derived from the source ids).",
)
def crawl(
    sources_path: str,
    db_path: str,
    archive_dir: str,
    only: tuple[str, ...],
    full: bool,
    settings: tuple[str, ...],
    log_level: str | None,
    verbose: bool,
    table: bool | None,
    redis_url: str | None,
    export_dir: str | None,
    crawl_key: str | None,
) -> None:
    """Crawl the portals of a source file into the archive and the database.

    Incremental by default: known reports are revalidated with conditional requests and nothing
    unchanged is extracted again. Exits 1 when a source that did not fail last time fails now.
    """
    from archive.export import ExportError
    from archive.run_record import summary_table
    from crawler.runner import run_crawl
    from crawler.sources import SourcesError, load_sources

    try:
        sources = load_sources(sources_path)
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from exc
    if only:
        unknown = set(only) - {s.id for s in sources}
        if unknown:
            raise click.ClickException(
                f"no source with id {', '.join(sorted(unknown))} in {sources_path}"
            )
        sources = [s for s in sources if s.id in only]
    try:
        run = run_crawl(
            sources,
            db_path,
            archive_dir,
            sources_file=str(sources_path),
            full_revalidation=full,
            redis_url=redis_url,
            crawl_key=crawl_key,
            LOG_LEVEL=log_level or ("INFO" if verbose else "WARNING"),
            NIANBAO_PROGRESS=not verbose and sys.stderr.isatty(),
            **({"NIANBAO_EXPORT_DIR": export_dir} if export_dir else {}),
            **_pairs(settings, "--set"),
        )
    except ExportError as exc:
        raise click.ClickException(
            f"the crawl is stored, but writing the downloads failed: {exc}"
        ) from exc
    if table or (table is None and (sys.stdout.isatty() or run.exit_code)):
        click.echo(summary_table(run))
    failing = [s for s in run.sources if s.status != "ok"]
    if run.exit_code:
        raise click.ClickException(
            "newly failing sources: "
            + ", ".join(f"{s.source_id} ({s.status}: {s.detail})" for s in failing)
            + " — see the crawl_runs, source_runs and pages tables for the reasons"
        )


@cli.command()
@archive_option
@db_option("SQLite database to (re)build.")
@click.option(
    "--sources",
    "sources_path",
    type=click.Path(dir_okay=False),
    help="Source file, to name each source's agency and portal in the database.",
)
@click.option(
    "--progress/--no-progress", default=True, show_default=True, help="Show a progress bar."
)
@cache_option
def rebuild(
    archive_dir: str, db_path: str, sources_path: str | None, progress: bool, cache: bool
) -> None:
    """Rebuild the database from the WARC archive alone (no network)."""
    from archive.rebuild import rebuild as rebuild_db
    from archive.revisits import parse_ladder
    from crawler import settings as crawl_settings
    from crawler.sources import SourcesError, load_sources

    if not Path(archive_dir).is_dir():
        raise click.ClickException(f"no archive directory at {archive_dir}")
    try:
        sources = load_sources(sources_path) if sources_path else None
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from exc
    summary = rebuild_db(
        archive_dir,
        db_path,
        progress=progress,
        sources=sources,
        cache=cache,
        ladder=parse_ladder(crawl_settings.NIANBAO_REVISIT_SCHEDULE),
    )
    click.echo(
        f"responses {summary.responses}, documents {summary.documents}, "
        f"reports {summary.reports}, failed {summary.failed}, "
        f"extracted {summary.extracted}, cached {summary.cached}"
    )
    for error in summary.errors:
        click.echo(f"warning: {error}", err=True)


@cli.command()
@archive_option
@db_option("SQLite database whose archived documents await extraction.", exists=True)
@click.option(
    "--progress/--no-progress", default=True, show_default=True, help="Show a progress bar."
)
@cache_option
def load(archive_dir: str, db_path: str, progress: bool, cache: bool) -> None:
    """Extract and store the documents a crawl archived but did not load (it was stopped, or run
    with `scrapy crawl`); `nianbao crawl` does this itself after fetching."""
    from archive.load import load_pending
    from archive.publish import prepare_for_publishing
    from archive.schema import open_db

    if not Path(archive_dir).is_dir():
        raise click.ClickException(f"no archive directory at {archive_dir}")
    summary = load_pending(db_path, archive_dir, progress=progress, cache=cache)
    if summary.rewrote:
        db = open_db(db_path)
        try:
            prepare_for_publishing(db)
        finally:
            db.close()
    click.echo(
        f"documents {summary.documents}, failed {summary.failed}, cached {summary.cached}, "
        f"{summary.seconds:.1f} s"
    )


@cli.command()
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
def extract(path: str, as_json: bool) -> None:
    """Extract one saved page, text file or attachment (PDF, DOCX, DOC/WPS, XLS(X)), or a URL,
    and print the report (nothing is archived: use `nianbao crawl` for that)."""
    from pipeline.extraction.extract import extract_document

    headers: dict[str, str] = {}
    if path.startswith(("http://", "https://")):
        from crawler.discovery import http_fetch

        try:
            url, body, headers = http_fetch(path)
        except OSError as exc:
            raise click.ClickException(f"cannot fetch {path}: {exc}") from exc
    else:
        file = Path(path)
        if not file.is_file():
            raise click.ClickException(f"no such file: {path}")
        if file.suffix.lower() == ".txt":
            headers["content-type"] = "text/plain"
        url, body = file.resolve().as_uri(), file.read_bytes()
    report = extract_document(body, url, headers)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    failed_checks = [c for c in report.checks if c.passed is False]
    click.echo(f"status    {report.status} {report.status_reason}".rstrip())
    click.echo(f"doc type  {report.doc_type}")
    click.echo(f"agency    {report.agency}")
    click.echo(f"year      {report.year}")
    click.echo(f"template  {report.template}")
    click.echo(f"metrics   {len(report.metrics)}")
    if report.missing_rows:
        from archive.publish.labels import row_labels

        labels = row_labels(report.template)
        click.echo(f"missing   {len(report.missing_rows)} template rows not found")
        for row in report.missing_rows:
            click.echo(f"  - {labels.get(row, row)} ({row})")
    click.echo(f"checks    {len(report.checks)} ({len(failed_checks)} failed)")
    for check in failed_checks:
        click.echo(f"  ✗ {check.rule}: expected {check.expected}, printed {check.printed}")
    click.echo(f"facts     {len(report.facts)}")


@cli.command()
@db_option("The database to publish.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(min=0, max=65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--live",
    is_flag=True,
    help="The database is being written (a crawl is running): serve it read-only, not immutable.",
)
@click.option(
    "--downloads",
    "downloads_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of 'nianbao export' files to list on the home page and serve under /downloads/ "
    "(default: the database's own folder when it holds a datapackage.json).",
)
@archive_option
def serve(
    db_path: str, port: int, host: str, live: bool, downloads_dir: str | None, archive_dir: str
) -> None:
    """Publish the database with Datasette (read-only; immutable unless --live)."""
    from archive.export import PACKAGE_FILE
    from nianbao.serve import run_datasette

    db = Path(db_path)
    if not db.is_file():
        raise click.ClickException(
            f"no database at {db_path}: run 'nianbao crawl' or 'nianbao rebuild' first"
        )
    if downloads_dir is None and (db.parent / PACKAGE_FILE).is_file():
        downloads_dir = str(db.parent)
    # The report page replays originals and draws PDF cells from the archive; without one (the
    # default folder absent, as beside a downloaded slim file) it offers no replay.
    archive: Path | None = Path(archive_dir)
    if not Path(archive_dir).is_dir():
        given = click.get_current_context().get_parameter_source("archive_dir")
        if given is not click.core.ParameterSource.DEFAULT:
            raise click.ClickException(f"no archive directory at {archive_dir}")
        archive = None
    click.echo(f"Datasette: http://{host}:{port}/")
    sys.stdout.flush()
    sys.exit(
        run_datasette(
            db,
            host=host,
            port=port,
            config_dir=DATASETTE_DIR,
            live=live,
            downloads_dir=Path(downloads_dir) if downloads_dir else None,
            archive_dir=archive,
        )
    )


@cli.command()
@db_option("The database to export.", exists=True)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the downloads into (created if missing).",
)
@click.option(
    "--archive",
    "archive_dir",
    default=DEFAULT_ARCHIVE,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory of the WARC archive (for --wacz).",
)
@click.option("--wacz", is_flag=True, help="Also package the WARC archive as nianbao-archive.wacz.")
def export(db_path: str, out_dir: str, archive_dir: str, wacz: bool) -> None:
    """Write the downloads: a slim SQLite (no texts), CSV and Parquet of metrics_long,
    report_summary and agencies, a data dictionary, SHA256SUMS and datapackage.json."""
    from archive.export import ExportError, WaczError, export_release

    if wacz and not Path(archive_dir).is_dir():
        raise click.ClickException(f"no archive directory at {archive_dir}")
    try:
        summary = export_release(
            db_path,
            out_dir,
            metadata_path=DATASETTE_DIR / "metadata.yml",
            archive_dir=archive_dir,
            wacz=wacz,
        )
    except (ExportError, WaczError) as exc:
        raise click.ClickException(str(exc)) from exc
    for name, size in summary.files.items():
        click.echo(f"{size:>14,}  {name}")
    click.echo(f"written to {out_dir} in {summary.seconds:.1f} s (SHA256SUMS, datapackage.json)")


@cli.group()
def sources() -> None:
    """Source files: validate them, and find new portals' report columns."""


@sources.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--network",
    is_flag=True,
    help="Also fetch every start URL and report those that do not answer.",
)
@click.option(
    "--mark",
    is_flag=True,
    help="Write the findings back into the files: 'answered: <date>' on the sources that "
    "answered (with --network), 'verified: true' on those --db shows reports from.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, exists=True),
    help="A crawl's database: with --mark, its sources that yielded reports become verified.",
)
def sources_check(paths: tuple[str, ...], network: bool, mark: bool, db_path: str | None) -> None:
    """Validate source files: fields, duplicates and (with --network) unreachable portals."""
    from crawler.discovery import (
        check_sources,
        http_fetch,
        mark_sources,
        sources_with_reports,
        unreachable,
    )
    from crawler.sources import SourcesError, load_sources

    all_sources = []
    errors: list[str] = []
    for path in paths:
        try:
            all_sources.extend(load_sources(path))
        except SourcesError as exc:
            errors.append(str(exc))
    seen: dict[str, int] = {}
    for source in all_sources:
        seen[source.id] = seen.get(source.id, 0) + 1
    errors += [
        f"source id {sid!r} appears in more than one file" for sid, n in seen.items() if n > 1
    ]
    errors += check_sources(all_sources)
    answered: dict[str, str] = {}
    if network:
        answered = unreachable(all_sources, http_fetch)
        errors += [problem for problem in answered.values() if problem]
        for source_id, problem in answered.items():
            if not problem:
                click.echo(f"✓ {source_id} answers")
    for error in errors:
        click.echo(f"✗ {error}", err=True)
    if mark:
        with_reports = sources_with_reports(db_path) if db_path else set()
        today = datetime.now(UTC).date().isoformat()
        for path in paths:
            try:
                changed = mark_sources(path, answered, with_reports, today)
            except SourcesError:
                continue  # already reported above; a file that does not load is left alone
            click.echo(f"marked {len(changed)} source(s) in {path}")
    click.echo(f"{len(all_sources)} sources in {len(paths)} file(s), {len(errors)} problem(s)")
    if errors:
        sys.exit(1)


@sources.command("discover")
@click.argument("home_url", required=False)
@click.option("--id", "source_id", help="Id for the new source ([a-z0-9-]).")
@click.option("--agency", help="The agency that publishes on this portal.")
@click.option(
    "--from",
    "list_path",
    type=click.Path(dir_okay=False, exists=True),
    help="Discover every portal of this CSV (columns agency, home_url, optional region, "
    "level, id) instead of one HOME_URL.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    help="Add the source(s) to this file (created if missing).",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False),
    help="With --from: write the review table here (Markdown if it ends in .md, else CSV).",
)
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 16),
    help="With --from: portals discovered at once.",
)
@click.option(
    "--delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help="With --from: seconds between two requests to one host (robots.txt's Crawl-delay "
    "wins when longer).",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="The portal is on a private/loopback address (e.g. the sample portal).",
)
def sources_discover(
    home_url: str | None,
    source_id: str | None,
    agency: str | None,
    list_path: str | None,
    out_path: str | None,
    review_path: str | None,
    concurrency: int,
    delay: float,
    allow_private: bool,
) -> None:
    """Find a portal's 政府信息公开年报 column from its home page, for review; or, with --from,
    those of every portal in a CSV file."""
    from crawler.discovery import discover, discovered_source
    from crawler.sources import SourcesError, dump_sources, load_sources, parse_source

    if list_path:
        if home_url or source_id or agency:
            raise click.UsageError("--from replaces HOME_URL, --id and --agency")
        _discover_many(list_path, out_path, review_path, concurrency, delay, allow_private)
        return
    if not (home_url and source_id and agency):
        raise click.UsageError("give HOME_URL with --id and --agency, or --from FILE.csv")
    found = discover(home_url)
    click.echo(f"family   {found.family}")
    click.echo(f"path     {' → '.join(found.path)}")
    if found.problem:
        raise click.ClickException(found.problem)
    click.echo(f"column   {found.column_url}")
    source = discovered_source(found, source_id, agency, allow_private)
    try:
        parse_source(source.to_dict(), "discovered source")
        existing = load_sources(out_path) if out_path and Path(out_path).exists() else []
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from exc
    if out_path:
        if any(s.id == source_id for s in existing):
            raise click.ClickException(f"{out_path} already has a source {source_id!r}")
        dump_sources(existing + [source], out_path)
        click.echo(f"added {source_id} to {out_path} (verified: false — review it)")


def _discover_many(
    list_path: str,
    out_path: str | None,
    review_path: str | None,
    concurrency: int,
    delay: float,
    allow_private: bool,
) -> None:
    """`sources discover --from`: every portal of a CSV, a source file and a review table."""
    from crawler.discovery_batch import FAILED, discover_many, read_portal_list, write_review
    from crawler.sources import SourcesError, dump_sources, load_sources

    try:
        rows = read_portal_list(list_path)
        existing = load_sources(out_path) if out_path and Path(out_path).exists() else []
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from exc

    def show(result: Any) -> None:
        where = result.found.column_url or result.found.problem
        click.echo(f"{result.outcome:<8} {result.row.agency}  {result.row.home_url}  {where}")

    results = discover_many(
        rows,
        concurrency=concurrency,
        delay=delay,
        allow_private=allow_private,
        source_file=Path(list_path).name,
        progress=show,
        taken_ids={s.id for s in existing},
    )
    found = [r.source for r in results if r.source is not None]
    if out_path:
        dump_sources(existing + found, out_path)
        click.echo(f"{len(found)} source(s) added to {out_path} (verified: false — review them)")
    if review_path:
        write_review(results, review_path)
        click.echo(f"review table written to {review_path}")
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("found", "guessed", FAILED)}
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in counts.items()))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
