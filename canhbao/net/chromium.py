"""How every part of canhbao starts headless Chromium (evidence screenshots, browser-mode crawls, the console's
browser tests): Debian's build, never a downloaded one, and without the background-networking features that
would call outside hosts on their own."""

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
