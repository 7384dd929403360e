"""
Writes fixtures/demo.json: about 300 real documents from *Foreign Relations of the United
States* (FRUS, 1861–1936), taken from ../shared/corpus/frus-records.jsonl and
frus-people.jsonl, with their people, volumes and custody chain.

This script is the only code in the repository that reads ../shared/; the fixture it writes is
committed, so ``make run`` and ``make test`` never need the shared folder.

Choice (deterministic; the same corpus always gives the same file):

- per FRUS volume, documents evenly spaced through the volume's date order, from the records
  that have an exact date within 1861–1936, a real title, at least one person and a transcript;
- plus a handful of messy real ones, kept on purpose: approximate and uncertain dates, undated
  and untitled documents, "No. 5."-style titles, an enclosure, a date outside the volume's
  years, a transcript long enough to be shortened, a document with many people.

The source's 1864 document dated to the year 0201 is left out: its date is a source error, not
a historical uncertainty, and would show as "the 200s" in the date browse.

Mapping: record IDs from 1001 up (the seed record is 1), in date order; derived date fields
through ``catalog.dates.parse`` (loaddata saves raw, so ``Document.save()`` does not run);
collection ``tree_path`` computed here for the same reason; authority URIs in the normal form
of ``catalog.authorities.normalize_authority_uri``. Natural keys only, as in fixtures/seed.json.

Run: .venv/bin/python scripts/demo_fixture.py [--corpus DIR] [--output FILE]
(or ``make fixtures``).
"""

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django  # noqa: E402

django.setup()

from django.utils.text import slugify  # noqa: E402

from catalog import dates  # noqa: E402
from catalog.authorities import normalize_authority_uri  # noqa: E402
from catalog.text import person_search_names  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_OUTPUT = ROOT / "fixtures" / "demo.json"

PER_VOLUME = 22
FIRST_RECORD_ID = 1001
FIRST_YEAR, LAST_YEAR = 1861, 1936
TRANSCRIPT_CAP = 20_000
TIMESTAMP = "2026-11-27T00:00:00Z"
SEED_PERSON_SLUGS = {"harriman-w-averell", "stalin-joseph"}

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
REPOSITORY = {
    "name": "Office of the Historian, U.S. Department of State",
    "slug": "office-of-the-historian-us-department-of-state",
    "place": "Washington, DC",
    "url": "https://history.state.gov/",
    "description": "Publishes Foreign Relations of the United States, the official "
    "documentary record of U.S. foreign policy, in print and at history.state.gov.",
}
FRUS = {
    "title": "Foreign Relations of the United States",
    "slug": "frus",
    "identifier": "FRUS",
    "description": "The official documentary record of United States foreign policy, "
    "published by the Department of State since 1861. The demo data holds a selection of "
    "documents from {volumes} of its volumes.",
}
GPO = "Government Printing Office"

# Leading words that are not part of a person's sort name ("Mr. Seward" sorts under S).
HONORIFICS = re.compile(r"^(?:Mr|Mrs|Messrs|Miss|Dr|Señor|Senor|Monsieur|M)\.?\s+")
# "Surname, Forenames" as in the volumes' lists of principal persons.
INVERTED = re.compile(r"^(?P<surname>[^,()]+),\s+(?P<forenames>[^,()]+)$")
# A time in the date line ("Washington, June 19, 1930—3 p.m."): FRUS prints it for telegrams.
TELEGRAM_TIME = re.compile(
    r"[—,]\s*\[?\s*(?:\d{1,2}(?::\s?\d{2})?\s*[ap]\.\s?m\.|noon|midnight)", re.I
)
# "[Received 10.15 p.m.]": a time of receipt is likewise recorded for telegrams only.
RECEIVED_TIME = re.compile(r"\[Received[^\]]*\d{1,2}[.:]\s?\d{2}\s*[ap]\.\s?m\.")
SALUTATION = re.compile(
    r"^(?:Sir|Sirs|Gentlemen|Dear|My dear|My Lord|Excellency|Your Excellency|"
    r"Mr\. Secretary(?: of State)?):",
    re.I | re.M,
)
NUMBERED = re.compile(r"^No\.\s*\d+", re.M)
# Date lines of the Department at home and of a U.S. post abroad.
DEPARTMENT = re.compile(r"^Department of State\b")
US_POST = re.compile(
    r"^(?:Legation|Embassy|Consulate(?: General)?) of the United States\b|"
    r"^United States (?:Legation|Embassy|Consulate)\b"
)
POST = re.compile(
    r"\b(?:Minister|Ambassador|Chargé|Charge|Consul|Consul General|Commissioner|Legation|"
    r"Embassy)\b"
)


def read_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def volume_id(record):
    """``frus1918Russiav03`` from ``frus:frus1918Russiav03/d12``."""
    return record["source_id"].split(":", 1)[1].split("/", 1)[0]


def volume_slug(volume):
    return slugify(volume)


def print_year(collection_title):
    """The year the Government Printing Office printed the volume: "(Washington: GPO, 1932)"."""
    match = re.search(r"GPO,\s*(\d{4})\)", collection_title or "")
    return match[1] if match else ""


def edtf_for(record):
    """
    The EDTF value for a record's date: a day, month or year as precise as the source gives
    it, an interval when start and end differ, "~" for approximate and "?" for uncertain;
    empty when the source has no machine-readable date.
    """
    start, end, certainty = record["date_start"], record["date_end"], record["date_certainty"]
    if not start or certainty == "unknown":
        return ""
    mark = {"approximate": "~", "uncertain": "?"}.get(certainty, "")
    if end and end != start:
        return f"{start}{mark}/{end}{mark}"
    return f"{start}{mark}"


def doc_type_for(record):
    """
    The document type, guessed conservatively from the title and the opening of the text:
    an explicit word in the title first ("Memorandum…", "Note from…"); then a time of day in
    the date line (FRUS prints one only for telegrams); then a numbered formal letter between
    a post abroad and the Department of State (a despatch from the post, an instruction to
    it); then any letter with a salutation.  Everything else is "other".
    """
    title = (record["title"] or "").lower()
    text = record["text"] or ""
    head = text[:400]
    for word, kind in [
        ("telegram", "telegram"),
        ("memorandum", "memorandum"),
        ("aide-mémoire", "memorandum"),
        ("instruction", "instruction"),
        ("despatch", "dispatch"),
        ("dispatch", "dispatch"),
        ("report", "report"),
    ]:
        if word in title:
            return kind
    if re.match(r"^(?:circular )?note\b", title):
        return "note"
    first_line = head.split("\n", 1)[0]
    if TELEGRAM_TIME.search(first_line) or RECEIVED_TIME.search(head) or "[Telegram]" in head:
        return "telegram"
    if SALUTATION.search(head):
        original = record["title"] or ""
        if NUMBERED.search(head):
            sender, _, recipient = original.partition(" to ")
            if "Secretary of State" in recipient and POST.search(sender):
                return "dispatch"
            if "Secretary of State" in sender and POST.search(recipient):
                return "instruction"
            if DEPARTMENT.search(head):
                return "instruction"
            if US_POST.search(head):
                return "dispatch"
        return "letter"
    return "other"


def shorten(text, origin_url):
    """Texts over the cap end at a paragraph break, with a note that says where the rest is."""
    if len(text) <= TRANSCRIPT_CAP:
        return text
    cut = text.rfind("\n\n", 0, TRANSCRIPT_CAP)
    if cut < TRANSCRIPT_CAP * 3 // 4:
        cut = TRANSCRIPT_CAP
    where = origin_url or "the original online location"
    return text[:cut].rstrip() + (
        f"\n\n[transcript shortened in the demo data; full text at {where}]"
    )


def is_good(record):
    """A record that shows the catalogue at its best: dated, titled, with people and text."""
    start = record["date_start"] or ""
    return (
        record["date_certainty"] == "exact"
        and len(start) == 10
        and FIRST_YEAR <= int(start[:4]) <= LAST_YEAR
        and record["title"]
        and record["title"] != "[Untitled]"
        and record["people"]
        and (record["text"] or "").strip()
    )


def is_plausible_date(record):
    start = record["date_start"] or ""
    return not start or int(start[:4]) >= 1800


def choose(records):
    """The demo's records, in the corpus's order of volumes; deterministic."""
    by_volume = defaultdict(list)
    for record in records:
        by_volume[volume_id(record)].append(record)
    chosen, seen = [], set()

    def take(record):
        if record["source_id"] not in seen:
            seen.add(record["source_id"])
            chosen.append(record)

    for volume in sorted(
        by_volume, key=lambda v: min(r["date_start"] or "9" for r in by_volume[v])
    ):
        good = sorted(
            (r for r in by_volume[volume] if is_good(r)),
            key=lambda r: (r["date_start"], r["source_id"]),
        )
        if len(good) <= PER_VOLUME:
            picks = good
        else:
            step = len(good) / PER_VOLUME
            picks = [good[int(i * step + step / 2)] for i in range(PER_VOLUME)]
        for record in picks:
            take(record)

    ordered = sorted(records, key=lambda r: r["source_id"])
    fuzzy = [
        r
        for r in ordered
        if r["date_certainty"] in ("approximate", "uncertain") and is_plausible_date(r)
    ]
    messy = [
        # every second approximate and every second uncertain date
        [r for r in fuzzy if r["date_certainty"] == "approximate"][::2],
        [r for r in fuzzy if r["date_certainty"] == "uncertain"][::2],
        [
            r
            for r in ordered
            if r["date_certainty"] == "unknown"
            and r["title"]
            and r["title"] != "[Untitled]"
            and r["people"]
            and r["text"]
        ][:3],
        [r for r in ordered if r["title"] in (None, "[Untitled]") and r["text"]][:2],
        [r for r in ordered if re.match(r"^No\. \d+\.", r["title"] or "") and r["people"]][:2],
        [
            r
            for r in ordered
            if "-attachment" in r["source_id"] and "\n| " in r["text"] and r["date_start"]
        ][:1],
        [
            r
            for r in ordered
            if r["date_start"]
            and r["date_certainty"] == "exact"
            and not FIRST_YEAR <= int(r["date_start"][:4]) <= LAST_YEAR
            and is_plausible_date(r)
        ][:2],
        [r for r in ordered if len(r["text"]) > 2 * TRANSCRIPT_CAP and is_good(r)][:1],
        [r for r in ordered if 10 <= len(r["people"]) <= 15 and is_good(r)][:1],
    ]
    for group in messy:
        for record in group:
            take(record)
    return chosen


def person_names(people_rows):
    """name → merged entry from frus-people.jsonl (a principal person listed in two volumes
    appears twice there, once per volume)."""
    merged = {}
    for row in people_rows:
        entry = merged.setdefault(
            row["name"], {"alt_names": [], "notes": [], "birth": None, "death": None}
        )
        for alt in row["alt_names"] or []:
            if alt not in entry["alt_names"] and alt != row["name"]:
                entry["alt_names"].append(alt)
        note = row["note"] or ""
        if row["authority_uri"] and note and note not in entry["notes"]:
            entry["notes"].append(note)
        entry["birth"] = entry["birth"] or row["birth"]
        entry["death"] = entry["death"] or row["death"]
    return merged


def valid_edtf(value):
    if not value:
        return ""
    try:
        return dates.parse(value).edtf
    except Exception:  # a life date the catalogue cannot read is left out, not guessed at
        return ""


def build_people(chosen, people_rows):
    """Person rows for every name in the chosen records, with slugs and authority links."""
    index = person_names(people_rows)
    names = sorted({p["name"].strip() for r in chosen for p in r["people"] if p["name"].strip()})
    used_slugs = set(SEED_PERSON_SLUGS)
    people = {}
    for name in names:
        match = INVERTED.match(name)
        entry = index.get(name, {"alt_names": [], "notes": [], "birth": None, "death": None})
        if match and entry["notes"]:
            display = f"{match['forenames']} {match['surname']}"
            sort_name = name
        else:
            display = name
            sort_name = HONORIFICS.sub("", name) or name
        base = slugify(sort_name)[:80].strip("-") or "person"
        slug, n = base, 1
        while slug in used_slugs:
            n += 1
            slug = f"{base}-{n}"
        used_slugs.add(slug)
        people[name] = {
            "display_name": display,
            "sort_name": sort_name,
            "slug": slug,
            "alternate_names": "\n".join(a for a in entry["alt_names"] if a != display),
            "birth_date": valid_edtf(entry["birth"]),
            "death_date": valid_edtf(entry["death"]),
            "description": " ".join(entry["notes"]),
        }
        people[name]["search_names"] = person_search_names(
            display, sort_name, people[name]["alternate_names"]
        )

    claims = defaultdict(set)  # normal-form URI → names that carry it
    for record in chosen:
        for person in record["people"]:
            if person["authority_uri"] and person["name"].strip() in people:
                uri = normalize_authority_uri(person["authority_uri"])
                claims[uri].add(person["name"].strip())
    authorities, dropped = [], 0
    for uri, claimants in sorted(claims.items()):
        if len(claimants) == 1:
            authorities.append((uri, people[next(iter(claimants))]["slug"]))
        else:  # the normal form does not tell these people apart: link none of them
            dropped += len(claimants)
    return people, authorities, dropped


def document_fields(record, record_id, people):
    """The fixture fields of one Document."""
    edtf = edtf_for(record)
    info = dates.parse(edtf)
    origin = record["origin_url"] or ""
    return {
        "record_id": record_id,
        "source_identifier": record["source_id"],
        "title": (record["title"] or "[Untitled]")[:500],
        "doc_type": doc_type_for(record),
        "date_edtf": info.edtf,
        "date_text": (record["date_text"] or "")[:255],
        "date_earliest": info.earliest.isoformat() if info.earliest else None,
        "date_latest": info.latest.isoformat() if info.latest else None,
        "date_approximate": info.approximate,
        "date_uncertain": info.uncertain,
        "summary": record["summary"] or "",
        "transcript": shorten(record["text"] or "", origin),
        "language": record["language"] or "",
        "subjects": [],
        "repository": [REPOSITORY["slug"]],
        "collections": [[volume_slug(volume_id(record))]],
        "container": "",
        "source_note": record["source_citation"] or "",
        "origin_url": origin,
        "rights": [CC0],
        "rights_note": record["rights"] or "",
        "status": "published",
        "published_at": TIMESTAMP,
        "original_uploaded": None,
        "created": TIMESTAMP,
        "modified": TIMESTAMP,
    }


def fixture(records, people_rows):
    """The fixture as a list of objects, plus counts for the report."""
    chosen = choose(records)
    chosen.sort(
        key=lambda r: (
            edtf_for(r) == "",
            dates.parse(edtf_for(r)).earliest or dates.OPEN_END,
            r["source_id"],
        )
    )
    people, authorities, dropped = build_people(chosen, people_rows)

    volumes = {}
    for record in records:
        volumes.setdefault(volume_id(record), record["collection"])
    used_volumes = sorted({volume_id(r) for r in chosen}, key=lambda v: (print_year(volumes[v]), v))

    out = [{"model": "catalog.repository", "fields": REPOSITORY}]
    out.append(
        {
            "model": "catalog.collection",
            "fields": {
                "title": FRUS["title"],
                "slug": FRUS["slug"],
                "kind": "archival",
                "parent": None,
                "repository": [REPOSITORY["slug"]],
                "identifier": FRUS["identifier"],
                "description": FRUS["description"].format(volumes=len(used_volumes)),
                "tree_path": f"{FRUS['slug']}/",
            },
        }
    )
    for volume in used_volumes:
        out.append(
            {
                "model": "catalog.collection",
                "fields": {
                    "title": volumes[volume],
                    "slug": volume_slug(volume),
                    "kind": "archival",
                    "parent": [FRUS["slug"]],
                    "repository": [REPOSITORY["slug"]],
                    "identifier": volume,
                    "description": f"FRUS volume printed by the {GPO} in "
                    f"{print_year(volumes[volume])}; online at "
                    f"https://history.state.gov/historicaldocuments/{volume}.",
                    "tree_path": f"{FRUS['slug']}/{volume_slug(volume)}/",
                },
            }
        )
    for person in sorted(people.values(), key=lambda p: p["slug"]):
        out.append(
            {
                "model": "catalog.person",
                "fields": {**person, "created": TIMESTAMP, "modified": TIMESTAMP},
            }
        )
    for uri, slug in authorities:
        out.append({"model": "catalog.personauthority", "fields": {"person": [slug], "uri": uri}})

    links, events = [], []
    for record_id, record in enumerate(chosen, start=FIRST_RECORD_ID):
        out.append(
            {"model": "catalog.document", "fields": document_fields(record, record_id, people)}
        )
        seen = set()
        for person in record["people"]:
            name = person["name"].strip()
            role = (
                person["role"]
                if person["role"] in ("author", "recipient", "mentioned", "other")
                else "other"
            )
            key = (people[name]["slug"], role) if name in people else None
            if key is None or key in seen:
                continue
            seen.add(key)
            links.append(
                {
                    "model": "catalog.documentperson",
                    "fields": {
                        "document": [record_id],
                        "person": [key[0]],
                        "role": role,
                        "uncertain": False,
                        "note": "",
                        "position": len(seen) - 1,
                    },
                }
            )
        volume = volume_id(record)
        chain = [
            (
                "published_print",
                print_year(record["collection"]),
                GPO,
                "Washington, DC",
                record["source_citation"] or volumes[volume],
                f"Printed in {volumes[volume]}.",
            ),
            (
                "published_online",
                "",
                REPOSITORY["name"],
                "",
                record["origin_url"] or "",
                "Published at history.state.gov from the Office's TEI edition of the volume.",
            ),
        ]
        for position, (event, date, agent, place, source, note) in enumerate(chain):
            events.append(
                {
                    "model": "catalog.provenanceevent",
                    "fields": {
                        "document": [record_id],
                        "position": position,
                        "event": event,
                        "date_edtf": date,
                        "agent": agent,
                        "place": place,
                        "source": source[:500],
                        "note": note,
                    },
                }
            )
    out += links + events
    stats = {
        "documents": len(chosen),
        "volumes": len(used_volumes),
        "people": len(people),
        "authorities": len(authorities),
        "authorities_dropped": dropped,
        "links": len(links),
    }
    return out, stats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"folder holding frus-records.jsonl and frus-people.jsonl (default {DEFAULT_CORPUS})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write the fixture (default {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)
    records = read_jsonl(args.corpus / "frus-records.jsonl")
    people_rows = read_jsonl(args.corpus / "frus-people.jsonl")
    objects, stats = fixture(records, people_rows)
    args.output.write_text(
        json.dumps(objects, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    size = args.output.stat().st_size
    print(
        f"wrote {args.output}: {stats['documents']} documents from {stats['volumes']} volumes, "
        f"{stats['people']} people, {stats['links']} person links, "
        f"{stats['authorities']} authority links ({size / 1e6:.1f} MB)"
    )
    if stats["authorities_dropped"]:
        print(
            f"note: {stats['authorities_dropped']} people share an authority URI once "
            "normalised (catalog.authorities drops the #fragment that identifies a person on "
            "a history.state.gov persons page); they were given no authority link."
        )


if __name__ == "__main__":
    main()
