"""Sending drafts over SMTP: STARTTLS, TLS, or plain only to this machine.

Nothing here runs unless the user passed ``--send``. Credentials come from the caller
(environment variables or a prompt in the CLI) and are never logged: error messages
name the server and its reply, never the user name or the password.
"""

from __future__ import annotations

import copy
import datetime as dt
import email.utils
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from .mail import MailError, message_bytes

logger = logging.getLogger(__name__)

SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. The password never appears in a repr or a log."""

    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0


@dataclass
class SendResult:
    """What the server did with one message."""

    name: str
    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused and not self.error


def check_security(host: str, security: str) -> None:
    """Refuse an unencrypted connection to anything but this machine."""
    if security == "none" and host.lower() not in LOOPBACK_HOSTS:
        raise ValueError(
            f"--smtp-security none sends mail unencrypted and is allowed only for a"
            f" server on this machine (localhost, 127.0.0.1), not {host!r}"
        )


def default_port(security: str) -> int:
    return SECURITY_PORTS[security]


def outgoing_message(
    message: EmailMessage, now: dt.datetime, domain: str | None = None
) -> EmailMessage:
    """Return a copy to send: no X-Unsent (it is no draft), with Date and Message-ID."""
    sent = copy.deepcopy(message)
    del sent["X-Unsent"]
    sent["Date"] = email.utils.format_datetime(now)
    sent["Message-ID"] = email.utils.make_msgid(domain=domain)
    return sent


def send_drafts(
    written: Sequence[tuple[str, EmailMessage]],
    settings: SmtpSettings,
    now: dt.datetime,
    ssl_context: ssl.SSLContext | None = None,
) -> list[SendResult]:
    """Send written drafts as messages and log what happened to each one."""
    outgoing = [
        (name, outgoing_message(message, now, _sender_domain(message)))
        for name, message in written
    ]
    results = send_messages(outgoing, settings, ssl_context)
    for result in results:
        if result.accepted:
            logger.info("sent %s to %s", result.name, ", ".join(result.accepted))
        for address, reply in result.refused.items():
            logger.error("%s: the server refused %s: %s", result.name, address, reply)
        if result.error:
            logger.error("%s: not sent: %s", result.name, result.error)
    return results


def _sender_domain(message: EmailMessage) -> str | None:
    sender = message["From"]
    if not sender or not sender.addresses:
        raise MailError("a message to send needs a sender; pass --from ADDRESS")
    return sender.addresses[0].domain


def send_messages(
    outgoing: Sequence[tuple[str, EmailMessage]],
    settings: SmtpSettings,
    ssl_context: ssl.SSLContext | None = None,
) -> list[SendResult]:
    """Send each message over one SMTP session; a refusal is reported per message."""
    try:
        check_security(settings.host, settings.security)
    except ValueError as err:
        raise MailError(str(err)) from err
    results: list[SendResult] = []
    with _connect(settings, ssl_context or ssl.create_default_context()) as smtp:
        for index, (name, message) in enumerate(outgoing):
            try:
                results.append(_send_one(smtp, name, message))
            except (smtplib.SMTPServerDisconnected, OSError) as err:
                lost = f"connection to {settings.host} lost: {err}"
                unsent = outgoing[index:]
                results.extend(SendResult(n, [], error=lost) for n, _ in unsent)
                break
    return results


def _connect(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    """Open, secure and log in; close again and explain in one line on failure."""
    where = f"{settings.host}:{settings.port}"
    smtp: smtplib.SMTP | None = None
    try:
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port,
                                    timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        smtp.ehlo()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise MailError(f"{where} does not offer STARTTLS; try"
                                " --smtp-security tls (usually port 465)")
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password)
        return smtp
    except BaseException as err:
        if smtp is not None:
            smtp.close()
        # smtplib's and ssl's errors are all OSError subclasses.
        if isinstance(err, OSError):
            raise _connection_error(where, err) from err
        raise


def _connection_error(where: str, err: OSError) -> MailError:
    # Messages name the server and its reply, never the user name or password.
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return MailError(f"{where} refused the login: {_reply(err)}")
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return MailError(f"{where} does not accept a login (no SMTP AUTH): unset"
                         " BRIEFPACK_SMTP_USER or use another server")
    if isinstance(err, ssl.SSLError):
        return MailError(f"{where}: TLS failed: {err.reason or err}")
    if isinstance(err, smtplib.SMTPResponseException):
        return MailError(f"{where}: {_reply(err)}")
    return MailError(f"could not connect to {where}: {err.strerror or err}")


def _reply(err: smtplib.SMTPResponseException) -> str:
    return _reply_text((err.smtp_code, err.smtp_error))


def _send_one(smtp: smtplib.SMTP, name: str, message: EmailMessage) -> SendResult:
    sender = message["From"].addresses[0].addr_spec
    recipients = [a.addr_spec for key in ("To", "Cc")
                  for a in (message[key].addresses if message[key] else ())]
    recipients = list(dict.fromkeys(recipients))
    try:
        refused = smtp.sendmail(sender, recipients, message_bytes(message))
    except smtplib.SMTPRecipientsRefused as err:
        refused = err.recipients
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as err:
        return SendResult(name, [], error=_reply(err))
    refused_text = {addr: _reply_text(reply) for addr, reply in refused.items()}
    accepted = [addr for addr in recipients if addr not in refused]
    return SendResult(name, accepted, refused_text)


def _reply_text(reply: tuple[int, bytes | str]) -> str:
    code, text = reply
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"
