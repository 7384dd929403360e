"""
Every public page type is valid HTML: the W3C Nu HTML Checker (vnu-jar from the npm
registry, run with the machine's Java) reports no errors on the demo data's pages.
"""

import pytest

from tests.checkers import ARTIFACTS, require_vnu, vnu_errors
from tests.site_pages import load_demo_site


@pytest.mark.django_db
def test_every_public_page_type_is_valid_html(client):
    require_vnu()
    pages = load_demo_site()
    folder = ARTIFACTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "not found" else 200), path
        file = folder / (name.replace(" ", "-").replace(",", "") + ".html")
        file.write_bytes(response.content)
        files[file.name] = path

    errors = vnu_errors(folder / name for name in files)
    report = {f"{files[name]} ({name})": messages for name, messages in errors.items()}
    assert report == {}, "\n".join(f"{page}:\n  " + "\n  ".join(m) for page, m in report.items())
