"""
Writes fixtures/seed.json: the Wilson Center record this project started from
(../shared/seed/telegram-1944-02-02.txt), reproduced field by field, with the people, archive,
collection and rights statement it links to.  Natural keys throughout, so the fixture loads
into any database and loading it twice adds nothing.

Run: .venv/bin/python scripts/seed_fixture.py
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.text import person_search_names  # noqa: E402

TRANSCRIPT = "\n\n".join(
    [
        "During a conversation with the Ambassador last evening Stalin volunteered the "
        "information that Soviet intelligence reports indicate that the Japanese may be "
        "preparing to withdraw from their outer line of defense running through Indonesia. He "
        "said that they are now reported to be building a new inner defense line and to be "
        "evacuating plants and machinery to Japan and Manchuria. They may suddenly begin to "
        "retreat. Stalin said that these statements were based on information at his disposal. "
        "He added that it should be checked but that he believed it was accurate.",
        "The Ambassador inquired where the new line would run. Stalin replied that he was not "
        "sure of the details, but that he believed it would run roughly through Shanghai, the "
        "Shantung peninsula, Manchuria and around the Japanese islands. He stated with "
        "conviction that the Japanese would not engage their main forces to defend the outer "
        "perimeter of their defenses but would withdraw to inner lines which were more "
        "convenient and easier to defend.",
        "The Ambassador stated that he would find out what information we have on this subject "
        "and inform Stalin. I accordingly request that I be supplied with any pertinent "
        "information or any comment on Stalin\u2019s remarks for transmission by the Ambassador "
        "to Stalin personally.",
    ]
)

RIGHTS_NOTE = "\n\n".join(
    [
        "The History and Public Policy Program welcomes reuse of Digital Archive materials for "
        "research and educational purposes. Some documents may be subject to copyright, which "
        "is retained by the rights holders in accordance with US and international copyright "
        "laws. When possible, rights holders have been contacted for permission to reproduce "
        "their materials.",
        "To enquire about this document's rights status or request permission for commercial "
        "use, please contact the History and Public Policy Program at [email\u00a0protected].",
    ]
)

SOURCE = (
    "Container # 171, W. Averell Harriman Papers, Manuscript Division, Library of Congress, "
    "Washington, DC"
)
LOC = "library-of-congress-manuscript-division"
PAPERS = "w-averell-harriman-papers"
RECORD_ID = 1


def records():
    yield {
        "model": "catalog.repository",
        "fields": {
            "name": "Library of Congress, Manuscript Division",
            "slug": LOC,
            "place": "Washington, DC",
            "url": "https://www.loc.gov/rr/mss/",
            "description": "The Library of Congress's collection of personal papers and "
            "organisational records.",
        },
    }
    yield {
        "model": "catalog.collection",
        "fields": {
            "title": "W. Averell Harriman Papers",
            "slug": PAPERS,
            "kind": "archival",
            "parent": None,
            "repository": [LOC],
            "identifier": "",
            "description": "Papers of W. Averell Harriman (1891–1986), diplomat and governor "
            "of New York, including his years as U.S. Ambassador to the Soviet Union.",
            "tree_path": f"{PAPERS}/",
        },
    }
    people = [
        {
            "display_name": "W. Averell Harriman",
            "sort_name": "Harriman, W. Averell",
            "slug": "harriman-w-averell",
            "alternate_names": "William Averell Harriman\nAverell Harriman\n"
            "Harriman, W. Averell (William Averell), 1891-1986",
            "birth_date": "1891-11-15",
            "death_date": "1986-07-26",
            "description": "U.S. Ambassador to the Soviet Union, 1943–1946.",
        },
        {
            "display_name": "Joseph Stalin",
            "sort_name": "Stalin, Joseph",
            "slug": "stalin-joseph",
            "alternate_names": "Iosif Vissarionovich Stalin\nIosif Vissarionovich Dzhugashvili\n"
            "Иосиф Виссарионович Сталин\nStalin, Joseph, 1879-1953",
            "birth_date": "1878-12-18",
            "death_date": "1953-03-05",
            "description": "General Secretary of the Communist Party of the Soviet Union and "
            "Chairman of the Council of People's Commissars.",
        },
    ]
    for person in people:
        yield {
            "model": "catalog.person",
            "fields": {
                **person,
                "search_names": person_search_names(
                    person["display_name"], person["sort_name"], person["alternate_names"]
                ),
                "created": "2026-11-27T00:00:00Z",
                "modified": "2026-11-27T00:00:00Z",
            },
        }
    yield {
        "model": "catalog.personauthority",
        "fields": {"person": ["stalin-joseph"], "uri": "https://www.wikidata.org/entity/Q855"},
    }
    yield {
        "model": "catalog.document",
        "fields": {
            "record_id": RECORD_ID,
            "source_identifier": None,
            "title": "Telegram re Stalin Harriman Conversation on Japanese Troops",
            "doc_type": "telegram",
            "date_edtf": "1944-02-02",
            "date_text": "February 2, 1944",
            "date_earliest": "1944-02-02",
            "date_latest": "1944-02-02",
            "date_approximate": False,
            "date_uncertain": False,
            "summary": "W. Averell Harriman and Joseph Stalin discuss Soviet intelligence "
            "about Japanese troop movements.",
            "transcript": TRANSCRIPT,
            "language": "en",
            "subjects": [],
            "repository": [LOC],
            "collections": [[PAPERS]],
            "container": "Container # 171",
            "source_note": SOURCE,
            "origin_url": "",
            "rights": ["http://rightsstatements.org/vocab/NoC-US/1.0/"],
            "rights_note": RIGHTS_NOTE,
            "status": "published",
            "published_at": "2026-11-27T00:00:00Z",
            "original_uploaded": None,
            "created": "2026-11-27T00:00:00Z",
            "modified": "2026-11-27T00:00:00Z",
        },
    }
    for position, (slug, role) in enumerate(
        [("harriman-w-averell", "author"), ("stalin-joseph", "mentioned")]
    ):
        yield {
            "model": "catalog.documentperson",
            "fields": {
                "document": [RECORD_ID],
                "person": [slug],
                "role": role,
                "uncertain": False,
                "note": "",
                "position": position,
            },
        }
    chain = [
        (
            "created",
            "1944-02-02",
            "U.S. Embassy, Moscow, for Ambassador W. Averell Harriman",
            "Moscow",
            "",
            "Telegram reporting Harriman's conversation with Stalin the evening before.",
        ),
        ("held", "", "Library of Congress, Manuscript Division", "Washington, DC", SOURCE, ""),
        (
            "published_online",
            "",
            "Wilson Center Digital Archive, History and Public Policy Program",
            "",
            "Wilson Center Digital Archive record page",
            "Original uploaded date not recorded.",
        ),
    ]
    for position, (event, date, agent, place, source, note) in enumerate(chain):
        yield {
            "model": "catalog.provenanceevent",
            "fields": {
                "document": [RECORD_ID],
                "position": position,
                "event": event,
                "date_edtf": date,
                "agent": agent,
                "place": place,
                "source": source,
                "note": note,
            },
        }


if __name__ == "__main__":
    path = ROOT / "fixtures" / "seed.json"
    path.write_text(json.dumps(list(records()), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
