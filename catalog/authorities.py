"""
Authority URIs (GND, VIAF, Wikidata, LCNAF, ISNI) in one normal form.

The same authority is written many ways: ``http://d-nb.info/gnd/118500775``,
``https://d-nb.info/gnd/118500775/``, ``https://www.wikidata.org/wiki/Q855``.  The catalogue
stores and compares the normal form only, so a unique constraint on it means "one person per
authority record".
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# (pattern over host + path, canonical template, label)
_KNOWN = [
    (re.compile(r"^d-nb\.info/gnd/(?P<id>[0-9X-]+)$", re.I), "https://d-nb.info/gnd/{id}", "GND"),
    (re.compile(r"^viaf\.org/viaf/(?P<id>\d+)$", re.I), "https://viaf.org/viaf/{id}", "VIAF"),
    (
        re.compile(r"^(?:www\.)?wikidata\.org/(?:wiki|entity)/(?P<id>Q\d+)$", re.I),
        "https://www.wikidata.org/entity/{id}",
        "Wikidata",
    ),
    (
        re.compile(r"^id\.loc\.gov/authorities/names/(?P<id>[a-z]+\d+)(?:\.html)?$", re.I),
        "https://id.loc.gov/authorities/names/{id}",
        "Library of Congress",
    ),
    (
        re.compile(r"^(?:www\.)?isni\.org/isni/(?P<id>[0-9X]{16})$", re.I),
        "https://isni.org/isni/{id}",
        "ISNI",
    ),
]


def normalize_authority_uri(value):
    """
    Return the normal form of an authority URI: https, lower-case host, no trailing slash,
    no query, and the canonical path for the authorities listed above (whose fragments are
    dropped too).

    Raises ``ValidationError`` when ``value`` is not an absolute http(s) URI.
    """
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            "“%(value)s” is not an authority URI; write it in full, as in "
            "https://d-nb.info/gnd/118500775.",
            code="authority_uri",
            params={"value": value},
        )
    host = parts.netloc.lower()
    path = parts.path.rstrip("/")
    for pattern, template, _label in _KNOWN:
        match = pattern.match(host + path)
        if match:
            identifier = match["id"]
            if identifier[0] in "qQ":
                identifier = identifier.upper()
            return template.format(id=identifier)
    # Other hosts: keep a fragment, which may be what tells people apart
    # (https://history.state.gov/historicaldocuments/frus1861/persons#p_LR1).
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"https://{host}{path}{fragment}"


def authority_label(uri):
    """The name of the authority file a normal-form URI belongs to ("GND", "VIAF"…)."""
    parts = urlsplit(uri)
    for pattern, _template, label in _KNOWN:
        if pattern.match(parts.netloc.lower() + parts.path.rstrip("/")):
            return label
    return parts.netloc
