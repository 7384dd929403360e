"""factory_boy factories for every catalogue model."""

import factory
from django.utils import timezone

from catalog import models


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Repository
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Archive {n}")
    place = "Washington, DC"


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Collection

    title = factory.Sequence(lambda n: f"Papers {n}")
    repository = factory.SubFactory(RepositoryFactory)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subject

    name = factory.Sequence(lambda n: f"Subject {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    display_name = factory.Sequence(lambda n: f"Person Number{n}")


class PersonAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PersonAuthority

    person = factory.SubFactory(PersonFactory)
    uri = factory.Sequence(lambda n: f"https://d-nb.info/gnd/{100000 + n}")


def rights_statement(identifier="NoC-US"):
    """One of the statements the data migration seeded."""
    return models.RightsStatement.objects.get(identifier=identifier)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A published document by default; pass ``status="draft"`` for a draft."""

    class Meta:
        model = models.Document
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Telegram number {n}")
    doc_type = models.Document.Type.TELEGRAM
    date_edtf = "1944-02-02"
    summary = "A summary."
    transcript = "The text of the document."
    language = "en"
    repository = factory.SubFactory(RepositoryFactory)
    rights = factory.LazyFunction(rights_statement)
    status = models.Document.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=models.Document.Status.DRAFT, published_at=None)

    @factory.post_generation
    def collections(self, create, extracted, **kwargs):
        if create and extracted:
            self.collections.set(extracted)

    @factory.post_generation
    def subjects(self, create, extracted, **kwargs):
        if create and extracted:
            self.subjects.set(extracted)


class DocumentPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DocumentPerson

    document = factory.SubFactory(DocumentFactory)
    person = factory.SubFactory(PersonFactory)
    role = models.DocumentPerson.Role.AUTHOR


class ProvenanceEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProvenanceEvent

    document = factory.SubFactory(DocumentFactory)
    event = models.ProvenanceEvent.Event.HELD
    agent = "Library of Congress"
