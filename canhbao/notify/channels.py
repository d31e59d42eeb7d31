"""Delivery: SMTP email, a generic JSON webhook, a Telegram bot. Each raises CanhbaoError with one line."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage

from canhbao.core.errors import CanhbaoError
from canhbao.notify.messages import Message
from canhbao.notify.settings import EmailChannel, TelegramChannel, WebhookChannel

TELEGRAM_LIMIT = 4096  # characters per message (Bot API)


def send_email(msg: Message, cfg: EmailChannel) -> None:
    mail = EmailMessage()
    mail["Subject"] = msg.subject
    mail["From"] = cfg.sender
    mail["To"] = ", ".join(cfg.recipients)
    mail["X-Canhbao-Kind"] = msg.kind
    mail.set_content(msg.text)
    password = os.environ.get(cfg.password_env, "") if cfg.password_env else ""
    try:
        if cfg.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout_s, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
        with client:
            if cfg.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if cfg.username:
                client.login(cfg.username, password)
            client.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise CanhbaoError(f"email via {cfg.host}:{cfg.port}: {exc}") from None


def _post_json(url: str, body: dict, headers: dict[str, str], timeout: float, what: str) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise CanhbaoError(f"{what}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise CanhbaoError(f"{what}: unreachable ({getattr(exc, 'reason', exc)})") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def send_webhook(msg: Message, cfg: WebhookChannel) -> None:
    headers = dict(cfg.headers)
    if cfg.token_env and os.environ.get(cfg.token_env):
        headers["Authorization"] = f"Bearer {os.environ[cfg.token_env]}"
    _post_json(
        cfg.url,
        {"kind": msg.kind, "subject": msg.subject, "text": msg.text, "data": dict(msg.data)},
        headers,
        cfg.timeout_s,
        f"webhook {cfg.url.split('?')[0]}",
    )


def send_telegram(msg: Message, cfg: TelegramChannel) -> None:
    token = os.environ.get(cfg.token_env, "")
    if not token:
        raise CanhbaoError(f"telegram: the bot token is not set (${cfg.token_env})")
    text = f"{msg.subject}\n{msg.text}"[:TELEGRAM_LIMIT]
    # the token is part of the URL: keep it out of error messages
    answer = _post_json(
        f"{cfg.api_base.rstrip('/')}/bot{token}/sendMessage",
        {"chat_id": cfg.chat_id, "text": text, "disable_web_page_preview": True},
        {},
        cfg.timeout_s,
        f"telegram {cfg.api_base}",
    )
    if not answer.get("ok", False):
        raise CanhbaoError(f"telegram: refused ({answer.get('description', 'no answer')})")
