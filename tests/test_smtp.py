"""Sending: a real SMTP server (aiosmtpd) on 127.0.0.1, started inside each test."""

from __future__ import annotations

import contextlib
import datetime as dt
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from briefpack.cli import main
from briefpack.mail import (
    DraftOptions,
    MailError,
    build_message,
    load_pack_folder,
    plan_drafts,
)
from briefpack.recipients import Recipient, parse_address
from briefpack.smtp import SmtpSettings, outgoing_message, send_messages

from .conftest import ROOT
from .packfolders import PACK_ID, attachments, parse_eml, read_eml, write_manifest_pack

FOCAL_POINTS = ROOT / "briefs" / "distribution" / "focal-points-western-africa.csv"
SENDER = "Briefing Unit <briefs@example.org>"
LOGIN = (b"unit-login-7f3", b"s3cret-pass")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message and refuses chosen recipients."""

    refuse: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == LOGIN
        # handled=False lets aiosmtpd send its own 535 reply on failure.
        return AuthResult(success=ok, handled=False)


class _EphemeralController(Controller):
    """Bind port 0 and learn the port the system chose before the first connection."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextlib.contextmanager
def smtp_server(recorder: Recorder, **kwargs) -> Iterator[int]:
    controller = _EphemeralController(recorder, hostname="127.0.0.1", port=0,
                                      **kwargs)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def regional_pack(tmp_path, project) -> Path:
    return write_manifest_pack(tmp_path / "output", project,
                               project.resolve_area("Western Africa"))


@pytest.fixture
def no_login(monkeypatch):
    monkeypatch.setenv("BRIEFPACK_SMTP_USER", "")
    monkeypatch.delenv("BRIEFPACK_SMTP_PASSWORD", raising=False)


def send(runner, port: int, *args: str, security: str = "none", **kwargs):
    return runner.invoke(main, [
        "email", "--project", str(ROOT), *args, "--from", SENDER, "--send",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
        "--smtp-security", security,
    ], **kwargs)


def _header_lines_dropped(data: bytes, *names: bytes) -> bytes:
    """Return message bytes without the named one-line top-level headers."""
    header, separator, body = data.partition(b"\r\n\r\n")
    kept = [line for line in header.split(b"\r\n")
            if line.partition(b":")[0] not in names]
    return b"\r\n".join(kept) + separator + body


def test_sending_delivers_exactly_the_drafts(runner, regional_pack, no_login):
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = send(runner, port, str(regional_pack), "--recipients",
                      str(FOCAL_POINTS))
    assert result.exit_code == 0, result.output
    drafts = [Path(line) for line in result.stdout.splitlines()]
    assert len(drafts) == 5
    assert len(recorder.messages) == 5
    for path, received in zip(drafts, recorder.messages, strict=True):
        draft = read_eml(path)
        assert received.mail_from == "briefs@example.org"
        assert received.rcpt_tos == [draft["To"].addresses[0].addr_spec]
        sent = parse_eml(received.data)
        # What arrived is the draft, less X-Unsent, plus Date and Message-ID.
        assert sent["X-Unsent"] is None
        assert sent["Date"].datetime is not None
        assert sent["Message-ID"].endswith("@example.org>")
        assert _header_lines_dropped(received.data, b"Date", b"Message-ID") == (
            _header_lines_dropped(path.read_bytes(), b"X-Unsent")
        )
        assert sent.get_body(("plain",)).get_content() == (
            draft.get_body(("plain",)).get_content()
        )
        assert attachments(sent) == attachments(draft)
        assert [name for name, _ in attachments(sent)] == [
            name for name, _ in attachments(draft)
        ]
    assert "sent " in result.stderr and "kwame.mensah@example.org" in result.stderr


def test_a_refused_recipient_is_reported_and_the_rest_delivered(runner, regional_pack,
                                                                no_login):
    recorder = Recorder(refuse={"kwame.mensah@example.org"})
    with smtp_server(recorder) as port:
        result = send(runner, port, str(regional_pack), "--recipients",
                      str(FOCAL_POINTS))
    assert result.exit_code == 1
    kwame = regional_pack / "email" / f"{PACK_ID}_kwame-mensah.eml"
    assert (f"error: {kwame}: the server refused kwame.mensah@example.org: 550 5.1.1"
            " No such mailbox here") in result.stderr
    assert "1 of 5 message(s) not delivered to every recipient" in result.stderr
    assert "Traceback" not in result.output
    delivered = [received.rcpt_tos for received in recorder.messages]
    assert delivered == [["aminata.diallo@example.org"],
                         ["fatoumata.traore@example.org"],
                         ["mariama.koroma@example.org"],
                         ["west-africa.desk@example.org"]]
    # Every draft is still written, the refused one included.
    assert len(result.stdout.splitlines()) == 5 and kwame.exists()


def test_one_refused_address_among_several_still_delivers_to_the_others(
    runner, regional_pack, no_login
):
    recorder = Recorder(refuse={"gone@example.org"})
    with smtp_server(recorder) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org",
                      "--cc", "gone@example.org")
    assert result.exit_code == 1
    assert [received.rcpt_tos for received in recorder.messages] == [
        ["desk@example.org"]
    ]
    assert "the server refused gone@example.org: 550" in result.stderr


def test_nothing_is_sent_without_send(runner, regional_pack, no_login):
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = runner.invoke(main, [
            "email", "--project", str(ROOT), str(regional_pack), "--to",
            "desk@example.org", "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
            "--smtp-security", "none",
        ])
    assert result.exit_code == 0, result.output
    assert recorder.messages == []
    assert "drafts only: nothing was sent (add --send to send)" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_login_comes_from_the_environment_and_is_never_shown(runner, regional_pack,
                                                             monkeypatch):
    monkeypatch.setenv("BRIEFPACK_SMTP_USER", "unit-login-7f3")
    monkeypatch.setenv("BRIEFPACK_SMTP_PASSWORD", "s3cret-pass")
    recorder = Recorder()
    with smtp_server(recorder, authenticator=recorder.authenticate,
                     auth_require_tls=False) as port:
        result = runner.invoke(main, [
            "-vv", "email", "--project", str(ROOT), str(regional_pack), "--to",
            "desk@example.org", "--from", SENDER, "--send", "--smtp-host",
            "127.0.0.1", "--smtp-port", str(port), "--smtp-security", "none",
        ])
    assert result.exit_code == 0, result.output
    assert recorder.logins == [LOGIN]
    assert len(recorder.messages) == 1
    assert "s3cret-pass" not in result.output and "unit-login-7f3" not in result.output


def test_a_refused_login_fails_without_naming_the_credentials(runner, regional_pack,
                                                              monkeypatch):
    monkeypatch.setenv("BRIEFPACK_SMTP_USER", "unit-login-7f3")
    monkeypatch.setenv("BRIEFPACK_SMTP_PASSWORD", "wrong-guess")
    recorder = Recorder()
    with smtp_server(recorder, authenticator=recorder.authenticate,
                     auth_require_tls=False) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org")
    assert result.exit_code == 1
    assert f"127.0.0.1:{port} refused the login: 535" in result.stderr
    assert "wrong-guess" not in result.output and "unit-login-7f3" not in result.output
    assert recorder.messages == []


def test_the_password_prompt_hides_what_is_typed(runner, regional_pack, monkeypatch):
    monkeypatch.setenv("BRIEFPACK_SMTP_USER", "unit-login-7f3")
    monkeypatch.delenv("BRIEFPACK_SMTP_PASSWORD", raising=False)
    recorder = Recorder()
    with smtp_server(recorder, authenticator=recorder.authenticate,
                     auth_require_tls=False) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org",
                      input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "SMTP password:" in result.stderr
    assert "s3cret-pass" not in result.output
    assert recorder.logins == [LOGIN]


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


def _server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def _trusting(ca: trustme.CA, monkeypatch, tmp_path) -> None:
    """Make the default client context trust the test CA, as SSL_CERT_FILE would."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


def test_starttls_is_the_default_and_really_encrypts(runner, regional_pack, no_login,
                                                     certificate_authority,
                                                     monkeypatch, tmp_path):
    _trusting(certificate_authority, monkeypatch, tmp_path)
    recorder = Recorder()
    with smtp_server(recorder, tls_context=_server_context(certificate_authority),
                     require_starttls=True) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org",
                      security="starttls")
    assert result.exit_code == 0, result.output
    assert len(recorder.messages) == 1


def test_implicit_tls(runner, regional_pack, no_login, certificate_authority,
                      monkeypatch, tmp_path):
    _trusting(certificate_authority, monkeypatch, tmp_path)
    recorder = Recorder()
    with smtp_server(recorder,
                     ssl_context=_server_context(certificate_authority)) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org",
                      security="tls")
    assert result.exit_code == 0, result.output
    assert len(recorder.messages) == 1


def test_an_untrusted_certificate_is_refused(runner, regional_pack, no_login,
                                             certificate_authority):
    recorder = Recorder()
    with smtp_server(recorder, tls_context=_server_context(certificate_authority),
                     require_starttls=True) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org",
                      security="starttls")
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}: TLS failed: CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert recorder.messages == []


def test_a_server_without_starttls_is_refused(runner, regional_pack, no_login):
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = send(runner, port, str(regional_pack), "--to", "desk@example.org",
                      security="starttls")
    assert result.exit_code == 1
    assert "does not offer STARTTLS; try --smtp-security tls" in result.stderr
    assert recorder.messages == []


def test_no_server_listening_is_one_clear_line(runner, regional_pack, no_login):
    with smtp_server(Recorder()) as port:
        pass
    result = send(runner, port, str(regional_pack), "--to", "desk@example.org")
    assert result.exit_code == 1
    assert f"could not connect to 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.output


def test_unencrypted_sending_is_only_for_this_machine():
    settings = SmtpSettings("mail.example.org", 25, security="none")
    with pytest.raises(MailError, match="allowed only for a server on this machine"):
        send_messages([], settings)
    assert "s3cret-pass" not in repr(SmtpSettings("h", 1, password="s3cret-pass"))


def test_outgoing_copy_drops_x_unsent_and_keeps_the_draft(regional_pack, project):
    pack = load_pack_folder(regional_pack, project)
    options = DraftOptions(template=ROOT / "templates" / "email" / "draft.txt",
                           sender=parse_address(SENDER))
    draft = plan_drafts(pack, [Recipient(parse_address("d@example.org"))], options,
                        per_recipient=False)[0]
    message = build_message(draft)
    when = dt.datetime(2027, 5, 1, 9, 30, tzinfo=dt.UTC)
    sent = outgoing_message(message, when, "example.org")
    assert message["X-Unsent"] == "1" and sent["X-Unsent"] is None
    assert sent["Date"] == "Sat, 01 May 2027 09:30:00 +0000"
    assert attachments(sent) == attachments(message)
