"""Settings of the evidence area (`config/evidence.yaml`, env `CANHBAO_EVIDENCE__<KEY>`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canhbao.core import config
from canhbao.core.home import Home
from canhbao.evidence.bundle import Limits


@dataclass(frozen=True)
class EvidenceSettings:
    lang: Literal["vi", "en"] = "vi"  # language of the PDF record
    timezone: str = "Asia/Ho_Chi_Minh"  # times in the PDF record (metadata.json keeps ISO 8601 with offset)
    # Signing key (Ed25519, PEM). Empty: <home>/keys/evidence_ed25519.pem, generated on first use.
    key_path: Path | None = None
    # Who may export personal data unmasked: actor (canhbao.core.audit.current_actor) -> roles.
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unmasked_roles: tuple[str, ...] = ("inspector_lead",)
    screenshot_live: bool = True  # also render the live URL when it answers
    live_timeout_s: float = 10.0
    viewport_width: int = 1280
    max_screenshot_height: int = 12000  # px; taller pages are cut (the WARC keeps everything)
    # Takedown tracking: a page answering 404/410 or showing one of these phrases counts as removed.
    removed_markers: tuple[str, ...] = (
        "content isn't available",
        "this content isn't available",
        "page isn't available",
        "noi dung nay hien khong kha dung",
        "trang nay khong kha dung",
        "bai viet khong ton tai",
    )
    fetch_timeout_s: float = 15.0
    # Lines of "Căn cứ ..." (legal basis) printed at the top of the record, per language; the deploying
    # unit sets its own (config/evidence.yaml). None by default: the tool does not choose the law.
    legal_basis: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # RFC 3161 time-stamping authority: the manifest of every bundle is sent (as a SHA-256 digest) to
    # `tsa_url`; the answer is checked against `tsa_ca_file` (PEM: the TSA's root, and intermediates)
    # and stored as manifest.sha256.tsr. Empty: no timestamp.
    tsa_url: str = ""
    tsa_ca_file: Path | None = None
    tsa_timeout_s: float = 15.0
    # `evidence verify` refuses bundles beyond these before unpacking anything (ZIP bombs).
    verify_max_members: int = 10_000
    verify_max_member_mb: int = 2048
    verify_max_total_mb: int = 8192
    verify_max_ratio: float = 200.0
    user_agent: str = "canhbao-evidence/0.1 (+takedown check)"

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not a known IANA time zone") from None
        if self.live_timeout_s <= 0 or self.fetch_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        if not 320 <= self.viewport_width <= 4000:
            raise ValueError("viewport_width must be between 320 and 4000")
        if (
            min(self.verify_max_members, self.verify_max_member_mb, self.verify_max_total_mb) < 1
            or self.verify_max_ratio < 2
        ):
            raise ValueError("verify limits must be positive (verify_max_ratio at least 2)")
        if self.tsa_url and not self.tsa_ca_file:
            raise ValueError("tsa_url needs tsa_ca_file (the TSA's root certificate, PEM) to check its answers")
        if self.tsa_url and not self.tsa_url.startswith(("http://", "https://")):
            raise ValueError("tsa_url must be an http:// or https:// URL")
        if self.max_screenshot_height < 500:
            raise ValueError("max_screenshot_height must be at least 500")

    def verify_limits(self) -> Limits:
        return Limits(
            max_members=self.verify_max_members,
            max_member_bytes=self.verify_max_member_mb << 20,
            max_total_bytes=self.verify_max_total_mb << 20,
            max_ratio=self.verify_max_ratio,
        )

    def key_file(self, home: Home) -> Path:
        return self.key_path or home.keys / "evidence_ed25519.pem"

    def may_unmask(self, actor: str) -> bool:
        return bool(set(self.roles.get(actor, ())) & set(self.unmasked_roles))


def load() -> EvidenceSettings:
    return config.load("evidence", EvidenceSettings)
