"""Public Facebook pages and groups, in three fetch modes chosen per source:

- `html`: plain HTTP fetch of the server-rendered mobile markup (`m.`/`mbasic.facebook.com`: `<article>`
  stories with `data-ft`, "See more posts" paging; see `fb_markup`);
- `browser`: Chromium through scrapy-playwright, optionally with session cookies from `cookies_file`; the
  GraphQL JSON responses the page loads while it scrolls are read as the posts, the rendered DOM only
  fills in stories the JSON did not carry;
- `graph`: the Graph API (`/<id>/posts`, token from the environment variable named by `token_env`).

Login walls, checkpoints and "temporarily blocked" pages are reported as blocks (source health), never
as an empty feed. Graph API errors 4/17/32/613 are rate limits, 190/102 an invalid token.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlencode

import scrapy

from canhbao.crawlers.capture import redact
from canhbao.crawlers.reltime import parse_time
from canhbao.crawlers.spiders.base import Found, SourceSpider
from canhbao.crawlers.spiders.fb_markup import read_rendered

GRAPH_FIELDS = (
    "id,message,created_time,permalink_url,from,reactions.summary(true),comments.summary(true),"
    "shares,attachments{media,subattachments}"
)
GRAPH_RATE_LIMIT = {4, 17, 32, 613}
GRAPH_AUTH = {102, 190}


class GraphQLRecorder:
    """Browser mode: keep the body of every `/graphql` response a page loads while it renders and scrolls
    (the JSON Facebook's web client builds the feed from), per Playwright page. Shared by the Facebook
    spider and analyst captures."""

    _graphql: dict[int, list[str]]

    def graphql_meta(self, page_methods: list) -> dict:
        if not hasattr(self, "_graphql"):
            self._graphql = {}
        return {
            "playwright": True,
            "playwright_include_page": True,
            "playwright_page_event_handlers": {"response": self._on_response},
            "playwright_page_methods": page_methods,
        }

    async def _graphql_bodies(self, response) -> list[str]:
        """GraphQL responses captured while the browser loaded and scrolled this page (browser mode)."""
        page = response.meta.get("playwright_page")
        if page is None:
            return []
        bodies = self._graphql.pop(id(page), [])
        await page.close()
        return bodies

    async def failed(self, failure) -> None:
        """A failed browser request still holds its page: close it (and drop what it captured)."""
        page = failure.request.meta.get("playwright_page")
        if page is not None:
            self._graphql.pop(id(page), None)
            await page.close()
        super().failed(failure)  # type: ignore[misc]

    async def _on_response(self, pw_response) -> None:
        if "/graphql" not in pw_response.url or pw_response.status != 200:
            return
        try:
            body = await pw_response.text()
        except Exception:  # noqa: BLE001 - a body gone with a navigation is just not captured
            return
        self._graphql.setdefault(id(pw_response.frame.page), []).append(body)


class FacebookSpider(GraphQLRecorder, SourceSpider):
    name = "facebook"
    platform = "facebook"
    source_types = ("facebook_page", "facebook_group")

    async def start(self):
        if self.source.fetch == "graph":
            token = os.environ.get(self.source.token_env, "")
            if not token:
                self.health.block("no_token", f"environment variable {self.source.token_env} is not set")
                return
            query = urlencode({"fields": GRAPH_FIELDS, "limit": 25, "access_token": token})
            yield self.graph_request(f"{self.source.graph_url.rstrip('/')}/{self.source.graph_id}/posts?{query}")
            return
        for url in self.start_urls_of():
            yield self.page_request(url, self.parse)

    def page_request(self, url, callback, **meta):
        if self.source.fetch == "browser":
            meta.update(self.graphql_meta(_wait_for_feed(self.source.scrolls, self.cfg.browser_wait_s)))
        return super().page_request(url, callback, **meta)

    # --- web (html and browser) ---------------------------------------------------------------------

    content_css = "article, div[role='article']"

    async def parse(self, response):
        bodies = await self._graphql_bodies(response)
        if not self.usable(response):
            return
        # browser mode: the JSON the page loaded is the source; the DOM only fills gaps
        page = read_rendered(response.text, response.url, bodies)
        for line in page.errors:
            self.parse_error(line)
        parsed, reached_known = 0, False
        for f in page.posts:
            parsed += 1
            reached_known |= self.state.finished(f.post_id)
            post = self.emit(response, f, page.published.get(f.post_id))
            if post is not None:
                yield post
        more = page.next_url
        if self.page_done(response, parsed, reached_known or not more) and more:
            yield self.page_request(more, self.parse)

    # --- graph API ----------------------------------------------------------------------------------

    def graph_request(self, url: str) -> scrapy.Request:
        # The token is in the URL: never follow redirects elsewhere, never store it in the WARC target.
        return scrapy.Request(
            url,
            callback=self.parse_graph,
            errback=self.failed,
            meta={"dont_redirect": True, "handle_httpstatus_all": True},
        )

    def parse_graph(self, response):
        self.health.pages_fetched += 1
        try:
            doc = json.loads(response.text)
        except ValueError as exc:
            self.parse_error(f"{_redact(response.url)}: not JSON ({exc})")
            return
        if "error" in doc or response.status != 200:
            code = (doc.get("error") or {}).get("code")
            kind = (
                "rate_limited"
                if code in GRAPH_RATE_LIMIT or response.status == 429
                else "token_invalid"
                if code in GRAPH_AUTH
                else "graph_error"
            )
            self.health.block(kind, f"{_redact(response.url)} (HTTP {response.status}, code {code})")
            return
        parsed, reached_known = 0, False
        for _i, item in self.items(response, doc.get("data", []), lambda d: self.graph_post(response, d)):
            found, published = item
            parsed += 1
            reached_known |= self.state.finished(found.post_id)
            post = self.emit(response, found, published)
            if post is not None:
                yield post
        nxt = (doc.get("paging") or {}).get("next")
        if self.page_done(response, parsed, reached_known or not nxt) and nxt:
            token = os.environ.get(self.source.token_env, "")
            nxt = response.urljoin(nxt)
            if "access_token=" not in nxt:
                nxt += ("&" if "?" in nxt else "?") + urlencode({"access_token": token})
            yield self.graph_request(nxt)

    def graph_post(self, response, d: dict):
        post_id = str(d["id"]).split("_")[-1]
        images = []
        for att in (d.get("attachments") or {}).get("data", []):
            for sub in [att, *(att.get("subattachments") or {}).get("data", [])]:
                src = ((sub.get("media") or {}).get("image") or {}).get("src")
                if src:
                    images.append(response.urljoin(src))
        engagement = {
            k: v
            for k, v in {
                "reactions": ((d.get("reactions") or {}).get("summary") or {}).get("total_count"),
                "comments": ((d.get("comments") or {}).get("summary") or {}).get("total_count"),
                "shares": (d.get("shares") or {}).get("count"),
            }.items()
            if isinstance(v, int)
        }
        author = d.get("from") or {}
        found = Found(
            post_id=post_id,
            url=response.urljoin(d.get("permalink_url") or f"/{d['id']}"),
            text=d.get("message", ""),
            author=author.get("name", ""),
            images=tuple(dict.fromkeys(images)),
            engagement=engagement,
        )
        return found, parse_time(d.get("created_time"), self.captured_at, self.tz)


# Scroll to the bottom until no new article appears within 3 s, at most `n` times (endless feeds).
SCROLL_JS = """async (n) => {
  const count = () => document.querySelectorAll('article, div[role="article"]').length;
  for (let i = 0; i < n; i++) {
    const before = count();
    window.scrollTo(0, document.body.scrollHeight);
    const t0 = Date.now();
    while (count() === before && Date.now() - t0 < 3000) await new Promise(r => setTimeout(r, 100));
    if (count() === before) break;
  }
  return count();
}"""


# Wait (at most browser_wait_s, never failing) for the script-built feed, a login form or a "see more" link: a
# checkpoint or "temporarily blocked" page has none of them and must still reach the block detection.
WAIT_JS = """async (ms) => {
  const t0 = Date.now();
  while (!document.querySelector('article, div[role="article"], #login_form, #m_more_item') && Date.now() - t0 < ms)
    await new Promise(r => setTimeout(r, 100));
}"""


def _wait_for_feed(scrolls: int, wait_s: float):
    from scrapy_playwright.page import PageMethod

    methods = [PageMethod("evaluate", WAIT_JS, int(wait_s * 1000)), PageMethod("wait_for_load_state", "networkidle")]
    if scrolls:
        methods.append(PageMethod("evaluate", SCROLL_JS, scrolls))
    return methods


def _redact(url: str) -> str:
    return redact(url).replace("REDACTED", "***")
