"""The briefpack command line: parse, delegate, report. Work happens in other modules."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sys
from dataclasses import replace
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import click

from . import __version__
from .build import BuildOptions, build_pack_set
from .check import check_project
from .errors import BriefError, SpecError, suggest
from .log import configure_logging
from .mail import (
    DEFAULT_ATTACHMENT_LIMIT,
    TEMPLATE_PATH,
    DraftOptions,
    load_pack_folder,
    plan_drafts,
    write_drafts,
)
from .project import Project
from .recipients import Recipient, check_header_text, load_recipients, parse_address
from .size import DEFAULT_BUDGET, ByteSize, SizeLimits, format_size
from .smtp import SmtpSettings, check_security, default_port, send_drafts
from .spec import PackSpec, load_pack_spec, validate_pack_spec

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 88}

# Spec key paths as the flag that sets them, for errors in the no-spec form of build.
FLAG_FOR_KEY = {
    "countries.region": "--region",
    "countries.group": "--group",
    "countries.include": "--country",
    "countries.exclude": "--exclude",
    "countries": "--country",
    "modules": "--module",
    "meeting.name": "--meeting",
    "meeting.date": "--date",
    "meeting.end_date": "--end-date",
    "meeting.venue": "--venue",
    "meeting.body": "--body",
    "prepared_for": "--prepared-for",
    "prepared_by": "--prepared-by",
    "classification": "--classification",
    "title": "--title",
    "theme": "--theme",
    "languages": "--lang",
    "pack_id": "--pack-id",
    "talking_points": "--talking-point",
}


def project_option(command):
    """Add ``--project DIR`` and pass the loaded ``Project`` as ``project``."""

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Folder holding briefs/, templates/ and styles/.",
    )
    @functools.wraps(command)
    def wrapper(*args, project_dir: Path, **kwargs):
        return command(*args, project=Project(project_dir), **kwargs)

    return wrapper


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="briefpack")
@click.option("-v", "--verbose", count=True, help="Show more detail (repeat for more).")
@click.option("-q", "--quiet", is_flag=True, help="Show errors only.")
def main(verbose: int, quiet: bool) -> None:
    """Build printable, branded PDF briefing packs on migration policy."""
    configure_logging(verbose, quiet)


@main.command("build")
@click.argument(
    "spec_paths",
    metavar="[SPEC.yaml]...",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--country", "countries", multiple=True, metavar="ISO3",
              help="Country code (repeatable), for a pack without a spec file.")
@click.option("--region", metavar="NAME",
              help="Every country of an M49 region, sub-region or intermediate region"
                   " (name or code).")
@click.option("--group", metavar="ID",
              help="Every country of a group in briefs/countries/groups.yaml.")
@click.option("--exclude", multiple=True, metavar="ISO3",
              help="Leave a country out of --region or --group (repeatable).")
@click.option("--module", "modules", multiple=True, metavar="ID",
              help="Toolkit module id (repeatable), for a pack without a spec file.")
@click.option("--meeting", help="Meeting name, for a pack without a spec file.")
@click.option("--date", "meeting_date", metavar="YYYY-MM-DD", help="Meeting date.")
@click.option("--end-date", metavar="YYYY-MM-DD", help="Last day of the meeting.")
@click.option("--venue", help="Meeting venue.")
@click.option("--body", help="Body that convenes the meeting.")
@click.option("--prepared-for", help="Who the pack is for.")
@click.option("--prepared-by", help="Preparing organisation (default: the theme's).")
@click.option("--classification", help="Marking printed on every page.")
@click.option("--title", help="Pack title (default: the meeting name).")
@click.option("--pack-id", help="Pack id used in file names (default: from the meeting).")
@click.option("--talking-point", "talking_points", multiple=True,
              help="A talking point for the at-a-glance page (repeatable).")
@click.option("--theme", default="default", show_default=True, help="Theme name.")
@click.option("--lang", "languages", multiple=True, metavar="LANG",
              help="Language code (repeatable; default en).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size (default: the spec's, else A4).")
@click.option("--no-regional", is_flag=True,
              help="Do not add the country's regional module automatically.")
@click.option("--date-prepared", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date printed as 'date prepared' (default: the spec's,"
                   " SOURCE_DATE_EPOCH, else today).")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False,
              path_type=Path), default=Path("output"), show_default=True,
              help="Folder the packs are written to.")
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1),
              default=os.cpu_count() or 1, show_default="the number of CPUs",
              help="Packs rendered in parallel.")
@click.option("--force", is_flag=True, help="Rebuild packs whose inputs are unchanged.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed pack.")
@click.option("--combined", is_flag=True,
              help="Also write one PDF holding every country of the batch.")
@click.option("--zip", "make_zip", is_flag=True,
              help="Bundle each pack folder as output/<pack-id>.zip for sending.")
@click.option("--size-budget", type=ByteSize(), default=format_size(DEFAULT_BUDGET),
              show_default=True, help="Warn about a PDF larger than this (500kB, 2MB).")
@click.option("--max-size", type=ByteSize(), default=None,
              help="Fail, and do not write, a PDF larger than this.")
@project_option
@click.pass_context
def build_command(
    ctx: click.Context,
    project: Project,
    spec_paths: tuple[Path, ...],
    output_dir: Path,
    paper: str | None,
    date_prepared: dt.datetime | None,
    workers: int,
    force: bool,
    fail_fast: bool,
    combined: bool,
    make_zip: bool,
    size_budget: int,
    max_size: int | None,
    **flags,
) -> None:
    """Build packs from spec files, or from flags without one.

    Prints the path of each PDF written, one per line. Packs whose inputs have not
    changed since the last build are skipped (--force rebuilds them).
    """
    specs = _specs_from_arguments(project, spec_paths, flags)
    options = BuildOptions(
        output_dir=output_dir,
        prepared_on=date_prepared.date() if date_prepared else None,
        workers=workers,
        force=force,
        fail_fast=fail_fast,
        combined=combined,
        make_zip=make_zip,
        show_progress=_wants_progress_bar(ctx),
        size_limits=SizeLimits(size_budget, max_size),
    )
    failures = 0
    for spec in specs:
        if paper:
            spec = spec.model_copy(update={"paper": paper})
        outcome = build_pack_set(project, spec, options)
        for path in outcome.written:
            click.echo(str(path))
        failures += len(outcome.report.failed)
        if outcome.report.interrupted:
            raise click.Abort()
        if outcome.report.stopped_early:
            break
    if failures:
        raise BriefError(f"{failures} pack(s) failed; see the errors above")


def _wants_progress_bar(ctx: click.Context) -> bool:
    quiet = ctx.find_root().params.get("quiet", False)
    return not quiet and sys.stderr.isatty()


def _specs_from_arguments(
    project: Project, spec_paths: tuple[Path, ...], flags: dict
) -> list[PackSpec]:
    used_flags = [name for name, value in flags.items()
                  if value not in (None, (), False) and name != "theme"]
    selectors = [flags["countries"], flags["region"], flags["group"]]
    if spec_paths and used_flags:
        raise click.UsageError(
            "give either spec files or pack flags (--country, --module, …), not both"
        )
    if spec_paths:
        return [load_pack_spec(path, project) for path in spec_paths]
    if not any(selectors) or not flags["modules"] or not flags["meeting"]:
        raise click.UsageError(
            "give a spec file, or at least --country (or --region or --group),"
            " --module and --meeting"
        )
    if flags["exclude"] and not (flags["region"] or flags["group"]):
        raise click.UsageError("--exclude goes with --region or --group")
    return [_spec_from_flags(project, flags)]


def _spec_from_flags(project: Project, flags: dict) -> PackSpec:
    meeting = {"name": flags["meeting"], "date": flags["meeting_date"],
               "end_date": flags["end_date"], "venue": flags["venue"],
               "body": flags["body"]}
    data = {
        "pack_id": flags["pack_id"] if flags["pack_id"] is not None
        else _slug(flags["meeting"], flags["meeting_date"]),
        "title": flags["title"] or flags["meeting"],
        "meeting": {key: value for key, value in meeting.items() if value},
        "prepared_for": flags["prepared_for"],
        "prepared_by": flags["prepared_by"],
        "classification": flags["classification"],
        "theme": flags["theme"],
        "languages": list(flags["languages"]) or ["en"],
        "countries": _countries_from_flags(flags),
        "modules": list(flags["modules"]),
        "include_regional": not flags["no_regional"],
        "talking_points": list(flags["talking_points"]),
    }
    data = {key: value for key, value in data.items() if value is not None}
    try:
        return validate_pack_spec(data, "command line", project)
    except SpecError as err:
        lines = [_as_flag_problem(problem) for problem in err.problems]
        raise click.UsageError("\n".join(lines)) from err


def _countries_from_flags(flags: dict) -> list[str] | dict:
    if not flags["region"] and not flags["group"]:
        return [code.upper() for code in flags["countries"]]
    selector = {"region": flags["region"], "group": flags["group"],
                "include": [code.upper() for code in flags["countries"]],
                "exclude": [code.upper() for code in flags["exclude"]]}
    return {key: value for key, value in selector.items() if value}


def _as_flag_problem(problem: str) -> str:
    problem = problem.removeprefix("command line: ")
    # The pack id names the output folder and files; from flags it is --pack-id.
    problem = problem.replace("file name: the pack id ", "pack_id: ", 1)
    key = re.split(r"[\[:]", problem, maxsplit=1)[0]
    flag = FLAG_FOR_KEY.get(key)
    if flag is None:
        return problem
    detail = problem.split(": ", 1)[1] if ": " in problem else problem
    return f"{flag}: {detail.replace('meeting.date', '--date')}"


def _slug(*parts: str | None) -> str:
    text = "-".join(part for part in parts if part)
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].rstrip("-") or "pack"


@main.command("modules")
@click.option("--tag", help="Show only modules with this tag.")
@click.option("--lang", default="en", show_default=True, help="Language of the text.")
@project_option
def modules_command(project: Project, tag: str | None, lang: str) -> None:
    """List the toolkit modules: id, title, tags and reviewed date."""
    brief_modules = project.modules.all(lang)
    if tag:
        brief_modules = [m for m in brief_modules if tag.lower() in m.meta.tags]
        if not brief_modules:
            known = sorted({t for m in project.modules.all(lang) for t in m.meta.tags})
            raise click.BadParameter(
                f"no module has the tag {tag!r} (tags: {', '.join(known)})",
                param_hint="--tag",
            )
    for brief_module in brief_modules:
        meta = brief_module.meta
        click.echo(
            f"{meta.id:<34} {meta.reviewed.isoformat()}  {meta.title}"
            f"  [{', '.join(meta.tags)}]"
        )


@main.command("countries")
@click.option("--region", help="An M49 region, sub-region or intermediate region.")
@project_option
def countries_command(project: Project, region: str | None) -> None:
    """List the countries and areas with data: ISO3 code, name and region."""
    data = project.countries
    if region:
        codes = project.resolve_area(region)
        if not codes:


            raise click.BadParameter(
                f"unknown M49 region {region!r}{suggest(region, data.regions)}",
                param_hint="--region",
            )
        countries = [data.get(code) for code in codes]
    else:
        countries = sorted(data.countries.values(), key=lambda c: c.iso3)
    for country in countries:
        area = country.comparison_area or country.sub_region
        click.echo(f"{country.iso3}  {country.name:<44} {country.region} / {area}")


@main.command("check")
@click.option("--strict", is_flag=True, help="Count warnings as failures.")
@project_option
def check_command(project: Project, strict: bool) -> None:
    """Validate modules, pack specs and country data without rendering."""
    problems = check_project(project, today=dt.date.today())
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for problem in problems if problem.severity == "error")
    warnings = len(problems) - errors
    failing = errors + (warnings if strict else 0)
    specs = len(list(project.packs_dir.glob("*.yaml")))
    summary = (f"{len(project.modules.ids)} modules, {specs} pack specs and the country"
               f" data checked: {errors} error(s), {warnings} warning(s)")
    if failing:
        raise BriefError(summary + (" (--strict)" if strict and warnings else ""))
    click.echo(summary, err=True)


# --- briefpack email: drafts with the packs attached, sent only on --send -----------


def _addresses_option(ctx, param, values: tuple[str, ...]) -> tuple[Address, ...]:
    try:
        return tuple(parse_address(value) for value in values)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


def _address_option(ctx, param, value: str | None) -> Address | None:
    return _addresses_option(ctx, param, (value,))[0] if value is not None else None


def _header_option(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_header_text(param.name, value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


@main.command("email")
@click.argument("pack_dirs", metavar="PACK_DIR...", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--to", "to_addresses", multiple=True, metavar="ADDRESS",
              callback=_addresses_option,
              help="Recipient (repeatable): desk@example.org or 'Name <desk@…>'.")
@click.option("--recipients", "recipients_csv", metavar="FILE.csv",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Distribution list (name,email,countries): one draft per person.")
@click.option("--per-recipient", is_flag=True,
              help="With --to, write one draft per address instead of one per pack.")
@click.option("--cc", multiple=True, metavar="ADDRESS", callback=_addresses_option,
              help="Copy every draft to this address (repeatable).")
@click.option("--from", "sender", metavar="ADDRESS", callback=_address_option,
              help="Sender address (required with --send).")
@click.option("--subject", callback=_header_option,
              help="Subject line to use instead of the template's first line.")
@click.option("--classification", callback=_header_option,
              help="Classification marking (default: the pack manifest's).")
@click.option("--template", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Email template (default: email/draft.txt in"
              " the project's templates).")
@click.option("--lang", "languages", multiple=True, metavar="LANG",
              help="Attach only the packs in this language (repeatable).")
@click.option("--attachment-limit", type=ByteSize(),
              default=format_size(DEFAULT_ATTACHMENT_LIMIT), show_default=True,
              help="Largest total of PDFs in one message.")
@click.option("--no-split", is_flag=True,
              help="Refuse, instead of splitting, attachments over the limit.")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False,
              path_type=Path), help="Folder for the drafts (default: PACK_DIR/email).")
@click.option("--send", is_flag=True, help="Also send the messages over SMTP.")
@click.option("--smtp-host", metavar="HOST", help="SMTP server (required with --send).")
@click.option("--smtp-port", type=click.IntRange(1, 65535),
              help="SMTP port (default: 587 for starttls, 465 for tls, 25 for none).")
@click.option("--smtp-security", type=click.Choice(["starttls", "tls", "none"]),
              default="starttls", show_default=True,
              help="Encryption; none only for a server on this machine.")
@project_option
def email_command(
    project: Project,
    pack_dirs: tuple[Path, ...],
    to_addresses: tuple[Address, ...],
    recipients_csv: Path | None,
    per_recipient: bool,
    output_dir: Path | None,
    send: bool,
    smtp_host: str | None,
    smtp_port: int | None,
    smtp_security: str,
    **draft_flags,
) -> None:
    """Write email drafts (.eml) with the packs attached; send them only on --send.

    Prints the path of each draft written, one per line. SMTP credentials come from
    BRIEFPACK_SMTP_USER and BRIEFPACK_SMTP_PASSWORD, or a prompt (an empty user name
    sends without logging in).
    """
    if bool(to_addresses) == bool(recipients_csv):
        raise click.UsageError("give either --to ADDRESS or --recipients FILE.csv")
    if per_recipient and recipients_csv:
        raise click.UsageError("--per-recipient goes with --to; a distribution list"
                               " always gives one draft per recipient")
    settings = _smtp_settings(draft_flags["sender"], smtp_host, smtp_port,
                              smtp_security) if send else None
    if recipients_csv:
        people = load_recipients(recipients_csv, project)
    else:
        people = [Recipient(address) for address in to_addresses]
    options = _draft_options(project, draft_flags)
    planned = [
        (output_dir or folder / "email",
         plan_drafts(load_pack_folder(folder, project), people, options,
                     per_recipient or bool(recipients_csv)))
        for folder in pack_dirs
    ]
    if not any(drafts for _, drafts in planned):
        raise BriefError("no drafts to write: no recipient covers a pack's country")
    if settings is not None:
        settings = replace(settings, **_smtp_credentials())
    written: list[tuple[str, EmailMessage]] = []
    for folder, drafts in planned:
        for path, message in write_drafts(drafts, folder):
            click.echo(str(path))
            written.append((str(path), message))
    if settings is None:
        if smtp_host:
            click.echo("drafts only: nothing was sent (add --send to send)", err=True)
        return
    results = send_drafts(written, settings, dt.datetime.now().astimezone())
    failed = sum(1 for result in results if not result.ok)
    if failed:
        raise BriefError(f"{failed} of {len(results)} message(s) not delivered to every"
                         " recipient; see the errors above")


def _draft_options(project: Project, flags: dict) -> DraftOptions:
    return DraftOptions(
        template=flags["template"] or project.templates_dir / TEMPLATE_PATH,
        sender=flags["sender"],
        cc=flags["cc"],
        subject=flags["subject"],
        classification=flags["classification"],
        languages=flags["languages"],
        attachment_limit=flags["attachment_limit"],
        split=not flags["no_split"],
    )


def _smtp_settings(
    sender: Address | None, host: str | None, port: int | None, security: str
) -> SmtpSettings:
    if not host:
        raise click.UsageError("--send needs --smtp-host HOST")
    if sender is None:
        raise click.UsageError("--send needs --from ADDRESS")
    try:
        check_security(host, security)
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    return SmtpSettings(host, port or default_port(security), security)


def _smtp_credentials() -> dict[str, str]:
    """Read the SMTP login from the environment, or ask; never from an option."""
    user = os.environ.get("BRIEFPACK_SMTP_USER")
    if user is None:
        user = click.prompt("SMTP user name (empty to send without logging in)",
                            default="", show_default=False, err=True)
    password = ""
    if user:
        password = os.environ.get("BRIEFPACK_SMTP_PASSWORD")
        if password is None:
            password = click.prompt("SMTP password", hide_input=True, err=True)
    return {"user": user, "password": password}
