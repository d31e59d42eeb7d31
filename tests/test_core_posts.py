from datetime import datetime, timedelta, timezone

import pytest

from canhbao.core.errors import NotFound
from canhbao.core.posts import PostStore
from canhbao.core.records import Post


def _post(pid, text="t"):
    return Post(
        source="s",
        platform="facebook",
        post_id=pid,
        url=f"https://fb/{pid}",
        captured_at=datetime(2021, 8, 30, tzinfo=timezone.utc),
        text=text,
    )


def test_same_post_twice_updates_not_duplicates(home, state):
    store = PostStore(home.posts_db, state=state)
    assert store.put_many([_post("1"), _post("2")]) == 2
    assert store.put_many([_post("1", "edited"), _post("3")]) == 1
    assert store.count() == 3
    assert store.get("s:1").text == "edited"
    with pytest.raises(NotFound):
        store.get("s:404")


def test_iter_since_picks_only_new_posts(home, state):
    store = PostStore(home.posts_db, state=state)
    store.put(_post("1"))
    mark = datetime.now(timezone.utc) + timedelta(microseconds=1)
    store.put(_post("2"))
    store.put(_post("1", "re-seen"))  # an old post seen again is not new
    assert [p.post_id for p in store.iter(since=mark)] == ["2"]
    assert [p.post_id for p in store.iter()] == ["1", "2"]


def test_retention_strip_on_both_backends(home, state):
    store = PostStore(home.posts_db, state=state)
    store.put_many([_post("1", "Bệnh nhân Nguyễn Văn Hùng"), _post("2")])
    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    expired = store.expired(later)
    assert [p.post_id for p in expired] == ["1", "2"]
    assert store.strip(expired[:1]) == 1 and store.strip(expired[:1]) == 1  # again: idempotent upsert
    assert store.get("s:1").text == "" and store.get("s:1").url == "https://fb/1"
    assert [p.post_id for p in store.expired(later)] == ["2"]
