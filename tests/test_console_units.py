"""Console parts without a browser: accounts and throttling, the users CLI, case grouping, matched-line
highlighting, times, redirects, CSRF at login, cookie flags and the trusted reverse-proxy header."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from _index_helpers import make_alert

from canhbao.cli import main
from canhbao.console import accounts, actions, highlight
from canhbao.console.cases import auto_case
from canhbao.console.i18n import local_time
from canhbao.console.settings import ConsoleSettings
from canhbao.console.store import ConsoleStore
from canhbao.console.web import safe_next
from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError


@pytest.fixture
def db(home, state):
    """The console's store on each shared-state backend in turn (SQLite file, PostgreSQL database)."""
    return ConsoleStore.for_home(home), AuditLog(home.audit_log)


def test_accounts_hash_throttle_disable(db):
    users, audit = db
    user = accounts.add_user(users, audit, "lan", "analyst", "correct-horse-1", actor="setup")
    assert user.password_hash.startswith("$argon2id$") and "correct-horse" not in user.password_hash
    with pytest.raises(CanhbaoError, match="already exists"):
        accounts.add_user(users, audit, "lan", "analyst", "correct-horse-1", actor="setup")
    with pytest.raises(CanhbaoError, match="at least 10"):
        accounts.add_user(users, audit, "minh", "analyst", "short", actor="setup")
    with pytest.raises(CanhbaoError, match="role"):
        accounts.add_user(users, audit, "minh", "boss", "long-enough-pw", actor="setup")
    cfg = ConsoleSettings(login_max_failures=3, login_window_s=60)
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert accounts.authenticate(users, cfg, "lan", "correct-horse-1", "10.0.0.1", now=t0).name == "lan"
    for _ in range(3):
        assert accounts.authenticate(users, cfg, "lan", "wrong", "10.0.0.1", now=t0) is None
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(users, cfg, "lan", "correct-horse-1", "10.0.0.2", now=t0)  # by user name
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(users, cfg, "other", "x", "10.0.0.1", now=t0)  # by address
    later = t0 + timedelta(seconds=61)
    assert accounts.authenticate(users, cfg, "lan", "correct-horse-1", "10.0.0.2", now=later) is not None
    epoch = users.find_user("lan").epoch
    accounts.set_disabled(users, audit, "lan", True, actor="admin")
    assert users.find_user("lan").epoch == epoch + 1
    assert accounts.authenticate(users, cfg, "lan", "correct-horse-1", "10.0.0.3", now=later) is None
    assert accounts.authenticate(users, cfg, "nobody", "whatever-pass", "10.0.0.4", now=later) is None
    assert [e.actor for e in audit.entries() if e.action.startswith("user.")] == ["setup", "admin"]


def test_users_cli(home, config_dir, capsys, monkeypatch, state):
    monkeypatch.setenv("CANHBAO_ACTOR", "root.admin")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "Lan.Nguyen", "--role", "inspector", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-pw\n"))
    assert main(["users", "passwd", "lan.nguyen", "--password-stdin"]) == 0
    assert main(["users", "disable", "lan.nguyen"]) == 0
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "lan.nguyen  inspector  added" in out and "lan.nguyen  inspector  disabled" in out
    assert main(["users", "passwd", "ghost", "--password-stdin"]) == 2
    entries = list(AuditLog(home.audit_log).entries())
    assert [(e.action, e.actor) for e in entries] == [
        ("user.added", "root.admin"),
        ("user.password_changed", "root.admin"),
        ("user.disabled", "root.admin"),
    ]


def test_auto_cases_and_actions(home, db):
    users, audit = db
    leak, other_page, pii = make_alert(1, "leak"), make_alert(4, "leak"), make_alert(2, "pii_exposure")
    assert auto_case(leak).id == auto_case(other_page).id  # same registered document, one case
    assert auto_case(make_alert(3, "fake_news")).kind == "claim" and auto_case(pii) is None
    from canhbao.index import open_store

    with open_store(home) as store:
        store.upsert([leak, pii])
        with pytest.raises(CanhbaoError, match="close reason"):
            actions.apply(store, users, audit, "lan", [leak.id], "confirm")
        done = actions.apply(store, users, audit, "lan", [leak.id, "nope", pii.id], "confirm", reason="violation")
        assert done.done == (leak.id, pii.id) and done.failed == ("nope: not found in " + str(home.alerts_db),)
        again = actions.apply(store, users, audit, "lan", [leak.id], "dismiss", reason="duplicate")
        assert "cannot go from confirmed" in again.failed[0]
        actions.apply(store, users, audit, "lan", [leak.id], "tag", tags=["lan-truyen", "khẩn"])
    assert users.labels([leak.id])[leak.id].tags == ("lan-truyen", "khẩn")
    assert users.labels([leak.id])[leak.id].close_reason == "violation"


def test_case_store_membership_grows_and_a_second_server_sees_it(home, db):
    from canhbao.console.store import Case, Labels, new_case_id

    cases, _ = db
    t0 = datetime(2026, 11, 1, 8, tzinfo=timezone.utc)
    doc = Case(id="doc-d1", kind="document", key="d1", title="12/BYT — mật", created_at=t0, created_by="canhbao")
    cases.put_case(replace(doc, alert_ids=("a1", "a2")))
    cases.put_case(replace(doc, title="changed", alert_ids=("a2", "a3")))  # membership grows, the case stays
    manual = Case(id=new_case_id(), kind="manual", key="", title="Theo dõi", created_at=t0, created_by="lan")
    cases.put_case(replace(manual, alert_ids=("a3",)))
    other = ConsoleStore.for_home(home)  # another console server on the same backend
    found = other.case("doc-d1")
    assert found.title == "12/BYT — mật" and found.alert_ids == ("a1", "a2", "a3")
    assert [c.id for c in other.cases_of("a3")] == sorted(["doc-d1", manual.id])
    assert [c.id for c in other.cases()] == [manual.id, "doc-d1"]  # the newest membership first
    assert other.find_case("nope") is None and other.cases(limit=1, offset=1)[0].id == "doc-d1"
    cases.set_labels("a1", Labels(("lan-truyen", "khẩn"), "violation"))
    cases.set_labels("a1", Labels(("khẩn",), "duplicate"))
    assert other.labels(["a1", "a9"]) == {"a1": Labels(("khẩn",), "duplicate")}
    assert other.labels([]) == {}


def test_matched_lines_and_times():
    line = highlight.Line
    lines = [
        line("Số: 6564/VP-KGVX Kiên Giang", 0, 0, 1, 0.1),
        line("chấn chỉnh sử dụng thông tin", 0, 0.1, 1, 0.1),
        line("Nơi nhận", 0, 0.2, 1, 0.1),
        line("hoàn toàn khác hẳn nội dung", 0, 0.3, 1, 0.1),
    ]
    posted = "so 6564 vp kgvx kien giang ... V/v chấn chỉnh sử dụng thông tín liên quan"  # OCR swapped a mark
    assert highlight.matched(lines, posted) == [True, True, False, False]
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    assert local_time(datetime(2026, 11, 1, 20, 30, tzinfo=timezone.utc), zone) == "2026-11-02 03:30 +07:00"
    assert local_time(None, zone) == "—"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil", "", None):
        assert safe_next(bad) == "/alerts"
    assert safe_next("/cases/doc-1?x=1") == "/cases/doc-1?x=1"


def _client(home, **settings):
    from starlette.testclient import TestClient

    from canhbao.console import create_app

    return TestClient(create_app(home, ConsoleSettings(**settings)), base_url="https://testserver")


def test_login_needs_csrf_and_sets_hardened_cookie(home, db):
    users, audit = db
    accounts.add_user(users, audit, "lan", "analyst", "correct-horse-1", actor="setup")
    client = _client(home)
    page = client.get("/login")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "SAMEORIGIN" and page.headers["cache-control"] == "no-store"
    refused = client.post("/login", data={"username": "lan", "password": "correct-horse-1"})
    assert refused.status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    ok = client.post(
        "/login", data={"username": "lan", "password": "correct-horse-1", "csrf_token": token}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/alerts"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert client.get("/audit").status_code == 403  # an analyst is not an administrator


def test_trusted_proxy_header_only_from_trusted_addresses(home, db):
    users, audit = db
    accounts.add_user(users, audit, "hoa", "admin", "correct-horse-1", actor="setup")
    # Starlette's test client connects from the address "testclient"
    trusted = _client(home, trusted_proxy_header="X-Forwarded-User", trusted_proxies=("testclient",))
    assert trusted.get("/audit", headers={"X-Forwarded-User": "hoa"}).status_code == 200
    assert "/login" in str(trusted.get("/audit", headers={"X-Forwarded-User": "ghost"}).url)
    untrusted = _client(home, trusted_proxy_header="X-Forwarded-User", trusted_proxies=("10.9.9.9",))
    assert "/login" in str(untrusted.get("/audit", headers={"X-Forwarded-User": "hoa"}).url)


def test_wrong_console_config_is_one_line(config_dir, capsys):
    (config_dir / "console.yaml").write_text("unmasked_roles: [inspector, chief]\n", encoding="utf-8")
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "console.yaml: unmasked_roles: unknown role(s) ['chief']" in err
