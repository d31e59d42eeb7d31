"""`canhbao index setup` and `canhbao alerts ...` end to end through the CLI, on the embedded store."""

from __future__ import annotations

import json

import pytest
from _index_helpers import make_alert

from canhbao.cli import main
from canhbao.core.audit import AuditLog
from canhbao.index import AlertQuery, open_store


@pytest.fixture
def seeded(home, config_dir):
    with open_store(home) as store:
        store.setup()
        kinds = ("leak", "pii_exposure", "fake_news", "leak")
        store.upsert([make_alert(i, kind) for i, kind in enumerate(kinds)])
    return home


def run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_setup_list_show(seeded, capsys):
    assert run(capsys, "index", "setup")[0] == 0
    rc, out, _ = run(capsys, "alerts", "list")
    assert rc == 0 and len(out.splitlines()) == 4
    rc, out, _ = run(capsys, "alerts", "list", "--type", "leak", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rc == 0 and {r["type"] for r in rows} == {"leak"} and len(rows) == 2
    rc, out, _ = run(capsys, "alerts", "list", "--query", "benh vien bach mai", "--json")
    assert [json.loads(line)["type"] for line in out.splitlines()] == ["pii_exposure"]
    rc, out, _ = run(capsys, "alerts", "list", "--since", "2030-01-01")
    assert rc == 0 and out == ""
    alert_id = rows[0]["id"]
    rc, out, _ = run(capsys, "alerts", "show", alert_id)
    assert rc == 0 and "1234/BYT-KCB" in out and "created" in out and "UNMASKED" not in out


def test_workflow_with_audit(seeded, capsys, monkeypatch):
    monkeypatch.setenv("CANHBAO_ACTOR", "analyst.lan")
    with open_store(seeded) as store:
        alert_id = store.search(AlertQuery(type=("leak",)))[0].id
    assert run(capsys, "alerts", "ack", alert_id, "--note", "đang xem")[0] == 0
    assert run(capsys, "alerts", "assign", alert_id, "analyst.minh")[0] == 0
    assert run(capsys, "alerts", "note", alert_id, "đã báo lãnh đạo")[0] == 0
    rc, out, _ = run(capsys, "alerts", "confirm", alert_id)
    assert rc == 0 and "confirmed" in out
    rc, _, err = run(capsys, "alerts", "dismiss", alert_id)
    assert rc == 2 and err.strip() == (
        f"canhbao: error: alert {alert_id}: cannot go from confirmed to dismissed (allowed: open)"
    )
    rc, out, _ = run(capsys, "alerts", "show", alert_id, "--json")
    shown = json.loads(out)
    assert shown["status"] == "confirmed" and shown["assignee"] == "analyst.minh"
    assert [e["action"] for e in shown["history"]] == ["created", "acknowledged", "assigned", "note", "confirmed"]
    assert all(e["actor"] == "analyst.lan" for e in shown["history"][1:])
    audit = AuditLog(seeded.audit_log)
    assert [e.action for e in audit.entries(alert_id)] == [
        "alert.acknowledged",
        "alert.assigned",
        "alert.note",
        "alert.confirmed",
    ]
    rc, out, _ = run(capsys, "alerts", "list", "--status", "confirmed")
    assert out.startswith(alert_id)


def test_errors_are_one_line(seeded, capsys):
    rc, _, err = run(capsys, "alerts", "show", "doesnotexist")
    assert rc == 2 and err.count("\n") == 1 and "doesnotexist" in err
    rc, _, err = run(capsys, "alerts", "list", "--since", "yesterday")
    assert rc == 2 and "--since" in err and "yesterday" in err


def test_unreachable_server_is_one_line(home, config_dir, capsys, monkeypatch):
    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "opensearch")
    monkeypatch.setenv("CANHBAO_INDEX__URL", "http://127.0.0.1:9")
    rc, _, err = run(capsys, "alerts", "list")
    assert rc == 2 and err.count("\n") == 1 and "127.0.0.1:9" in err and "unreachable" in err


def test_bad_engine_in_config(home, config_dir, capsys):
    (config_dir / "index.yaml").write_text("engine: mysql\n")
    rc, _, err = run(capsys, "index", "setup")
    assert rc == 2 and "index.yaml" in err and "engine" in err


def test_corrupt_alert_store_is_one_line(home, config_dir, capsys):
    home.alerts_db.write_bytes(b"this is not a SQLite file" * 100)
    rc, _, err = run(capsys, "alerts", "list")
    assert rc == 2 and err.count("\n") == 1 and "alerts.sqlite" in err and "not a database" in err


ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b[31mĐỎ\x1b[0m \x9b1;1H\u202egnp.exe\r"


def test_escape_sequences_in_crawled_text_never_reach_the_terminal(home, config_dir, capsys):
    with open_store(home) as store:
        store.setup()
        store.upsert([make_alert(0, "leak", text=f"Công văn {ESCAPES} lộ lọt", number=f"12{ESCAPES}/BYT")])
    rc, out, _ = run(capsys, "alerts", "list")
    assert rc == 0 and len(out.splitlines()) == 1
    alert_id = out.split()[0]
    for argv in (
        ("alerts", "list"),
        ("alerts", "show", alert_id),
        ("alerts", "list", "--json"),
        ("alerts", "show", alert_id, "--json"),
    ):
        rc, out, _ = run(capsys, *argv)
        assert rc == 0, argv
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\r"):
            assert bad not in out, (argv, bad)
        assert "ĐỎ" in out or "\\u0110" in out  # the words themselves are kept
    rc, out, _ = run(capsys, "alerts", "show", alert_id, "--json")
    assert "\x1b[2J" in json.loads(out)["masked_text"]  # JSON still carries the exact text, escaped


@pytest.mark.parametrize("since", ["999999d", "99999999999999999999w", "36500000h"])
def test_huge_relative_dates_are_a_one_line_error(seeded, capsys, since):
    rc, out, err = run(capsys, "alerts", "list", "--since", since)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("canhbao: error: --since: ") and "years" in err


# --- papercuts (issue 15) ------------------------------------------------------------------------------


def test_sort_dash_value_prefix_ids_local_time(seeded, capsys):
    rc, out, _ = run(capsys, "alerts", "list", "--sort", "-score", "--json")
    scores = [json.loads(line)["score"] for line in out.splitlines()]
    assert rc == 0 and scores == sorted(scores, reverse=True) and len(scores) == 4
    rc, out, _ = run(capsys, "alerts", "list")
    first = out.splitlines()[0]
    assert "+07:00" in first  # local time (Asia/Ho_Chi_Minh by default) with its offset
    alert_id = first.split()[0]
    rc, out, _ = run(capsys, "alerts", "show", alert_id[:8])
    assert rc == 0 and out.startswith(f"alert     {alert_id}")
    rc, _, err = run(capsys, "alerts", "show", "ab")
    assert rc == 2 and "prefix of at least 4" in err


def test_bulk_confirm_partial_failure_exit(seeded, capsys, monkeypatch):
    monkeypatch.setenv("CANHBAO_ACTOR", "analyst.lan")
    with open_store(seeded) as store:
        ids = [a.id for a in store.search(AlertQuery(sort="-captured_at"))]
    rc, out, _ = run(capsys, "alerts", "confirm", ids[0][:10], ids[1], "--reason", "violation")
    assert rc == 0 and len(out.splitlines()) == 2
    rc, out, err = run(capsys, "alerts", "dismiss", ids[0], ids[2], "ffffffff0000", "--reason", "duplicate")
    assert rc == 1  # partial failure: one done, two refused, each named on stderr
    assert out.splitlines() == [f"{ids[2]}  dismissed"]
    assert "cannot go from confirmed to dismissed" in err and "ffffffff0000: not found" in err
    from canhbao.console.store import ConsoleStore

    labels = ConsoleStore.for_home(seeded).labels([ids[0], ids[2]])
    assert labels[ids[0]].close_reason == "violation" and labels[ids[2]].close_reason == "duplicate"


def test_broken_pipe_is_quiet(seeded):
    import os
    import subprocess
    import sys

    with open_store(seeded) as store:  # enough output to fill the pipe after `head` has gone
        store.upsert([make_alert(10 + i, "leak", hours=i % 500) for i in range(3000)])
    env = {**os.environ, "CANHBAO_HOME": str(seeded.root)}
    proc = subprocess.run(
        f"{sys.executable} -m canhbao alerts list --limit 3000 | head -1",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.count("\n") == 1 and "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
