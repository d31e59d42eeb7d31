"""Leak detection quality on a benchmark built here with a fixed random seed.

Registry: seeds 000, 001, 002 (as TXT files, so registered pages and rendered test pages line up).
Positives: every page of the registered letters through every `canhbao.distort` transformation (two
variants each; the header crop on page 1), plus text posts quoting two or three sentences of them (with
and without diacritics).
Negatives: the unregistered seeds 003 and 004 through every transformation, look-alike letters that keep
a registered letter's header, recipients, closing and signer (`samples.lookalike_letter`) as images and
texts, posts quoting the unregistered seeds, ordinary posts on the same topics, photos and memes.

A crop that shows no content (only boilerplate, e.g. the header band of a page that is all signature) is
not a fair positive: it is skipped and counted. Prints recall per transformation, false positives and
attribution accuracy. `--background corpus` builds the background table in memory from the published corpus
instead of loading the packaged one: the figures must be the same (the table is that corpus's statistics).
OCR is cached per image hash (`canhbao.testing.ocr_cache`), so a rerun only re-matches.
Usage: python bench/leak_quality.py [--variants N] [--workers N] [--background packaged|corpus|none]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from canhbao.core.home import Home  # noqa: E402
from canhbao.core.records import MediaText, Post, Subject  # noqa: E402
from canhbao.core.text import fold  # noqa: E402
from canhbao.detectors.leak.detector import LeakDetector  # noqa: E402
from canhbao.registry import Registry  # noqa: E402
from canhbao.registry.meta import split_zones  # noqa: E402
from canhbao.testing import distort, ocr_cache  # noqa: E402
from canhbao.testing.samples import TOPIC_POSTS, load_seeds, lookalike_letter, render_layout  # noqa: E402

REGISTERED = ("000", "001", "002")
RANDOM_SEED = 20211231
MIN_VISIBLE_WORDS = 25  # content words a crop must show to count as a positive


def _ocr(args: tuple[str, bytes]) -> tuple[str, MediaText, float]:
    t0 = time.perf_counter()
    name, media = ocr_cache.read(args)
    return name, media, time.perf_counter() - t0


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG" if img.mode != "RGB" or img.width * img.height < 2_000_000 else "JPEG", quality=95)
    return buf.getvalue()


def visible_content_words(layout, transform: str, seed: int) -> int:
    """Content (non-boilerplate) words in the part of the page a transformation leaves visible."""
    h = layout.image.height
    top, bottom = 0.0, 1.0
    if transform == "header":
        bottom = 0.30
    elif transform == "band":
        top, bottom = distort.band_bounds(seed=seed)
    lines = [text for text, box in layout.lines if box[1] >= top * h - 1 and box[3] <= bottom * h + 1]
    return len(split_zones(["\n".join(lines)])[0][0].split()) if lines else 0


def build_cases(variants: int) -> tuple[list, list]:
    """(image cases, text cases); an image case = (name, png bytes, expected seed prefix or None, page, group)."""
    rng = random.Random(RANDOM_SEED)
    seeds = load_seeds()
    images, texts, skipped = [], [], 0
    for seed in seeds:
        prefix = seed.name[:3]
        expected = prefix if prefix in REGISTERED else None
        for page_no, layout in enumerate(render_layout(seed.text), start=1):
            if len(split_zones([layout.text])[0][0].split()) < MIN_VISIBLE_WORDS:
                continue  # a page that is only a signature block
            for transform in distort.TRANSFORMS:
                for v in range(variants if expected else 1):
                    s = rng.randrange(1_000_000)
                    if transform == "header" and page_no > 1:
                        continue  # the letter's header is on page 1 only
                    # the header crop of page 1 always shows the number and subject; other crops need content
                    if transform != "header" and visible_content_words(layout, transform, s) < MIN_VISIBLE_WORDS:
                        skipped += 1
                        continue
                    img = distort.apply(transform, layout, seed=s)
                    group = transform if expected else f"neg:{transform}"
                    images.append((f"{prefix}-p{page_no}-{transform}-{v}", _png(img), expected, page_no, group))
        if expected:
            for v in range(5):
                quote = distort.quote_post(seed.text, seed=rng.randrange(1_000_000), sentences=2 + v % 2)
                texts.append((f"{prefix}-quote-{v}", quote, prefix, "text:quote"))
                texts.append((f"{prefix}-quote-fold-{v}", fold(quote), prefix, "text:quote-no-diacritics"))
        else:
            for v in range(3):
                texts.append(
                    (f"{prefix}-quote-{v}", distort.quote_post(seed.text, seed=v), None, "neg:text-quote-unregistered")
                )
        for v in range(4):
            letter = lookalike_letter(seed, v)
            texts.append((f"{prefix}-lookalike-{v}", letter, None, "neg:text-lookalike"))
            transform = ("jpeg", "screenshot", "photo", "lowcontrast")[v]
            img = distort.apply(transform, render_layout(letter)[0], seed=v)
            images.append((f"{prefix}-lookalike-{v}-{transform}", _png(img), None, 1, "neg:image-lookalike"))
    texts += [(f"topic-{i}", t, None, "neg:text-topic") for i, t in enumerate(TOPIC_POSTS)]
    from PIL import Image
    from sklearn.datasets import load_sample_images

    photos = [Image.fromarray(a) for a in load_sample_images().images] + [
        distort.synthetic_photo(seed=i) for i in range(6)
    ]
    for i, photo in enumerate(photos):
        images.append((f"photo-{i}", _png(photo), None, 0, "neg:photo"))
        images.append((f"meme-{i}", _png(distort.meme(photo)), None, 0, "neg:meme"))
    print(f"benchmark: {len(images)} images, {len(texts)} texts ({skipped} crops skipped: no content visible)")
    return images, texts


def _detector(home: Home, background: str) -> LeakDetector:
    from canhbao.detectors.leak.background import Background
    from canhbao.detectors.leak.matcher import LeakIndex
    from canhbao.detectors.leak.settings import load_settings

    settings = load_settings()
    if background == "packaged":
        return LeakDetector.from_home(home, settings)
    if background == "corpus":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
        from build_background import build

        table = build(settings.match.shingle_words)
    else:
        table = Background.empty(settings.match.shingle_words)
    print(f"background table: {background} ({table.docs} documents, {table.keys.size:,} shingles)")
    with Registry.open(home) as registry:
        return LeakDetector(LeakIndex.from_registry(registry, table, settings.match, home.cache))


def _subject(name: str, text: str = "", media: tuple[MediaText, ...] = ()) -> Subject:
    post = Post(
        source="bench",
        platform="file",
        post_id=name,
        url=f"file:///{name}",
        captured_at=datetime.now(timezone.utc),
        text=text,
    )
    return Subject(post, media)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=2, help="random variants per (page, transformation)")
    ap.add_argument("--workers", type=int, default=2, help="OCR processes")
    ap.add_argument("--background", choices=("packaged", "corpus", "none"), default="packaged")
    args = ap.parse_args()
    seeds = {s.name[:3]: s for s in load_seeds()}
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.resolve(Path(tmp) / "home")
        ids = {}
        with Registry.open(home) as reg:
            for prefix in REGISTERED:
                path = Path(tmp) / f"{seeds[prefix].name}.txt"
                path.write_text(seeds[prefix].text, encoding="utf-8")
                ids[prefix] = reg.add(path)[0].id
        detector = _detector(home, args.background)
        images, texts = build_cases(args.variants)
        t0 = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            ocred = {name: (media, dt) for name, media, dt in pool.map(_ocr, [(c[0], c[1]) for c in images])}
        print(f"OCR of {len(images)} images with {args.workers} processes: {time.perf_counter() - t0:.0f} s")
        results = []  # (group, expected id, expected page, report section, name)
        for name, _, expected, page, group in images:
            media, _ = ocred[name]
            section = detector.detect(_subject(name, media=(media,))).section
            results.append((group, ids.get(expected), page if expected else None, section, name))
        for name, text, expected, group in texts:
            section = detector.detect(_subject(name, text=text)).section
            results.append((group, ids.get(expected), None, section, name))
    report(results)
    return 0


def report(results: list) -> None:
    by_group = defaultdict(list)
    for r in results:
        by_group[r[0]].append(r)
    print(f"\n{'positives':<28}{'n':>5}{'recall':>9}{'attributed':>12}{'page ok':>9}{'min score':>11}")
    worst, fps, wrong = 1.0, [], []
    for group in sorted(g for g in by_group if not g.startswith("neg:")):
        rows = by_group[group]
        hits = [r for r in rows if r[3]["matched"]]
        right = [r for r in hits if r[3]["document"]["id"] == r[1]]
        page_ok = [r for r in right if r[2] is None or r[3]["page"] == r[2]]
        wrong += [r for r in hits if r not in right]
        recall = len(hits) / len(rows)
        worst = min(worst, recall)
        scores = [r[3]["score"] for r in hits] or [0]
        print(
            f"{group:<28}{len(rows):>5}{recall:>9.3f}{len(right) / max(1, len(hits)):>12.3f}"
            f"{len(page_ok) / max(1, len(right)):>9.3f}{min(scores):>11.3f}"
        )
        for r in rows:
            if not r[3]["matched"]:
                sig = r[3]["signals"]
                print(
                    f"    missed {r[4]}: evidence={sig.get('evidence')} containment={sig.get('containment')} "
                    f"shingles={sig.get('shingles_matched')}"
                )
    print(f"\n{'negatives':<28}{'n':>5}{'false pos':>11}{'max score':>11}")
    for group in sorted(g for g in by_group if g.startswith("neg:")):
        rows = by_group[group]
        bad = [r for r in rows if r[3]["matched"]]
        fps += bad
        print(f"{group[4:]:<28}{len(rows):>5}{len(bad):>11}{max(r[3]['score'] for r in rows):>11.3f}")
    for r in fps:
        print(f"    FALSE POSITIVE {r[4]}: {r[3]['signals']}")
    near = sorted((r for r in results if r[0].startswith("neg:") and not r[3]["matched"]), key=lambda r: -r[3]["score"])
    for r in near[:5]:
        sig = {k: r[3]["signals"].get(k) for k in ("evidence", "containment", "shingles_matched", "longest_run")}
        print(f"    closest negative {r[4]}: score {r[3]['score']:.3f} {sig}")
    positives = [r for r in results if not r[0].startswith("neg:")]
    matched = [r for r in positives if r[3]["matched"]]
    print(f"\nworst recall per transformation: {worst:.3f} (target >= 0.95)")
    print(f"false positives: {len(fps)} of {len(results) - len(positives)} negatives (target 0)")
    print(
        f"attribution accuracy: {(len(matched) - len(wrong)) / max(1, len(matched)):.3f} of {len(matched)} matches "
        f"(target 1.000)"
    )
    scores = [r[3]["score"] for r in matched]
    if scores:
        print(f"score of matches: median {statistics.median(scores):.3f}, min {min(scores):.3f}")


if __name__ == "__main__":
    sys.exit(main())
