from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...types import UNSET, File, Response


def _get_kwargs(
    account_id: str,
    year: str,
    month: str,
    day: str,
    file_name: str,
    *,
    body: File,
    x_amz_algorithm: str,
    x_amz_credential: str,
    x_amz_date: str,
    x_amz_expires: int,
    x_amz_signed_headers: str,
    x_amz_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["X-Amz-Algorithm"] = x_amz_algorithm

    params["X-Amz-Credential"] = x_amz_credential

    params["X-Amz-Date"] = x_amz_date

    params["X-Amz-Expires"] = x_amz_expires

    params["X-Amz-SignedHeaders"] = x_amz_signed_headers

    params["X-Amz-Signature"] = x_amz_signature

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/UPLOAD/{account_id}/{year}/{month}/{day}/{file_name}".format(
            account_id=quote(str(account_id), safe=""),
            year=quote(str(year), safe=""),
            month=quote(str(month), safe=""),
            day=quote(str(day), safe=""),
            file_name=quote(str(file_name), safe=""),
        ),
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Envelope | str | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 400:
        response_400 = Envelope.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = response.text
        return response_403

    if response.status_code == 413:
        response_413 = Envelope.from_dict(response.json())

        return response_413

    if response.status_code == 500:
        response_500 = Envelope.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Envelope | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    year: str,
    month: str,
    day: str,
    file_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_amz_algorithm: str,
    x_amz_credential: str,
    x_amz_date: str,
    x_amz_expires: int,
    x_amz_signed_headers: str,
    x_amz_signature: str,
) -> Response[Any | Envelope | str]:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, exactly as
    returned (scheme, host, path and query string untouched), without the API key. `200` means
    the file was stored; `403` means the URL expired (30 minutes) or was altered: ask for a new
    one.

    The real URL's host and shape are not documented. This operation models it on the S3
    presigned URLs the API hands out for results: the path is the file key
    (`UPLOAD/<account>/<yyyy>/<mm>/<dd>/<name>`) and the signature travels in the `X-Amz-*`
    query parameters. That shape, the 10 MB cap on the body (the pre-versioning image-to-video
    page allowed 20 MB for this flow), the `413` and the bodies of the error answers are
    inferred.

    Args:
        account_id (str):
        year (str):
        month (str):
        day (str):
        file_name (str):
        x_amz_algorithm (str):
        x_amz_credential (str):
        x_amz_date (str):
        x_amz_expires (int):
        x_amz_signed_headers (str):
        x_amz_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope | str]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        year=year,
        month=month,
        day=day,
        file_name=file_name,
        body=body,
        x_amz_algorithm=x_amz_algorithm,
        x_amz_credential=x_amz_credential,
        x_amz_date=x_amz_date,
        x_amz_expires=x_amz_expires,
        x_amz_signed_headers=x_amz_signed_headers,
        x_amz_signature=x_amz_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    year: str,
    month: str,
    day: str,
    file_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_amz_algorithm: str,
    x_amz_credential: str,
    x_amz_date: str,
    x_amz_expires: int,
    x_amz_signed_headers: str,
    x_amz_signature: str,
) -> Any | Envelope | str | None:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, exactly as
    returned (scheme, host, path and query string untouched), without the API key. `200` means
    the file was stored; `403` means the URL expired (30 minutes) or was altered: ask for a new
    one.

    The real URL's host and shape are not documented. This operation models it on the S3
    presigned URLs the API hands out for results: the path is the file key
    (`UPLOAD/<account>/<yyyy>/<mm>/<dd>/<name>`) and the signature travels in the `X-Amz-*`
    query parameters. That shape, the 10 MB cap on the body (the pre-versioning image-to-video
    page allowed 20 MB for this flow), the `413` and the bodies of the error answers are
    inferred.

    Args:
        account_id (str):
        year (str):
        month (str):
        day (str):
        file_name (str):
        x_amz_algorithm (str):
        x_amz_credential (str):
        x_amz_date (str):
        x_amz_expires (int):
        x_amz_signed_headers (str):
        x_amz_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope | str
    """

    return sync_detailed(
        account_id=account_id,
        year=year,
        month=month,
        day=day,
        file_name=file_name,
        client=client,
        body=body,
        x_amz_algorithm=x_amz_algorithm,
        x_amz_credential=x_amz_credential,
        x_amz_date=x_amz_date,
        x_amz_expires=x_amz_expires,
        x_amz_signed_headers=x_amz_signed_headers,
        x_amz_signature=x_amz_signature,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    year: str,
    month: str,
    day: str,
    file_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_amz_algorithm: str,
    x_amz_credential: str,
    x_amz_date: str,
    x_amz_expires: int,
    x_amz_signed_headers: str,
    x_amz_signature: str,
) -> Response[Any | Envelope | str]:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, exactly as
    returned (scheme, host, path and query string untouched), without the API key. `200` means
    the file was stored; `403` means the URL expired (30 minutes) or was altered: ask for a new
    one.

    The real URL's host and shape are not documented. This operation models it on the S3
    presigned URLs the API hands out for results: the path is the file key
    (`UPLOAD/<account>/<yyyy>/<mm>/<dd>/<name>`) and the signature travels in the `X-Amz-*`
    query parameters. That shape, the 10 MB cap on the body (the pre-versioning image-to-video
    page allowed 20 MB for this flow), the `413` and the bodies of the error answers are
    inferred.

    Args:
        account_id (str):
        year (str):
        month (str):
        day (str):
        file_name (str):
        x_amz_algorithm (str):
        x_amz_credential (str):
        x_amz_date (str):
        x_amz_expires (int):
        x_amz_signed_headers (str):
        x_amz_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope | str]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        year=year,
        month=month,
        day=day,
        file_name=file_name,
        body=body,
        x_amz_algorithm=x_amz_algorithm,
        x_amz_credential=x_amz_credential,
        x_amz_date=x_amz_date,
        x_amz_expires=x_amz_expires,
        x_amz_signed_headers=x_amz_signed_headers,
        x_amz_signature=x_amz_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    year: str,
    month: str,
    day: str,
    file_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_amz_algorithm: str,
    x_amz_credential: str,
    x_amz_date: str,
    x_amz_expires: int,
    x_amz_signed_headers: str,
    x_amz_signature: str,
) -> Any | Envelope | str | None:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, exactly as
    returned (scheme, host, path and query string untouched), without the API key. `200` means
    the file was stored; `403` means the URL expired (30 minutes) or was altered: ask for a new
    one.

    The real URL's host and shape are not documented. This operation models it on the S3
    presigned URLs the API hands out for results: the path is the file key
    (`UPLOAD/<account>/<yyyy>/<mm>/<dd>/<name>`) and the signature travels in the `X-Amz-*`
    query parameters. That shape, the 10 MB cap on the body (the pre-versioning image-to-video
    page allowed 20 MB for this flow), the `413` and the bodies of the error answers are
    inferred.

    Args:
        account_id (str):
        year (str):
        month (str):
        day (str):
        file_name (str):
        x_amz_algorithm (str):
        x_amz_credential (str):
        x_amz_date (str):
        x_amz_expires (int):
        x_amz_signed_headers (str):
        x_amz_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope | str
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            year=year,
            month=month,
            day=day,
            file_name=file_name,
            client=client,
            body=body,
            x_amz_algorithm=x_amz_algorithm,
            x_amz_credential=x_amz_credential,
            x_amz_date=x_amz_date,
            x_amz_expires=x_amz_expires,
            x_amz_signed_headers=x_amz_signed_headers,
            x_amz_signature=x_amz_signature,
        )
    ).parsed
