"""Registry sync: register new internal documents dropped in the watched folder (the document-management
system's export), then retro-hunt posts of the last N days against them."""

from __future__ import annotations

from airflow.sdk import dag, task

from canhbao.pipeline.dag_support import dag_kwargs, home, settings

S = settings()


@dag(**dag_kwargs(S, "canhbao_registry_sync", "*/30 * * * *"))
def registry_sync():
    @task
    def register_new() -> list[str]:
        from canhbao.pipeline.registry_sync import register_folder

        return register_folder(home(), S.registry_watch_dir)

    @task
    def retro_hunt(new_ids: list[str], data_interval_end=None) -> dict:
        from datetime import timedelta

        from canhbao.pipeline.scan import rescan

        if not new_ids:
            return {"posts": 0, "skipped": "no new documents"}
        since = data_interval_end - timedelta(days=S.retro_hunt_days)
        return rescan(home(), since, progress=False)

    retro_hunt(register_new())


registry_sync()
