"""The console in real Chromium: two users with different roles triage, bulk-confirm, open a case, export
and download evidence; an analyst cannot export unmasked; the audit log names each user; CSRF and
session checks refuse what they should. Screenshots of the queue, alert and case pages go to docs/."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from canhbao.evidence.browser import ARGS, CHROMIUM

pytestmark = pytest.mark.slow
# The screenshots in docs/console/ are refreshed with CANHBAO_UPDATE_DOCS=1; otherwise they go to tmp_path, so a
# test run never dirties the checkout.
DOCS = Path(__file__).resolve().parents[1] / "docs" / "console"


@pytest.fixture(scope="module")
def world(tmp_path_factory, seeds):
    import _console_world
    from _console_server import LiveServer

    from canhbao.console import create_app
    from canhbao.console.settings import ConsoleSettings
    from canhbao.core.home import Home
    from canhbao.index import open_store
    from canhbao.testing import evidence_world as sample

    home = Home.resolve(tmp_path_factory.mktemp("console") / "home")
    store = open_store(home)
    with sample.Site() as site:
        made = _console_world.build(home, site, store, seeds[0])
        # Plain HTTP on 127.0.0.1 in the test: Secure cookies off here only (the default is on).
        app = create_app(home, ConsoleSettings(secure_cookies=False, login_max_failures=3))
        with LiveServer(app) as server:
            yield home, server.url, made
    store.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def login(browser, url, name, password=None):
    from _console_world import PASSWORDS

    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, accept_downloads=True, timezone_id="Asia/Ho_Chi_Minh"
    )
    page = context.new_page()
    page.goto(f"{url}/alerts")
    assert "/login" in page.url  # not logged in: sent to the login page
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password or PASSWORDS[name])
    page.click("#login-button")
    return context, page


def audit_entries(home):
    return [json.loads(line) for line in home.audit_log.read_text("utf-8").splitlines() if line.strip()]


def test_two_users_triage_case_and_evidence(world, browser, tmp_path):
    home, url, made = world
    shots = DOCS if os.environ.get("CANHBAO_UPDATE_DOCS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    analyst, a = login(browser, url, "analyst.lan")
    assert a.locator("#current-user").inner_text().startswith("analyst.lan")
    assert "Hàng đợi cảnh báo" in a.content()  # Vietnamese by default

    # the filter form works through HTMX: the results swap in place and the URL follows
    a.fill("#filters input[name=q]", "chia se lai van ban")
    a.press("#filters input[name=q]", "Enter")
    # a locator wait: `wait_for_function` evaluates its predicate with eval, which the console's CSP forbids
    expect(a.locator("tr[data-alert]")).to_have_count(3, timeout=30_000)
    assert "q=chia%20se%20lai%20van%20ban" in a.url and a.locator("#filters").count() == 1
    # full-text search without and with diacritics finds the same re-posts
    for query in ("chia se lai van ban", "Chia sẻ lại văn bản"):
        a.goto(f"{url}/alerts?q={query}")
        ids = set(a.locator("tr[data-alert]").evaluate_all("rows => rows.map(r => r.dataset.alert)"))
        assert ids == {x.id for x in made["reposts"]}, query
    # filters: type + platform; times carry the deployment's offset
    a.goto(f"{url}/alerts?type=leak&platform=zalo")
    assert a.locator("tr[data-alert]").count() == 1
    assert "+07:00" in a.locator("tr[data-alert] td.nowrap").first.inner_text()
    # paging: 25 per page, a next page exists
    a.goto(f"{url}/alerts")
    assert a.locator("tr[data-alert]").count() == 25 and a.locator("#next-page").count() == 1
    a.goto(f"{url}/alerts?type=leak&sort=-score")
    a.screenshot(path=str(shots / "queue.png"), full_page=True)

    # bulk-confirm the three re-posts with a close reason
    for alert in made["reposts"]:
        a.check(f"tr[data-alert='{alert.id}'] input.pick")
    a.select_option("#bulk-action", "confirm")
    a.select_option("#bulk-reason", "violation")
    a.click("#bulk-apply")
    assert "3" in a.locator("#outcome").inner_text()
    a.goto(f"{url}/alerts/{made['reposts'][0].id}")
    assert a.locator("#alert-status").inner_text() == "Đã xác nhận"
    assert a.locator("#close-reason").inner_text() == "Vi phạm"
    # the registered page beside the posted image, matched lines highlighted
    assert int(a.locator("#matched-lines").inner_text()) >= 5
    assert a.locator("#leak rect.hl").count() >= 10
    # assign to the inspector and tag
    a.select_option("#action", "assign")
    a.select_option("#assignee", "inspector.minh")
    a.click("#do-action")
    a.select_option("#action", "tag")
    a.fill("#tag", "lan-truyen")
    a.click("#do-action")
    assert a.locator("#alert-assignee").inner_text() == "inspector.minh"
    assert "lan-truyen" in a.locator("#alert-tags").inner_text()
    a.screenshot(path=str(shots / "alert_leak.png"), full_page=True)

    # a patient-data alert: masked text, entity kinds; raw media withheld from an analyst
    pii = made["pii"].alert
    a.goto(f"{url}/alerts/{pii.id}")
    assert "0912345678" not in a.content() and a.locator("#withheld").count() == 1
    assert a.locator("#pii td.entity").count() >= 2
    # the analyst may not export it unmasked (the logged-in user's role decides)
    a.check("#export-unmasked")
    a.click("#export")
    assert "not allowed" in a.locator("#error-message").inner_text()

    # the inspector opens the document's case, exports unmasked and downloads the bundle
    inspector, i = login(browser, url, "inspector.minh")
    i.goto(f"{url}/cases")
    doc_case = i.locator("tr[data-case^='doc-']")
    assert doc_case.count() == 1
    assert doc_case.locator("td").nth(2).inner_text() == "4"
    assert i.locator("tr[data-case^='claim-'] td").nth(2).inner_text() == "3"
    doc_case.locator("a").click()
    assert {"facebook: 2", "zalo: 1", "telegram: 1"} <= set(i.locator("#case-platforms .tag").all_inner_texts())
    assert i.locator("#timeline td.actor", has_text="analyst.lan").count() >= 3
    i.screenshot(path=str(shots / "case.png"), full_page=True)

    i.goto(f"{url}/alerts/{pii.id}")
    assert i.locator("#withheld").count() == 0  # the inspector's role may see the personal data
    i.check("#export-unmasked")
    i.click("#export")
    assert i.locator("#exported").count() == 1
    with i.expect_download() as got:
        i.locator("#bundles a.bundle").first.click()
    bundle = tmp_path / got.value.suggested_filename
    got.value.save_as(bundle)
    with __import__("zipfile").ZipFile(bundle) as zf:
        meta = json.loads(zf.read("metadata.json"))
    assert meta["export"]["unmasked"] is True and meta["export"]["actor"] == "inspector.minh"
    # the analyst may not download the unmasked bundle either
    resp = a.request.get(f"{url}/alerts/{pii.id}/evidence/{bundle.name}")
    assert resp.status == 403
    # verify the downloaded bundle by upload, then a tampered copy
    i.goto(f"{url}/verify")
    i.set_input_files("#bundle-file", str(bundle))
    i.click("#verify-button")
    assert "Hợp lệ" in i.locator("#verdict h2").inner_text()

    # the audit log names each user for each action
    entries = audit_entries(home)
    confirmed = [
        e for e in entries if e["action"] == "alert.confirmed" and e["target"] in {x.id for x in made["reposts"]}
    ]
    assert len(confirmed) == 3 and {e["actor"] for e in confirmed} == {"analyst.lan"}
    assert any(e["action"] == "alert.assigned" and e["actor"] == "analyst.lan" for e in entries)
    assert any(e["action"] == "evidence.export_refused" and e["actor"] == "analyst.lan" for e in entries)
    assert any(e["action"] == "evidence.export" and e["actor"] == "inspector.minh" for e in entries)
    assert any(e["action"] == "evidence.downloaded" and e["actor"] == "inspector.minh" for e in entries)
    assert any(e["action"] == "console.login" and e["actor"] == "inspector.minh" for e in entries)
    # ... and an administrator sees them in the console
    admin, ad = login(browser, url, "admin.hoa")
    ad.goto(f"{url}/audit")
    actors = set(ad.locator("#audit td.actor").all_inner_texts())
    assert {"analyst.lan", "inspector.minh", "admin.hoa"} <= actors
    # English on request, same times with offset
    ad.click("header .who button[name=lang]")
    ad.goto(f"{url}/alerts")
    assert "Alert queue" in ad.content()
    for c in (analyst, inspector, admin):
        c.close()


def test_csrf_and_session_checks(world, browser):
    home, url, made = world
    target = made["fakes"][0]
    context, page = login(browser, url, "analyst.lan")
    # a POST without the form token, or with a wrong one, is refused and changes nothing
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        resp = page.request.post(f"{url}/alerts/{target.id}/action", form={"action": "ack"}, headers=headers)
        assert resp.status == 403
    page.goto(f"{url}/alerts/{target.id}")
    assert page.locator("#alert-status").inner_text() == "Mới"
    assert any(e["action"] == "console.csrf_refused" for e in audit_entries(home))
    # with the page's own token it works
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    resp = page.request.post(f"{url}/alerts/{target.id}/action", form={"action": "ack", "csrf_token": token})
    assert resp.ok
    # a forged (re-signed with another key) or missing session cookie is not a login
    stranger = browser.new_context()
    stranger.add_cookies([{"name": "canhbao_session", "value": "eyJ1IjogImFkbWluLmhvYSJ9.forged.sig", "url": url}])
    p2 = stranger.new_page()
    p2.goto(f"{url}/audit")
    assert "/login" in p2.url
    assert (
        stranger.request.post(
            f"{url}/alerts/bulk", form={"ids": target.id, "action": "dismiss"}, max_redirects=0
        ).status
        == 303
    )
    # a password change ends the user's other sessions; a disabled account cannot log in
    from canhbao.console import accounts
    from canhbao.console.store import ConsoleStore
    from canhbao.core.audit import AuditLog

    db, audit = ConsoleStore.for_home(home), AuditLog(home.audit_log)
    accounts.set_password(db, audit, "analyst.lan", "new-lan-pass-2026", actor="admin.hoa")
    page.goto(f"{url}/alerts")
    assert "/login" in page.url
    accounts.set_disabled(db, audit, "inspector.minh", True, actor="admin.hoa")
    _, p3 = login(browser, url, "inspector.minh")
    assert p3.locator("#login-error").count() == 1
    # throttling: after 3 failures (this deployment's limit) even the right password is refused for a while
    for _ in range(3):
        _, p4 = login(browser, url, "admin.hoa", password="wrong-password-x")
    _, p5 = login(browser, url, "admin.hoa")
    assert re.search("Quá nhiều|Too many", p5.locator("#login-error").inner_text())
    assert any(e["action"] == "console.login_throttled" for e in audit_entries(home))
    stranger.close()
    context.close()
