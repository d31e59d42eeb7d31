"""Public Telegram channel previews (`t.me/s/<channel>`): static HTML, newest messages last on a page,
older pages through `<link rel="prev" href="?before=<id>">`. Times are absolute (`<time datetime>`)."""

from __future__ import annotations

import re

from canhbao.crawlers.reltime import parse_time
from canhbao.crawlers.spiders.base import Found, SourceSpider, count, text_of

_BG = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")


class TelegramChannelSpider(SourceSpider):
    name = "telegram_channel"
    source_types = ("telegram_channel",)

    def parse(self, response):
        if not self.usable(response):
            return
        channel = text_of(response.css(".tgme_channel_info_header_title"))
        nodes = response.css("div.tgme_widget_message[data-post]")
        parsed, reached_known = 0, False
        for _i, found in self.items(response, nodes, lambda n: self.message(response, n, channel)):
            parsed += 1
            reached_known |= self.state.finished(found.post_id)
            post = self.emit(response, found, parse_time(found.time_text, self.captured_at, self.tz))
            if post is not None:
                yield post
        older = response.css('link[rel="prev"]::attr(href)').get()
        if older and self.page_done(response, parsed, reached_known):
            yield self.page_request(response.urljoin(older), self.parse)
        elif not older:
            self.page_done(response, parsed, True)

    def message(self, response, node, channel: str) -> Found:
        data_post = node.attrib["data-post"]  # "<channel>/<id>"; KeyError = malformed item
        post_id = data_post.rsplit("/", 1)[1]
        if not post_id:
            raise ValueError("empty data-post id")
        link = response.urljoin(node.css("a.tgme_widget_message_date::attr(href)").get() or f"/{data_post}")
        photos = [response.urljoin(m.group(1)) for style in node.css(
            ".tgme_widget_message_photo_wrap::attr(style), .tgme_widget_message_video_thumb::attr(style)").getall()
            for m in [_BG.search(style)] if m]
        views = count(node.css(".tgme_widget_message_views::text").get())
        return Found(
            post_id=post_id, url=link, text=text_of(node.css(".tgme_widget_message_text")),
            author=text_of(node.css(".tgme_widget_message_owner_name")) or channel,
            author_url=response.urljoin(node.css("a.tgme_widget_message_owner_name::attr(href)").get("")),
            time_text=node.css("time::attr(datetime)").get(""), images=tuple(photos),
            engagement={"views": views} if views is not None else {})
