"""Work batches: OCR and detection split into batches that any worker claims with FOR UPDATE SKIP LOCKED.

A claim is a lease (`lease_owner`, `lease_until`); a worker killed mid-batch stops renewing it, and once it
expires the batch is claimable again. `done_at` is set in the same transaction as the batch's results.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE work_batches (
            id TEXT PRIMARY KEY,
            stage TEXT NOT NULL,
            items TEXT NOT NULL,
            planned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            lease_owner TEXT,
            lease_until TIMESTAMPTZ,
            attempts INTEGER NOT NULL DEFAULT 0,
            done_at TIMESTAMPTZ,
            done_by TEXT,
            result TEXT
        )""")
    op.execute("CREATE INDEX work_batches_open ON work_batches(stage, id) WHERE done_at IS NULL")


def downgrade() -> None:
    op.execute("DROP TABLE work_batches")
