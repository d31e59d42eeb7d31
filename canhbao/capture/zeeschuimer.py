"""Posts from the NDJSON that Zeeschuimer (the browser extension used with 4CAT) exports, and from
4CAT's own NDJSON of Telegram datasets. Pure: one parsed JSON line in, one `Imported` out.

Where the shapes come from (read in the public repositories, not copied; see docs/sources.md):
- Zeeschuimer stores one row per captured item and exports the rows as they are, one JSON object per
  line (`popup/interface.js`, `get_blob`): `nav_index`, `item_id`, `timestamp_collected` (ms since the
  epoch), `source_platform` (the module's domain: facebook.com, instagram.com, tiktok.com ...),
  `source_platform_url` (the page the analyst was on), `source_url` (the API response the item came
  from), `user_agent`, and `data`, the item exactly as the platform sent it (`js/zs-background.js`).
  4CAT wraps the same row as `{**data, "__import_meta": {everything but data}}` (`format_import_item`);
  both forms are read here.
- The `data` fields per platform follow 4CAT's `map_item` of each data source:
  facebook.com: a GraphQL `Story` node (`comet_sections.content.story` with `post_id`, `wwwURL`,
  `message.text`, `actors`, `attachments`; `creation_time` under `comet_sections.context_layout`);
  instagram.com: an item-list media (`code`, `caption.text`, `user`, `taken_at`, `image_versions2`,
  `carousel_media`), a Graph node (`shortcode`, `edge_media_to_caption`, `taken_at_timestamp`,
  `display_url`) or a Polaris node (`code`, `display_uri`);
  tiktok.com: an item (`id`, `desc`, `createTime`, `author.uniqueId`, `video.cover`, `stats`).
- Zeeschuimer has no Telegram module. Telegram comes from 4CAT's Telegram data source, whose NDJSON rows
  are Telethon `Message` objects serialised by `SearchTelegram.serialize_obj` (`id`, `message`, `date` as
  a Unix time, `_chat` with `username`/`title`, `_sender`, `views`, `forwards`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

PLATFORMS = {"facebook.com": "facebook", "instagram.com": "instagram", "tiktok.com": "tiktok", "telegram": "telegram"}


@dataclass(frozen=True)
class Imported:
    platform: str
    post_id: str
    url: str
    text: str = ""
    author: str = ""
    author_url: str = ""
    published: datetime | None = None
    images: tuple[str, ...] = ()
    engagement: Mapping[str, int] = field(default_factory=dict)
    collected_at: datetime | None = None  # when the analyst's browser received it
    seen_on: str = ""  # the page the analyst was on
    api_url: str = ""  # the response the item was read from
    user_agent: str = ""


class Unsupported(ValueError):
    """A line that is not a post of a supported platform (one line, the rest of the file goes on)."""


def read_item(obj: Any) -> Imported:
    if not isinstance(obj, dict):
        raise Unsupported(f"expected a JSON object, got {type(obj).__name__}")
    if "data" in obj and "source_platform" in obj:
        meta, data = obj, obj["data"]
    elif "__import_meta" in obj:
        meta, data = obj["__import_meta"], {k: v for k, v in obj.items() if k != "__import_meta"}
    elif _is_telethon_message(obj):
        return telegram(obj)
    else:
        raise Unsupported("neither a Zeeschuimer item (data, source_platform) nor a 4CAT Telegram message")
    platform = str(meta.get("source_platform", "")).lower().removeprefix("www.")
    mapper = {"facebook.com": facebook, "instagram.com": instagram, "tiktok.com": tiktok}.get(platform)
    if mapper is None:
        raise Unsupported(
            f"platform {platform or '(none)'!r} is not supported (facebook.com, instagram.com, tiktok.com)"
        )
    if not isinstance(data, dict):
        raise Unsupported("item data is not a JSON object")
    item = mapper(data)
    collected = meta.get("timestamp_collected")
    from dataclasses import replace

    return replace(
        item,
        collected_at=_from_epoch(collected / 1000) if isinstance(collected, (int, float)) else None,
        seen_on=str(meta.get("source_platform_url") or ""),
        api_url=str(meta.get("source_url") or ""),
        user_agent=str(meta.get("user_agent") or ""),
    )


# --- Facebook -------------------------------------------------------------------------------------


def facebook(d: dict) -> Imported:
    sections = d.get("comet_sections") or {}
    story = ((sections.get("content") or {}).get("story")) or d
    post_id = str(story.get("post_id") or d.get("post_id") or d.get("id") or "")
    url = str(story.get("wwwURL") or story.get("url") or d.get("url") or "")
    if not post_id or not url:
        raise Unsupported("Facebook story without post_id or URL")
    actors = story.get("actors") or d.get("actors") or [{}]
    actor = actors[0] if isinstance(actors, list) and actors and isinstance(actors[0], dict) else {}
    message = story.get("message") or d.get("message") or {}
    created = _first_key(sections.get("context_layout") or d, "creation_time")
    images = [
        u for a in story.get("attachments") or [] for u in _uris(a, ("photo_image", "image", "large_share_image"))
    ]
    return Imported(
        "facebook",
        post_id,
        url,
        text=str(message.get("text", "")) if isinstance(message, dict) else "",
        author=str(actor.get("name", "")),
        author_url=str(actor.get("url", "")),
        published=_from_epoch(created),
        images=tuple(dict.fromkeys(images)),
    )


# --- Instagram ------------------------------------------------------------------------------------


def instagram(d: dict) -> Imported:
    code = d.get("code") or d.get("shortcode")
    if not code:
        raise Unsupported("Instagram item without code/shortcode")
    user = d.get("user") or d.get("owner") or {}
    caption = d.get("caption")
    text = caption.get("text", "") if isinstance(caption, dict) else ""
    if not text and d.get("edge_media_to_caption"):
        edges = d["edge_media_to_caption"].get("edges") or []
        text = edges[0]["node"].get("text", "") if edges else ""
    images: list[str] = []
    for node in d.get("carousel_media") or [d]:
        cands = (node.get("image_versions2") or {}).get("candidates") or []
        if cands and cands[0].get("url"):
            images.append(cands[0]["url"])
    images += [u for u in (d.get("display_url"), d.get("display_uri")) if u]
    when = d.get("taken_at") or d.get("taken_at_timestamp")
    engagement = {
        k: int(v)
        for k, v in (("likes", d.get("like_count")), ("comments", d.get("comment_count")))
        if isinstance(v, int)
    }
    username = str(user.get("username", ""))
    return Imported(
        "instagram",
        str(code),
        f"https://www.instagram.com/p/{code}/",
        text=str(text or ""),
        author=str(user.get("full_name") or username),
        author_url=f"https://www.instagram.com/{username}/" if username else "",
        published=_from_epoch(when),
        images=tuple(dict.fromkeys(images)),
        engagement=engagement,
    )


# --- TikTok ---------------------------------------------------------------------------------------


def tiktok(d: dict) -> Imported:
    vid = d.get("id")
    if not vid:
        raise Unsupported("TikTok item without id")
    author = d.get("author")
    if isinstance(author, dict):
        handle, name = str(author.get("uniqueId", "")), str(author.get("nickname", ""))
    else:
        handle, name = str(author or ""), str(d.get("nickname", ""))
    video = d.get("video") or {}
    images = [video.get("cover"), video.get("originCover")]
    for img in (d.get("imagePost") or {}).get("images") or []:
        urls = (img.get("imageURL") or {}).get("urlList") or []
        images.append(urls[0] if urls else None)
    stats = d.get("stats") or {}
    engagement = {
        k: int(stats[s])
        for k, s in (
            ("likes", "diggCount"),
            ("comments", "commentCount"),
            ("shares", "shareCount"),
            ("plays", "playCount"),
        )
        if str(stats.get(s, "")).isdigit()
    }
    return Imported(
        "tiktok",
        str(vid),
        f"https://www.tiktok.com/@{handle}/video/{vid}",
        text=str(d.get("desc", "")),
        author=name or handle,
        author_url=f"https://www.tiktok.com/@{handle}" if handle else "",
        published=_from_epoch(d.get("createTime")),
        images=tuple(dict.fromkeys(u for u in images if u)),
        engagement=engagement,
    )


# --- Telegram (4CAT) ------------------------------------------------------------------------------


def _is_telethon_message(d: dict) -> bool:
    return d.get("_type") == "Message" or ("message" in d and "date" in d and ("_chat" in d or "peer_id" in d))


def telegram(d: dict) -> Imported:
    chat = d.get("_chat") or {}
    handle = str(chat.get("username") or "")
    msg_id = d.get("id")
    if msg_id is None:
        raise Unsupported("Telegram message without id")
    thread = handle or str(chat.get("id") or "")
    url = f"https://t.me/{handle}/{msg_id}" if handle else f"https://t.me/c/{thread}/{msg_id}"
    sender = d.get("_sender") or {}
    author = str(
        chat.get("title") or " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip() or handle
    )
    engagement = {k: int(d[k]) for k in ("views", "forwards") if isinstance(d.get(k), int)}
    return Imported(
        "telegram",
        f"{thread}-{msg_id}",
        url,
        text=str(d.get("message") or ""),
        author=author,
        author_url=f"https://t.me/{handle}" if handle else "",
        published=_from_epoch(d.get("date")),
        engagement=engagement,
    )


# --- helpers --------------------------------------------------------------------------------------


def _from_epoch(value: Any) -> datetime | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _first_key(node: Any, key: str) -> Any:
    """Depth-first: the first value stored under `key` anywhere in `node`."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            if key in cur and not isinstance(cur[key], (dict, list)):
                return cur[key]
            stack.extend(reversed(list(cur.values())))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))
    return None


def _uris(node: Any, keys: tuple[str, ...]) -> Iterator[str]:
    """Image URIs under any of `keys` (`{"uri": ...}` objects) anywhere in `node`."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for k, v in cur.items():
                if k in keys and isinstance(v, dict) and isinstance(v.get("uri"), str):
                    yield v["uri"]
                elif isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(cur, list):
            stack.extend(cur)
