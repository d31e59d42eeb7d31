"""The scan pipeline: crawl -> media -> detect -> index, as stage functions.

`canhbao scan`, `canhbao rescan`, `canhbao demo` and the Airflow DAGs all call these functions; no logic
lives only in a DAG. Each stage reads the previous stage's output from the data home (post store, ledger),
so a scan killed at any point resumes where it stopped: work is committed in small transactions and every
write is an upsert keyed by a deterministic id.
"""
