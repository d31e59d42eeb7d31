"""Settings of notifications (`config/notify.yaml`, env `CANHBAO_NOTIFY__<KEY>`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from canhbao.core import config
from canhbao.core.records import ALERT_TYPES


@dataclass(frozen=True)
class EmailChannel:
    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    security: str = "starttls"  # none | starttls | ssl
    username: str = ""
    password_env: str = "CANHBAO_SMTP_PASSWORD"  # the password itself never sits in a config file
    sender: str = "canhbao@localhost"
    recipients: tuple[str, ...] = ()
    timeout_s: float = 20.0

    def validate(self) -> None:
        if self.security not in ("none", "starttls", "ssl"):
            raise ValueError("security must be none, starttls or ssl")
        if self.enabled and not self.recipients:
            raise ValueError("recipients: at least one address when enabled")


@dataclass(frozen=True)
class WebhookChannel:
    enabled: bool = False
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    token_env: str = ""  # if set, sent as "Authorization: Bearer <value of this variable>"
    timeout_s: float = 10.0

    def validate(self) -> None:
        if self.enabled and not self.url.startswith(("http://", "https://")):
            raise ValueError("url: an http(s) URL is required when enabled")


@dataclass(frozen=True)
class TelegramChannel:
    enabled: bool = False
    api_base: str = "https://api.telegram.org"  # tests point this at 127.0.0.1
    token_env: str = "CANHBAO_TELEGRAM_TOKEN"
    chat_id: str = ""
    timeout_s: float = 10.0

    def validate(self) -> None:
        if self.enabled and not self.chat_id:
            raise ValueError("chat_id: required when enabled")


@dataclass(frozen=True)
class Channels:
    email: EmailChannel = EmailChannel()
    webhook: WebhookChannel = WebhookChannel()
    telegram: TelegramChannel = TelegramChannel()


@dataclass(frozen=True)
class Rules:
    # New open alerts at or above this score, per type; a type left out is never announced one by one.
    new_alert: dict[str, float] = field(default_factory=lambda: {"leak": 0.8, "pii_exposure": 0.9, "fake_news": 0.9})
    new_alert_lookback_h: int = 48  # alerts captured longer ago are left to the digest
    max_alerts_per_message: int = 20
    scan_failed: bool = True  # a scan record still running after `scan_stale_h`, or a DAG failure callback
    scan_partial: bool = True  # a finished scan whose stages reported errors or whose crawl was not ok
    scan_stale_h: float = 6.0
    source_blocked: bool = True  # a source whose crawl status turns to `blocked`

    def validate(self) -> None:
        unknown = set(self.new_alert) - set(ALERT_TYPES)
        if unknown:
            raise ValueError(f"new_alert: unknown type(s) {sorted(unknown)} (types: {', '.join(ALERT_TYPES)})")
        if any(not 0 <= v <= 1 for v in self.new_alert.values()):
            raise ValueError("new_alert: scores between 0 and 1")


@dataclass(frozen=True)
class Digest:
    enabled: bool = True
    hour: int = 7  # local hour after which yesterday's digest is sent (once)

    def validate(self) -> None:
        if not 0 <= self.hour <= 23:
            raise ValueError("hour: 0..23")


@dataclass(frozen=True)
class NotifySettings:
    console_url: str = ""  # links to the console's alert pages; "" = console.base_url, else none
    timezone: str = "Asia/Ho_Chi_Minh"
    lang: str = "vi"
    channels: Channels = Channels()
    rules: Rules = Rules()
    digest: Digest = Digest()

    def validate(self) -> None:
        if self.lang not in ("vi", "en"):
            raise ValueError("lang: vi or en")

    @property
    def any_channel(self) -> bool:
        c = self.channels
        return c.email.enabled or c.webhook.enabled or c.telegram.enabled


def load() -> NotifySettings:
    return config.load("notify", NotifySettings)
