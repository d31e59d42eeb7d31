"""Daily maintenance: retention purge (keeping what confirmed alerts need) and takedown checks."""

from __future__ import annotations

from canhbao.pipeline.dag_support import default_args, home, settings, start_date
from airflow.sdk import dag, task

S = settings()


@dag(
    dag_id="canhbao_maintenance",
    schedule="0 4 * * *",
    start_date=start_date(S),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(S),
    tags=["canhbao"],
)
def maintenance():
    @task
    def retention() -> dict:
        from canhbao.index import open_store
        from canhbao.pipeline.retention import purge

        store = open_store(home())
        try:
            return purge(home(), older_than_days=S.retention_days, store=store)
        finally:
            store.close()

    @task
    def takedown_check() -> dict:
        from canhbao.evidence.takedown import daily

        return daily(str(home().root))

    retention() >> takedown_check()


maintenance()
