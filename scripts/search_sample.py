"""
Writes tests/search_sample.json: about forty real documents for the search tests, chosen by
source identifier from ../shared/corpus/frus-records.jsonl and moritz-records.jsonl, with
their people (and the people's alternate names) from frus-people.jsonl and moritz-people.jsonl.

Why these documents (tests/test_search.py relies on them):

- "Shantung": in the title of an imperial edict (not in its text), only in the transcript of
  five others; "Schleinitz": in the title of a long despatch, in the text of three short ones;
- "open door": as a phrase in four documents (one in its summary), the two words apart in
  two more;
- Churchill: in Ambassador Herrick's 1925 telegrams (Winston Churchill) and in the 1918–1919
  Peace Commission papers (General Marlborough Churchill, a person of one of them);
- "Stalinski", an interpreter in 1918 (no FRUS volume here names Stalin; the seed telegram
  does), so that "stalin" must not find "Stalinski";
- Moritz of Saxony's correspondence: Anton, Caspar and Wolf von Schönberg; Heinrich von Bünau
  "auf Droyßig" and "auf Droyssig"; "Jorg" and "Jörg"; Sebastian Schärtlin; Kf. Moritz, whose
  alternate names include "Numitor" (a name no title or text uses).

Sources and licences (they travel with the file, in every document's rights note):
FRUS is public domain (work of the U.S. Government) with a CC0 1.0 waiver by the Office of
the Historian; the Moritz letter list is CC BY 4.0, Sächsische Akademie der Wissenschaften zu
Leipzig (Uwe Kretschmer, Lars Scheideler, Christian Winter).  Transcripts are kept whole (the
chosen ones are short); the file stays under 300 KB.

Run: .venv/bin/python scripts/search_sample.py [--corpus DIR] [--output FILE]
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django  # noqa: E402

django.setup()

from django.utils.text import slugify  # noqa: E402

from catalog import dates  # noqa: E402
from catalog.text import person_search_names  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_OUTPUT = ROOT / "tests" / "search_sample.json"
FIRST_RECORD_ID = 9001
TIMESTAMP = "2026-11-27T00:00:00Z"
MAX_BYTES = 300_000
ROLES = {"author", "recipient", "mentioned"}

FRUS = [
    # Shantung: in the title of d8 (not its text); only in the text of the others.
    "frus1901China/d8",
    "frus1901China/d5",
    "frus1919Parisv01/d262",
    "frus1901China/d147",
    "frus1901China/d53",
    "frus1901China/d49",
    # "open door" as a phrase (d194 in its summary) …
    "frus1901China/d261",
    "frus1919Parisv01/d23",
    "frus1936v03/d503",
    "frus1925v02/d194",
    # … and "open" and "door" apart.
    "frus1894Nicaragua/d45",
    "frus1925v02/d354",
    # Churchill with Herrick (1925) and without him (1918–1919).
    "frus1925v02/d122",
    "frus1925v02/d123",
    "frus1925v02/d125",
    "frus1925v02/d126",
    "frus1919Parisv01/d171",
    "frus1919Parisv01/d177",
    "frus1919Parisv01/d186",
    # Stalinski (an interpreter), not Stalin.
    "frus1918Russiav03/d201",
    # Schleinitz: in the title of a long despatch (d10), in the text of short ones.
    "frus1861/d10",
    "frus1861/d5",
    "frus1861/d6",
    "frus1861/d9",
]
MORITZ = [
    # Anton, Caspar and Wolf von Schönberg.
    "1/23",
    "1/79",
    "3/467",
    "3/473",
    "3/476",
    # Heinrich von Bünau auf Droyßig, and once "auf Droyssig".
    "1/353",
    "2/568",
    "3/61",
    "1/547",
    # "Jorg Oppenheimer" (a cover name of Georg von Reckerodt) and Sebastian Schärtlin.
    "4/635a1",
    "4/635a2",
]
# Documents found by a pattern rather than by identifier: (pattern, how many).
MORITZ_BY_TITLE = [("Jörg ", 3)]

FRUS_RIGHTS = (
    "Foreign Relations of the United States, Office of the Historian, U.S. Department of "
    "State: public domain (work of the United States Government); CC0 1.0 Universal waiver."
)
MORITZ_RIGHTS = (
    "Politische Korrespondenz des Herzogs und Kurfürsten Moritz von Sachsen, letter list: "
    "CC BY 4.0, Sächsische Akademie der Wissenschaften zu Leipzig (Uwe Kretschmer, Lars "
    "Scheideler, Christian Winter), https://github.com/saw-leipzig/cmif-moritz."
)
RIGHTS_URI = {
    "frus": "http://creativecommons.org/publicdomain/zero/1.0/",
    "moritz": "http://creativecommons.org/licenses/by/4.0/",
}
REPOSITORY = {
    "name": "Office of the Historian, U.S. Department of State",
    "slug": "office-of-the-historian-us-department-of-state",
    "place": "Washington, DC",
    "url": "https://history.state.gov/",
    "description": "Publishes Foreign Relations of the United States.",
}


def read_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def edtf_for(record):
    start, end, certainty = record["date_start"], record["date_end"], record["date_certainty"]
    if not start or certainty == "unknown":
        return ""
    mark = {"approximate": "~", "uncertain": "?"}.get(certainty, "")
    value = f"{start}{mark}/{end}{mark}" if end and end != start else f"{start}{mark}"
    try:
        dates.parse(value)
    except Exception:  # a messy source date: keep the words, leave the EDTF empty
        return ""
    return value


def display_and_sort(name):
    """ "Lansing, Robert" → ("Robert Lansing", "Lansing, Robert"); other names as they are."""
    if name.count(",") == 1 and "(" not in name:
        surname, forenames = (part.strip() for part in name.split(","))
        if surname and forenames:
            return f"{forenames} {surname}", name
    return name, name


class People:
    """The sample's people, keyed by authority URI or name, each once."""

    def __init__(self, corpus):
        self.known = {}
        for row in read_jsonl(corpus / "frus-people.jsonl") + read_jsonl(
            corpus / "moritz-people.jsonl"
        ):
            for key in [row["authority_uri"], row["name"], *row["alt_names"]]:
                if key:
                    self.known.setdefault(key.rstrip("/").replace("https://", "http://"), row)
        self.rows, self.slugs = {}, set()

    def slug_for(self, person):
        """The person's slug, adding them to the sample the first time."""
        row = None
        if person["authority_uri"]:
            row = self.known.get(person["authority_uri"].rstrip("/").replace("https://", "http://"))
        row = row or self.known.get(person["name"]) or {"name": person["name"], "alt_names": []}
        key = row["name"]
        if key not in self.rows:
            display, sort_name = display_and_sort(row["name"])
            base = slugify(sort_name)[:70] or "person"
            slug, n = base, 1
            while slug in self.slugs:
                n += 1
                slug = f"{base}-{n}"
            self.slugs.add(slug)
            alternates = "\n".join(name for name in row["alt_names"] if name != row["name"])
            self.rows[key] = {
                "model": "catalog.person",
                "fields": {
                    "display_name": display[:255],
                    "sort_name": sort_name[:255],
                    "slug": slug,
                    "alternate_names": alternates,
                    "birth_date": "",
                    "death_date": "",
                    "description": (row.get("note") or "")[:500],
                    "search_names": person_search_names(display, sort_name, alternates),
                    "created": TIMESTAMP,
                    "modified": TIMESTAMP,
                },
            }
        return self.rows[key]["fields"]["slug"]


def document(record, record_id, source):
    title = (record["title"] or "").strip() or "[Untitled]"
    edtf = edtf_for(record)
    info = dates.parse(edtf)
    return {
        "model": "catalog.document",
        "fields": {
            "record_id": record_id,
            "source_identifier": record["source_id"],
            "title": title[:500],
            "doc_type": "telegram" if "telegram" in title.lower() else "letter",
            "date_edtf": info.edtf,
            "date_text": (record["date_text"] or "")[:255],
            "date_earliest": info.earliest.isoformat() if info.earliest else None,
            "date_latest": info.latest.isoformat() if info.latest else None,
            "date_approximate": info.approximate,
            "date_uncertain": info.uncertain,
            "summary": record["summary"] or "",
            "transcript": record["text"] or "",
            "language": record["language"] or ("de" if source == "moritz" else ""),
            "subjects": [],
            "repository": [REPOSITORY["slug"]] if source == "frus" else None,
            "collections": [],
            "container": "",
            "source_note": (record["source_citation"] or "")[:2000],
            "origin_url": (record["origin_url"] or "")[:500],
            "rights": [RIGHTS_URI[source]],
            "rights_note": FRUS_RIGHTS if source == "frus" else MORITZ_RIGHTS,
            "status": "published",
            "published_at": TIMESTAMP,
            "original_uploaded": None,
            "created": TIMESTAMP,
            "modified": TIMESTAMP,
        },
    }


def build(corpus):
    frus = {r["source_id"]: r for r in read_jsonl(corpus / "frus-records.jsonl")}
    moritz_rows = read_jsonl(corpus / "moritz-records.jsonl")
    moritz = {r["source_id"]: r for r in moritz_rows}
    chosen = [("frus", frus[f"frus:{sid}"]) for sid in FRUS]
    chosen += [("moritz", moritz[f"moritz:{sid}"]) for sid in MORITZ]
    for pattern, count in MORITZ_BY_TITLE:
        found = [r for r in moritz_rows if pattern in (r["title"] or "")][:count]
        chosen += [("moritz", r) for r in found if ("moritz", r) not in chosen]

    people = People(corpus)
    documents, links = [], []
    for offset, (source, record) in enumerate(chosen):
        record_id = FIRST_RECORD_ID + offset
        documents.append(document(record, record_id, source))
        seen = set()
        for position, person in enumerate(record["people"]):
            slug = people.slug_for(person)
            role = person["role"] if person["role"] in ROLES else "other"
            if (slug, role) in seen:
                continue
            seen.add((slug, role))
            links.append(
                {
                    "model": "catalog.documentperson",
                    "fields": {
                        "document": [record_id],
                        "person": [slug],
                        "role": role,
                        "uncertain": False,
                        "note": "",
                        "position": position,
                    },
                }
            )
    repository = {"model": "catalog.repository", "fields": REPOSITORY}
    return [repository, *people.rows.values(), *documents, *links]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    objects = build(args.corpus)
    text = json.dumps(objects, ensure_ascii=False, indent=1) + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise SystemExit(f"The sample came to {size:,} bytes, more than {MAX_BYTES:,}.")
    args.output.write_text(text, encoding="utf-8")
    counts = {}
    for obj in objects:
        counts[obj["model"]] = counts.get(obj["model"], 0) + 1
    summary = ", ".join(f"{n} {model}" for model, n in counts.items())
    print(f"Wrote {args.output} ({size:,} bytes): {summary}.")


if __name__ == "__main__":
    main()
