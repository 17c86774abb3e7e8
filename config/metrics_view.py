"""`/metrics`: this process's metrics (`config/metrics.py`) in Prometheus' text format, or in
OpenMetrics when the scraper asks for it. With METRICS_TOKEN set, only a request carrying
`Authorization: Bearer <METRICS_TOKEN>` is answered; without it the endpoint is open."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from prometheus_client.exposition import choose_encoder

from config.metrics import REGISTRY  # the default registry, with config.metrics' own collectors


def bearer_matches(authorization: str, token: str) -> bool:
    """True when an Authorization header carries this Bearer token (compared in constant time)."""
    scheme, _, supplied = authorization.partition(" ")
    return scheme.lower() == "bearer" and constant_time_compare(supplied.strip(), token)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The process's metrics; 401 without the right Bearer token when METRICS_TOKEN is set."""
    token = settings.METRICS_TOKEN
    if token and not bearer_matches(request.headers.get("Authorization", ""), token):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(REGISTRY), content_type=content_type)
