"""Crawlers: Scrapy spiders, one module per source type, producing the shared `Post` record.

settings (config/sources.yml) -> runner.run_crawl (child process, one Scrapy crawler per source)
-> spiders/<type>.py (parse, block detection, incremental skipping) -> capture.py (WARC + raw HTML of
every response) -> pipelines.py (media by SHA-256, then post store + state) -> health.py (per-source
report). sample_site.py builds and serves local imitations of every platform for tests and demos.
"""
