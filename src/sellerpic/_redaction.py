"""What may authorise a request, kept out of texts and logs: signed URLs' secret parts, bearer
tokens, header values. Importing this module installs the filters on httpx's loggers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

#: Query parameters whose values authorise a request: presigned S3/GCS/Azure URLs, tokens.
SECRET_QUERY_PARAMS = frozenset(
    {
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
        "signature",
        "sig",
        "token",
        "access_token",
        "awsaccesskeyid",
        "policy",
        "key-pair-id",
    }
)
#: A path segment that carries a token: long, made of token characters, letters and digits
#: mixed (token routes such as `/presigned/<token>`, S3 object hashes). Task
#: and result ids (digits) and result file names stay readable.
_TOKEN_SEGMENT = re.compile(r"(?=[^/]*[A-Za-z])(?=[^/]*\d)[A-Za-z0-9_\-.=~%+]{24,}")
_READABLE_SEGMENT = re.compile(r"\d+(_\d+)?(\.[A-Za-z0-9]+)?")
REDACTED = "REDACTED"


def loggable_url(url: str | httpx.URL) -> str:
    """The URL without its secret parts: signature and token query values and token path
    segments are replaced by REDACTED; everything else (host, ids, formats) stays for
    debugging."""
    parts = urlsplit(str(url))
    segments = [
        REDACTED if _TOKEN_SEGMENT.fullmatch(seg) and not _READABLE_SEGMENT.fullmatch(seg) else seg
        for seg in parts.path.split("/")
    ]
    query = [
        (name, REDACTED if name.lower() in SECRET_QUERY_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    netloc = parts.netloc.rpartition("@")[2]  # user:password@host
    text = f"{parts.scheme}://{netloc}{'/'.join(segments)}"
    return f"{text}?{urlencode(query, safe='/')}" if query else text


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s'\"]+")
_HEADER_VALUE = re.compile(r"(?i)(header value)\b.*")


def scrub_secrets(text: str) -> str:
    """Remove what may authorise a request from a text meant for people: bearer tokens,
    header values quoted by httpx/h11 ("Illegal header value b'Bearer ...'"), the secret
    parts of URLs."""
    text = _HEADER_VALUE.sub(r"\1 <redacted>", text)
    text = _BEARER.sub("Bearer <redacted>", text)
    return _URL_IN_TEXT.sub(lambda m: loggable_url(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message without secrets. Installed on the `httpx` logger, which
    logs every request URL at INFO, presigned upload and download URLs included."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error report
            return True
        cleaned = scrub_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


#: httpx logs each request URL at INFO; httpcore's DEBUG trace shows response headers, where a
#: redirect's Location may carry a signed URL. A filter acts on its own logger's records only,
#: so each httpcore logger gets one.
_THIRD_PARTY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def install_log_redaction(logger_names: Iterable[str] = _THIRD_PARTY_LOGGERS) -> None:
    """Idempotent: one `RedactingFilter` per logger."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


install_log_redaction()
