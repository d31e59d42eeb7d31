"""Crawlers: Scrapy spiders, one module per platform, producing the shared `Post` record."""
