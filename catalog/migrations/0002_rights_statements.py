"""Seed the rights vocabulary: the 12 RightsStatements.org statements plus CC0, PDM and CC BY."""

from django.db import migrations

RS = "http://rightsstatements.org/vocab/{}/1.0/"

STATEMENTS = [
    (
        "InC",
        RS.format("InC"),
        "In Copyright",
        "Protected by copyright and/or related rights. Uses the law permits are free; other uses "
        "need the rights-holder's permission.",
    ),
    (
        "InC-OW-EU",
        RS.format("InC-OW-EU"),
        "In Copyright - EU Orphan Work",
        "Identified as an orphan work under Directive 2012/28/EU: no rights-holder could be "
        "identified or located after a diligent search.",
    ),
    (
        "InC-EDU",
        RS.format("InC-EDU"),
        "In Copyright - Educational Use Permitted",
        "Protected by copyright; educational uses need no permission from the rights-holder, "
        "other uses do.",
    ),
    (
        "InC-NC",
        RS.format("InC-NC"),
        "In Copyright - Non-Commercial Use Permitted",
        "Protected by copyright; non-commercial uses need no permission from the rights-holder, "
        "other uses do.",
    ),
    (
        "InC-RUU",
        RS.format("InC-RUU"),
        "In Copyright - Rights-holder(s) Unlocatable or Unidentifiable",
        "Protected by copyright, but the rights-holder has not been identified or located.",
    ),
    (
        "NoC-CR",
        RS.format("NoC-CR"),
        "No Copyright - Contractual Restrictions",
        "Free of copyright, but a contract limits how the organisation may let it be used.",
    ),
    (
        "NoC-NC",
        RS.format("NoC-NC"),
        "No Copyright - Non-Commercial Use Only",
        "Free of copyright, digitised in a partnership that allows non-commercial use only for "
        "a time.",
    ),
    (
        "NoC-OKLR",
        RS.format("NoC-OKLR"),
        "No Copyright - Other Known Legal Restrictions",
        "Free of copyright, but other laws (for example cultural heritage or privacy law) "
        "restrict its use.",
    ),
    (
        "NoC-US",
        RS.format("NoC-US"),
        "No Copyright - United States",
        "Free of copyright under the laws of the United States; it may not be free of copyright "
        "in other countries.",
    ),
    (
        "CNE",
        RS.format("CNE"),
        "Copyright Not Evaluated",
        "The organisation that published it has not evaluated its copyright status.",
    ),
    (
        "UND",
        RS.format("UND"),
        "Copyright Undetermined",
        "The organisation tried to determine its copyright status but could not.",
    ),
    (
        "NKC",
        RS.format("NKC"),
        "No Known Copyright",
        "Believed to be free of copyright and related rights, though this could not be settled "
        "conclusively.",
    ),
    (
        "CC0",
        "http://creativecommons.org/publicdomain/zero/1.0/",
        "CC0 1.0 Universal",
        "The rights-holder has waived all copyright and related rights, worldwide, as far as "
        "the law allows.",
    ),
    (
        "PDM",
        "http://creativecommons.org/publicdomain/mark/1.0/",
        "Public Domain Mark 1.0",
        "Free of known copyright restrictions, including all related and neighbouring rights.",
    ),
    (
        "CC-BY-4.0",
        "http://creativecommons.org/licenses/by/4.0/",
        "CC BY 4.0",
        "Free to share and adapt for any purpose, with attribution to the rights-holder.",
    ),
]


def seed(apps, schema_editor):
    RightsStatement = apps.get_model("catalog", "RightsStatement")
    for identifier, uri, label, description in STATEMENTS:
        RightsStatement.objects.update_or_create(
            uri=uri,
            defaults={"identifier": identifier, "label": label, "description": description},
        )


def unseed(apps, schema_editor):
    RightsStatement = apps.get_model("catalog", "RightsStatement")
    RightsStatement.objects.filter(uri__in=[s[1] for s in STATEMENTS], documents=None).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
