"""Shared fixtures: users in each staff role, and the seed telegram loaded from fixtures/."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.fixture(autouse=True)
def reference_data(request):
    """
    The rights statements and staff groups the data migrations seed, present in every test
    that uses the database: a transactional test (browser, flush) empties every table when it
    ends, and this puts them back for the tests after it.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        transactional = marker.kwargs.get("transaction", False) or (marker.args and marker.args[0])
        request.getfixturevalue("transactional_db" if transactional else "db")
    elif not {"db", "transactional_db"} & set(request.fixturenames):
        return
    from catalog.models import RightsStatement

    if not RightsStatement.objects.exists():
        for name in ("0002_rights_statements", "0003_groups"):
            importlib.import_module(f"catalog.migrations.{name}").seed(apps, None)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: no page cached by an earlier test is served."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log users in many times; a fast hasher keeps that from dominating the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def archivist(django_user_model):
    """A staff member in the Archivist group: catalogues, cannot publish."""
    user = django_user_model.objects.create_user(
        "archivist", "archivist@example.org", "catalogue-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Archivist"))
    return user


@pytest.fixture
def editor(django_user_model):
    """A staff member in the Editor group: may publish."""
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "catalogue-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def archivist_client(client, archivist):
    client.force_login(archivist)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def seed(db):
    """The 1944 Harriman–Stalin telegram and what it links to, from fixtures/seed.json."""
    call_command("loaddata", "fixtures/seed.json", verbosity=0)
    from catalog.models import Document

    return Document.objects.get(title__startswith="Telegram re Stalin Harriman")
