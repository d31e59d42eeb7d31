"""How every part of canhbao starts headless Chromium (evidence live views and screenshots, takedown
checks, browser-mode crawls and `capture --fetch browser`, the console's browser tests): Debian's build,
never a downloaded one, always with `ARGS` and always behind the guard proxy (canhbao/net/guard_proxy.py).

`ARGS` is the one list of launch flags, chosen so that Chromium sends no request the page did not cause.
Each flag is a switch this Chromium knows (tests/test_fetch_chromium_background.py checks the binary) with
a documented effect. Playwright adds its own defaults before these (among them `--disable-field-trial-config`,
`--disable-features=OptimizationHints,NetworkTimeServiceQuerying,MediaRouter,...`, `--password-store=basic`).
What no flag stops (the account list, ListAccounts, in Chromium 156) the guard proxy refuses
(`browser_background_hosts` in config/fetch.yaml); see docs/sources.md, "Chromium's own requests".

Deliberately absent:
- `--disable-features` / `--enable-features`: Chromium keeps only the last of each, so a list here would
  replace Playwright's and bring back what it disables (measured: `--disable-features=Translate` alone
  brought back the network-time query to clients2.google.com);
- switches this build does not have (its binary lacks the name): `--disable-client-side-phishing-detection`,
  `--disable-translate`, `--no-service-autorun`, `--use-mock-keychain` (macOS).
"""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"

# `{}`: an on-device-model manifest override that names no manifest and no model (see ARGS)
NO_MODELS = Path(__file__).with_name("chromium_no_models.json")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # "Disable several subsystems which run network requests in the background" (content switches)
    "--disable-background-networking",
    # no component (CRLSet, Safe Browsing lists, dictionaries, models ...) is registered for update at start
    "--disable-component-update",
    "--disable-default-apps",  # no default apps installed into a new profile (their install fetches)
    "--disable-sync",  # no sync service
    "--no-pings",  # no hyperlink-auditing pings (<a ping>)
    "--disable-domain-reliability",  # no reliability beacons uploaded to Google
    "--metrics-recording-only",  # metrics recorded, never reported
    "--disable-breakpad",  # no crash reporter, so no crash uploads
    # The optimization guide asks the component updater on demand (past --disable-component-update) for
    # its on-device model manifest (update.googleapis.com, measured). Chromium's own test suites pass this
    # override to give it a local manifest instead; ours names none, so nothing is fetched or loaded.
    f"--optimization-guide-manifest-override={NO_MODELS}",
]
