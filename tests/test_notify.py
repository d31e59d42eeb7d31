"""Notifications against a real SMTP server (aiosmtpd) and a webhook / Telegram Bot API receiver, both on
127.0.0.1: new alerts above a score per type, a partial and a stale scan, a source turning blocked, the
daily digest, the Airflow failure callback; never any personal data; each sent once; a dead channel
does not stop the others and is retried."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler

import pytest
from _index_helpers import make_alert

from canhbao.core.atomic import write_json
from canhbao.index import open_store
from canhbao.notify import dispatch, notify_failure
from canhbao.notify.settings import Channels, EmailChannel, NotifySettings, Rules, TelegramChannel, WebhookChannel
from canhbao.testing.local_http import LocalServer

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội: the digest hour has passed
PERSONAL = ("Nguyễn Văn", "UNMASKED", "012345678901", "CCCD", "Trang tin A", "facebook.com/post", "Bệnh nhân")


class Receiver:
    """One HTTP server for the webhook and the Telegram Bot API (`/bot<token>/sendMessage`)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.fail = False
        self.delay = 0.0  # seconds before answering: keeps a sender mid-send while another one runs
        calls, me = self.calls, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(me.delay)
                if me.fail:
                    self.send_response(503)
                    self.end_headers()
                    return
                calls.append((self.path, body))
                answer = json.dumps({"ok": True, "result": {"message_id": len(calls)}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = LocalServer(Handler)
        self.url = f"http://127.0.0.1:{self.server.port}"

    def close(self):
        self.server.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    got = []

    class Keep(Message):
        def handle_message(self, message):
            got.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, got
    controller.stop()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def settings_for(smtp, receiver, **rules) -> NotifySettings:
    controller, _ = smtp
    return NotifySettings(
        console_url="https://canhbao.unit.local",
        lang="vi",
        channels=Channels(
            email=EmailChannel(
                enabled=True,
                host="127.0.0.1",
                port=controller.port,
                security="none",
                sender="canhbao@unit.local",
                recipients=("truc.ban@unit.local",),
            ),
            webhook=WebhookChannel(enabled=True, url=f"{receiver.url}/hook"),
            telegram=TelegramChannel(enabled=True, api_base=receiver.url, token_env="TEST_TG_TOKEN", chat_id="-100123"),
        ),
        rules=Rules(**rules),
    )


def everything_sent(smtp, receiver) -> str:
    _, mails = smtp
    return "\n".join([m.as_string() for m in mails] + [json.dumps(b, ensure_ascii=False) for _, b in receiver.calls])


def test_new_alerts_digest_once_without_personal_data(home, smtp, receiver, monkeypatch, state):
    monkeypatch.setenv("TEST_TG_TOKEN", "123:secret")
    settings = settings_for(smtp, receiver, new_alert={"leak": 0.8, "pii_exposure": 0.9})
    store = open_store(home)
    yesterday = NOW - timedelta(hours=20)
    alerts = [
        replace(make_alert(1, "leak", score=0.95), captured_at=yesterday),
        replace(make_alert(2, "leak", score=0.5), captured_at=yesterday),  # below the leak threshold
        replace(make_alert(3, "pii_exposure", score=0.97), captured_at=yesterday),
        replace(make_alert(4, "fake_news", score=0.99), captured_at=yesterday),
    ]  # no rule for fake news
    store.upsert(alerts)
    report = dispatch.run(home, store, settings, now=NOW)
    assert not report.failed
    assert sorted(report.sent) == sorted(
        f"{k} via {c}" for k in ("new_alerts", "digest") for c in ("email", "webhook", "telegram")
    )
    hooks = [b for p, b in receiver.calls if p == "/hook"]
    new = next(b for b in hooks if b["kind"] == "new_alerts")
    assert {a["id"] for a in new["data"]["alerts"]} == {alerts[0].id, alerts[2].id}
    assert f"https://canhbao.unit.local/alerts/{alerts[0].id}" in new["text"]
    digest = next(b for b in hooks if b["kind"] == "digest")
    assert {t: n for t, n in digest["data"]["new"].items() if n} == {"leak": 2, "pii_exposure": 1, "fake_news": 1}
    assert digest["data"]["day"] == "2026-11-01"
    tg = [b for p, b in receiver.calls if p == "/bot123:secret/sendMessage"]
    assert len(tg) == 2 and all(b["chat_id"] == "-100123" for b in tg)
    _, mails = smtp
    assert len(mails) == 2 and mails[0]["To"] == "truc.ban@unit.local"
    assert "lộ văn bản" in mails[0].get_payload(decode=True).decode("utf-8")
    sent = everything_sent(smtp, receiver)
    for value in PERSONAL + tuple(a.masked_text for a in alerts):
        assert value not in sent, value
    # a second run sends nothing again
    before = len(receiver.calls)
    assert dispatch.run(home, store, settings, now=NOW + timedelta(minutes=5)).sent == []
    assert len(receiver.calls) == before
    store.close()


def test_scans_sources_and_failures(home, smtp, receiver, monkeypatch, state):
    monkeypatch.setenv("TEST_TG_TOKEN", "123:secret")
    settings = settings_for(smtp, receiver, new_alert={})
    write_json(
        home.scans / "20261101T190000000000Z.json",
        {
            "id": "20261101T190000000000Z",
            "started_at": "2026-11-01T19:00:00+00:00",
            "status": "done",
            "stages": {
                "crawl": {"status": "done", "errors": ["fb-group-x: blocked"]},
                "media": {"status": "done", "errors": []},
            },
        },
    )
    write_json(
        home.scans / "20261101T200000000000Z.json",
        {
            "id": "20261101T200000000000Z",
            "started_at": "2026-11-01T20:00:00+00:00",
            "status": "running",
            "stages": {"crawl": {"status": "running"}},
        },
    )
    runs = home.crawl_state / "runs"
    source = {"source": "fb-group-x", "platform": "facebook", "status": "ok", "blocks": []}
    write_json(runs / "20261031T190000.json", {"run_id": "20261031T190000", "sources": [source]})
    write_json(
        runs / "20261101T190000.json",
        {
            "run_id": "20261101T190000",
            "sources": [{**source, "status": "blocked", "blocks": ["login_wall https://www.facebook.com/groups/x"]}],
        },
    )
    settings = replace(settings, digest=replace(settings.digest, enabled=False))
    report = dispatch.run(home, None, settings, now=NOW)
    kinds = sorted({b["kind"] for p, b in receiver.calls if p == "/hook"})
    assert kinds == ["scan_failed", "scan_partial", "source_blocked"], report
    blocked = next(b for p, b in receiver.calls if p == "/hook" and b["kind"] == "source_blocked")
    assert blocked["data"] == {
        "source": "fb-group-x",
        "platform": "facebook",
        "kinds": ["login_wall"],
        "run_id": "20261101T190000",
    }
    assert "facebook.com/groups" not in everything_sent(smtp, receiver)
    # still blocked in the next run: no new message; once sent, a scan is not announced again
    write_json(
        runs / "20261102T190000.json",
        {"run_id": "20261102T190000", "sources": [{**source, "status": "blocked", "blocks": ["login_wall x"]}]},
    )
    assert dispatch.run(home, None, settings, now=NOW).sent == []

    # Airflow's failure callback: DAG, task, run and the error's first line only
    class TI:
        dag_id, task_id, run_id = "canhbao_nightly_scan", "detect", "scheduled__2026-11-01"

    got = notify_failure(
        {
            "task_instance": TI(),
            "run_id": TI.run_id,
            "exception": RuntimeError("OCR pool died\nTraceback: Nguyễn Văn A 0912345678"),
        },
        settings=settings,
    )
    assert len(got.sent) == 3
    hook = receiver.calls[-1][1] if receiver.calls[-1][0] == "/hook" else receiver.calls[-2][1]
    assert hook["data"]["dag_id"] == "canhbao_nightly_scan" and "0912345678" not in json.dumps(hook)
    assert notify_failure(None, settings=replace(settings, lang="xx")).failed  # never raises


def test_dead_channel_does_not_stop_others_and_is_retried(home, smtp, receiver, monkeypatch, state):
    monkeypatch.setenv("TEST_TG_TOKEN", "123:secret")
    settings = settings_for(smtp, receiver, new_alert={"leak": 0.5})
    settings = replace(settings, digest=replace(settings.digest, enabled=False))
    store = open_store(home)
    store.upsert([replace(make_alert(1, "leak", score=0.9), captured_at=NOW - timedelta(hours=1))])
    receiver.fail = True  # webhook and Telegram answer 503
    report = dispatch.run(home, store, settings, now=NOW)
    assert report.sent == ["new_alerts via email"]
    assert len(report.failed) == 2 and all("HTTP 503" in f for f in report.failed)
    # every channel failing: nothing is marked sent, so the next run tries again
    dead = replace(
        settings, channels=replace(settings.channels, email=replace(settings.channels.email, port=_free_port()))
    )
    fresh = [replace(make_alert(9, "leak", score=0.9), captured_at=NOW - timedelta(hours=1))]
    store.upsert(fresh)
    assert dispatch.run(home, store, dead, now=NOW).sent == []
    receiver.fail = False
    again = dispatch.run(home, store, settings, now=NOW)
    assert len(again.sent) == 3
    hook = [b for p, b in receiver.calls if p == "/hook"][-1]
    assert [a["id"] for a in hook["data"]["alerts"]] == [fresh[0].id]
    store.close()


def test_wrong_notify_config_is_one_line_naming_file_and_key(config_dir, capsys):
    from canhbao.cli import main

    (config_dir / "notify.yaml").write_text("rules:\n  new_alert: {leak: 0.8, rumour: 0.5}\n", encoding="utf-8")
    assert main(["notify", "run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notify.yaml: rules: new_alert: unknown type(s) ['rumour']" in err
    (config_dir / "notify.yaml").write_text("channels:\n  telegram: {enabled: true}\n", encoding="utf-8")
    assert main(["notify", "test"]) == 2
    assert "channels.telegram: chat_id: required when enabled" in capsys.readouterr().err


# --- several senders: claim before send, on the shared-state backend ---------------------------------------


def _start_together(code: str, argvs: list[list[str]], go) -> list[str]:
    """Start one process per argv, wait until each prints `ready` (imports and stores opened), then let them
    all go at once by creating `go`; their last stdout lines."""
    procs = [
        subprocess.Popen([sys.executable, "-c", code, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for argv in argvs
    ]
    for p in procs:
        line = p.stdout.readline()
        assert line.strip() == "ready", p.communicate(timeout=60)
    go.touch()
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), [err for _, err in outs]
    return [out.strip().splitlines()[-1] for out, _ in outs]


CLAIMER = """
import json, os, random, sys, time
from canhbao.core.home import Home
from canhbao.notify.dispatch import State
home, go, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
state = State(Home.resolve(home))
keys = [f"alert:{n:04d}" for n in range(300)]
random.Random(seed).shuffle(keys)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
print(json.dumps(state.claim(keys, "new_alerts")))
"""


def test_racing_claimers_each_key_claimed_exactly_once(tmp_path, state):
    """Four processes claim the same 300 keys at the same moment, each in its own order. On PostgreSQL each
    has its own data home (four machines); on SQLite they share one (one machine). Every key is won by exactly
    one process."""
    homes = [tmp_path / (f"home{i}" if state.backend == "postgresql" else "home") for i in range(4)]
    won = [
        json.loads(line)
        for line in _start_together(
            CLAIMER, [[str(h), str(tmp_path / "go"), str(i)] for i, h in enumerate(homes)], tmp_path / "go"
        )
    ]
    every = [k for keys in won for k in keys]
    assert len(every) == len(set(every)) == 300, [len(k) for k in won]


def test_claim_release_and_expiry(home, state):
    from canhbao.core.home import Home

    a, b = dispatch.State(home), dispatch.State(Home.resolve(home.root.parent / "elsewhere"))
    shared = state.backend == "postgresql"
    assert a.claim(["k1", "k2"], "new_alerts") == ["k1", "k2"]
    assert b.claim(["k1", "k3"], "new_alerts") == (["k3"] if shared else ["k1", "k3"])
    assert a.seen(["k1", "k2", "k9"]) == {"k1", "k2"} and a.delivered(["k1", "k2"]) == set()
    a.release(["k2"])  # every channel failed: the next run may try again
    a.done(["k1"], "new_alerts")
    assert a.claim(["k1", "k2"], "new_alerts") == ["k2"]
    assert a.delivered(["k1", "k2"]) == {"k1"}
    a.release(["k1"])  # releasing never forgets what was sent
    assert a.delivered(["k1"]) == {"k1"}
    # a sender that died holding k2: its claim is taken again only once it is older than CLAIM_TTL
    with closing(a._connect()) as db, db:
        db.execute("UPDATE sent SET at = ? WHERE key = 'k2'", ("2000-01-01T00:00:00.000000+00:00",))
    assert a.seen(["k2"]) == set()
    assert a.claim(["k2"], "new_alerts") == ["k2"] and a.claim(["k2"], "new_alerts") == []


def test_sqlite_file_from_before_claims_keeps_what_was_sent(home, monkeypatch):
    """The SQLite path: a notify.sqlite written by the previous version (no `state` column) is read as is."""
    import sqlite3

    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "sqlite")

    path = home.root / "notify" / "notify.sqlite"
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(
            "CREATE TABLE sent (key TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL);"
            "CREATE TABLE source_status (source TEXT PRIMARY KEY, status TEXT NOT NULL, run TEXT NOT NULL);"
        )
        db.execute("INSERT INTO sent VALUES ('alert:old', '2026-10-01T00:00:00+00:00', 'new_alerts')")
    st = dispatch.State(home)
    assert st.delivered(["alert:old"]) == {"alert:old"} and st.claim(["alert:old", "alert:new"], "x") == ["alert:new"]


NOTIFIER = """
import json, os, sys, time
from contextlib import closing
from dataclasses import replace
from datetime import datetime
from canhbao.core.home import Home
from canhbao.index import open_store
from canhbao.notify import dispatch
from canhbao.notify.settings import Channels, NotifySettings, Rules, WebhookChannel
home_dir, url, go, now = sys.argv[1:5]
settings = NotifySettings(
    console_url="https://canhbao.unit.local",
    channels=Channels(webhook=WebhookChannel(enabled=True, url=url)),
    rules=Rules(new_alert={"leak": 0.5}),
)
settings = replace(settings, digest=replace(settings.digest, enabled=False))
home = Home.resolve(home_dir)
store = open_store(home)
dispatch.State(home)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
print(json.dumps(dispatch.run(home, store, settings, now=datetime.fromisoformat(now)).sent))
"""


def test_two_machines_racing_to_notify_the_same_alerts(tmp_path, receiver, state):
    """Two schedulers on two machines (two data homes, each seeing the same alerts, as from one shared
    search server) run the notifier at the same moment, with a slow webhook. With the shared PostgreSQL
    state each alert is announced once; with each machine's own SQLite file, twice (why the state moved)."""
    from canhbao.core.home import Home

    alerts = [replace(make_alert(n, "leak", score=0.9), captured_at=NOW - timedelta(hours=2)) for n in range(12)]
    homes = [tmp_path / "machine-a", tmp_path / "machine-b"]
    for h in homes:
        store = open_store(Home.resolve(h))
        store.upsert(alerts)
        store.close()
    receiver.delay = 0.5
    argv = [str(tmp_path / "go"), NOW.isoformat()]
    reports = [
        json.loads(line)
        for line in _start_together(NOTIFIER, [[str(h), f"{receiver.url}/hook", *argv] for h in homes], tmp_path / "go")
    ]
    announced = [a["id"] for _, b in receiver.calls if b["kind"] == "new_alerts" for a in b["data"]["alerts"]]
    copies = 1 if state.backend == "postgresql" else 2
    assert sorted(announced) == sorted([a.id for a in alerts] * copies)
    assert sorted(r for rep in reports for r in rep) == ["new_alerts via webhook"] * copies
    # and a later run, on either machine, sends nothing again
    receiver.delay, before = 0.0, len(receiver.calls)
    assert _start_together(
        NOTIFIER, [[str(homes[1]), f"{receiver.url}/hook", str(tmp_path / "go2"), NOW.isoformat()]], tmp_path / "go2"
    ) == ["[]"]
    assert len(receiver.calls) == before
