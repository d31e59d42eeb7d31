"""Full-page screenshots with headless Chromium (Playwright driving the system /usr/bin/chromium).

Two views of a post: the captured HTML replayed offline (every request answered from the capture,
anything not captured refused, so the picture shows exactly what was archived), and the live URL.
One browser is launched per `Renderer` and reused for every screenshot.
"""

from __future__ import annotations

import io
from typing import Mapping

from PIL import Image

from canhbao.core.errors import CanhbaoError
from canhbao.net.chromium import ARGS, CHROMIUM

__all__ = ["ARGS", "CHROMIUM", "Renderer", "png_size"]


class Renderer:
    def __init__(self, *, width: int = 1280, max_height: int = 12000):
        self.width, self.max_height = width, max_height
        self._pw = self._browser = None
        self._proxy = None  # the fetch guard proxy Chromium goes through (canhbao.net.guard_proxy)

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _page(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            from canhbao.net.guard_proxy import GuardProxy
            from canhbao.net.policy import load as load_policy

            try:
                self._proxy = GuardProxy(load_policy()).start()
                self._pw = sync_playwright().start()
                self._browser = self._pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=ARGS, proxy={"server": self._proxy.url}
                )
            except Exception as exc:  # noqa: BLE001 - Playwright raises its own error types
                self.close()
                raise CanhbaoError(f"{CHROMIUM}: cannot start headless Chromium ({exc})") from None
        return self._browser.new_page(viewport={"width": self.width, "height": 900})

    def live(self, url: str, *, timeout_s: float, policy=None) -> bytes:
        """Screenshot of the page as it is now; raises CanhbaoError if it does not load.

        The fetch policy applies to the page, to every request it makes (refused ones are aborted) and
        to each redirect hop of the page itself (Chromium follows those on its own, so a hop to a refused
        address is found after the fact and the screenshot is discarded). Chromium connects only through
        the guard proxy, which vets each address as it connects (DNS rebinding is refused there).
        """
        from canhbao.net.policy import Refused, check
        from canhbao.net.policy import load as load_policy

        policy = policy or load_policy()
        check(url, policy)  # Refused is a CanhbaoError: the caller records it as this view's error
        page = self._page()
        assert self._proxy is not None
        self._proxy.policy = policy
        allowed: dict[str, bool] = {}

        def guard(route):
            req_url = route.request.url
            key = "/".join(req_url.split("/", 3)[:3])  # scheme://host:port, checked once per page
            if key not in allowed:
                try:
                    check(req_url, policy)
                    allowed[key] = True
                except Refused:
                    allowed[key] = False
            return route.continue_() if allowed[key] else route.abort("blockedbyclient")

        guard_proxy = self._proxy
        turned_down = len(guard_proxy.proxy_errors)  # the configured proxy's 407s before this page

        def proxy_refusal() -> None:  # the guard proxy's one line for a 407, not Chromium's tunnel error
            if len(guard_proxy.proxy_errors) > turned_down:
                raise CanhbaoError(f"{url}: {guard_proxy.proxy_errors[-1]}")

        try:
            page.route("**/*", guard)
            try:
                resp = page.goto(url, timeout=timeout_s * 1000, wait_until="load")
            except Exception:
                proxy_refusal()
                raise
            proxy_refusal()
            if resp is None:
                raise CanhbaoError(f"{url}: no response")
            from canhbao.net.guard_proxy import REFUSED_HEADER

            refused = resp.headers.get(REFUSED_HEADER.lower())
            if refused:  # the proxy refused the address the name had when Chromium connected
                raise CanhbaoError(f"{url}: refused by the fetch policy at connection ({refused})")
            hop = resp.request
            while hop is not None:
                check(hop.url, policy)
                hop = hop.redirected_from
            return self._shot(page)
        except CanhbaoError:
            raise
        except Exception as exc:  # noqa: BLE001 - timeouts, refused connections, DNS
            raise CanhbaoError(f"{url}: live page did not load ({str(exc).splitlines()[0]})") from None
        finally:
            page.close()

    def replay(
        self,
        url: str,
        html: bytes,
        resources: Mapping[str, tuple[str, bytes]],
        *,
        timeout_s: float = 20.0,
        element: str | None = None,
    ) -> bytes:
        """Screenshot of `html` served at `url`; sub-resources only from `resources` (url -> type, body).
        With `element` (an XPath), only that element is photographed: one post, not the feed around it."""
        if not url.lower().startswith(("http://", "https://")):
            # Chromium would open a file: URL from disk instead of answering it from the capture.
            raise CanhbaoError(f"{url}: captured page has no http(s) URL to replay it at")
        page = self._page()

        def answer(route):
            req_url = route.request.url
            if req_url == url:
                return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            hit = resources.get(req_url)
            if hit is None:
                return route.abort("blockedbyclient")
            return route.fulfill(status=200, content_type=hit[0] or "application/octet-stream", body=hit[1])

        try:
            page.route("**/*", answer)
            page.goto(url, timeout=timeout_s * 1000, wait_until="load")
            if element:
                return page.locator(f"xpath={element}").first.screenshot(type="png", timeout=timeout_s * 1000)
            return self._shot(page)
        except Exception as exc:  # noqa: BLE001
            why = str(exc).splitlines()[0]
            raise CanhbaoError(f"{url}: captured page could not be rendered ({why})") from None
        finally:
            page.close()

    def _shot(self, page) -> bytes:
        """The page at the viewport's width, down to at most `max_height`: a page made wide by one
        unbreakable token, or endless, would otherwise give a picture too large to open."""
        height = page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
        )
        clip = {"x": 0, "y": 0, "width": self.width, "height": max(1, min(int(height), self.max_height))}
        return page.screenshot(full_page=True, type="png", clip=clip)

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()
        if self._proxy is not None:
            self._proxy.close()
        self._pw = self._browser = self._proxy = None


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as im:
        return im.size
