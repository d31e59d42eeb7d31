"""Retry with exponential backoff on 429/5xx (Scrapy's RetryMiddleware retries at once).

The wait honours `Retry-After` (seconds) when the server sends it, capped by `CANHBAO_BACKOFF_MAX`.
Waiting happens in the reactor (asyncio.sleep), so other sources keep crawling meanwhile.
"""

from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("CANHBAO_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("CANHBAO_BACKOFF_MAX", 60.0)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retries = request.meta.get("retry_times", 0)
        if retries >= request.meta.get("max_retry_times", self.max_retry_times):
            return response  # the spider sees the final 429/5xx and reports it as source health
        await asyncio.sleep(self.delay(retries, response))
        return self._retry(request, response_status_message(response.status)) or response

    def delay(self, retries: int, response) -> float:
        after = response.headers.get(b"Retry-After", b"").decode("latin-1").strip()
        if after.isdigit():
            return min(float(after), self.cap)
        return min(self.base * (2**retries), self.cap)
