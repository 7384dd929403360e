"""Management commands a developer runs: create_local_admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_create_local_admin_creates_a_superuser_and_prints_the_login(capsys, settings):
    """The command creates admin/admin and prints where and how to log in."""
    settings.DEBUG = True
    call_command("create_local_admin", port="8123")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/admin/" in out
    assert "admin / admin" in out
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password("admin")


def test_create_local_admin_resets_an_existing_account(settings):
    """Running it again resets the password instead of failing."""
    settings.DEBUG = True
    get_user_model().objects.create_user("admin", password="something-else")
    call_command("create_local_admin")
    assert get_user_model().objects.get(username="admin").check_password("admin")


def test_create_local_admin_refuses_without_debug(settings):
    """With DEBUG off (production) the command refuses to create a known password."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development only"):
        call_command("create_local_admin")
    assert not get_user_model().objects.filter(username="admin").exists()
