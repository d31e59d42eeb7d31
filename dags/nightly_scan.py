"""Nightly scan: crawl every enabled source (one mapped task each, named after its source, capped by a
pool), read media, detect in batches, index, summarise. Same stage functions as `canhbao scan`; the
analysis stages hold the data home's scan lock, so a `canhbao scan` or a retro-hunt never interleaves."""

from __future__ import annotations

from datetime import timedelta, timezone

from airflow.sdk import dag, get_current_context, task

from canhbao.pipeline.dag_support import dag_kwargs, home, run_time, settings

S = settings()
CRAWL_POOL = "canhbao_crawl"
LOCK_WAIT_S = S.lock_wait_minutes * 60


@dag(**dag_kwargs(S, "canhbao_nightly_scan", S.schedule))
def nightly_scan():
    @task
    def list_sources() -> list[str]:
        from canhbao.pipeline.stages import enabled_sources

        return enabled_sources()

    @task(
        pool=CRAWL_POOL,
        max_active_tis_per_dag=S.crawl_pool_slots,
        map_index_template="{{ canhbao_source }}",
        execution_timeout=timedelta(minutes=S.crawl_timeout_minutes + 1),
    )
    def crawl_source(source: str) -> dict:
        from canhbao.pipeline.stages import crawl_stage

        # the mapped task shows the source, not a number (map_index_template renders this context key)
        get_current_context()["canhbao_source"] = source  # type: ignore[typeddict-unknown-key]
        result = crawl_stage(home(), [source], timeout_s=S.crawl_timeout_minutes * 60)
        health = result.counts["sources"][0]
        return {k: health[k] for k in ("source", "status", "pages_fetched", "posts_new", "parse_errors")}

    @task
    def read_media(_crawled: list) -> dict:
        from canhbao.pipeline.lock import scan_lock
        from canhbao.pipeline.stages import media_stage

        with scan_lock(home(), "nightly media", wait_s=LOCK_WAIT_S):
            return dict(media_stage(home(), workers=S.workers, progress=False).counts)

    @task
    def detect(_media: dict) -> dict:
        from canhbao.pipeline.lock import scan_lock
        from canhbao.pipeline.stages import detect_stage

        with scan_lock(home(), "nightly detect", wait_s=LOCK_WAIT_S):
            return dict(detect_stage(home(), batch_size=S.batch_size, workers=S.workers, progress=False).counts)

    @task
    def index(_detected: dict) -> dict:
        from canhbao.pipeline.lock import scan_lock
        from canhbao.pipeline.stages import index_stage

        with scan_lock(home(), "nightly index", wait_s=LOCK_WAIT_S):
            result = index_stage(home(), progress=False)
        if result.errors:  # fail the task so Airflow retries; what was indexed stays indexed
            raise RuntimeError(f"{len(result.errors)} alerts not indexed: {result.errors[0]}")
        return dict(result.counts)

    @task
    def summarize(health: list, media: dict, detected: dict, indexed: dict) -> dict:
        import json
        import logging

        from canhbao.core.atomic import write_json

        ctx = get_current_context()
        when = run_time(ctx)
        summary = {
            "run_id": ctx["dag_run"].run_id,
            "run_time": when.isoformat(),
            "sources": list(health),
            "media": media,
            "detect": detected,
            "index": indexed,
        }
        stamp = when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        write_json(home().scans / f"airflow-{stamp}.json", summary)
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
