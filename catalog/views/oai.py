"""
The OAI-PMH 2.0 endpoint, ``/oai/``: one view for all six verbs over GET and POST.

The protocol itself (arguments, tokens, identifiers, the ``oai_dc`` record) is in
:mod:`catalog.oai`; this view picks the verb's template in ``templates/oai/`` and renders
errors as the protocol wants them: HTTP 200 with ``<error>`` elements.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .. import oai
from .documents import attach_ancestors

CONTENT_TYPE = "text/xml; charset=utf-8"


@method_decorator(csrf_exempt, name="dispatch")
class OAIView(View):
    """Answers harvesters (GET, or POST as application/x-www-form-urlencoded)."""

    http_method_names = ["get", "post", "head", "options"]

    def get(self, request):
        return self.respond(request.GET)

    def post(self, request):
        return self.respond(request.POST)

    def respond(self, query):
        now = timezone.now()
        context = {
            "response_date": oai.format_datestamp(now),
            "base_url": self.request.build_absolute_uri(self.request.path),
        }
        try:
            verb, arguments = oai.parse_arguments(query)
        except oai.OAIError as error:
            # badVerb and badArgument echo the base URL only, no attributes.
            return self.render("oai/error.xml", context, error=error, attributes=None)
        context["attributes"] = [("verb", verb), *sorted(arguments.items())]
        try:
            template, data = getattr(self, verb)(arguments, now)
        except oai.OAIError as error:
            if error.code == "badArgument":
                context["attributes"] = None
            return self.render("oai/error.xml", context, error=error)
        return self.render(template, context, **data)

    def render(self, template, context, **data):
        body = render_to_string(template, {**context, **data})
        return HttpResponse(body, content_type=CONTENT_TYPE)

    # One method per verb, named as the verb: (template, context), or an oai.OAIError.

    def Identify(self, arguments, now):
        repository = oai.repository_identifier(self.request)
        return "oai/identify.xml", {
            "repository_name": settings.SITE_NAME,
            "admin_email": settings.OAI_ADMIN_EMAIL,
            "earliest_datestamp": oai.format_datestamp(oai.earliest_datestamp(now)),
            "granularity": oai.GRANULARITY,
            "repository_identifier": repository,
            "describe_identifier": bool(oai.REPOSITORY_IDENTIFIER_PATTERN.match(repository)),
            "sample_identifier": oai.oai_identifier(repository, 1),
        }

    def ListMetadataFormats(self, arguments, now):
        if "identifier" in arguments:
            repository = oai.repository_identifier(self.request)
            oai.item(oai.record_id_from(arguments["identifier"], repository))
        return "oai/list_metadata_formats.xml", {"formats": oai.METADATA_FORMATS}

    def ListSets(self, arguments, now):
        if "resumptionToken" in arguments:
            raise oai.OAIError("badResumptionToken", "ListSets is never split into pages.")
        sets = oai.public_sets()
        if not sets:
            raise oai.OAIError("noSetHierarchy", "This archive has no sets.")
        return "oai/list_sets.xml", {"sets": sets}

    def ListIdentifiers(self, arguments, now):
        page = oai.list_page("ListIdentifiers", arguments, now=now)
        return "oai/list_identifiers.xml", {"records": self.records(page.items), "page": page}

    def ListRecords(self, arguments, now):
        page = oai.list_page("ListRecords", arguments, now=now)
        records = self.records(page.items, metadata=True)
        return "oai/list_records.xml", {"records": records, "page": page}

    def GetRecord(self, arguments, now):
        repository = oai.repository_identifier(self.request)
        item = oai.item(oai.record_id_from(arguments["identifier"], repository))
        oai.check_metadata_prefix(arguments["metadataPrefix"])
        return "oai/get_record.xml", {"record": self.records([item], metadata=True)[0]}

    def records(self, items, *, metadata=False):
        """
        What the templates show of each item, with its ``oai_dc`` elements when ``metadata``;
        a deleted item is its header alone.
        """
        repository = oai.repository_identifier(self.request)
        if metadata:
            # The collections above those loaded, for the source line: one query at most.
            attach_ancestors(
                [c for i in items if not i.deleted for c in i.document.collections.all()]
            )
        records = []
        for item in items:
            record = {
                "identifier": oai.oai_identifier(repository, item.record_id),
                "datestamp": oai.format_datestamp(item.datestamp),
                "deleted": item.deleted,
                "sets": [],
                "metadata": [],
            }
            if not item.deleted:
                collections = item.document.collections.all()
                record["sets"] = oai.set_specs(collections)
                if metadata:
                    record["metadata"] = oai.dublin_core(item.document, self.request)
            records.append(record)
        return records
