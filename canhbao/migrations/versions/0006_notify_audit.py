"""Notification dedupe and the audit trail, shared by every worker and machine.

`sent` and `source_status` are the SQLite schema of `canhbao.notify.dispatch.State`: a notification is
claimed by inserting its key (the primary key makes exactly one of two concurrent senders win) and marked
`sent` once a channel took it. `audit_log` is the hash-chained audit log of `canhbao.core.audit`, one
ordered trail for the deployment instead of one file per machine: `seq` orders it, `UNIQUE (prev)` makes
a fork of the chain impossible, and triggers refuse UPDATE, DELETE and TRUNCATE (append-only; the chain
still exposes an edit made by someone who drops the triggers).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""CREATE TABLE sent (key TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,
                  state TEXT NOT NULL DEFAULT 'sent')""")
    op.execute("CREATE TABLE source_status (source TEXT PRIMARY KEY, status TEXT NOT NULL, run TEXT NOT NULL)")
    op.execute("""
        CREATE TABLE audit_log (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL CHECK (actor <> ''),
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            details TEXT NOT NULL,
            prev TEXT NOT NULL UNIQUE,
            hash TEXT NOT NULL UNIQUE,
            host TEXT NOT NULL
        )""")
    op.execute("CREATE INDEX audit_log_target ON audit_log(target, seq)")
    op.execute("""
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING MESSAGE = 'audit_log is append-only, ' || TG_OP || ' refused';
        END $$""")
    op.execute("""CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""")
    op.execute("""CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""")


def downgrade() -> None:
    op.execute("DROP TABLE audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.execute("DROP TABLE source_status")
    op.execute("DROP TABLE sent")
