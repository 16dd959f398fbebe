"""Presigned URLs: the query presign() writes is the one urlencode would write, and it opens."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from sellerpic_mock.signing import PARAMETERS, PresignedRefused, Signer, query_string

KEYS = [
    "RESULT/1910256820110163968/2026/12/02/1956366543768004069_output_0.png",
    "UPLOAD/1910256820110163968/2026/12/02/6d3ca949065843f5a246d49831477274.jpg",
    "RESULT/1/2026/01/01/1_output_1-uhd.webp",
]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("issued_at", [0, 1_764_633_600.9, 4_102_444_799])
@pytest.mark.parametrize("expires_in", [1, 1800, 43_200, 604_800])
def test_presigned_query_is_spelled_as_urlencode_spells_it(
    key: str, issued_at: float, expires_in: int
) -> None:
    signer = Signer(b"k" * 32)
    path, _, query = signer.presign("GET", key, issued_at, expires_in).partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=True))
    assert list(params) == list(PARAMETERS)
    assert query == urlencode(params)
    assert signer.verify("GET", key, params, issued_at).expires_in == expires_in
    assert urlsplit(path).path == "/" + key


def test_query_string_writes_slashes_as_urlencode_does() -> None:
    params = {"a": "SIM/20261202/local/s3/aws4_request", "b": "20261202T000000Z", "c": "host"}
    assert query_string(params) == urlencode(params)


def test_a_url_signed_for_another_key_or_method_is_refused() -> None:
    signer = Signer(b"k" * 32)
    query = signer.presign("GET", KEYS[0], 100, 60).partition("?")[2]
    params = dict(parse_qsl(query))
    for method, key in (("GET", KEYS[1]), ("PUT", KEYS[0])):
        with pytest.raises(PresignedRefused) as refused:
            signer.verify(method, key, params, 100)
        assert refused.value.code == "SignatureDoesNotMatch"
