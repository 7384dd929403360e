"""
Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The tests are skipped, with a message saying how to install it, when /usr/bin/chromium is
missing; `.ci/run` installs it and sets ARCHIVE_REQUIRE_CHECKERS, so there they fail instead.
"""

import os
import shutil

import pytest

from tests.checkers import require

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    require(
        os.path.exists(CHROMIUM) or shutil.which("chromium"),
        "Debian's Chromium is not installed: run `apt-get update && apt-get install -y "
        "chromium` to run the browser tests.",
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # for their own set-up are synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
