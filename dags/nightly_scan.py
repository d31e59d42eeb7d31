"""Nightly scan: crawl every enabled source (one mapped task each, capped by a pool), read media,
detect in batches, index, summarise. Same stage functions as `canhbao scan`."""

from __future__ import annotations

from airflow.sdk import dag, task

from canhbao.pipeline.dag_support import dag_kwargs, home, settings

S = settings()
CRAWL_POOL = "canhbao_crawl"


@dag(**dag_kwargs(S, "canhbao_nightly_scan", S.schedule))
def nightly_scan():
    @task
    def list_sources() -> list[str]:
        from canhbao.pipeline.stages import enabled_sources

        return enabled_sources()

    @task(pool=CRAWL_POOL, max_active_tis_per_dag=S.crawl_pool_slots)
    def crawl_source(source: str) -> dict:
        from canhbao.pipeline.stages import crawl_stage

        result = crawl_stage(home(), [source])
        health = result.counts["sources"][0]
        return {k: health[k] for k in ("source", "status", "pages_fetched", "posts_new", "parse_errors")}

    @task
    def read_media(_crawled: list) -> dict:
        from canhbao.pipeline.stages import media_stage

        return dict(media_stage(home(), workers=S.workers, progress=False).counts)

    @task
    def detect(_media: dict) -> dict:
        from canhbao.pipeline.stages import detect_stage

        return dict(detect_stage(home(), batch_size=S.batch_size, workers=S.workers, progress=False).counts)

    @task
    def index(_detected: dict) -> dict:
        from canhbao.pipeline.stages import index_stage

        result = index_stage(home(), progress=False)
        if result.errors:  # fail the task so Airflow retries; what was indexed stays indexed
            raise RuntimeError(f"{len(result.errors)} alerts not indexed: {result.errors[0]}")
        return dict(result.counts)

    @task
    def summarize(health: list, media: dict, detected: dict, indexed: dict, data_interval_end=None) -> dict:
        import json
        import logging

        from canhbao.core.atomic import write_json

        summary = {"interval_end": str(data_interval_end), "sources": list(health), "media": media,
                   "detect": detected, "index": indexed}
        write_json(home().scans / f"airflow-{str(data_interval_end).replace(':', '')}.json", summary)
        logging.getLogger("canhbao").info("scan summary: %s", json.dumps(summary, ensure_ascii=False))
        return {"new_alerts": detected.get("new_alerts", 0), "indexed": indexed.get("indexed", 0)}

    # Shared work queue (config/state.yaml backend postgresql): one mapped task per batch, on any worker;
    # the stage task after it sweeps up what is left. On SQLite the mapped task is a single no-op.
    @task
    def plan_batches(stage: str, _after: object = None) -> list:
        from canhbao.pipeline.workers import dag_plan

        return dag_plan(home(), stage, S.batch_size)

    @task
    def work_batch(stage: str, batch: str | None) -> dict:
        from canhbao.pipeline.workers import dag_work

        return dag_work(home(), stage, batch)

    health = crawl_source.expand(source=list_sources())
    media_batches = plan_batches.override(task_id="plan_media")("media", health)
    media = read_media(work_batch.override(task_id="ocr_batch").partial(stage="media").expand(batch=media_batches))
    detect_batches = plan_batches.override(task_id="plan_detect")("detect", media)
    detected = detect(work_batch.override(task_id="detect_batch").partial(stage="detect").expand(batch=detect_batches))
    indexed = index(detected)
    summarize(health, media, detected, indexed)


nightly_scan()
