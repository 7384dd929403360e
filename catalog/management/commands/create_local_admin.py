"""
Create (or reset) the local superuser ``admin`` with password ``admin`` and print how to log in.

For a developer's own machine only: it refuses to run when DEBUG is off.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse


class Command(BaseCommand):
    help = (
        "Create or reset the local development superuser (admin / admin) and print the admin "
        "login. Refuses to run when DJANGO_DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--port", default="8000", help="Port shown in the login URL.")

    def handle(self, *args, username, password, port, **options):
        if not settings.DEBUG:
            raise CommandError("create_local_admin is for local development only (DEBUG is off).")
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        admin_url = reverse("admin:index")  # DJANGO_ADMIN_URL, "/admin/" by default
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Created' if created else 'Reset'} the local admin account. Log in at "
                f"http://127.0.0.1:{port}{admin_url} as {username} / {password} (local use only)."
            )
        )
