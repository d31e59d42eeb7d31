"""The console's tables (users, login failures, cases and their alerts, alert labels: the SQLite schema of
`canhbao.console.store`), so several console servers behind a load balancer share accounts and cases; and
the registry's retro-hunt marks (`canhbao.pipeline.retro_hunt`), which live beside the registry's rows.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = {
    "users": """(name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                 disabled INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)""",
    "login_failures": "(key TEXT NOT NULL, at TEXT NOT NULL)",
    "cases": """(id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL,
                 created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
    "case_alerts": """(case_id TEXT NOT NULL REFERENCES cases(id), alert_id TEXT NOT NULL, added_at TEXT NOT NULL,
                       PRIMARY KEY (case_id, alert_id))""",
    "labels": "(alert_id TEXT PRIMARY KEY, tags TEXT NOT NULL, close_reason TEXT NOT NULL)",
    "retro_hunted": "(doc_id TEXT PRIMARY KEY, hunted_at TEXT NOT NULL, since TEXT NOT NULL)",
}
INDEXES = {
    "login_failures_key": "login_failures(key, at)",
    "case_alerts_alert": "case_alerts(alert_id)",
}


def upgrade() -> None:
    for name, body in TABLES.items():
        op.execute(f"CREATE TABLE {name} {body}")
    for name, on in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {on}")


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.execute(f"DROP TABLE {name}")
