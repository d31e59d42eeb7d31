"""Settings of the web console (`config/console.yaml`, env `CANHBAO_CONSOLE__<KEY>`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canhbao.core import config
from canhbao.core.home import Home

ROLES = ("analyst", "inspector", "admin")


@dataclass(frozen=True)
class ConsoleSettings:
    lang: Literal["vi", "en"] = "vi"  # default interface language; each user may switch
    timezone: str = "Asia/Ho_Chi_Minh"  # every time on screen is shown in this zone, with its offset
    base_url: str = ""  # public URL of the console (links in notifications and dashboards); "" = unknown
    # Session cookie: signed, HttpOnly, SameSite=Lax; Secure unless explicitly turned off (plain-HTTP tests).
    secure_cookies: bool = True
    session_hours: float = 8.0
    secret_key_file: Path | None = None  # default <home>/console/session.key, made on first use (0600)
    # Login throttling: this many failures for one user name or one client address within the window
    # lock further attempts for that name/address until the window has passed.
    login_max_failures: int = 5
    login_window_s: int = 900
    # Units behind a reverse proxy that authenticates (oauth2-proxy, Keycloak gatekeeper, mTLS): the proxy
    # puts the user name in this header; it is trusted only from these client addresses. "" = off.
    trusted_proxy_header: str = ""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)
    # Console roles that may export personal data unmasked (checked against the logged-in user).
    unmasked_roles: tuple[str, ...] = ("inspector",)
    page_size: int = 25
    max_upload_mb: int = 512  # evidence bundles uploaded for verification

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not a known IANA time zone") from None
        unknown = set(self.unmasked_roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unmasked_roles: unknown role(s) {sorted(unknown)} (roles: {', '.join(ROLES)})")
        if self.session_hours <= 0 or self.login_max_failures < 1 or self.login_window_s < 1:
            raise ValueError("session_hours, login_max_failures and login_window_s must be positive")
        if not 5 <= self.page_size <= 500:
            raise ValueError("page_size must be between 5 and 500")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def key_file(self, home: Home) -> Path:
        return self.secret_key_file or home.root / "console" / "session.key"


def load() -> ConsoleSettings:
    return config.load("console", ConsoleSettings)
