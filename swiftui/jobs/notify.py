"""Tell someone how a job's run went: a webhook and mail (SMTP or the local sendmail).

The webhook follows healthchecks.io's convention, which other monitors copy: ``URL/start``
when the run starts, ``URL`` when it succeeds, ``URL/fail`` when it fails, each a POST
with a short text body; a monitor that hears nothing in time raises the alarm, so even a
job that never starts is noticed. A notification that cannot be delivered is retried a
little, then reported (in the log and the history); it never changes the run's result.
Messages name the job, the outcome and the error, never a URL's secret part or a password.
"""

from __future__ import annotations

import smtplib
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit, urlunsplit

from swiftui import __version__
from swiftui.jobs.history import NotificationRecord
from swiftui.jobs.model import Mail, Notifications, NotifyOn

WEBHOOK_TIMEOUT_S = 10.0
WEBHOOK_DELAYS_S = (1.0, 3.0)
"""Pauses before the second and third attempt of a webhook ping."""
MAIL_TIMEOUT_S = 30.0


class NotificationError(Exception):
    """One delivery failed; its text is safe to log and record."""


@dataclass(frozen=True)
class Message:
    event: NotifyOn
    subject: str
    body: str


def notify(
    notifications: Notifications, message: Message, *, smtp_password: str | None
) -> list[NotificationRecord]:
    """Deliver ``message`` on each channel the job has for its event; what happened."""
    records = []
    if notifications.webhook:
        url = notifications.webhook
        records.append(_attempt("webhook", message, lambda: ping_webhook(url, message)))
    mail = notifications.mail
    if mail is not None and message.event in mail.when:
        records.append(_attempt("mail", message, lambda: send_mail(mail, message, smtp_password)))
    return records


def _attempt(channel: str, message: Message, deliver: Callable[[], None]) -> NotificationRecord:
    try:
        deliver()
    except NotificationError as error:
        return NotificationRecord(channel, message.event, False, str(error))
    return NotificationRecord(channel, message.event, True)


# -- webhook -----------------------------------------------------------------------------------


def webhook_url(base: str, event: NotifyOn) -> str:
    """``URL/start``, ``URL`` or ``URL/fail``; a query string stays at the end."""
    suffix = {NotifyOn.START: "/start", NotifyOn.SUCCESS: "", NotifyOn.FAILURE: "/fail"}[event]
    parts = urlsplit(base)
    path = parts.path.rstrip("/") + suffix if suffix else parts.path
    return urlunsplit(parts._replace(path=path))


def ping_webhook(base: str, message: Message) -> None:
    """POST the message's body; up to three attempts for a network error or a 5xx."""
    url = webhook_url(base, message.event)
    host = urlsplit(url).netloc.rpartition("@")[2]
    request = urllib.request.Request(
        url,
        data=message.body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "text/plain; charset=utf-8",
            "User-Agent": f"swiftui/{__version__}",
        },
    )
    problem = ""
    for delay in (0.0, *WEBHOOK_DELAYS_S):
        time.sleep(delay)
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
                response.read()
            return
        except urllib.error.HTTPError as error:
            problem = f"webhook at {host} answered {error.code} {error.reason}"
            if error.code < 500:
                break
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            problem = f"webhook at {host} unreachable: {reason}"
    raise NotificationError(problem)


# -- mail --------------------------------------------------------------------------------------


def mail_message(mail: Mail, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = mail.sender
    email["To"] = ", ".join(mail.to)
    email["Date"] = formatdate(localtime=True)
    email["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    email.set_content(message.body)
    return email


def send_mail(mail: Mail, message: Message, password: str | None) -> None:
    email = mail_message(mail, message)
    if mail.sendmail is not None:
        _sendmail(str(mail.sendmail), email)
        return
    host = mail.smtp_host or "localhost"
    where = f"SMTP server {host}:{mail.smtp_port}"
    if mail.username and not password:
        raise NotificationError(
            f"mail not sent: {where} needs a password for {mail.username}: set SMTP_PASSWORD "
            "in the environment or the job's secrets file"
        )
    try:
        with smtplib.SMTP(host, mail.smtp_port, timeout=MAIL_TIMEOUT_S) as smtp:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.username and password:
                smtp.login(mail.username, password)
            smtp.send_message(email)
    except smtplib.SMTPException as error:
        raise NotificationError(f"mail not sent: {where}: {_smtp_reason(error)}") from None
    except OSError as error:
        raise NotificationError(f"mail not sent: {where}: {error.strerror or error}") from None


def _smtp_reason(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"{error.smtp_code} {' '.join(text.split())}"
    return str(error) or type(error).__name__


def _sendmail(program: str, email: EmailMessage) -> None:
    try:
        done = subprocess.run(
            [program, "-t", "-oi"],
            input=email.as_bytes(),
            capture_output=True,
            timeout=MAIL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise NotificationError(f"mail not sent: {program}: {error}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NotificationError(
            f"mail not sent: {program} exited {done.returncode}" + (f": {said[0]}" if said else "")
        )
