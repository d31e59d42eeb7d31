"""Public Telegram channel previews (`t.me/s/<channel>`): static HTML, newest messages last on a page,
older pages through `<link rel="prev" href="?before=<id>">`. Times are absolute (`<time datetime>`).

Real previews nest one `.tgme_widget_message_text` in another for albums (only the outermost is read) and
quote the replied-to message's text inside the reply (not this message's words). Media: photos and video
stills (CSS backgrounds), round videos, stickers (`data-webp`, background, or the `.tgs` source), the new
picture of a "channel photo changed" service message; a poll's question and options are its text."""

from __future__ import annotations

import re

from canhbao.crawlers.reltime import parse_time
from canhbao.crawlers.spiders.base import Found, SourceSpider, count, text_of

_BG = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")
_TEXT = (
    "(.//div[contains(concat(' ', @class, ' '), ' tgme_widget_message_text ')]"
    "[not(ancestor::div[contains(concat(' ', @class, ' '), ' tgme_widget_message_text ')])]"
    "[not(ancestor::*[contains(@class, 'tgme_widget_message_reply')])])[1]"
)
_BG_MEDIA = (
    ".tgme_widget_message_photo_wrap::attr(style), .tgme_widget_message_video_thumb::attr(style), "
    ".tgme_widget_message_roundvideo_thumb::attr(style), .tgme_widget_message_sticker::attr(style), "
    ".tgme_widget_message_service_photo::attr(style)"
)
_SRC_MEDIA = (
    ".tgme_widget_message_sticker::attr(data-webp), "
    ".tgme_widget_message_tgsticker_wrap source[type='application/x-tgsticker']::attr(srcset), "
    ".tgme_widget_message_service_photo img::attr(src), img.tgme_widget_message_service_photo::attr(src)"
)


class TelegramChannelSpider(SourceSpider):
    name = "telegram_channel"
    platform = "telegram"
    source_types = ("telegram_channel",)
    content_css = "div.tgme_widget_message[data-post]"

    def parse(self, response):
        if not self.usable(response):
            return
        channel = text_of(response.css(".tgme_channel_info_header_title"))
        nodes = response.css("div.tgme_widget_message[data-post]")
        parsed, reached_known = 0, False
        for _i, found in self.items(response, nodes, lambda n: message(response, n, channel)):
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


def message(response, node, channel: str) -> Found:
    """One `div.tgme_widget_message` -> Found."""
    data_post = node.attrib["data-post"]  # "<channel>/<id>"; KeyError = malformed item
    post_id = data_post.rsplit("/", 1)[1]
    if not post_id:
        raise ValueError("empty data-post id")
    link = response.urljoin(node.css("a.tgme_widget_message_date::attr(href)").get() or f"/{data_post}")
    photos = [response.urljoin(m.group(1)) for style in node.css(_BG_MEDIA).getall() for m in [_BG.search(style)] if m]
    photos += [
        response.urljoin(u.split()[0]) for u in node.css(_SRC_MEDIA).getall() if u.strip() and not u.startswith("data:")
    ]
    views = count(node.css(".tgme_widget_message_views::text").get())
    return Found(
        post_id=post_id,
        url=link,
        text=message_text(node),
        author=text_of(node.css(".tgme_widget_message_owner_name")) or channel,
        author_url=response.urljoin(node.css("a.tgme_widget_message_owner_name::attr(href)").get("")),
        time_text=node.css(".tgme_widget_message_date time::attr(datetime), time::attr(datetime)").get(""),
        images=tuple(dict.fromkeys(photos)),
        engagement={"views": views} if views is not None else {},
    )


def read_page(text: str, url: str) -> list[Found]:
    """Messages of a saved `t.me/s/` page (or message block) at `url`: the spider's parsing, without a crawl."""
    from scrapy.http import HtmlResponse

    response = HtmlResponse(url=url, body=text.encode("utf-8"), encoding="utf-8")
    channel = text_of(response.css(".tgme_channel_info_header_title"))
    return [message(response, n, channel) for n in response.css("div.tgme_widget_message[data-post]")]


def message_text(node) -> str:
    """The message's own words (outermost text block, not a reply's quote) and, for a poll, its question
    and options."""
    parts = [text_of(node.xpath(_TEXT))]
    question = text_of(node.css(".tgme_widget_message_poll_question"))
    if question:
        parts.append(question)
        parts += [text_of(o) for o in node.css(".tgme_widget_message_poll_option_text")]
    return "\n".join(p for p in parts if p)
