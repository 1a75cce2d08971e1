"""A PNG of a map page as Chromium draws it (for the README): headless, offline.

Usage::

    python scripts/screenshot.py MAP.html OUT.png [--width 1280 --height 800] [--site-card]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    """Open the page in headless Chromium and save what it shows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--site-card", action="store_true", help="open the best site's card")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox"])  # fmt: skip
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(args.page.resolve().as_uri())
        page.wait_for_function("window.sitesel !== undefined")
        if args.site_card:
            page.evaluate("window.sitesel.focus(window.sitesel.topIds(1)[0])")
        page.wait_for_timeout(500)
        page.screenshot(path=str(args.out))
        browser.close()


if __name__ == "__main__":
    main()
