"""Email drafts: real .eml files parsed back with the standard library."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefpack.cli import main
from briefpack.errors import BriefError
from briefpack.mail import (
    DraftOptions,
    PackFile,
    load_pack_folder,
    split_files,
)
from briefpack.size import format_size

from .conftest import ROOT, pdf_reader
from .packfolders import (
    CLASSIFICATION,
    PACK_ID,
    TITLE,
    attachments,
    read_eml,
    write_manifest_pack,
)

FOCAL_POINTS = ROOT / "briefs" / "distribution" / "focal-points-western-africa.csv"
MEETING_LINE = "Regional Consultative Process on Migration, 11–12 May 2027"


def email(runner, *args: str):
    return runner.invoke(main, ["email", "--project", str(ROOT), *args])


@pytest.fixture
def senegal_folder(built, tmp_path) -> Path:
    """A pack folder as build writes it today: PDFs and no manifest."""
    folder = tmp_path / "idm-2027-senegal"
    folder.mkdir()
    shutil.copy(built["senegal"], folder)
    return folder


@pytest.fixture
def west_africa(project) -> list[str]:
    return project.resolve_area("Western Africa")


@pytest.fixture
def regional_pack(tmp_path, project, west_africa) -> Path:
    return write_manifest_pack(tmp_path / "output", project, west_africa)


def test_draft_per_pack_without_manifest(runner, senegal_folder, built, tmp_path):
    out = tmp_path / "drafts"
    result = email(runner, str(senegal_folder), "--to", "Desk <desk@example.org>",
                   "--cc", "Jörg Müller <j.muller@example.org>",
                   "--from", "Briefing Unit <briefs@example.org>", "-o", str(out))
    assert result.exit_code == 0, result.output
    draft = out / "idm-2027-senegal.eml"
    assert result.stdout == f"{draft}\n"
    assert "no manifest.json" in result.stderr
    message = read_eml(draft)
    assert message["From"] == "Briefing Unit <briefs@example.org>"
    assert message["To"] == "Desk <desk@example.org>"
    assert message["Cc"] == "Jörg Müller <j.muller@example.org>"
    assert message["X-Unsent"] == "1"
    assert message["Date"] is None and message["Message-ID"] is None
    assert message["Subject"] == (
        "Remittances and labour mobility: briefing pack on Senegal for"
        " International Dialogue on Migration, 16–17 March 2027"
    )
    pdf = built["senegal"].read_bytes()
    assert message.get_body(("plain",)).get_content() == (
        "Dear colleagues,\n\n"
        'Please find attached the briefing pack "Remittances and labour mobility" on'
        " Senegal, prepared for International Dialogue on Migration, 16–17 March"
        " 2027.\n\n"
        "Attached:\n"
        f"- idm-2027-senegal_SEN_en.pdf: Senegal (en, {len(pdf_reader(built['senegal']).pages)} pages,"
        f" {format_size(len(pdf))})\n\n"
        "With best regards,\n"
    )
    assert attachments(message) == [("idm-2027-senegal_SEN_en.pdf", pdf)]
    part = next(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_content_disposition() == "attachment"
    # Every line of the file ends in CRLF, as RFC 5322 asks.
    raw = draft.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")


def test_draft_lands_in_the_pack_folder_by_default(runner, senegal_folder):
    result = email(runner, str(senegal_folder), "--to", "desk@example.org",
                   "--classification", "For official use only")
    assert result.exit_code == 0, result.output
    draft = senegal_folder / "email" / "idm-2027-senegal.eml"
    assert result.stdout.splitlines() == [str(draft)]
    assert "no manifest.json" not in result.stderr
    message = read_eml(draft)
    assert message["Subject"].startswith("[FOR OFFICIAL USE ONLY] Remittances")
    body = message.get_body(("plain",)).get_content()
    assert "Classification: For official use only." in body


def test_regional_batch_gives_one_draft_per_focal_point(runner, regional_pack,
                                                        project):
    result = email(runner, str(regional_pack), "--recipients", str(FOCAL_POINTS))
    assert result.exit_code == 0, result.output
    folder = regional_pack / "email"
    names = ["aminata-diallo", "kwame-mensah", "fatoumata-traore", "mariama-koroma",
             "western-africa-migration-desk"]
    assert result.stdout.splitlines() == [
        str(folder / f"{PACK_ID}_{name}.eml") for name in names
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{PACK_ID}_{name}.eml" for name in names
    )
    expected = {
        "aminata-diallo": ["CPV", "GMB", "GNB", "SEN"],
        "kwame-mensah": ["BEN", "GHA", "NGA", "TGO"],
        "fatoumata-traore": ["BFA", "MLI", "MRT", "NER"],
        "mariama-koroma": ["CIV", "GIN", "LBR", "SLE"],
        "western-africa-migration-desk": project.resolve_area("Western Africa"),
    }
    for name, codes in expected.items():
        message = read_eml(folder / f"{PACK_ID}_{name}.eml")
        files = [f"{PACK_ID}_{iso3}_en.pdf" for iso3 in codes]
        assert attachments(message) == [
            (file, (regional_pack / file).read_bytes()) for file in files
        ]
        assert message["X-Unsent"] == "1"
        assert len(message["To"].addresses) == 1
    message = read_eml(folder / f"{PACK_ID}_fatoumata-traore.eml")
    assert message["To"] == "Fatoumata Traoré <fatoumata.traore@example.org>"
    assert message["Subject"] == (
        f"[FOR OFFICIAL USE ONLY] {TITLE}: briefing packs on Burkina Faso, Mali,"
        f" Mauritania and Niger for {MEETING_LINE}"
    )
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Dear Fatoumata Traoré,\n\n")
    assert ", convened by ECOWAS Commission, 11–12 May 2027, Abuja.\n" in body
    assert "- wa-2027_MLI_en.pdf: Mali (en, 2 pages, " in body
    assert f"Classification: {CLASSIFICATION}." in body
    desk = read_eml(folder / f"{PACK_ID}_western-africa-migration-desk.eml")
    assert desk["Subject"] == (
        f"[FOR OFFICIAL USE ONLY] {TITLE}: briefing packs on Western Africa for"
        f" {MEETING_LINE}"
    )


def test_recipients_without_packs_and_uncovered_countries_are_reported(
    runner, tmp_path, project
):
    pack = write_manifest_pack(tmp_path, project, ["SEN", "GMB", "MLI"])
    people = tmp_path / "people.csv"
    people.write_text(
        "name,email,countries\n"
        "Aminata Diallo,aminata.diallo@example.org,SEN;GMB\n"
        "Central desk,central@example.org,Middle Africa\n",
        encoding="utf-8",
    )
    result = email(runner, str(pack), "--recipients", str(people))
    assert result.exit_code == 0, result.output
    draft = pack / "email" / f"{PACK_ID}_aminata-diallo.eml"
    assert result.stdout.splitlines() == [str(draft)]
    assert (f"people.csv:3: Central desk <central@example.org> covers Middle Africa,"
            f" but {PACK_ID} has no PDF for those countries; no draft") in result.stderr
    assert "wa-2027_MLI_en.pdf: nobody in the distribution list covers MLI (Mali)" in (
        result.stderr
    )


def test_per_recipient_drafts_from_flags(runner, regional_pack):
    result = email(runner, str(regional_pack), "--to", "a@example.org",
                   "--to", "Bea <b@example.org>", "--per-recipient")
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == [f"{PACK_ID}_a.eml", f"{PACK_ID}_bea.eml"]
    to = [read_eml(path)["To"] for path in paths]
    assert to == ["a@example.org", "Bea <b@example.org>"]
    assert len(attachments(read_eml(paths[0]))) == 17


def test_one_draft_per_pack_addresses_every_recipient(runner, regional_pack):
    result = email(runner, str(regional_pack), "--to", "a@example.org",
                   "--to", "b@example.org")
    assert result.exit_code == 0, result.output
    message = read_eml(Path(result.stdout.strip()))
    assert [a.addr_spec for a in message["To"].addresses] == ["a@example.org",
                                                              "b@example.org"]
    assert "briefing packs on 17 countries" in message["Subject"]


def test_non_ascii_attachment_names_round_trip(runner, tmp_path, project):
    names = {"CIV": "Côte d’Ivoire – note.pdf", "SEN": "Sénégal.pdf"}
    pack = write_manifest_pack(tmp_path, project, ["CIV", "SEN"], names)
    result = email(runner, str(pack), "--to", "desk@example.org")
    assert result.exit_code == 0, result.output
    draft = Path(result.stdout.strip())
    assert draft.name == f"{PACK_ID}.eml"
    message = read_eml(draft)
    assert attachments(message) == [
        (name, (pack / name).read_bytes()) for name in names.values()
    ]
    raw = draft.read_bytes()
    assert raw.isascii()
    # RFC 2231 parameters on both headers that clients read the name from.
    assert b"filename*=utf-8''S%C3%A9n%C3%A9gal.pdf" in raw
    assert b"name*=utf-8''S%C3%A9n%C3%A9gal.pdf" in raw


def test_drafts_are_identical_on_a_rerun(runner, regional_pack):
    first = email(runner, str(regional_pack), "--recipients", str(FOCAL_POINTS))
    before = {p: p.read_bytes() for p in map(Path, first.stdout.splitlines())}
    second = email(runner, str(regional_pack), "--recipients", str(FOCAL_POINTS))
    assert second.stdout == first.stdout
    assert {p: p.read_bytes() for p in before} == before


def test_large_sets_are_split_across_messages(runner, regional_pack):
    size = (regional_pack / f"{PACK_ID}_SEN_en.pdf").stat().st_size
    limit = str(size * 5)
    result = email(runner, str(regional_pack), "--to", "desk@example.org",
                   "--attachment-limit", limit)
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == [f"{PACK_ID}_part{n}.eml" for n in (1, 2, 3, 4)]
    received = []
    for number, path in enumerate(paths, start=1):
        message = read_eml(path)
        assert message["Subject"].endswith(f"(part {number} of 4)")
        body = message.get_body(("plain",)).get_content()
        assert f"This is message {number} of 4" in body
        files = attachments(message)
        assert sum(len(data) for _, data in files) <= size * 5
        received.extend(name for name, _ in files)
    manifest = json.loads((regional_pack / "manifest.json").read_text("utf-8"))
    assert received == [entry["file"] for entry in manifest["files"]]


def test_no_split_refuses_a_set_over_the_limit(runner, regional_pack):
    result = email(runner, str(regional_pack), "--to", "desk@example.org",
                   "--attachment-limit", "5kB", "--no-split")
    assert result.exit_code == 1
    assert "over the 5 kB limit for one message; drop --no-split" in result.stderr
    assert not (regional_pack / "email").exists()


def test_one_pdf_over_the_limit_is_refused(runner, regional_pack):
    result = email(runner, str(regional_pack), "--to", "desk@example.org",
                   "--attachment-limit", "100")
    assert result.exit_code == 1
    assert "is over the 100 bytes attachment limit for one message" in result.stderr
    assert not (regional_pack / "email").exists()


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--subject", "Packs\r\nBcc: leak@example.org"),
        ("--subject", "Packs\nX-Evil: 1"),
        ("--classification", "Secret\x1b[31m"),
        ("--to", "Desk\nBcc: leak@example.org <desk@example.org>"),
        ("--to", "desk@example.org\r\nBcc: leak@example.org"),
        ("--cc", "Eve\u2028Bcc: x <eve@example.org>"),
        ("--from", "Unit\r\n <briefs@example.org>"),
    ],
)
def test_header_injection_is_rejected(runner, regional_pack, flag, value):
    args = ["--to", "desk@example.org"] if flag != "--to" else []
    result = email(runner, str(regional_pack), *args, flag, value)
    assert result.exit_code == 2
    assert "control character" in result.stderr
    assert result.stdout == ""
    assert not (regional_pack / "email").exists()


@pytest.mark.parametrize(
    "address",
    ["not-an-address", "desk@localhost", "desk@example", "desk@@example.org",
     "a@example.org, b@example.org", "Desk <>", "desk@example..org", "dé@example.org"],
)
def test_bad_addresses_are_rejected(runner, regional_pack, address):
    result = email(runner, str(regional_pack), "--to", address)
    assert result.exit_code == 2
    assert "is not a valid email address" in result.stderr
    assert not (regional_pack / "email").exists()


def test_distribution_list_problems_are_all_reported(runner, regional_pack, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(
        "name,email,countries\n"
        "Bad Address,bad@@example.org,SEN\n"
        "Typo,typo@example.org,SNG GMB\n"
        '"Evil\nBcc: leak@example.org",evil@example.org,SEN\n'
        "No Countries,none@example.org,\n"
        "Fine,fine@example.org,SEN\n"
        "Twice,FINE@example.org,MLI\n",
        encoding="utf-8",
    )
    result = email(runner, str(regional_pack), "--recipients", str(people))
    assert result.exit_code == 1
    stderr = result.stderr
    assert "people.csv:2: 'bad@@example.org' is not a valid email address" in stderr
    assert "people.csv:3: countries: unknown country code 'SNG'" in stderr
    assert "people.csv:4: name 'Evil\\nBcc: leak@example.org' contains a" in stderr
    assert "people.csv:6: countries: empty" in stderr
    assert "people.csv:8: FINE@example.org is already on line 7" in stderr
    assert "5 distribution list problems found; nothing was written." in result.stderr
    assert not (regional_pack / "email").exists()


def test_distribution_list_needs_its_columns(runner, regional_pack, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name,address\nA,a@example.org\n", encoding="utf-8")
    result = email(runner, str(regional_pack), "--recipients", str(people))
    assert result.exit_code == 1
    assert "people.csv:1: missing column(s) email, countries" in result.stderr


def test_template_is_the_users_to_change(runner, regional_pack, tmp_path):
    template = tmp_path / "mine.txt"
    template.write_text(
        "{{ meeting.name }} ({{ meeting.venue }}, {{ meeting.date }}) – {{ pack.id }}\n"
        "\n"
        "Hello {{ recipient.name if recipient else 'all' }},\n"
        "{% for file in files %}{{ file.country }} {% endfor %}\n",
        encoding="utf-8",
    )
    result = email(runner, str(regional_pack), "--recipients", str(FOCAL_POINTS),
                   "--template", str(template))
    assert result.exit_code == 0, result.output
    message = read_eml(Path(result.stdout.splitlines()[0]))
    assert message["Subject"] == (
        "Regional Consultative Process on Migration (Abuja, 2027-05-11) – wa-2027"
    )
    assert message.get_body(("plain",)).get_content() == (
        "Hello Aminata Diallo,\nCPV GMB GNB SEN \n"
    )


def test_subject_flag_replaces_the_template_line(runner, regional_pack):
    result = email(runner, str(regional_pack), "--to", "desk@example.org",
                   "--subject", "Packs for Abuja")
    assert read_eml(Path(result.stdout.strip()))["Subject"] == "Packs for Abuja"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ meeting.nmae }}\n\nbody\n", "mine.txt: template error:"),
        ("{% if %}\n", "mine.txt:1: template error:"),
        ("\n\nbody\n", "the first line, the subject, is empty"),
        ("Hi {{ '\\x07' }}\n\nbody\n", "subject 'Hi \\x07' contains a control"),
    ],
)
def test_template_problems_fail_with_one_line(runner, regional_pack, tmp_path, text,
                                              message):
    template = tmp_path / "mine.txt"
    template.write_text(text, encoding="utf-8")
    result = email(runner, str(regional_pack), "--to", "desk@example.org",
                   "--template", str(template))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (regional_pack / "email").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --to ADDRESS or --recipients FILE.csv"),
        (["--to", "a@example.org", "--recipients", str(FOCAL_POINTS)], "give either"),
        (["--recipients", str(FOCAL_POINTS), "--per-recipient"],
         "--per-recipient goes"),
        (["--to", "a@example.org", "--send"], "--send needs --smtp-host HOST"),
        (["--to", "a@example.org", "--send", "--smtp-host", "127.0.0.1"],
         "--send needs --from ADDRESS"),
        (["--to", "a@example.org", "--send", "--from", "b@example.org", "--smtp-host",
          "mail.example.org", "--smtp-security", "none"], "allowed only for a server"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(runner, regional_pack, args, message):
    result = email(runner, str(regional_pack), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (regional_pack / "email").exists()


def test_manifest_listing_a_changed_file_is_refused(runner, regional_pack):
    (regional_pack / f"{PACK_ID}_SEN_en.pdf").write_bytes(b"%PDF-1.7 edited")
    result = email(runner, str(regional_pack), "--to", "desk@example.org")
    assert result.exit_code == 1
    assert "changed since manifest.json was written; rebuild the pack" in result.stderr


def test_manifest_may_not_point_outside_its_folder(tmp_path, project):
    pack = write_manifest_pack(tmp_path, project, ["SEN"])
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    manifest["files"][0]["file"] = "../secret.pdf"
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BriefError, match="'../secret.pdf' is not a plain file name"):
        load_pack_folder(pack, project)


def test_manifest_file_name_with_a_newline_is_refused(runner, tmp_path, project):
    names = {"SEN": "sen\r\nBcc: leak@example.org.pdf"}
    pack = write_manifest_pack(tmp_path, project, ["SEN"], names)
    result = email(runner, str(pack), "--to", "desk@example.org")
    assert result.exit_code == 1
    assert "manifest.json: file name 'sen\\r\\nBcc: leak@example.org.pdf' contains" in (
        result.stderr
    )
    assert not (pack / "email").exists()


def test_lang_attaches_only_that_language(runner, tmp_path, project):
    pack = write_manifest_pack(tmp_path, project, ["SEN", "MLI"])
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    manifest["files"][1]["language"] = "fr"
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = email(runner, str(pack), "--to", "desk@example.org", "--lang", "fr")
    assert result.exit_code == 0, result.output
    names = [name for name, _ in attachments(read_eml(Path(result.stdout.strip())))]
    assert names == [f"{PACK_ID}_MLI_en.pdf"]
    result = email(runner, str(pack), "--to", "desk@example.org", "--lang", "es")
    assert result.exit_code == 1
    assert "no PDF in the language(s) es" in result.stderr


def test_folder_without_packs_is_refused(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = email(runner, str(tmp_path / "empty"), "--to", "desk@example.org")
    assert result.exit_code == 1
    assert "no manifest.json and no PDF named empty_<ISO3>_<lang>.pdf" in result.stderr


def test_manifest_and_discovery_agree_on_the_meeting(senegal_folder, project, built):
    discovered = load_pack_folder(senegal_folder, project)
    assert not discovered.from_manifest
    assert discovered.title == "Remittances and labour mobility"
    assert discovered.meeting.name == "International Dialogue on Migration"
    assert discovered.meeting.date_text == "16–17 March 2027"
    assert [(f.iso3, f.country_name, f.lang, f.pages) for f in discovered.files] == [
        ("SEN", "Senegal", "en", len(pdf_reader(built["senegal"]).pages))
    ]


def _files(*sizes: int) -> list[PackFile]:
    return [PackFile(Path(f"{n}.pdf"), "SEN", "Senegal", "en", size)
            for n, size in enumerate(sizes)]


def test_split_keeps_order_and_fills_each_message():
    parts = split_files(_files(4, 4, 3, 6, 1), limit=8, split=True, label="x")
    assert [[f.size for f in part] for part in parts] == [[4, 4], [3], [6, 1]]
    assert split_files(_files(4, 4), limit=8, split=False, label="x") == [
        tuple(_files(4, 4))
    ]


def test_draft_options_default_to_the_project_template():
    assert DraftOptions(template=Path("t")).attachment_limit == 10_000_000
