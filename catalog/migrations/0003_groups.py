"""
The two staff roles:

- Archivist: catalogues (adds, changes, views every record) but cannot publish.
- Editor: everything an archivist may do, plus publish and unpublish, and delete records.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "document",
    "documentperson",
    "provenanceevent",
    "person",
    "personauthority",
    "collection",
    "repository",
    "subject",
    "rightsstatement",
]


def seed(apps, schema_editor):
    app_config = apps.get_app_config("catalog")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    catalog = Permission.objects.filter(content_type__app_label="catalog")

    archivist, _ = Group.objects.get_or_create(name="Archivist")
    archivist.permissions.set(
        catalog.filter(
            content_type__model__in=MODELS,
            codename__regex=r"^(add|change|view)_",
        ).exclude(content_type__model="rightsstatement", codename__regex=r"^(add|change)_")
    )
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(catalog.filter(content_type__model__in=MODELS))


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Archivist", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_rights_statements"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
