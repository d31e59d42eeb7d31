"""Registry sync: register new internal documents dropped in the watched folder (the document-management
system's export), then retro-hunt posts of the last N days against every document not hunted for yet.

Which documents still need a retro-hunt is a durable mark in the registry, not an XCom value: if the
retro-hunt fails after the documents were registered, the next run hunts for them (canhbao.pipeline.retro_hunt).
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context, task

from canhbao.pipeline.dag_support import dag_kwargs, home, run_time, settings

S = settings()


@dag(**dag_kwargs(S, "canhbao_registry_sync", "*/30 * * * *"))
def registry_sync():
    @task
    def register_new() -> list[str]:
        from canhbao.pipeline.registry_sync import register_folder

        if not S.registry_watch_dir:
            return []  # nothing watched: documents come from `canhbao registry add`, still retro-hunted below
        return register_folder(home(), S.registry_watch_dir)

    @task
    def retro_hunt(_registered: list[str]) -> dict:
        from canhbao.pipeline.retro_hunt import run_pending

        return run_pending(home(), run_time(get_current_context()), S.retro_hunt_days, wait_s=S.lock_wait_minutes * 60)

    retro_hunt(register_new())


registry_sync()
