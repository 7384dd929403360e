"""
The two checkers the suite runs on rendered pages, both installed from the npm registry by
``make checkers`` (pinned in package-lock.json):

- axe-core, injected into a page in Chromium: :func:`axe_violations` runs the WCAG 2.1 A and AA
  rules and returns what fails;
- the W3C Nu HTML Checker (``vnu-jar``), run with the machine's Java: :func:`vnu_errors`
  validates saved HTML files in one Java start.

When a checker is missing its tests are skipped with the command that installs it, except in
CI (``ARCHIVE_REQUIRE_CHECKERS=1``, set by ``.ci/run``), where a missing checker fails the run.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Written by the suite for people to look at (gitignored): screenshots, the print PDF and
# the page-speed report.
ARTIFACTS = ROOT / "build" / "browser"


def require(ok, message):
    """Skip (or, in CI, fail) a test whose checker is not installed."""
    if ok:
        return
    if os.environ.get("ARCHIVE_REQUIRE_CHECKERS"):
        pytest.fail(message)
    pytest.skip(message)


def require_axe():
    require(AXE.exists(), f"{AXE.relative_to(ROOT)} is missing: run `make checkers` (needs npm).")


def require_vnu():
    require(VNU.exists(), f"{VNU.relative_to(ROOT)} is missing: run `make checkers` (needs npm).")
    require(
        shutil.which("java"),
        "Java is missing for the Nu HTML Checker: apt-get install default-jre-headless.",
    )


def axe_violations(page):
    """
    Run axe-core's WCAG 2.1 A and AA rules on ``page`` (a Playwright page) and return one line
    per violation: rule, impact, and the first offending elements.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: a <script> tag would be an inline script,
        # which the site's Content Security Policy refuses.
        page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def vnu_errors(paths):
    """Validate HTML files with the Nu HTML Checker; return ``{file name: [error, …]}``."""
    completed = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(completed.stderr)["messages"]
    except (ValueError, KeyError) as error:
        report = completed.stderr[:2000]
        raise AssertionError(f"The Nu HTML Checker did not report: {report}") from error
    errors = {}
    for message in messages:
        name = Path(message.get("url", "?")).name
        where = f"line {message.get('lastLine', '?')}"
        errors.setdefault(name, []).append(f"{where}: {message['message']}")
    return errors
