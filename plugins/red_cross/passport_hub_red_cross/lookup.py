"""Calling the certificate lookup through the core's shared issuer client."""

from __future__ import annotations

import re
from collections.abc import Mapping

from passport_hub.errors import (
    AuthError,
    MalformedError,
    NotFoundError,
    RateLimitedError,
    TransientError,
    UnavailableError,
    UpstreamError,
)

from .ids import LANDING_URL, cert_id_from_url, normalize_cert_id

HEADERS = {"Referer": LANDING_URL, "X-Requested-With": "XMLHttpRequest", "Accept": "text/html, */*; q=0.1"}
_EMAIL_RE = re.compile(r"^[^@\s/?#&]+@[^@\s/?#&]+\.[^@\s/?#&]+$")


#: how much of a term that is not a certificate ID its error quotes (the rest may be anything, of any length)
QUOTED = 40


def _quoted(value: str) -> str:
    """``value`` quoted for an error: its first :data:`QUOTED` characters and "…" when longer."""
    value = value.strip()
    return repr(value) if len(value) <= QUOTED else repr(value[:QUOTED]) + "…"


def query_params(query: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """The lookup's GET parameters for a fetch query, and a document name that never
    contains the holder's email address.

    Accepted: ``certificate_id`` (also a pasted verify / QR link) or ``email``.
    """
    keys = {k.lower().replace("-", "_"): v for k, v in query.items() if v is not None}
    raw_id = keys.get("certificate_id") or keys.get("certnumber") or keys.get("cert_id") or keys.get("url")
    email = keys.get("email")
    if raw_id and email:
        raise MalformedError("red_cross: give either certificate_id or email, not both")
    if raw_id:
        cert_id = cert_id_from_url(raw_id) if "take-a-class" in raw_id.lower() else normalize_cert_id(raw_id)
        if cert_id is None:
            raise MalformedError(
                f"red_cross: {_quoted(raw_id)} is not a Red Cross certificate ID "
                "(6 or 7 letters and digits, as printed on the certificate)"
            )
        return {"certnumber": cert_id, "format": "ajax"}, f"red_cross_lookup_{cert_id}.html"
    if email:
        email = email.strip()
        if not _EMAIL_RE.match(email):
            raise MalformedError("red_cross: the email address given for the lookup is not valid")
        return {"email": email, "format": "ajax"}, "red_cross_lookup_by_email.html"
    raise MalformedError("red_cross: fetch needs certificate_id=<ID> or email=<address>")


async def lookup(http, url: str, params: dict[str, str]) -> bytes:
    """GET the lookup; the issuer's failures become ``UnavailableError`` (never "not found").

    A lookup URL whose host the client does not allow raises the client's ``ConfigError``.
    """
    try:
        response = await http.get(url, params=params, headers=HEADERS)
    except AuthError as exc:
        raise UnavailableError(
            "red_cross: the Red Cross site refused the lookup (HTTP 401/403, likely bot protection); "
            "the certificate could not be checked",
            internal=str(exc),
        ) from None
    except NotFoundError as exc:
        raise UnavailableError(
            "red_cross: the certificate lookup address answered 404 (the endpoint may have moved); "
            "this does not mean the certificate does not exist",
            internal=str(exc),
        ) from None
    except (TransientError, RateLimitedError) as exc:
        raise UnavailableError(
            f"red_cross: the Red Cross lookup is unavailable ({exc.user_message.removeprefix('red_cross: ')})",
            internal=str(exc),
        ) from None
    except UpstreamError as exc:
        raise UnavailableError(
            f"red_cross: the Red Cross lookup answered unexpectedly ({exc.user_message.removeprefix('red_cross: ')})",
            internal=str(exc),
        ) from None
    if response.status_code >= 300:  # a redirect (not followed) or a 404 returned by the client
        raise UnavailableError(
            f"red_cross: the certificate lookup answered HTTP {response.status_code} instead of a result "
            "(the endpoint may have moved); nothing was read"
        )
    return response.content
