"""Daily maintenance: retention purge (keeping what confirmed alerts need) and takedown checks."""

from __future__ import annotations

from airflow.sdk import dag, task

from canhbao.pipeline.dag_support import dag_kwargs, home, settings

S = settings()


@dag(**dag_kwargs(S, "canhbao_maintenance", "0 4 * * *"))
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
