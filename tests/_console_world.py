"""A data home for the console tests, built from real parts (`canhbao.evidence.sample`): a registered
seed letter leaked on four pages of three platforms, a patient's data exposed, a debunked claim repeated
twice, plus ordinary alerts for paging; and two console users with different roles."""

from __future__ import annotations

from dataclasses import replace

from _index_helpers import make_alert

from canhbao.console import accounts
from canhbao.console.store import ConsoleStore
from canhbao.core.alerts import alert_from_finding
from canhbao.core.audit import AuditLog
from canhbao.core.posts import PostStore
from canhbao.testing import evidence_world as sample

PASSWORDS = {"analyst.lan": "lan-pass-2026!", "inspector.minh": "minh-pass-2026!", "admin.hoa": "hoa-pass-2026!"}
ROLES = {"analyst.lan": "analyst", "inspector.minh": "inspector", "admin.hoa": "admin"}


def build(home, site, store, seed):
    leak = sample.leak_case(home, site, store, seed)
    pii = sample.pii_case(home, site, store)
    fake = sample.fake_case(home, site, store)
    image = (home.root / leak.post.media[0].path).read_bytes()
    reposts = []
    for n, (platform, source) in enumerate(
        (("facebook", "fb-group-a"), ("zalo", "zalo-oa-b"), ("telegram", "tg-channel-c")), start=1
    ):
        post = sample.capture(
            home,
            site,
            path=f"/posts/11{n}",
            post_id=f"11{n}",
            author=f"Trang {n}",
            text=f"Chia sẻ lại văn bản nội bộ lần {n}",
            images={f"/media/11{n}.png": image},
            source=source,
        )
        post = replace(post, platform=platform)
        PostStore(home.posts_db).put(post)
        alert = alert_from_finding(post, leak.alert.finding, f"Chia sẻ lại văn bản nội bộ lần {n}")
        store.upsert([alert])
        reposts.append(alert)
    fakes = []
    for n in (1, 2):
        post = sample.capture(
            home,
            site,
            path=f"/posts/33{n}",
            post_id=f"33{n}",
            author=f"Nhóm {n}",
            text=fake.post.text + f" (bản {n})",
            images={},
            source=f"fb-group-{n}",
        )
        alert = alert_from_finding(post, fake.alert.finding, post.text)
        store.upsert([alert])
        fakes.append(alert)
    filler = [
        replace(make_alert(100 + n, "pii_exposure", score=0.5 + n / 100, hours=-n), source="forum-x", platform="web")
        for n in range(30)
    ]
    store.upsert(filler)
    db = ConsoleStore.for_home(home)
    audit = AuditLog(home.audit_log)
    for name, role in ROLES.items():
        accounts.add_user(db, audit, name, role, PASSWORDS[name], actor="setup")
    return {"leak": leak, "pii": pii, "fake": fake, "reposts": reposts, "fakes": fakes}
