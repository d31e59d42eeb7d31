"""Shared state: post store, pipeline ledger, claim bank, registry rows (the SQLite stores' schemas).

Colons in SQL literals are escaped (`\\:`) because Alembic runs strings as SQLAlchemy text().
Times stay ISO-8601 UTC text, as in SQLite, so both backends compare and return them the same way.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = {
    "posts": """(key TEXT PRIMARY KEY, source TEXT NOT NULL, platform TEXT NOT NULL, stored_at TEXT NOT NULL,
                 captured_at TEXT NOT NULL, body TEXT NOT NULL)""",
    "media": "(sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL)",
    "analysed": """(post_key TEXT PRIMARY KEY, content TEXT NOT NULL, analysed_at TEXT NOT NULL,
                    alerts INTEGER NOT NULL)""",
    "outbox": """(alert_id TEXT PRIMARY KEY, type TEXT NOT NULL, post_key TEXT NOT NULL, body TEXT NOT NULL,
                  created_at TEXT NOT NULL, indexed_at TEXT)""",
    "claims": """(id TEXT PRIMARY KEY, text TEXT NOT NULL, verdict TEXT, source TEXT, date TEXT, url TEXT,
                  debunk TEXT,
                  added_at TEXT DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24\\:MI\\:SS"Z"'))""",
    "documents": """(id TEXT PRIMARY KEY, source TEXT NOT NULL, classification TEXT NOT NULL, numbers TEXT NOT NULL,
                     date TEXT NOT NULL, agency TEXT NOT NULL, subject TEXT NOT NULL, signer TEXT NOT NULL,
                     pages INTEGER NOT NULL, added_at TEXT NOT NULL, file TEXT NOT NULL)""",
    "pages": """(doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE, page INTEGER NOT NULL,
                 method TEXT NOT NULL, text TEXT NOT NULL, phash TEXT NOT NULL, shingles BYTEA NOT NULL,
                 image TEXT NOT NULL, boiler BYTEA NOT NULL, PRIMARY KEY (doc_id, page))""",
}
INDEXES = {
    "posts_stored": "posts(stored_at)",
    "posts_source": "posts(source, stored_at)",
    "outbox_pending": "outbox(created_at, alert_id) WHERE indexed_at IS NULL",
}


def upgrade() -> None:
    for name, body in TABLES.items():
        op.execute(f"CREATE TABLE {name} {body}")
    for name, on in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {on}")


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.execute(f"DROP TABLE {name}")
